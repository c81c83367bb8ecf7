"""Readers for the shared French medical datasets (``settings.data_dir``), in their published
formats. Each knows its licence; per-record licences (E3C) are kept as published.

Instruction-style sources become conversations (``messages``) in the project's chat format:
FrenchMedMCQA train (exam questions in the evaluation's prompt format → letters of the correct options), LabForSims2 (a doctor
interviews a virtual patient: the model plays the patient), BDPM (drug facts → varied
question/answer pairs built from several templates, so the model does not learn one phrasing).
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from partages.corpus.errors import CorpusError
from partages.corpus.readers import JsonlReader, Reader

def format_mcq(question: str, answers: dict[str, str]) -> str:
    """The MCQ prompt used for training: the evaluation's own FrenchMedMCQA instruction and
    question block (``partages.evaluation``), so what SFT teaches is what the benchmark asks."""
    from partages.evaluation.tasks.frenchmedmcqa import INSTRUCTION, render_question

    return (INSTRUCTION + render_question({"question": question, "answers": answers})).strip()


def format_mcq_answer(correct: list[str]) -> str:
    """Letters as the evaluation writes them: ``A, C``."""
    from partages.evaluation.answer_sets import format_set

    return format_set(correct)


def _need(path: Path) -> Path:
    if not path.exists():
        raise CorpusError(f"{path}: not found (set PARTAGES_DATA_DIR or the source's 'path')")
    return path


class FrenchMedMCQAReader(Reader):
    """FrenchMedMCQA (DEFT 2023) JSON split as instruction pairs. Only ``train`` belongs in a
    training mix; dev/test are evaluation data (see :mod:`partages.corpus.decontaminate`)."""

    name = "frenchmedmcqa"

    def __init__(self, data_dir: Path, split: str = "train", *, source: str = "frenchmedmcqa", licence: str = "Apache-2.0", **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.path = _need(Path(data_dir) / "frenchmedmcqa" / f"{split}.json")

    def read(self) -> Iterator:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{self.path}:{exc.lineno}: invalid JSON") from exc
        for i, row in enumerate(rows):
            try:
                q, answers, correct = row["question"], row["answers"], row["correct_answers"]
            except (KeyError, TypeError):
                self.bad(self.path, None, f"item {i} lacks question/answers/correct_answers")
                continue
            yield self.make_chat(
                row.get("id", str(i)),
                [
                    {"role": "user", "content": format_mcq(q, answers)},
                    {"role": "assistant", "content": format_mcq_answer(correct)},
                ],
            )


class MorfittReader(Reader):
    """MORFITT French PubMed abstracts (TSV with header), as plain text."""

    name = "morfitt"

    def __init__(self, data_dir: Path, splits: tuple[str, ...] = ("train",), *, source: str = "morfitt", licence: str = "CC BY-SA 4.0", **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.paths = [_need(Path(data_dir) / "morfitt" / f"{s}.tsv") for s in splits]

    def read(self) -> Iterator:
        for path in self.paths:
            with path.open(encoding="utf-8", newline="") as f:
                for lineno, row in enumerate(csv.DictReader(f, delimiter="\t"), 2):
                    text = (row.get("abstract") or "").strip()
                    if not text:
                        self.bad(path, lineno, "empty abstract")
                        continue
                    yield self.make(row.get("identifier") or str(lineno), text, specialities=row.get("specialities"))


class E3CPamjReader(JsonlReader):
    """E3C layer 3 PAMJ clinical cases (CC BY 4.0 per document): published cases, not patient
    records, but they still go through the pseudonymisation gate like any clinical text."""

    name = "e3c_pamj"

    def __init__(self, data_dir: Path, *, source: str = "e3c_pamj", licence: str = "CC BY 4.0", **kw: Any) -> None:
        super().__init__(_need(Path(data_dir) / "e3c_fr" / "layer3_fr_ccby_pamj.jsonl"), source, licence, **kw)

    def read(self) -> Iterator:
        for doc in super().read():
            doc.source = self.source  # the file's "source" field is the journal; keep ours
            doc.metadata["clinical"] = True
            yield doc


class E3CLeafletsReader(JsonlReader):
    """E3C drug leaflets (CC BY-NC): non-commercial, only with ``allow_nc``."""

    name = "e3c_leaflets"
    non_commercial = True

    def __init__(self, data_dir: Path, *, source: str = "e3c_leaflets", licence: str = "CC BY-NC 4.0", **kw: Any) -> None:
        super().__init__(_need(Path(data_dir) / "e3c_fr" / "layer3_fr_drug_leaflets_ccbync.jsonl.xz"), source, licence, **kw)

    def read(self) -> Iterator:
        for doc in super().read():
            doc.source = self.source
            yield doc


PATIENT_SYSTEM = (
    "Tu joues le rôle d'un patient virtuel venu consulter. Réponds aux questions du médecin "
    "en français, simplement, comme un patient."
)
_TURN = re.compile(r"^([dp])(\d{8,})\s+(.*)$")


class LabForSimsReader(Reader):
    """LabForSims2 consultation dialogues: the doctor is the user, the model plays the patient.
    Each dialogue is cut into windows of ``turns_per_example`` exchanges ending on a patient turn."""

    name = "labforsims2"

    def __init__(self, data_dir: Path, *, turns_per_example: int = 4, source: str = "labforsims2", licence: str = "CC BY-SA 4.0", **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        root = _need(Path(data_dir) / "labforsims2_dialogues" / "dialogues")
        self.paths = sorted(root.glob("*/dialogues"))
        self.window = max(1, turns_per_example)

    def read(self) -> Iterator:
        for path in self.paths:
            turns: list[dict[str, str]] = []
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                m = _TURN.match(line.strip())
                if not m:
                    self.bad(path, lineno, "line does not start with a dNNNNNNNN/pNNNNNNNN turn code")
                    continue
                role = "user" if m.group(1) == "d" else "assistant"
                content = m.group(3).strip()
                if turns and turns[-1]["role"] == role:
                    turns[-1]["content"] += " " + content
                else:
                    turns.append({"role": role, "content": content})
            if turns and turns[0]["role"] == "assistant":
                turns = turns[1:]
            pairs = [turns[i : i + 2] for i in range(0, len(turns) - 1, 2)]
            for k in range(0, len(pairs), self.window):
                window = [t for pair in pairs[k : k + self.window] for t in pair]
                if window and window[-1]["role"] == "assistant":
                    yield self.make_chat(f"{path.parent.name}:{k}", [{"role": "system", "content": PATIENT_SYSTEM}, *window])


_BDPM_QA = [
    ("Sous quelle forme se présente {nom} ?", "{nom} se présente sous la forme : {forme}, à prendre par voie {voie}."),
    ("Quelle est la voie d'administration de {nom} ?", "{nom} s'administre par voie {voie}."),
    ("Quelle est la composition en substance active de {nom} ?", "{nom} contient : {compo}."),
    ("Quel laboratoire est titulaire de l'autorisation de {nom} ?", "Le titulaire de l'autorisation de {nom} est {titulaire}."),
    ("{nom} est-il actuellement commercialisé en France ?", "Selon la base de données publique des médicaments, {nom} : {commercialisation}."),
    ("Donne une fiche courte du médicament {nom}.", "{nom}\n- Forme : {forme}\n- Voie : {voie}\n- Substance(s) active(s) : {compo}\n- Titulaire : {titulaire}"),
]


class BdpmFactsReader(Reader):
    """BDPM (tab-separated, no header, Windows-1252) → question/answer pairs from templates.

    ``max_drugs`` drugs are drawn with a fixed seed; each yields ``pairs_per_drug`` pairs with
    different templates. Facts are copied from the official files, never generated."""

    name = "bdpm"

    def __init__(self, data_dir: Path, *, version: str = "2023-11", max_drugs: int = 500, pairs_per_drug: int = 2, seed: int = 0,
                 source: str = "bdpm", licence: str = "Licence Ouverte / Etalab 2.0", **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.dir = _need(Path(data_dir) / "bdpm" / version)
        self.max_drugs, self.pairs, self.seed = max_drugs, pairs_per_drug, seed

    def _rows(self, name: str) -> Iterator[tuple[int, list[str]]]:
        path = _need(self.dir / name)
        with path.open(encoding="cp1252", newline="") as f:
            for lineno, line in enumerate(f, 1):
                yield lineno, [c.strip() for c in line.rstrip("\r\n").split("\t")]

    def read(self) -> Iterator:
        compo: dict[str, list[str]] = {}
        for _, row in self._rows("CIS_COMPO_bdpm.txt"):
            if len(row) >= 7 and row[6] == "SA":
                compo.setdefault(row[0], []).append(f"{row[3].lower()} {row[4]}".strip())
        drugs = []
        path = self.dir / "CIS_bdpm.txt"
        for lineno, row in self._rows("CIS_bdpm.txt"):
            if len(row) < 11:
                self.bad(path, lineno, "fewer than 11 columns")
                continue
            if row[4] != "Autorisation active" or row[0] not in compo:
                continue
            drugs.append(row)
        rng = random.Random(self.seed)
        rng.shuffle(drugs)
        for row in drugs[: self.max_drugs]:
            facts = {
                "nom": row[1].split(",")[0].strip(),
                "forme": row[2],
                "voie": row[3].replace(";", ", "),
                "compo": "; ".join(dict.fromkeys(compo[row[0]])),
                "titulaire": row[10].strip(),
                "commercialisation": row[6].lower(),
            }
            for j, (q, a) in enumerate(rng.sample(_BDPM_QA, k=min(self.pairs, len(_BDPM_QA)))):
                yield self.make_chat(
                    f"{row[0]}:{j}",
                    [{"role": "user", "content": q.format(**facts)}, {"role": "assistant", "content": a.format(**facts)}],
                    cis=row[0],
                )

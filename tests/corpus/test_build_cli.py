"""`partages corpus build` on real shared datasets and small written inputs: shards, data card,
licences, resume, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from partages.cli.app import app
from partages.corpus import BdpmFactsReader, E3CPamjReader, FrenchMedMCQAReader, LabForSimsReader, MorfittReader

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, " ".join(r.output.split())


def test_shared_dataset_readers(settings) -> None:
    d = settings.data_dir
    mcq = list(FrenchMedMCQAReader(d).run())
    assert len(mcq) == 2171
    assert mcq[0].licence == "Apache-2.0" and [m["role"] for m in mcq[0].messages] == ["user", "assistant"]
    assert mcq[0].messages[1]["content"] == "E"  # the particles-alpha question: only (e) is false
    assert mcq[0].messages[0]["content"].endswith("E. Sont peu ionisantes\nRéponse(s) :")  # the evaluation's prompt
    assert len(list(MorfittReader(d).run())) == 1514
    pamj = list(E3CPamjReader(d, limit=5).run())
    assert len(pamj) == 5 and all(p.licence in ("CC BY 4.0", "CC BY") and p.source == "e3c_pamj" and p.metadata["clinical"] for p in pamj)
    lab = LabForSimsReader(d, turns_per_example=4)
    dialogues = list(lab.run())
    assert lab.stats["bad_records"] == 0 and len(dialogues) > 100
    assert all(x.messages[-1]["role"] == "assistant" and x.messages[0]["role"] == "system" for x in dialogues)
    bdpm = list(BdpmFactsReader(d, max_drugs=10, pairs_per_drug=3).run())
    assert len(bdpm) == 30 and len({b.messages[0]["content"].split(" ")[0] for b in bdpm}) > 1  # varied templates
    assert all(b.licence == "Licence Ouverte / Etalab 2.0" for b in bdpm)


def _config(tmp_path: Path, **extra) -> Path:
    notes = tmp_path / "notes.jsonl"
    texts = ["Compte rendu : le patient a présenté une pneumopathie traitée par amoxicilline, évolution favorable en dix jours."] * 2
    texts.append("Compte rendu : la patiente a été opérée d'une appendicite, suites simples, sortie à J2 avec du paracétamol.")
    notes.write_text("\n".join(json.dumps({"id": str(i), "text": t}) for i, t in enumerate(texts)) + "\n{oops\n", encoding="utf-8")
    cfg = {
        "name": "mini",
        "sources": [
            {"type": "frenchmedmcqa", "limit": 30},
            {"type": "bdpm", "options": {"max_drugs": 5, "pairs_per_drug": 2}},
            {"type": "jsonl", "path": "notes.jsonl", "name": "service-x", "licence": "internal (pseudonymised)", "clinical": True},
        ],
        "gate": {"detector": "deid", "scope": "clinical"},
        "shard_size": 16,
        **extra,
    }
    path = tmp_path / "corpus.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_build_writes_shards_and_card_and_resumes(tmp_path: Path, settings) -> None:
    cfg = _config(tmp_path)
    out = tmp_path / "out"
    code, text = invoke("corpus", "build", "--config", str(cfg), "--out", str(out), "--home", str(settings.home), "--json")
    assert code == 0, text
    card = json.loads((out / "data_card.json").read_text(encoding="utf-8"))
    rows = [r for f in sorted(out.glob("shard-*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert len(rows) == card["totals"]["documents"] == 30 + 10 + 2  # two identical notes → one kept
    assert card["totals"]["shards"] == 3 and card["token_unit"] == "gemma3-270m tokenizer"
    assert all(r["source"] and r["licence"] for r in rows)
    assert {r["source"] for r in rows} == {"frenchmedmcqa", "bdpm", "service-x"}
    by_src = {s["name"]: s for s in card["sources"]}
    assert by_src["service-x"]["bad_records"] == 1 and by_src["service-x"]["errors"][0].endswith("notes.jsonl:4: invalid JSON (Expecting property name enclosed in double quotes)")
    assert card["gate"]["checked"] == 3 and card["gate"]["detector"].endswith("detect")
    assert sum(s["kept_tokens"] for s in card["sources"]) == card["totals"]["tokens"] == sum(r["tokens"] for r in rows)
    assert "| frenchmedmcqa | Apache-2.0 | 30 | 0 | 30 |" in (out / "DATA_CARD.md").read_text(encoding="utf-8")
    chat = next(r for r in rows if r["kind"] == "chat")
    assert chat["messages"][-1]["role"] == "assistant"

    # interrupted after the first shard: resume keeps it and writes the rest identically
    state = json.loads((out / "_state.json").read_text())
    first = (out / "shard-00000.parquet").stat().st_mtime_ns
    for f in ("shard-00001.parquet", "shard-00002.parquet"):
        (out / f).unlink()
    state.update(done=False, records=16, shards=state["shards"][:1])
    (out / "_state.json").write_text(json.dumps(state))
    code, text = invoke("corpus", "build", "--config", str(cfg), "--out", str(out), "--home", str(settings.home), "--json")
    assert code == 0, text
    assert (out / "shard-00000.parquet").stat().st_mtime_ns == first
    again = [r for f in sorted(out.glob("shard-*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert [r["id"] for r in again] == [r["id"] for r in rows]
    card2 = json.loads((out / "data_card.json").read_text(encoding="utf-8"))
    assert card2["totals"] == card["totals"]
    assert card["resumed_records"] == 0 and card2["resumed_records"] == 16


def test_non_commercial_source_needs_allow_nc(tmp_path: Path, settings) -> None:
    cfg = tmp_path / "nc.yaml"
    cfg.write_text(yaml.safe_dump({"sources": [{"type": "e3c_leaflets", "limit": 3}], "gate": {"detector": "rules"}}), encoding="utf-8")
    code, text = invoke("corpus", "build", "--config", str(cfg), "--out", str(tmp_path / "o"), "--home", str(settings.home))
    assert code == 1 and "licensed 'CC BY-NC 4.0'" in text and "--allow-nc" in text
    code, text = invoke("corpus", "build", "--config", str(cfg), "--out", str(tmp_path / "o"), "--home", str(settings.home), "--allow-nc", "--json")
    assert code == 0, text
    card = json.loads((tmp_path / "o" / "data_card.json").read_text(encoding="utf-8"))
    assert card["allow_nc"] is True and card["sources"][0]["read"] == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sources: [{type: jsonl}]\n", "needs 'path' and 'licence'"),
        ("sources:\n  - {type: frenchmedmcqa, options: {split: test}}\n", "evaluation splits and cannot enter a corpus"),
        ("sources: [{type: morfitt}]\ndedupe: {}\n", "corpus.yaml: dedupe: Extra inputs are not permitted"),
        ("sources: [\n", "corpus.yaml:2: invalid YAML"),
        ("sources: [{type: jsonl, path: missing.jsonl, licence: CC0}]\n", "missing.jsonl: no such file or directory"),
    ],
)
def test_bad_configuration_fails_with_file_and_reason(tmp_path: Path, settings, content: str, message: str) -> None:
    cfg = tmp_path / "corpus.yaml"
    cfg.write_text(content, encoding="utf-8")
    code, text = invoke("corpus", "build", "--config", str(cfg), "--out", str(tmp_path / "o"), "--home", str(settings.home))
    assert code == 1 and message in text, text

"""FrenchMedMCQA (Labrak et al. 2022; DEFT 2023): French pharmacy exam MCQs, five options A–E,
one or more correct.

Data: ``<data_dir>/frenchmedmcqa/{train,dev,test}.json`` exactly as published (a JSON list of
``{id, question, answers{a..e}, correct_answers, subject_name, nbr_correct_answers}``), licence
Apache-2.0. Shots come from ``train`` only, whatever split is evaluated.

Prompt (identical in both modes, and in the exported lm-eval task)::

    <INSTRUCTION>

    [k shots: QUESTION_BLOCK + " A, C" + blank line]
    Question : <question>
    A. <a>
    ...
    E. <e>
    Réponse(s) :

The k shots are the first k items of ``train`` shuffled with ``random.Random(seed)``; the same
shots precede every question, so their encoding is computed once and reused (prefix reuse).

Modes: ``loglikelihood`` scores the five continuations " A".." E" in one ``Engine.score`` call
per question (they share the whole prompt; the engine evaluates it once) and applies
:func:`partages.evaluation.answer_sets.decide_from_logprobs`; ``generative`` decodes greedily
and applies :func:`partages.evaluation.answer_sets.parse_letter_set`.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

from partages.engines.base import Engine, SamplingParams, ScoreRequest
from partages.evaluation import answer_sets as A
from partages.evaluation.errors import DataError, EvalError
from partages.evaluation.metrics import bootstrap, breakdown
from partages.evaluation.registry import Progress, RunConfig, Task, TaskResult, register

INSTRUCTION = (
    "Voici des questions à choix multiples de l'examen de pharmacie. Chaque question propose "
    "cinq réponses (A à E) ; une ou plusieurs sont exactes. Indiquez les lettres de toutes les "
    "réponses exactes.\n\n"
)
QUESTION_BLOCK = "Question : {question}\nA. {a}\nB. {b}\nC. {c}\nD. {d}\nE. {e}\nRéponse(s) :"
SHOT_ANSWER = " {letters}\n\n"  # letters formatted by answer_sets.format_set: "A, C, E"
CHOICES = tuple(f" {x}" for x in A.LETTERS)  # log-likelihood continuations
STOP = ["\n\n", "Question :"]
PROMPT_TEMPLATE = INSTRUCTION + "{shots: k × (" + QUESTION_BLOCK + SHOT_ANSWER + ")}" + QUESTION_BLOCK
LICENCE = "Apache-2.0"
SOURCE = "GitHub qanastek/FrenchMedMCQA @4e36a40, corpus/{train,dev,test}.json (Labrak et al. 2022, hal-03824241)"

REFERENCES = [
    {"name": "BART-base + BM25 retrieval (Labrak et al. 2022)", "split": "dev", "emr": 0.186, "hamming": 0.387},
    {"name": "DrBERT-7GB (Labrak et al.)", "split": "test", "emr": 0.148, "hamming": 0.337},
]
ALL_SETS = [c for k in range(1, 6) for c in combinations(A.LETTERS, k)]  # the 31 non-empty sets


def template_hash() -> str:
    return hashlib.sha256(PROMPT_TEMPLATE.encode("utf-8")).hexdigest()


def load_split(data_dir: Path | None, split: str) -> list[dict[str, Any]]:
    """Read and validate one split; errors name the file and the item."""
    if data_dir is None:
        raise DataError("no data directory: set PARTAGES_DATA_DIR (it must contain frenchmedmcqa/)")
    path = Path(data_dir) / "frenchmedmcqa" / f"{split}.json"
    if not path.is_file():
        raise DataError(f"{path}: file not found (FrenchMedMCQA split '{split}')")
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    if not isinstance(items, list):
        raise DataError(f"{path}: expected a JSON list of questions")
    for i, it in enumerate(items):
        where = f"{path}: item {i}"
        if not isinstance(it, dict):
            raise DataError(f"{where}: not an object")
        for key in ("id", "question", "answers", "correct_answers"):
            if key not in it:
                raise DataError(f"{where}: missing field '{key}'")
        answers = it["answers"]
        if not isinstance(answers, dict) or sorted(answers) != list("abcde"):
            raise DataError(f"{where} (id {it['id']}): 'answers' must have keys a..e")
        gold = it["correct_answers"]
        if not isinstance(gold, list) or not gold or any(str(g).lower() not in "abcde" or len(str(g)) != 1 for g in gold):
            raise DataError(f"{where} (id {it['id']}): 'correct_answers' must be a non-empty list of letters a..e")
    return items


def render_question(item: dict[str, Any]) -> str:
    a = item["answers"]
    return QUESTION_BLOCK.format(question=item["question"].strip(), **{k: str(v).strip() for k, v in a.items()})


def select_shots(train: list[dict[str, Any]], k: int, seed: int) -> list[dict[str, Any]]:
    if k > len(train):
        raise EvalError(f"--shots {k} is more than the {len(train)} training questions")
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    return [train[i] for i in order[:k]]


def build_prefix(shots: list[dict[str, Any]]) -> str:
    """Instruction + shots: the part shared by every question of a run."""
    return INSTRUCTION + "".join(render_question(s) + SHOT_ANSWER.format(letters=A.format_set(s["correct_answers"])) for s in shots)


def build_prompt(prefix: str, item: dict[str, Any]) -> str:
    return prefix + render_question(item)


def gold_set(item: dict[str, Any]) -> tuple[str, ...]:
    return A.normalise_set(item["correct_answers"])


def most_frequent_set(train: list[dict[str, Any]]) -> tuple[str, ...]:
    """Most frequent gold set in train (ties: alphabetical), the 'always answer X' baseline."""
    counts = Counter(gold_set(it) for it in train)
    return min(counts, key=lambda s: (-counts[s], s))


def baselines(items: list[dict[str, Any]], train: list[dict[str, Any]], seed: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Random (uniform over the 31 non-empty sets; exact expectation per question) and the
    most-frequent-train-set baseline, on the same items as the model."""
    mfs = most_frequent_set(train)
    rnd = {"emr": [], "hamming": []}
    mf = {"emr": [], "hamming": []}
    for it in items:
        g = gold_set(it)
        rnd["emr"].append(sum(A.exact_match(s, g) for s in ALL_SETS) / len(ALL_SETS))
        rnd["hamming"].append(sum(A.hamming_score(s, g) for s in ALL_SETS) / len(ALL_SETS))
        mf["emr"].append(A.exact_match(mfs, g))
        mf["hamming"].append(A.hamming_score(mfs, g))
    est = {"random": bootstrap(rnd, seed=seed), "most_frequent_set": bootstrap(mf, seed=seed)}
    info = {
        "random": "uniform choice among the 31 non-empty answer sets (exact expectation per question)",
        "most_frequent_set": f"always answer {A.format_set(mfs)}, the most frequent answer set in train",
    }
    return est, info


@register
class FrenchMedMCQA(Task):
    name = "frenchmedmcqa"
    description = "French pharmacy exam MCQs (5 options, one or more correct): EMR and Hamming score"
    modes = ("loglikelihood", "generative")
    splits = ("train", "dev", "test")
    primary_metric = "emr"

    def run(self, engine: Engine | None, config: RunConfig, progress: Progress | None = None) -> TaskResult:
        self.check(config)
        if engine is None:
            raise EvalError("frenchmedmcqa needs a model (--model)")
        train = load_split(config.data_dir, "train")
        items = train if config.split == "train" else load_split(config.data_dir, config.split)
        if config.limit:
            items = items[: config.limit]
        shots = select_shots(train, config.shots, config.seed)
        if config.split == "train" and shots:
            shot_ids = {s["id"] for s in shots}
            items = [it for it in items if it["id"] not in shot_ids]
        prefix = build_prefix(shots)
        total = len(items)
        predictions: list[dict[str, Any]] = []
        per_item: dict[str, list[float]] = {"emr": [], "hamming": []}
        unparsed = 0
        for i, item in enumerate(items):
            done = config.done.get(item["id"])
            reused = done is not None and done.get("gold") == list(gold_set(item))
            if reused:
                record = dict(done)  # resumed run: computed before the interruption
                pred = tuple(record["prediction"])
                if config.mode == "generative" and not record.get("parsed"):
                    unparsed += 1
            else:
                record = self._predict(engine, config, prefix, item)
                pred = tuple(record["prediction"])
                if config.mode == "generative" and not pred:
                    unparsed += 1
            gold = gold_set(item)
            em, hs = A.exact_match(pred, gold), A.hamming_score(pred, gold)
            record["emr"], record["hamming"] = em, hs
            record["subject"] = item.get("subject_name", "")
            record["n_correct"] = len(gold)
            if config.on_record and not reused:
                config.on_record(record)
            per_item["emr"].append(em)
            per_item["hamming"].append(hs)
            predictions.append(record)
            if progress:
                progress(i + 1, total)

        metrics = bootstrap(per_item, seed=config.seed)
        base, base_info = baselines(items, train, config.seed)
        breakdowns = {
            "subject": breakdown([p["subject"] for p in predictions], per_item, seed=config.seed),
            "n_correct": breakdown([str(p["n_correct"]) for p in predictions], per_item, seed=config.seed),
        }
        sizes = Counter(len(p["prediction"]) for p in predictions)
        details: dict[str, Any] = {
            "source": SOURCE,
            "licence": LICENCE,
            "data_files": {s: _file_sha256(Path(config.data_dir) / "frenchmedmcqa" / f"{s}.json") for s in sorted({"train", config.split})},
            "shot_ids": [s["id"] for s in shots],
            "shot_selection": f"first {config.shots} of train shuffled with random.Random({config.seed})",
            "choices": list(CHOICES),
            "predicted_set_sizes": {str(k): v for k, v in sorted(sizes.items())},
            "baselines": base_info,
            "metric_definitions": {
                "emr": "exact match ratio: predicted set == gold set",
                "hamming": "mean over questions of |pred ∩ gold| / |pred ∪ gold|",
            },
        }
        if config.mode == "loglikelihood":
            details["decision_rule"] = (
                f"p = softmax over log P(' X' | prompt) for X in A..E; predict every X with "
                f"p_X >= {config.threshold} * max p (answer_sets.decide_from_logprobs)"
            )
            details["threshold"] = config.threshold
        else:
            details["parser"] = "answer_sets.parse_letter_set (first non-empty line; see its docstring)"
            details["decoding"] = {"temperature": 0.0, "max_tokens": config.max_tokens, "stop": STOP}
            details["unparsed_rate"] = unparsed / total if total else 0.0
        return TaskResult(
            task=self.name,
            mode=config.mode,
            split=config.split,
            shots=config.shots,
            n_items=total,
            metrics=metrics,
            baselines=base,
            breakdowns=breakdowns,
            predictions=predictions,
            prompt_template=PROMPT_TEMPLATE,
            details=details,
            references=REFERENCES,
        )

    @staticmethod
    def _predict(engine: Engine, config: RunConfig, prefix: str, item: dict[str, Any]) -> dict[str, Any]:
        """One question through the engine: the record written to predictions.jsonl."""
        prompt = build_prompt(prefix, item)
        record: dict[str, Any] = {"id": item["id"], "gold": list(gold_set(item))}
        if config.mode == "loglikelihood":
            res = engine.score([ScoreRequest(prompt, c) for c in CHOICES])
            lls = [r.logprob for r in res]
            pred = A.decide_from_logprobs(lls, config.threshold)
            probs = A.letter_probabilities(lls)
            record["scores"] = {x: round(v, 6) for x, v in zip(A.LETTERS, lls)}
            record["probabilities"] = {x: round(p, 6) for x, p in zip(A.LETTERS, probs)}
        else:
            params = SamplingParams(max_tokens=config.max_tokens, temperature=0.0, top_p=1.0, stop=list(STOP), seed=config.seed)
            out = engine.complete(prompt, params)
            options = {k.upper(): v for k, v in item["answers"].items()}
            pred = A.parse_letter_set(out.text, options)
            record["output"] = out.text
            record["parsed"] = bool(pred)
        record["prediction"] = list(pred)
        return record


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

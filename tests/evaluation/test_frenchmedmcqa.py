"""FrenchMedMCQA on the real data files and the real embedded model (small subsets)."""

from __future__ import annotations

import json

import pytest

from partages.engines.base import ScoreRequest
from partages.evaluation import RunConfig, get_task
from partages.evaluation.answer_sets import exact_match, hamming_score
from partages.evaluation.errors import DataError, EvalError
from partages.evaluation.tasks import frenchmedmcqa as fmq


def test_splits_load_with_published_counts(settings):
    counts = {s: len(fmq.load_split(settings.data_dir, s)) for s in ("train", "dev", "test")}
    assert counts == {"train": 2171, "dev": 312, "test": 622}


def test_baselines_on_full_test(settings):
    train = fmq.load_split(settings.data_dir, "train")
    test = fmq.load_split(settings.data_dir, "test")
    assert fmq.most_frequent_set(train) == ("D",)  # 156 of 2,171 training questions
    est, info = fmq.baselines(test, train, seed=0)
    # 72 of the 622 test questions have exactly {D} as answer
    assert est["most_frequent_set"]["emr"].value == pytest.approx(72 / 622)
    # uniform over 31 sets: EMR is exactly 1/31 for every question
    assert est["random"]["emr"].value == pytest.approx(1 / 31)
    assert 0.15 < est["random"]["hamming"].value < 0.30
    assert "always answer D" in info["most_frequent_set"]


def test_shots_come_from_train_and_are_in_the_prompt(settings):
    train = fmq.load_split(settings.data_dir, "train")
    test = fmq.load_split(settings.data_dir, "test")
    shots = fmq.select_shots(train, 3, seed=0)
    assert shots == fmq.select_shots(train, 3, seed=0)  # deterministic
    train_ids = {t["id"] for t in train}
    assert all(s["id"] in train_ids for s in shots)
    prompt = fmq.build_prompt(fmq.build_prefix(shots), test[0])
    assert prompt.count("Question :") == 4
    assert prompt.endswith("Réponse(s) :")
    assert f" {', '.join(sorted(x.upper() for x in shots[0]['correct_answers']))}\n\n" in prompt


def test_malformed_data_names_file_and_line(tmp_path):
    d = tmp_path / "frenchmedmcqa"
    d.mkdir()
    (d / "test.json").write_text('[\n {"id": "x",\n "question": }\n]', encoding="utf-8")
    with pytest.raises(DataError, match=r"test\.json:3: invalid JSON"):
        fmq.load_split(tmp_path, "test")
    (d / "test.json").write_text(json.dumps([{"id": "q1", "question": "?", "answers": {"a": "1"}, "correct_answers": ["a"]}]), encoding="utf-8")
    with pytest.raises(DataError, match=r"test\.json: item 0 \(id q1\): 'answers' must have keys a\.\.e"):
        fmq.load_split(tmp_path, "test")
    with pytest.raises(DataError, match="file not found"):
        fmq.load_split(tmp_path, "dev")


def test_unknown_mode_and_split_rejected(settings):
    task = get_task("frenchmedmcqa")
    with pytest.raises(EvalError, match="no split 'validation'"):
        task.check(RunConfig(data_dir=settings.data_dir, split="validation"))
    with pytest.raises(EvalError, match="no mode 'chat'"):
        task.check(RunConfig(data_dir=settings.data_dir, mode="chat"))


def test_loglikelihood_mode_on_real_model(engine, settings):
    task = get_task("frenchmedmcqa")
    seen = []
    res = task.run(engine, RunConfig(data_dir=settings.data_dir, split="test", limit=2, mode="loglikelihood"), lambda d, t: seen.append((d, t)))
    assert res.n_items == 2 and seen[-1] == (2, 2)
    for p in res.predictions:
        assert set(p["scores"]) == set("ABCDE")
        assert all(v < 0 for v in p["scores"].values())
        assert sum(p["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
        assert p["prediction"]  # the rule never returns an empty set
        assert p["emr"] == exact_match(p["prediction"], p["gold"])
    # the metrics are the means of what predictions.jsonl holds
    assert res.metrics["emr"].value == pytest.approx(sum(p["emr"] for p in res.predictions) / 2)
    assert res.metrics["hamming"].value == pytest.approx(sum(hamming_score(p["prediction"], p["gold"]) for p in res.predictions) / 2)
    assert res.metrics["hamming"].low <= res.metrics["hamming"].value <= res.metrics["hamming"].high
    assert set(res.baselines) == {"random", "most_frequent_set"}
    assert "0.5 * max p" in res.details["decision_rule"]


def test_generative_mode_on_real_model(engine, settings):
    res = get_task("frenchmedmcqa").run(engine, RunConfig(data_dir=settings.data_dir, split="dev", limit=1, shots=2, mode="generative", max_tokens=8))
    assert res.n_items == 1 and res.shots == 2
    for p in res.predictions:
        assert isinstance(p["output"], str)
        assert p["parsed"] == bool(p["prediction"])
    assert 0.0 <= res.details["unparsed_rate"] <= 1.0
    assert len(res.details["shot_ids"]) == 2


def test_prefix_reuse_gives_the_same_scores(engine, settings):
    """The engine reuses the KV cache for the shared prefix (the question within a call; the
    instruction and shots across questions). Scores must equal those computed from scratch,
    also past Gemma 3's 512-token sliding window (4-shot prompts are ~600 tokens)."""
    test = fmq.load_split(settings.data_dir, "test")
    evict = ScoreRequest("Bonjour", " docteur")  # shares nothing but BOS with the prompts
    # within one call: each option alone after an eviction vs the five together
    prompt = fmq.build_prompt(fmq.build_prefix([]), test[0])
    reqs = [ScoreRequest(prompt, c) for c in fmq.CHOICES]
    reused = [r.logprob for r in engine.score(reqs)]
    alone = []
    for r in reqs[:3]:
        engine.score([evict])
        alone.append(engine.score([r])[0].logprob)
    assert reused[:3] == pytest.approx(alone, abs=2e-3)
    # across questions: the second 4-shot question reuses the first one's instruction + shots
    prefix = fmq.build_prefix(fmq.select_shots(fmq.load_split(settings.data_dir, "train"), 4, 0))
    first, second = (fmq.build_prompt(prefix, it) for it in test[1:3])
    assert engine.count_tokens(second) > 512
    engine.score([ScoreRequest(first, c) for c in fmq.CHOICES])
    after_first = [r.logprob for r in engine.score([ScoreRequest(second, c) for c in fmq.CHOICES])]
    engine.score([evict])
    fresh = [r.logprob for r in engine.score([ScoreRequest(second, c) for c in fmq.CHOICES])]
    assert after_first == pytest.approx(fresh, abs=2e-3)


class _Interrupting:
    """Wraps the real engine; fails after `fail_after` score calls (a killed run), counts calls."""

    def __init__(self, engine, fail_after=None):
        self.engine, self.fail_after, self.calls = engine, fail_after, 0
        self.info = engine.info

    def score(self, requests):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt
        self.calls += 1
        return self.engine.score(requests)


def test_interrupted_run_resumes_without_recomputing(engine, settings, tmp_path):
    from partages.evaluation import plan, run_jobs

    cfg = RunConfig(data_dir=settings.data_dir, split="dev", limit=2)
    jobs = plan(["frenchmedmcqa"], ["loglikelihood"], "dev")
    meta = {"id": "gemma3-270m", "sha256": "x"}
    with pytest.raises(KeyboardInterrupt):
        run_jobs(jobs, _Interrupting(engine, fail_after=1), cfg, tmp_path, model_meta=meta)
    assert len((tmp_path / "predictions.partial.jsonl").read_text().splitlines()) == 1
    counting = _Interrupting(engine)
    doc = run_jobs(jobs, counting, cfg, tmp_path, model_meta=meta, resume=True)
    assert counting.calls == 1  # only the question not answered before the interruption
    assert doc["results"][0]["n_items"] == 2
    assert len((tmp_path / "predictions.jsonl").read_text().splitlines()) == 2
    assert not (tmp_path / "predictions.partial.jsonl").exists()

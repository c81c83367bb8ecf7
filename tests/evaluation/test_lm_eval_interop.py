"""lm-evaluation-harness runs the exported FrenchMedMCQA tasks through its `local-completions`
backend against the real Partages gateway, and agrees with `partages eval run` on the same items
and the same answer-set rules.

* generative task: no tokenizer at all (``tokenizer_backend=None, tokenized_requests=False``);
* log-likelihood task: lm-eval needs a tokenizer to find where the continuation starts, so the
  test builds a Hugging Face tokenizer *from the model's own GGUF file* (no hub download) and
  still sends plain-text prompts (``tokenized_requests=False``).

Requires the ``eval`` extra (lm-eval[api], gguf): ``pip install -e '.[eval]'``.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from partages.cli.app import app
from partages.evaluation.lm_eval_export import GEN_TASK, LL_TASK, export_lm_eval_tasks

lm_eval = pytest.importorskip("lm_eval", reason="needs the eval extra: pip install -e '.[eval]'")
pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def task_dir(settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("lm-eval-tasks")
    info = export_lm_eval_tasks(out, data_dir=settings.data_dir)
    assert info["tasks"] == [LL_TASK, GEN_TASK]
    return out


@pytest.fixture(scope="module")
def gguf_tokenizer(settings, request):
    """The embedded model's tokenizer as a Hugging Face tokenizer directory, read from the GGUF
    file (transformers' GGUF support, needs the `gguf` package). Converting takes a minute, so
    the result is kept in pytest's cache directory, keyed by the model's sha256."""
    pytest.importorskip("gguf", reason="needs the eval extra (gguf)")
    from pathlib import Path

    from partages.models.registry import Registry

    entry = Registry(settings).get("gemma3-270m")
    out = request.config.cache.mkdir(f"gguf-tokenizer-{entry.sha256[:16]}")
    if not (out / "tokenizer_config.json").exists():
        from transformers import AutoTokenizer

        path = Path(entry.path)
        AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name).save_pretrained(out)
    return str(out)


def _lm_eval(gateway, task_dir, task, limit, **model_args):
    from lm_eval.tasks import TaskManager

    args = {
        "base_url": gateway.url + "/completions",
        "model": "gemma3-270m",
        "tokenized_requests": False,
        "num_concurrent": 1,
        "max_retries": 1,
        "header": {"Authorization": f"Bearer {gateway.keys['integrator']}"},  # raw completions: integrator/admin
        **model_args,
    }
    res = lm_eval.simple_evaluate(model="local-completions", model_args=args, tasks=[task], task_manager=TaskManager(include_path=str(task_dir)), limit=limit, log_samples=True)
    return res["results"][task], sorted(res["samples"][task], key=lambda s: s["doc_id"])


def _partages(settings, out, *args):
    res = runner.invoke(app, ["eval", "run", "frenchmedmcqa", "--split", "test", "--out", str(out), "--home", str(settings.home), "--json", *args])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "results.json").read_text())
    preds = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    return doc["results"][0]["metrics"], preds


def test_generative_task_agrees_without_any_tokenizer(gateway, task_dir, settings, tmp_path):
    n = 2
    lm, samples = _lm_eval(gateway, task_dir, GEN_TASK, n, tokenizer_backend=None)
    ours, preds = _partages(
        settings, tmp_path / "gen", "--mode", "generative", "--limit", str(n),
        "--engine", "openai", "--base-url", gateway.url, "--api-key", gateway.keys["integrator"],
    )
    assert [s["doc"]["id"] for s in samples] == [p["id"] for p in preds]
    for s, p in zip(samples, preds):
        assert s["resps"][0][0].strip() == p["output"].strip()  # same greedy text
        assert s["emr"] == p["emr"] and s["hamming"] == pytest.approx(p["hamming"])
    assert lm["emr,none"] == pytest.approx(ours["emr"]["value"])
    assert lm["hamming,none"] == pytest.approx(ours["hamming"]["value"])


def test_loglikelihood_task_agrees(gateway, task_dir, gguf_tokenizer, settings, tmp_path):
    n = 1  # 5 scored options; each is a full-prompt echo through the gateway
    lm, samples = _lm_eval(gateway, task_dir, LL_TASK, n, tokenizer_backend="huggingface", tokenizer=gguf_tokenizer, add_bos_token=True)
    # our side: the in-process llama.cpp engine (prefix reuse) — a cross-engine check too
    ours, preds = _partages(settings, tmp_path / "ll", "--mode", "loglikelihood", "--limit", str(n), "--threads", "1")
    assert [s["doc"]["id"] for s in samples] == [p["id"] for p in preds]
    for s, p in zip(samples, preds):
        lm_scores = [r[0][0] for r in s["resps"]]
        assert lm_scores == pytest.approx([p["scores"][x] for x in "ABCDE"], abs=2e-2)
        assert s["emr"] == p["emr"] and s["hamming"] == pytest.approx(p["hamming"])
    assert lm["emr,none"] == pytest.approx(ours["emr"]["value"])
    assert lm["hamming,none"] == pytest.approx(ours["hamming"]["value"])

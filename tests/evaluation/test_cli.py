"""`partages eval run|report|list|export-lm-eval` end to end (real model, real files)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from partages.cli.app import app
from partages.evaluation import Task, TaskResult, available_tasks, bootstrap, register
from partages.evaluation.runner import RunConfig, plan, run_jobs

runner = CliRunner()


def flat(res) -> str:
    """CLI output with rich's line wrapping undone."""
    return " ".join(res.output.split())


@pytest.fixture(scope="module")
def run_dir(settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "gemma-ll"
    res = runner.invoke(
        app,
        ["eval", "run", "frenchmedmcqa", "--model", "gemma3-270m", "--split", "dev", "--limit", "3", "--threads", "1", "--out", str(out), "--home", str(settings.home), "--json"],
    )
    assert res.exit_code == 0, res.output
    return out


def test_run_writes_results_and_predictions(run_dir):
    doc = json.loads((run_dir / "results.json").read_text())
    meta, model = doc["metadata"], doc["model"]
    assert model["id"] == "gemma3-270m" and model["engine"] == "llamacpp"
    assert len(model["sha256"]) == 64 and model["registry_sha256_matches"] is True
    for key in ("package_version", "git_commit", "date", "duration_s", "seed", "llama_cpp_python"):
        assert key in meta
    (r,) = doc["results"]
    assert r["task"] == "frenchmedmcqa" and r["mode"] == "loglikelihood" and r["n_items"] == 3
    assert len(r["prompt_template_sha256"]) == 64 and "Réponse(s) :" in r["prompt_template"]
    for m in ("emr", "hamming"):
        e = r["metrics"][m]
        assert e["low"] <= e["value"] <= e["high"]
        assert set(r["baselines"]) == {"random", "most_frequent_set"}
    assert set(r["breakdowns"]) == {"subject", "n_correct"}
    lines = [json.loads(x) for x in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert len(lines) == 3
    # anyone can recompute the metric from predictions.jsonl
    assert r["metrics"]["emr"]["value"] == pytest.approx(sum(set(p["prediction"]) == set(p["gold"]) for p in lines) / 3)
    assert {"id", "prediction", "gold", "scores"} <= set(lines[0])


def test_report_has_tables_and_plots(run_dir, tmp_path):
    out = tmp_path / "rep" / "report.md"
    res = runner.invoke(app, ["eval", "report", str(run_dir), str(run_dir), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    text = out.read_text()
    assert "EMR % [IC 95 %]" in text and "hasard" in text and "DrBERT-7GB" in text
    assert len(info["plots"]) >= 4
    for p in info["plots"]:
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_bad_inputs_exit_nonzero_with_clear_message(settings, tmp_path):
    res = runner.invoke(app, ["eval", "run", "nosuchtask", "--home", str(settings.home)])
    assert res.exit_code != 0 and "unknown task 'nosuchtask'" in flat(res) and "Traceback" not in flat(res)
    res = runner.invoke(app, ["eval", "run", "frenchmedmcqa", "--split", "validation", "--home", str(settings.home)])
    assert res.exit_code != 0 and "no split 'validation'" in flat(res)
    res = runner.invoke(app, ["eval", "run", "frenchmedmcqa", "--model", "nope", "--limit", "1", "--home", str(settings.home)])
    assert res.exit_code != 0 and "nope" in flat(res) and "Traceback" not in flat(res)
    res = runner.invoke(app, ["eval", "report", str(tmp_path)])
    assert res.exit_code != 0 and "no results.json" in flat(res)
    (tmp_path / "results.json").write_text("{\n oops")
    res = runner.invoke(app, ["eval", "report", str(tmp_path)])
    assert res.exit_code != 0 and "results.json:2: invalid JSON" in flat(res)
    res = runner.invoke(app, ["eval", "run", "frenchmedmcqa", "--engine", "openai", "--home", str(settings.home)])
    assert res.exit_code != 0 and "--base-url" in flat(res)


def test_list_shows_frenchmedmcqa():
    res = runner.invoke(app, ["eval", "list", "--json"])
    assert res.exit_code == 0
    names = [t["name"] for t in json.loads(res.stdout)["tasks"]]
    assert "frenchmedmcqa" in names


def test_adding_a_task_is_one_registered_class(tmp_path):
    """What a new task module does: subclass Task, decorate with @register. The runner, CLI and
    report then handle it like any other (here a task that needs no model)."""

    @register
    class Dummy(Task):
        name = "dummy-test-task"
        description = "test"
        needs_engine = False
        modes = ("loglikelihood",)

        def run(self, engine, config, progress=None):
            vals = [1.0, 0.0, 1.0, 1.0]
            return TaskResult(self.name, config.mode, config.split, 0, 4, bootstrap({"accuracy": vals}), predictions=[{"id": i, "prediction": v, "gold": 1.0} for i, v in enumerate(vals)])

    assert "dummy-test-task" in available_tasks()
    doc = run_jobs(plan(["dummy-test-task"], ["loglikelihood"]), None, RunConfig(data_dir=None), tmp_path, model_meta={"id": None})
    assert doc["results"][0]["metrics"]["accuracy"]["value"] == 0.75
    assert len((tmp_path / "predictions.jsonl").read_text().splitlines()) == 4


def test_component_tasks_are_registered(settings, tmp_path):
    """Pseudonymisation and knowledge tasks wrap their components' own scorers."""
    from pathlib import Path

    from partages.deid.detector import Detector, DetectorConfig
    from partages.deid.eval_data import build_gold
    from partages.deid.evaluation import evaluate

    tasks = available_tasks()
    assert {"deid-pseudonymisation", "kb-drug-recall", "kb-interaction-level"} <= set(tasks)
    res = runner.invoke(app, ["eval", "run", "deid-pseudonymisation", "--split", "dev", "--limit", "6", "--out", str(tmp_path / "deid"), "--home", str(settings.home), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads((tmp_path / "deid" / "results.json").read_text())["results"][0]["metrics"]
    docs = build_gold(Path(settings.data_dir), "dev", n_docs=6, seed=0)[:6]
    ref = evaluate(docs, Detector(DetectorConfig(data_dir=Path(settings.data_dir))).detect)
    assert got["redact_recall"]["value"] == pytest.approx(ref.redact_recall, abs=1e-4)
    assert got["redact_precision"]["value"] == pytest.approx(ref.redact_precision, abs=1e-4)
    # no knowledge base in this home: a clear message, not a stack trace
    res = runner.invoke(app, ["eval", "run", "kb-drug-recall", "--home", str(tmp_path / "empty-home")])
    assert res.exit_code != 0 and "partages kb build" in flat(res) and "Traceback" not in res.output


def test_export_lm_eval_uses_identical_prompt_and_rules(settings, tmp_path):
    import importlib.util

    import yaml

    from partages.evaluation.answer_sets import decide_from_logprobs
    from partages.evaluation.tasks import frenchmedmcqa as fmq

    res = runner.invoke(app, ["eval", "export-lm-eval", str(tmp_path), "--shots", "2", "--home", str(settings.home), "--json"])
    assert res.exit_code == 0, res.output
    ll = yaml.safe_load((tmp_path / "frenchmedmcqa_partages_ll.yaml").read_text().replace("!function ", ""))
    assert ll["output_type"] == "multiple_choice" and ll["doc_to_choice"] == [" A", " B", " C", " D", " E"]
    assert ll["target_delimiter"] == "" and ll["metadata"]["partages_prompt_template_sha256"] == fmq.template_hash()
    spec = importlib.util.spec_from_file_location("lm_utils", tmp_path / "utils.py")
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    train = fmq.load_split(settings.data_dir, "train")
    item = fmq.load_split(settings.data_dir, "test")[5]
    assert utils.doc_to_text(item) == fmq.build_prompt(fmq.build_prefix(fmq.select_shots(train, 2, 0)), item)
    lls = [-1.0, -1.3, -3.0, -0.9, -4.0]
    out = utils.process_results(item, [(x, False) for x in lls])
    pred = decide_from_logprobs(lls)
    assert out["emr"] == float(set(pred) == {x.upper() for x in item["correct_answers"]})

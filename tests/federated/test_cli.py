"""Bad input to `partages federated` fails with a clear message and a non-zero exit, before any
process starts; `certs` writes usable TLS material."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from partages.cli.app import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, " ".join(r.output.split())


def test_bad_input_fails_cleanly(tmp_path: Path, recipe: Path) -> None:
    dpo = tmp_path / "dpo.yaml"
    dpo.write_text("kind: dpo\nbase: x\ndata: y\n", encoding="utf-8")
    cases = [
        (["federated", "simulate", "--recipe", str(recipe), "--data", str(tmp_path / "nope")], "nope: no such corpus folder"),
        (["federated", "simulate", "--recipe", str(dpo), "--data", str(tmp_path)], "needs an SFT recipe with a LoRA section"),
        (["federated", "simulate", "--recipe", str(recipe), "--data", str(tmp_path), "--rounds", "0"], "must be at least 1"),
        (["federated", "simulate", "--recipe", str(recipe), "--data", str(tmp_path), "--data", str(tmp_path), "--clients", "3"], "splits ONE --data folder"),
        (["federated", "simulate", "--recipe", str(tmp_path / "missing.yaml"), "--data", str(tmp_path)], "missing.yaml: no such recipe"),
        (["federated", "server", "--recipe", str(recipe)], "give --ca, --cert and --key for TLS, or --insecure"),
        (["federated", "client", "--data", str(tmp_path), "--server", "fl.example.org"], "expected HOST:PORT"),
        (["federated", "client", "--data", str(tmp_path), "--server", "h:9092"], "give --root-certificates"),
        (["federated", "client", "--data", str(tmp_path), "--server", "h:9092", "--insecure"], "no .parquet or .jsonl shards"),
        (["federated", "report", str(tmp_path)], "federation.json: no such file"),
    ]
    for args, message in cases:
        code, text = _run(*args, "--home", str(tmp_path)) if args[1] not in ("report",) else _run(*args)
        assert code != 0 and message in text and "Traceback" not in text, (args, text)


def test_certs(tmp_path: Path) -> None:
    code, text = _run("federated", "certs", "--host", "127.0.0.1", "--host", "fl.example.org", "--out", str(tmp_path / "c"), "--json")
    assert code == 0
    doc = json.loads(text)
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(Path(doc["cert"]).read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "fl.example.org" in san.get_values_for_type(x509.DNSName)
    assert Path(doc["key"]).stat().st_mode & 0o777 == 0o600

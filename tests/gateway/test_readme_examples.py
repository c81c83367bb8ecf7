"""The README's curl and openai examples work as written (only host/port, key and model id
substituted: the test gateway serves the base model, `make run` the shipped adapter)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def _env(gateway) -> dict[str, str]:
    return {**os.environ, "PARTAGES_KEY": gateway.keys["clinician"]}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_readme_curl_example(gateway):
    block = next(b for b in _blocks("bash") if "curl" in b)
    cmd = "\n".join(line for line in block.splitlines() if not line.startswith("export PARTAGES_KEY"))
    cmd = cmd.replace("http://127.0.0.1:8080", gateway.root).replace("gemma3-270m-fr-med", "gemma3-270m")
    out = subprocess.run(["bash", "-c", cmd], env=_env(gateway), capture_output=True, text=True, timeout=120, check=True)
    body = json.loads(out.stdout)
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"]


def test_readme_python_example(gateway):
    code = next(b for b in _blocks("python") if "OpenAI(" in b).replace("http://127.0.0.1:8080", gateway.root)
    code = code.replace("gemma3-270m-fr-med", "gemma3-270m")  # the test gateway serves the base model
    out = subprocess.run([sys.executable, "-c", code], env=_env(gateway), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()

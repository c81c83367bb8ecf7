"""Assistant dev data (the knowledge-base fixtures live in tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


DEVDATA = Path(__file__).resolve().parents[2] / "src" / "partages" / "assistant" / "devdata"


@pytest.fixture(scope="session")
def stays() -> list[dict]:
    return json.loads((DEVDATA / "stays.json").read_text())


@pytest.fixture(scope="session")
def notes() -> list[dict]:
    return json.loads((DEVDATA / "notes.json").read_text())

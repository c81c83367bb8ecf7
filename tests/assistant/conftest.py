"""A knowledge base built once per session from the real shared data (same folder as
tests/knowledge and tests/rag: a second build is an incremental no-op, ~20 s the first time),
linked into the shared real gateway's home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partages.config import Settings
from partages.knowledge import build, open_kb

DEVDATA = Path(__file__).resolve().parents[2] / "src" / "partages" / "assistant" / "devdata"


def ensure_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = Settings().data_dir
    if data is None or not (Path(data) / "bdpm").is_dir():
        pytest.skip("shared data (../shared/data) not available")
    home = tmp_path_factory.getbasetemp() / "partages-kb-home"
    build(home, Path(data))
    return home


@pytest.fixture(scope="session")
def kb_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_kb(tmp_path_factory)


@pytest.fixture(scope="session")
def kb(kb_home: Path):
    k = open_kb(kb_home)
    yield k
    k.close()


@pytest.fixture(scope="session")
def gateway_with_kb(kb_home: Path, model_home: Path, gateway):
    link = model_home / "kb"
    if not link.exists():
        link.symlink_to(kb_home / "kb", target_is_directory=True)
    return gateway


@pytest.fixture(scope="session")
def stays() -> list[dict]:
    return json.loads((DEVDATA / "stays.json").read_text())


@pytest.fixture(scope="session")
def notes() -> list[dict]:
    return json.loads((DEVDATA / "notes.json").read_text())

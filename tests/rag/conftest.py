"""A knowledge base built once per session from the real shared data (BDPM 2023-11, ANSM 2020_01,
CIM-10, CCAM), shared with tests/knowledge (same folder: the second build is an incremental no-op)."""

from __future__ import annotations

from pathlib import Path

import pytest

from partages.config import Settings
from partages.knowledge import build, open_kb


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
    """The shared real gateway, its home given the session's knowledge base (a symlink)."""
    link = model_home / "kb"
    if not link.exists():
        link.symlink_to(kb_home / "kb", target_is_directory=True)
    return gateway

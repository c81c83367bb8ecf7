"""Formation fixtures: the shipped module, a module built from the shipped cases with the session's
real knowledge base, and (for the browser test) the web tests' headless chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from partages.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = Settings().data_dir
    if d is None or not (Path(d) / "frenchmedmcqa").is_dir():
        pytest.skip("shared data (../shared/data) not available")
    return Path(d)


@pytest.fixture(scope="session")
def shipped_module() -> dict:
    from partages.formation import SHIPPED_MODULES, load_module

    return load_module(SHIPPED_MODULES / "avec-initiation.json")


@pytest.fixture(scope="session")
def built(kb, data_dir) -> dict:
    """The shipped cases built with seed 0 (what `partages formation build` writes)."""
    from partages.formation import SHIPPED_CASES, build_module

    return build_module(SHIPPED_CASES, kb, data_dir, seed=0)


@pytest.fixture(scope="session")
def formation_artifacts() -> Path:
    d = ROOT / "test-artifacts" / "formation"
    d.mkdir(parents=True, exist_ok=True)
    return d

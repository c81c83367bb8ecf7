"""Fixtures of the pseudonymisation tests: one detector per session (lexicons load once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from partages.config import Settings


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = Settings().data_dir
    if d is None or not (Path(d) / "fr_names").is_dir():
        pytest.fail("shared data (PARTAGES_DATA_DIR) with fr_names/fr_geo is required")
    return Path(d)


@pytest.fixture(scope="session")
def detector(data_dir: Path):
    from partages.deid import Detector, DetectorConfig

    return Detector(DetectorConfig(data_dir=data_dir))


@pytest.fixture(scope="session")
def key() -> bytes:
    return b"test-key-0123456789-abcdefghij"


def found(spans, label: str | None = None) -> list[str]:
    return [s.text for s in spans if label is None or s.label == label]

"""Evaluation tests use the real embedded model on ONE llama.cpp thread.

Why not the shared two-thread ``engine`` fixture: on a machine shared with other jobs, llama.cpp's
spinning thread barriers make two threads 10-20x slower than one whenever the cores are
oversubscribed (measured: 1 s vs ~45 s per FrenchMedMCQA question at load average 12). One
thread keeps these tests at a few seconds per question whatever else runs; the numbers they
check do not depend on the thread count."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def engine(settings):
    from partages.engines.factory import load_engine

    eng = load_engine(settings.model_copy(update={"n_threads": 1}), "gemma3-270m")
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def gateway(model_home):
    """The real `partages serve` (root conftest's ``start_gateway``), on one thread for the
    same reason as ``engine`` above."""
    import sys
    from pathlib import Path

    root_conftest = str(Path(__file__).resolve().parents[1] / "conftest.py")
    root = next(m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == root_conftest)
    start_gateway, stop_gateway = root.start_gateway, root.stop_gateway
    gw = start_gateway(model_home, extra_env={"PARTAGES_N_THREADS": "1"})
    yield gw
    stop_gateway(gw)

"""Run metadata that makes a score reproducible: package version, git commit, date, machine."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import partages


def git_commit(cwd: Path | None = None) -> dict[str, Any]:
    """HEAD commit of the checkout the package runs from (None outside a git checkout)."""
    where = cwd or Path(partages.__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where, capture_output=True, text=True, timeout=10)
        return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def environment() -> dict[str, Any]:
    try:
        from importlib.metadata import version

        llama = version("llama-cpp-python")
    except Exception:  # noqa: BLE001 - not installed
        llama = None
    return {
        "package_version": partages.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "llama_cpp_python": llama,
        **{f"git_{k}": v for k, v in git_commit().items()},
    }


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

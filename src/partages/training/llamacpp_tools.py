"""llama.cpp's own conversion scripts, fetched at run time from the llama-cpp-python sdist.

The scripts (``convert_hf_to_gguf.py``, ``convert_lora_to_gguf.py``, their ``conversion/``
package and ``gguf-py``) ship in the source distribution of the llama-cpp-python version that
serves the model, so the GGUF they write matches the runtime. They are downloaded once with
``pip download --no-binary`` into ``$PARTAGES_HOME/cache/`` and never copied into this
repository. Offline: point ``PARTAGES_LLAMA_CPP_SRC`` at an extracted ``vendor/llama.cpp`` or at
the sdist ``.tar.gz``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

from partages.training.errors import TrainingError

_KEEP = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion/", "gguf-py/")


def _extract(sdist: Path, target: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".extract-"))
    try:
        with tarfile.open(sdist) as tar:
            members = []
            for m in tar.getmembers():
                parts = m.name.split("/vendor/llama.cpp/", 1)
                if len(parts) == 2 and parts[1].startswith(_KEEP) and (m.isfile() or m.isdir()):
                    m.name = parts[1]
                    members.append(m)
            if not members:
                raise TrainingError(f"{sdist}: no vendor/llama.cpp conversion scripts inside")
            tar.extractall(tmp, members=members, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def scripts_dir(cache: Path) -> Path:
    """A directory holding llama.cpp's conversion scripts for the installed llama-cpp-python."""
    env = os.environ.get("PARTAGES_LLAMA_CPP_SRC")
    ver = version("llama-cpp-python")
    target = cache / f"llama.cpp-{ver}"
    if env:
        p = Path(env).expanduser()
        if p.is_dir() and (p / "convert_lora_to_gguf.py").is_file():
            return p
        if p.is_file() and p.name.endswith(".tar.gz"):
            cache.mkdir(parents=True, exist_ok=True)
            return _extract(p, target)
        raise TrainingError(f"PARTAGES_LLAMA_CPP_SRC={p}: neither a vendor/llama.cpp folder nor an sdist .tar.gz")
    if (target / "convert_lora_to_gguf.py").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as d:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               f"llama-cpp-python=={ver}", "-d", d]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        sdists = list(Path(d).glob("llama_cpp_python-*.tar.gz"))
        if proc.returncode != 0 or not sdists:
            raise TrainingError(
                f"could not download the llama-cpp-python {ver} source distribution (needed for llama.cpp's conversion "
                f"scripts): {' '.join(cmd)} failed. Offline, set PARTAGES_LLAMA_CPP_SRC to the sdist or its vendor/llama.cpp."
            )
        return _extract(sdists[0], target)


def run_script(scripts: Path, script: str, args: list[str], log: Path) -> None:
    """Run one conversion script with this interpreter (torch, transformers, gguf from the venv)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(scripts), str(scripts / "gguf-py"), os.environ.get("PYTHONPATH", "")])}
    with log.open("w") as f:
        proc = subprocess.run([sys.executable, str(scripts / script), *args], stdout=f, stderr=subprocess.STDOUT, env=env, cwd=scripts)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise TrainingError(f"{script} failed (exit {proc.returncode}); log: {log}\n" + "\n".join(tail))

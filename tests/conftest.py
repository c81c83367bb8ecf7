"""Shared fixtures: an isolated PARTAGES_HOME with the real embedded model, and a real gateway
(``partages serve`` in a subprocess on a free port) with one key per role."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from partages.auth.keys import KeyStore
from partages.config import Settings
from partages.models.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
MODEL_ID = "gemma3-270m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PARTAGES_HOME with the embedded model pulled (assembled + sha256-checked)."""
    home = tmp_path_factory.mktemp("partages-home")
    Registry(Settings(home=home)).pull(MODEL_ID)
    return home


@pytest.fixture(scope="session")
def settings(model_home: Path) -> Settings:
    return Settings(home=model_home, n_threads=2, n_ctx=2048)


@pytest.fixture(scope="session")
def engine(settings: Settings):
    """The real llama.cpp engine on the embedded model, in-process."""
    from partages.engines.factory import load_engine

    eng = load_engine(settings, MODEL_ID)
    yield eng
    eng.close()


@dataclass
class Gateway:
    url: str  # base URL including /v1
    home: Path
    keys: dict[str, str] = field(default_factory=dict)  # role -> key
    proc: subprocess.Popen | None = None
    log: Path | None = None

    def client(self, role: str = "admin", **kw):
        from openai import OpenAI

        return OpenAI(base_url=self.url, api_key=self.keys[role], max_retries=0, **kw)

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    @property
    def root(self) -> str:
        return self.url.removesuffix("/v1")


def start_gateway(home: Path, *, extra_env: dict[str, str] | None = None, args: list[str] | None = None, roles=("admin", "clinician", "integrator", "learner", "teacher")) -> Gateway:
    home.mkdir(parents=True, exist_ok=True)
    store = KeyStore(home / "partages.db")
    keys = {role: store.create(f"test-{role}", role)[1] for role in roles}
    store.close()
    port = free_port()
    env = {**os.environ, "PARTAGES_HOME": str(home), "PARTAGES_N_THREADS": "2", "PARTAGES_N_CTX": "2048", **(extra_env or {})}
    log = home / f"gateway-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "partages", "serve", "--port", str(port), *(args or [])],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited early:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Gateway(url + "/v1", home, keys, proc, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gateway did not start:\n{log.read_text()}")


def stop_gateway(gw: Gateway) -> None:
    if gw.proc and gw.proc.poll() is None:
        gw.proc.terminate()
        try:
            gw.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gw.proc.kill()


@pytest.fixture(scope="session")
def gateway(model_home: Path) -> Iterator[Gateway]:
    """A real `partages serve` on the embedded model, with a key per role."""
    gw = start_gateway(model_home)
    yield gw
    stop_gateway(gw)


@pytest.fixture(scope="session")
def kb_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base built once per session from the real shared data (BDPM 2023-11, ANSM
    2020_01, CIM-10, CCAM; ~20 s)."""
    from partages.knowledge import build

    data = Settings().data_dir
    if data is None or not (Path(data) / "bdpm").is_dir():
        pytest.skip("shared data (../shared/data) not available")
    home = tmp_path_factory.getbasetemp() / "partages-kb-home"
    build(home, Path(data))
    return home


@pytest.fixture(scope="session")
def kb(kb_home: Path):
    from partages.knowledge import open_kb

    k = open_kb(kb_home)
    yield k
    k.close()


@pytest.fixture(scope="session")
def gateway_with_kb(kb_home: Path, model_home: Path, gateway: Gateway) -> Gateway:
    """The shared real gateway, its home given the session's knowledge base (a symlink)."""
    link = model_home / "kb"
    if not link.exists():
        link.symlink_to(kb_home / "kb", target_is_directory=True)
    return gateway


# One headless Debian chromium for the whole session (tests/web and tests/formation): two
# Playwright sync instances in one process collide ("Sync API inside the asyncio loop").
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=fr-FR"]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install -y chromium).")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the 'test' extra")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 800},
            locale="fr-FR",
            accept_downloads=True,
        )
        yield ctx
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)

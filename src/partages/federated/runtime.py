"""Running a federation with Flower's Deployment Runtime: a SuperLink (the server side's
gateway, Fleet + Control + ServerApp APIs on one HTTP port), one SuperNode per hospital, and
``flwr run`` submitting the Flower App (a generated ``pyproject.toml`` that names
:mod:`partages.federated.apps` and carries the run configuration).

``simulate`` starts them all as separate processes over loopback, which exercises the same
code paths as a real deployment (gRPC-free HTTP, process isolation, error replies) instead of
Flower's Ray-based simulation engine (a heavy dependency for a 2-core machine).

Flower's state (``FLWR_HOME``) lives in the run directory, not in ``~/.flwr``. Nothing here
writes record text anywhere: logs hold Flower's lines and our counts.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from partages.federated.apps import ROUNDS_FILE, SUMMARY_FILE
from partages.federated.errors import FederatedError
from partages.training.recipe import Recipe

APP_MODULE = "partages.federated.apps"


@dataclass
class TLSFiles:
    """Server: ``ca`` + ``cert`` + ``key``; a client only needs ``ca`` (``--root-certificates``)."""

    ca: Path
    cert: Path | None = None
    key: Path | None = None


@dataclass
class FederationConfig:
    recipe: Recipe
    home: Path
    out: Path
    rounds: int = 2
    local_steps: int = 2
    fraction: float = 1.0
    min_clients: int = 2
    min_available: int | None = None
    round_timeout: float = 900.0
    dp_noise: float = 0.0
    dp_clip: float = 1.0
    dp_delta: float = 1e-5
    secagg: bool = False

    def run_config(self) -> dict[str, Any]:
        recipe = self.recipe.model_dump(mode="json", exclude={"path"})
        return {
            "recipe-yaml": json.dumps(recipe),  # JSON is YAML; one line keeps the TOML simple
            "home": str(self.home), "out-dir": str(self.out),
            "num-rounds": self.rounds, "local-steps": self.local_steps, "fraction-train": self.fraction,
            "min-train-nodes": self.min_clients, "min-available-nodes": self.min_available or self.min_clients,
            "round-timeout": self.round_timeout, "dp-noise": self.dp_noise, "dp-clip": self.dp_clip, "dp-delta": self.dp_delta,
            "secagg": int(self.secagg),
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def _env(flwr_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FLWR_HOME"] = str(flwr_home)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("FLWR_TELEMETRY_ENABLED", "0")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def write_app(cfg: FederationConfig, app_dir: Path) -> Path:
    """The Flower App: a ``pyproject.toml`` naming our apps, with the run configuration."""
    app_dir.mkdir(parents=True, exist_ok=True)
    if cfg.secagg and cfg.dp_noise > 0:
        raise FederatedError("SecAgg+ and the DP option cannot be combined here (Flower's DP wrappers need the individual updates)")
    client = "client_app_secagg" if cfg.secagg else "client_app_dp" if cfg.dp_noise > 0 else "client_app"
    doc = {
        "build-system": {"requires": ["hatchling"], "build-backend": "hatchling.build"},
        "project": {"name": "partagesfed", "version": "1.0.0", "description": "Partages federated LoRA SFT", "dependencies": []},
        "tool": {"hatch": {"build": {"targets": {"wheel": {"packages": ["."]}}}},
                 "flwr": {"app": {"publisher": "partages",
                                  "components": {"serverapp": f"{APP_MODULE}:server_app", "clientapp": f"{APP_MODULE}:{client}"},
                                  "config": cfg.run_config()}}},
    }
    (app_dir / "pyproject.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    return app_dir


def write_connection(flwr_home: Path, address: str, tls: TLSFiles | None) -> None:
    """The ``flwr`` CLI's SuperLink connection (``$FLWR_HOME/config.toml``)."""
    flwr_home.mkdir(parents=True, exist_ok=True)
    conn: dict[str, Any] = {"address": address}
    if tls is None:
        conn["insecure"] = True
    else:
        conn["root-certificates"] = str(tls.ca)
    (flwr_home / "config.toml").write_text(tomli_w.dumps({"superlink": {"default": "local", "local": conn}}), encoding="utf-8")


def node_config_arg(node: dict[str, Any]) -> str:
    parts = []
    for k, v in node.items():
        parts.append(f"{k}={json.dumps(v) if isinstance(v, str) else v}")
    return " ".join(parts)


@dataclass
class Federation:
    """The processes of one federation; a context manager that stops them all on exit."""

    run_dir: Path
    tls: TLSFiles | None = None
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    superlink: subprocess.Popen | None = None
    nodes: dict[int, subprocess.Popen] = field(default_factory=dict)
    runner: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.flwr_home = self.run_dir / ".flwr"
        self.logs = self.run_dir / "logs"
        self.logs.mkdir(exist_ok=True)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> "Federation":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = (self.logs / log_name).open("ab")
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=_env(self.flwr_home), cwd=self.run_dir,
                                start_new_session=True)

    def start_superlink(self, wait: float = 60.0) -> None:
        args = [_bin("flower-superlink"), "--host", self.host, "--port", str(self.port), "--disable-runtime-dependency-installation",
                "--database", str(self.run_dir / "superlink.db")]
        if self.tls is None:
            args.append("--insecure")
        else:
            if not (self.tls.cert and self.tls.key):
                raise FederatedError("a TLS server needs --ca, --cert and --key")
            args += ["--ssl-ca-certfile", str(self.tls.ca), "--ssl-certfile", str(self.tls.cert), "--ssl-keyfile", str(self.tls.key)]
        write_connection(self.flwr_home, self.address, self.tls)
        self.superlink = self._spawn(args, "superlink.log")
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.superlink.poll() is not None:
                raise FederatedError(f"the SuperLink exited (code {self.superlink.returncode}); see {self.logs / 'superlink.log'}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.3)
        raise FederatedError(f"the SuperLink did not listen on {self.address} within {wait:.0f} s; see {self.logs / 'superlink.log'}")

    def start_node(self, hospital: int, node_config: dict[str, Any], superlink: str | None = None) -> subprocess.Popen:
        self.nodes[hospital] = self._spawn(supernode_args(superlink or self.address, node_config | {"hospital-id": hospital},
                                                          self.tls.ca if self.tls else None, free_port()),
                                           f"client-{hospital}.log")
        return self.nodes[hospital]

    def stop_node(self, hospital: int, sig: int = signal.SIGKILL) -> None:
        proc = self.nodes.pop(hospital, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, sig)  # the SuperNode and the ClientApp process it started
            proc.wait(timeout=30)

    def submit(self, cfg: FederationConfig) -> subprocess.Popen:
        app = write_app(cfg, self.run_dir / "app")
        self.runner = self._spawn([_bin("flwr"), "run", str(app), "local", "--stream"], "server.log")
        return self.runner

    def wait(self, cfg: FederationConfig, on_round: Callable[[dict[str, Any]], None] | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Follow ``rounds.jsonl`` until the run ends; return ``federation.json``."""
        assert self.runner is not None
        seen = 0
        deadline = time.time() + timeout if timeout else None
        summary_path = cfg.out / SUMMARY_FILE
        while True:
            for rec in read_rounds(cfg.out)[seen:]:
                seen += 1
                if on_round:
                    on_round(rec)
            if summary_path.is_file() and self.runner.poll() is not None:
                break
            if self.runner.poll() is not None and not summary_path.is_file():
                time.sleep(2)  # the summary may land just after the log stream ends
                if not summary_path.is_file():
                    raise FederatedError(f"the federation stopped before finishing; see {self.logs / 'server.log'}")
            if self.superlink is not None and self.superlink.poll() is not None:
                raise FederatedError(f"the SuperLink exited; see {self.logs / 'superlink.log'}")
            if deadline and time.time() > deadline:
                raise FederatedError(f"the federation did not finish within {timeout:.0f} s")
            time.sleep(1.0)
        for rec in read_rounds(cfg.out)[seen:]:
            if on_round:
                on_round(rec)
        return json.loads(summary_path.read_text(encoding="utf-8"))

    def stop(self) -> None:
        for h in list(self.nodes):
            self.stop_node(h, signal.SIGTERM)
        for proc in (self.runner, self.superlink):
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


def supernode_args(superlink: str, node_config: dict[str, Any], root_ca: Path | None, port: int) -> list[str]:
    args = [_bin("flower-supernode"), "--superlink", superlink, "--port", str(port), "--node-config", node_config_arg(node_config)]
    args += ["--root-certificates", str(root_ca)] if root_ca else ["--insecure"]
    return args


def read_rounds(out: Path) -> list[dict[str, Any]]:
    path = out / ROUNDS_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def simulate(cfg: FederationConfig, hospitals: list[dict[str, Any]], *, on_round: Callable[[dict[str, Any]], None] | None = None,
             timeout: float | None = None) -> dict[str, Any]:
    """A whole federation on this machine: SuperLink + one SuperNode per hospital (``hospitals``
    are node configs: ``data-dir``, optional ``partition-id``/``num-partitions``/``threads``)."""
    with Federation(cfg.out) as fed:
        fed.start_superlink()
        for i, node in enumerate(hospitals):
            fed.start_node(i, node | {"home": str(cfg.home)})
        fed.submit(cfg)
        return fed.wait(cfg, on_round, timeout)


def iter_progress(out: Path) -> Iterator[dict[str, Any]]:  # pragma: no cover - convenience for scripts
    yield from read_rounds(out)

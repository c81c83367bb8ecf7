"""Reversible mode: the original ↔ surrogate mapping, encrypted at rest with Fernet
(AES-128-CBC + HMAC-SHA256, from ``cryptography``).

The vault is an append-only file, one Fernet token per line (so a batch job can add to it as
it streams and resume after a crash). Its encryption key is derived from the pseudonymisation
key with HKDF under a distinct label, so one secret file serves both, and holding a vault
file alone reveals nothing.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from partages.deid.errors import KeyFileError, VaultError

MIN_KEY_BYTES = 16


def read_key_file(path: str | os.PathLike) -> bytes:
    """The secret bytes of a key file (raw bytes, or text such as hex/base64: used as is)."""
    p = Path(path)
    if not p.is_file():
        raise KeyFileError(f"Key file not found: {p}. Create one with `partages deid keygen --out {p}`.")
    data = p.read_bytes().strip()
    if len(data) < MIN_KEY_BYTES:
        raise KeyFileError(f"Key file {p} holds {len(data)} bytes; at least {MIN_KEY_BYTES} are required.")
    return data


def write_key_file(path: str | os.PathLike) -> Path:
    p = Path(path)
    if p.exists():
        raise KeyFileError(f"Refusing to overwrite the existing key file {p}.")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
    return p


def _fernet(key: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"partages-deid", info=b"vault-v1").derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


class Vault:
    """``add(scope, label, original, surrogate)``; ``mapping(scope)`` → {surrogate: original}."""

    def __init__(self, path: str | os.PathLike, key: bytes) -> None:
        self.path = Path(path)
        self._f = _fernet(key)
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str, str]] = set()
        self._maps: dict[str, dict[str, str]] = {}
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        with self.path.open("rb") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(self._f.decrypt(line))
                except InvalidToken:
                    raise VaultError(f"{self.path}:{n}: cannot decrypt (wrong key file, or the vault was altered).") from None
                except ValueError:
                    raise VaultError(f"{self.path}:{n}: corrupted entry.") from None
                self._remember(rec["scope"], rec["original"], rec["surrogate"])

    def _remember(self, scope: str, original: str, surrogate: str) -> None:
        self._seen.add((scope, original, surrogate))
        self._maps.setdefault(scope, {})[surrogate] = original

    def add(self, scope: str, label: str, original: str, surrogate: str) -> None:
        with self._lock:
            if (scope, original, surrogate) in self._seen:
                return
            self._remember(scope, original, surrogate)
            token = self._f.encrypt(json.dumps({"scope": scope, "label": label, "original": original, "surrogate": surrogate}, ensure_ascii=False).encode())
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            with self.path.open("ab") as f:
                f.write(token + b"\n")
            if new:
                try:
                    self.path.chmod(0o600)
                except OSError:
                    pass

    def mapping(self, scope: str | None = None) -> dict[str, str]:
        if scope is not None:
            return dict(self._maps.get(scope, {}))
        out: dict[str, str] = {}
        for m in self._maps.values():
            out.update(m)
        return out

"""Drafts: every assistant output is stored as an AI-generated draft until a clinician validates it.

SQLite under ``$PARTAGES_HOME/assistant.db``. Edits are JSON merge patches (RFC 7386) on the
content, checked against the draft's schema (:mod:`partages.assistant.schema`: a mandatory letter
section cannot be deleted); each edit keeps only its SHA-256 in the edit history. A validated
draft is frozen: it can no longer be edited.

Contents are encrypted at rest (Fernet, from ``cryptography``): drafts hold patient data and the
database file may be copied by backups. The key is a file (``$PARTAGES_HOME/assistant.key`` by
default, or ``assistant_key_file``), created with mode 600 on first use. Only the content column
is encrypted: kind, status, dates, key ids and SHA-256 digests stay queryable. Rows written in
clear by an older version are encrypted when the store opens (then ``VACUUM``), and
``secure_delete`` keeps freed pages from holding old clear text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from partages.assistant.schema import ContentInvalid, validate_content
from partages.store.sqlite import connect, serialized


class DraftError(Exception):
    """Base class: ``status`` and ``code`` map to the HTTP error."""

    status = 400
    code = "invalid_request"


class DraftNotFound(DraftError):
    status = 404
    code = "draft_not_found"


class DraftNotValidated(DraftError):
    status = 409
    code = "draft_not_validated"


class DraftAlreadyValidated(DraftError):
    status = 409
    code = "draft_already_validated"


class DraftInvalid(DraftError):
    """An edit would break the draft's schema (e.g. delete a mandatory letter section)."""

    status = 400
    code = "invalid_value"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class DraftKeyError(DraftError):
    """The drafts' encryption key is unreadable or is not the one the drafts were written with."""

    status = 500
    code = "draft_key_error"


def load_or_create_key(path: Path) -> bytes:
    """The Fernet key in ``path``; created (mode 600, never overwritten) when absent."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another process: use theirs
            return load_or_create_key(path)
        with os.fdopen(fd, "wb") as f:
            f.write(key + b"\n")
        return key
    key = path.read_bytes().strip()
    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise DraftKeyError(f"{path}: not a Fernet key (44 url-safe base64 characters). Restore the original key file; "
                            "without it the drafts cannot be read.") from None
    return key


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def sha256_json(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


@dataclass
class Draft:
    id: str
    kind: str
    status: str
    content: dict[str, Any]
    generated_by: dict[str, Any]
    created_at: str
    created_by: str | None
    updated_at: str
    revision: int
    validated_at: str | None
    validated_by: str | None
    source_draft: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "kind": self.kind, "status": self.status, "generated_by": self.generated_by,
             **self.content, "revision": self.revision, "created_at": self.created_at, "updated_at": self.updated_at,
             "validated_at": self.validated_at, "validated_by": self.validated_by}
        if self.source_draft:
            d["source_draft"] = self.source_draft
        return d


class DraftStore:
    def __init__(self, path: Path, key_file: Path | None = None) -> None:
        path = Path(path)
        self.key_file = Path(key_file) if key_file else path.parent / "assistant.key"
        self.fernet = Fernet(load_or_create_key(self.key_file))
        self.conn = connect(path)
        self._lock = threading.RLock()  # one connection shared by the gateway's worker threads
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS drafts (
                id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, content TEXT NOT NULL,
                generated_by TEXT NOT NULL, input_sha256 TEXT, source_draft TEXT,
                created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
                validated_at TEXT, validated_by TEXT);
            CREATE TABLE IF NOT EXISTS draft_edits (
                draft_id TEXT NOT NULL REFERENCES drafts(id), revision INTEGER NOT NULL, at TEXT NOT NULL,
                key_id TEXT, action TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (draft_id, revision, action));
            """
        )
        self._encrypt_legacy_rows()

    # --- encryption at rest ---------------------------------------------------------------
    def _seal(self, content: dict[str, Any]) -> str:
        return self.fernet.encrypt(json.dumps(content, ensure_ascii=False).encode()).decode("ascii")

    def _open(self, did: str, stored: str) -> dict[str, Any]:
        if stored.startswith("{"):  # written in clear by an older version (encrypted at next open)
            return json.loads(stored)
        try:
            return json.loads(self.fernet.decrypt(stored.encode("ascii")))
        except InvalidToken:
            raise DraftKeyError(f"Draft {did} cannot be decrypted with {self.key_file}: the key file was replaced. "
                                "Restore the original key file.") from None

    @serialized
    def _encrypt_legacy_rows(self) -> None:
        rows = self.conn.execute("SELECT id, content FROM drafts WHERE content LIKE '{%'").fetchall()
        if not rows:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for r in rows:
                self.conn.execute("UPDATE drafts SET content = ? WHERE id = ?", (self._seal(json.loads(r["content"])), r["id"]))
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")

    def close(self) -> None:
        self.conn.close()

    @serialized
    def create(self, kind: str, content: dict[str, Any], generated_by: dict[str, Any], *, input_sha256: str | None = None,
               created_by: str | None = None, source_draft: str | None = None) -> Draft:
        did = f"draft-{uuid.uuid4().hex}"
        at = now_iso()
        self.conn.execute(
            "INSERT INTO drafts (id, kind, status, content, generated_by, input_sha256, source_draft, created_at, created_by, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (did, kind, "draft", self._seal(content), json.dumps(generated_by), input_sha256, source_draft, at, created_by, at),
        )
        return self.get(did)

    @serialized
    def get(self, did: str) -> Draft:
        row = self.conn.execute("SELECT * FROM drafts WHERE id = ?", (did,)).fetchone()
        if row is None:
            raise DraftNotFound(f"No draft with id {did!r}.")
        return Draft(row["id"], row["kind"], row["status"], self._open(row["id"], row["content"]), json.loads(row["generated_by"]),
                     row["created_at"], row["created_by"], row["updated_at"], row["revision"], row["validated_at"],
                     row["validated_by"], row["source_draft"])

    @serialized
    def edit(self, did: str, patch: dict[str, Any], key_id: str | None) -> tuple[Draft, str]:
        """Apply a merge patch; returns the draft and the SHA-256 of the patch (for the audit log)."""
        d = self.get(did)
        if d.status == "validated":
            raise DraftAlreadyValidated("This draft is validated and can no longer be edited; generate a new draft.")
        content = merge_patch(d.content, patch)
        try:
            validate_content(d.kind, content)
        except ContentInvalid as e:
            raise DraftInvalid(str(e), e.param) from None
        digest = sha256_json(patch)
        at = now_iso()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("UPDATE drafts SET content = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
                              (self._seal(content), at, did))
            self.conn.execute("INSERT INTO draft_edits VALUES (?,?,?,?,?,?)", (did, d.revision + 1, at, key_id, "edit", digest))
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        return self.get(did), digest

    @serialized
    def validate(self, did: str, key_id: str | None) -> tuple[Draft, str]:
        d = self.get(did)
        if d.status == "validated":
            raise DraftAlreadyValidated("This draft is already validated.")
        digest = sha256_json(d.content)
        at = now_iso()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("UPDATE drafts SET status = 'validated', validated_at = ?, validated_by = ?, updated_at = ? WHERE id = ?",
                              (at, key_id, at, did))
            self.conn.execute("INSERT INTO draft_edits VALUES (?,?,?,?,?,?)", (did, d.revision, at, key_id, "validate", digest))
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        return self.get(did), digest

    @serialized
    def history(self, did: str) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT revision, at, key_id, action, sha256 FROM draft_edits WHERE draft_id = ? ORDER BY at, revision", (did,))
        return [dict(r) for r in rows]

    @serialized
    def validated(self, did: str) -> Draft:
        d = self.get(did)
        if d.status != "validated":
            raise DraftNotValidated("Only validated drafts can be exported or explained: a clinician must validate it first "
                                    "(POST /v1/assistant/drafts/{id}/validate).")
        return d

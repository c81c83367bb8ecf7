"""Drafts: every assistant output is stored as an AI-generated draft until a clinician validates it.

SQLite under ``$PARTAGES_HOME/assistant.db``. Edits are JSON merge patches (RFC 7386) on the
content; each edit keeps only its SHA-256 in the edit history (the content itself is the only
clear text). A validated draft is frozen: it can no longer be edited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.store.sqlite import connect


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
    def __init__(self, path: Path) -> None:
        self.conn = connect(path)
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

    def close(self) -> None:
        self.conn.close()

    def create(self, kind: str, content: dict[str, Any], generated_by: dict[str, Any], *, input_sha256: str | None = None,
               created_by: str | None = None, source_draft: str | None = None) -> Draft:
        did = f"draft-{uuid.uuid4().hex}"
        at = now_iso()
        self.conn.execute(
            "INSERT INTO drafts (id, kind, status, content, generated_by, input_sha256, source_draft, created_at, created_by, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (did, kind, "draft", json.dumps(content, ensure_ascii=False), json.dumps(generated_by), input_sha256, source_draft, at, created_by, at),
        )
        return self.get(did)

    def get(self, did: str) -> Draft:
        row = self.conn.execute("SELECT * FROM drafts WHERE id = ?", (did,)).fetchone()
        if row is None:
            raise DraftNotFound(f"No draft with id {did!r}.")
        return Draft(row["id"], row["kind"], row["status"], json.loads(row["content"]), json.loads(row["generated_by"]),
                     row["created_at"], row["created_by"], row["updated_at"], row["revision"], row["validated_at"],
                     row["validated_by"], row["source_draft"])

    def edit(self, did: str, patch: dict[str, Any], key_id: str | None) -> tuple[Draft, str]:
        """Apply a merge patch; returns the draft and the SHA-256 of the patch (for the audit log)."""
        d = self.get(did)
        if d.status == "validated":
            raise DraftAlreadyValidated("This draft is validated and can no longer be edited; generate a new draft.")
        content = merge_patch(d.content, patch)
        digest = sha256_json(patch)
        at = now_iso()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("UPDATE drafts SET content = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
                              (json.dumps(content, ensure_ascii=False), at, did))
            self.conn.execute("INSERT INTO draft_edits VALUES (?,?,?,?,?,?)", (did, d.revision + 1, at, key_id, "edit", digest))
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        return self.get(did), digest

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

    def history(self, did: str) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT revision, at, key_id, action, sha256 FROM draft_edits WHERE draft_id = ? ORDER BY at, revision", (did,))
        return [dict(r) for r in rows]

    def validated(self, did: str) -> Draft:
        d = self.get(did)
        if d.status != "validated":
            raise DraftNotValidated("Only validated drafts can be exported or explained: a clinician must validate it first "
                                    "(POST /v1/assistant/drafts/{id}/validate).")
        return d

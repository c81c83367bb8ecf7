"""The knowledge store: one SQLite file under ``$PARTAGES_HOME/kb/``.

One table per official file (kept close to the official columns, so a pharmacist can check a row
against the source), a ``sources`` table with each source's version, file date, licence and
fingerprint (what makes ``kb build`` incremental), and a ``documents`` table: the retrieval units
with their stable ids, assembled from the other tables.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from partages.knowledge.bdpm import FILES as BDPM_FILES
from partages.knowledge.bdpm import GENERIC_TYPES
from partages.knowledge.errors import KnowledgeBaseMissing
from partages.knowledge.loaded import LoadedSource
from partages.knowledge.sources import SOURCES
from partages.store.sqlite import connect

SCHEMA_VERSION = 1

_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    # table -> (source, columns)
    **{f.table: ("bdpm", f.columns) for f in BDPM_FILES},
    "ansm_substances": ("ansm", ("name", "norm", "alias")),
    "ansm_class_members": ("ansm", ("class_name", "class_norm", "substance", "substance_norm")),
    "ansm_interactions": ("ansm", ("id", "a", "b", "a_norm", "b_norm", "level", "levels", "mechanism", "conduct")),
    "cim10": ("cim10", ("code", "raw_code", "label", "short")),
    "ccam": ("ccam", ("code", "label", "activities", "tariff", "chapter")),
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_presentations_cis ON presentations(cis)",
    "CREATE INDEX IF NOT EXISTS ix_compositions_cis ON compositions(cis)",
    "CREATE INDEX IF NOT EXISTS ix_generic_groups_cis ON generic_groups(cis)",
    "CREATE INDEX IF NOT EXISTS ix_prescription_conditions_cis ON prescription_conditions(cis)",
    "CREATE INDEX IF NOT EXISTS ix_has_smr_cis ON has_smr(cis)",
    "CREATE INDEX IF NOT EXISTS ix_has_asmr_cis ON has_asmr(cis)",
    "CREATE INDEX IF NOT EXISTS ix_specialities_cis ON specialities(cis)",
    "CREATE INDEX IF NOT EXISTS ix_members_sub ON ansm_class_members(substance_norm)",
    "CREATE INDEX IF NOT EXISTS ix_inter_a ON ansm_interactions(a_norm)",
    "CREATE INDEX IF NOT EXISTS ix_inter_b ON ansm_interactions(b_norm)",
    "CREATE INDEX IF NOT EXISTS ix_cim10_code ON cim10(code)",
    "CREATE INDEX IF NOT EXISTS ix_ccam_code ON ccam(code)",
)


def kb_dir(home: Path) -> Path:
    return Path(home) / "kb"


def db_path(home: Path) -> Path:
    return kb_dir(home) / "knowledge.db"


class KnowledgeStore:
    """Read/write access to the knowledge database. Thread-safe for reads (one lock)."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        path = Path(path)
        if not create and not path.is_file():
            raise KnowledgeBaseMissing(path)
        self.path = path
        self.conn: sqlite3.Connection = connect(path)
        self._lock = threading.RLock()
        if create:
            self._create()

    @classmethod
    def open(cls, home: Path) -> KnowledgeStore:
        return cls(db_path(home))

    def close(self) -> None:
        self.conn.close()

    def _create(self) -> None:
        c = self.conn
        c.execute(
            "CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, title TEXT, version TEXT, file_date TEXT, "
            "licence TEXT, fingerprint TEXT, files TEXT, records INTEGER, malformed INTEGER, report TEXT, loaded_at TEXT)"
        )
        c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        c.execute(
            "CREATE TABLE IF NOT EXISTS documents (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, source TEXT, "
            "title TEXT, text TEXT, licence TEXT, version TEXT)"
        )
        for table, (_, cols) in _TABLES.items():
            c.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{col} TEXT' for col in cols)})")
        for stmt in _INDEXES:
            c.execute(stmt)
        c.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    # --- writing -------------------------------------------------------------------------
    def replace_source(self, src: LoadedSource, fingerprint: str, loaded_at: str) -> None:
        """Swap one source's tables in a single transaction (readers never see half a source)."""
        info = SOURCES[src.name]
        with self._lock:
            c = self.conn
            c.execute("BEGIN IMMEDIATE")
            try:
                for table, (owner, cols) in _TABLES.items():
                    if owner != src.name:
                        continue
                    c.execute(f"DELETE FROM {table}")
                    rows = src.tables.get(table, [])
                    if rows:
                        c.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(cols))})", rows)
                report = {"files": [r.as_dict() for r in src.reports], "notes": src.notes}
                c.execute(
                    "INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (src.name, info.title, src.version, src.file_date, info.licence, fingerprint,
                     json.dumps([str(f) for f in src.files]), src.records, src.malformed, json.dumps(report, ensure_ascii=False), loaded_at),
                )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def replace_documents(self, docs: list[tuple[str, str, str, str, str, str]]) -> None:
        with self._lock:
            c = self.conn
            c.execute("BEGIN IMMEDIATE")
            try:
                c.execute("DELETE FROM documents")
                c.executemany(
                    "INSERT INTO documents (rowid, id, source, title, text, licence, version) VALUES (?,?,?,?,?,?,?)",
                    [(i, *d) for i, d in enumerate(docs)],
                )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- reading -------------------------------------------------------------------------
    def _all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    def meta(self, key: str) -> str | None:
        rows = self._all("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def sources(self) -> dict[str, dict[str, Any]]:
        out = {}
        for r in self._all("SELECT * FROM sources ORDER BY name"):
            d = dict(r)
            d["files"] = json.loads(d["files"] or "[]")
            d["report"] = json.loads(d["report"] or "{}")
            out[d["name"]] = d
        return out

    def source(self, name: str) -> dict[str, Any] | None:
        return self.sources().get(name)

    def rows(self, table: str) -> list[sqlite3.Row]:
        if table not in _TABLES and table != "documents":
            raise ValueError(f"unknown table {table}")
        return self._all(f"SELECT * FROM {table}")

    def count(self, table: str) -> int:
        if table not in _TABLES and table != "documents":
            raise ValueError(f"unknown table {table}")
        return self._all(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]

    def documents_by_rowid(self, rowids: list[int]) -> dict[int, sqlite3.Row]:
        if not rowids:
            return {}
        q = f"SELECT rowid, * FROM documents WHERE rowid IN ({','.join('?' * len(rowids))})"
        return {r["rowid"]: r for r in self._all(q, tuple(rowids))}

    def document(self, doc_id: str) -> sqlite3.Row | None:
        rows = self._all("SELECT rowid, * FROM documents WHERE id = ?", (doc_id,))
        return rows[0] if rows else None

    def speciality(self, cis: str) -> dict[str, Any] | None:
        """Everything the BDPM says about one speciality (CIS), with source, version and licence."""
        spec = self._all("SELECT * FROM specialities WHERE cis = ?", (cis,))
        if not spec:
            return None
        d = dict(spec[0])
        d["composition"] = [dict(r) for r in self._all("SELECT element, substance_code, substance, dosage, reference, nature, link FROM compositions WHERE cis = ?", (cis,))]
        d["presentations"] = [dict(r) for r in self._all("SELECT cip7, cip13, label, status, commercialisation, commercialisation_date, reimbursement_rate, price FROM presentations WHERE cis = ?", (cis,))]
        d["generic_groups"] = [
            {"group_id": r["group_id"], "label": r["label"], "type": GENERIC_TYPES.get(r["type"], r["type"])}
            for r in self._all("SELECT * FROM generic_groups WHERE cis = ?", (cis,))
        ]
        d["prescription_conditions"] = [r["condition"] for r in self._all("SELECT condition FROM prescription_conditions WHERE cis = ?", (cis,))]
        d["has_smr"] = [dict(r) for r in self._all("SELECT dossier, motif, date, value, label FROM has_smr WHERE cis = ? ORDER BY date DESC", (cis,))]
        d["has_asmr"] = [dict(r) for r in self._all("SELECT dossier, motif, date, value, label FROM has_asmr WHERE cis = ? ORDER BY date DESC", (cis,))]
        src = self.source("bdpm") or {}
        d["id"] = f"bdpm:cis:{cis}"
        d["source"] = "bdpm"
        d["licence"] = src.get("licence")
        d["version"] = src.get("version")
        return d

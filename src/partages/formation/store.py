"""Learners' progress in SQLite (``$PARTAGES_HOME/formation.db``): one row per learner, module
and exercise, holding when the exercise was opened and answered, the answer and its result.

Time is measured server-side (answered − first opened), so a learner's clock or a reload does not
change it. The first answer counts: answering again returns the stored result (resume after an
interruption never re-scores). Content is fictitious (cases written for the project).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.store.sqlite import connect, serialized


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Attempt:
    key_id: str
    key_name: str
    module_id: str
    exercise_id: str
    exercise_type: str
    opened_at: str
    answered_at: str | None
    elapsed_s: float | None
    score: float | None
    answer: dict[str, Any] | None
    result: dict[str, Any] | None
    role: str = "learner"

    def to_dict(self) -> dict[str, Any]:
        return {"exercise_id": self.exercise_id, "type": self.exercise_type, "opened_at": self.opened_at, "answered_at": self.answered_at,
                "elapsed_s": self.elapsed_s, "score": self.score, "answer": self.answer, "result": self.result}


class ProgressStore:
    def __init__(self, path: Path) -> None:
        self.conn = connect(Path(path))
        self._lock = threading.RLock()  # one connection shared by the gateway's worker threads
        self.conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS formation_attempts (
                key_id TEXT NOT NULL, key_name TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'learner', module_id TEXT NOT NULL, module_sha256 TEXT NOT NULL,
                exercise_id TEXT NOT NULL, exercise_type TEXT NOT NULL,
                opened_at TEXT NOT NULL, answered_at TEXT, elapsed_s REAL, score REAL, answer TEXT, result TEXT,
                PRIMARY KEY (key_id, module_id, exercise_id));
            CREATE INDEX IF NOT EXISTS formation_by_module ON formation_attempts(module_id);
            """
        )

    def close(self) -> None:
        self.conn.close()

    @serialized
    def open(self, key_id: str, key_name: str, module: dict[str, Any], ex: dict[str, Any], at: str | None = None, role: str = "learner") -> None:
        """Record the first time a learner opens an exercise (later opens change nothing)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO formation_attempts (key_id, key_name, role, module_id, module_sha256, exercise_id, exercise_type, opened_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (key_id, key_name, role, module["id"], module.get("sha256", ""), ex["id"], ex["type"], at or _now()),
        )

    @serialized
    def answer(self, key_id: str, key_name: str, module: dict[str, Any], ex: dict[str, Any], answer: dict[str, Any],
               result: dict[str, Any], at: str | None = None, role: str = "learner") -> tuple[Attempt, bool]:
        """Store the first answer; returns (attempt, created). A second answer returns the first."""
        at = at or _now()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            row = self._row(key_id, module["id"], ex["id"])
            if row is not None and row["answered_at"] is not None:
                self.conn.execute("COMMIT")
                return self._attempt(row), False
            if row is None:
                self.conn.execute(
                    "INSERT INTO formation_attempts (key_id, key_name, role, module_id, module_sha256, exercise_id, exercise_type, opened_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (key_id, key_name, role, module["id"], module.get("sha256", ""), ex["id"], ex["type"], at))
                opened = at
            else:
                opened = row["opened_at"]
            elapsed = max(0.0, (dt.datetime.fromisoformat(at) - dt.datetime.fromisoformat(opened)).total_seconds())
            self.conn.execute(
                "UPDATE formation_attempts SET answered_at = ?, elapsed_s = ?, score = ?, answer = ?, result = ?, key_name = ? "
                "WHERE key_id = ? AND module_id = ? AND exercise_id = ?",
                (at, elapsed, float(result["score"]), json.dumps(answer, ensure_ascii=False), json.dumps(result, ensure_ascii=False),
                 key_name, key_id, module["id"], ex["id"]))
            row = self._row(key_id, module["id"], ex["id"])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return self._attempt(row), True

    def _row(self, key_id: str, module_id: str, exercise_id: str):
        return self.conn.execute("SELECT * FROM formation_attempts WHERE key_id = ? AND module_id = ? AND exercise_id = ?",
                                 (key_id, module_id, exercise_id)).fetchone()

    @staticmethod
    def _attempt(row) -> Attempt:
        return Attempt(row["key_id"], row["key_name"], row["module_id"], row["exercise_id"], row["exercise_type"], row["opened_at"],
                       row["answered_at"], row["elapsed_s"], row["score"], json.loads(row["answer"]) if row["answer"] else None,
                       json.loads(row["result"]) if row["result"] else None, row["role"])

    @serialized
    def attempts(self, module_id: str, key_id: str | None = None) -> list[Attempt]:
        sql, args = "SELECT * FROM formation_attempts WHERE module_id = ?", [module_id]
        if key_id is not None:
            sql += " AND key_id = ?"
            args.append(key_id)
        return [self._attempt(r) for r in self.conn.execute(sql + " ORDER BY key_id, exercise_id", args)]

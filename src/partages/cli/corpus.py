"""``partages corpus``: build training corpora with provenance, filters and a data card."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings

app = typer.Typer(help="Build training corpora: read sources, filter, deduplicate, decontaminate, gate, write Parquet + data card.", no_args_is_help=True)


@app.command()
def build(
    config: Path = typer.Option(..., "--config", "-c", help="corpus.yaml: sources (with licences) and stage settings. See recipes/corpus-*.yaml."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Output folder for shard-*.parquet, data_card.json and DATA_CARD.md."),
    allow_nc: bool = typer.Option(False, "--allow-nc", help="Allow non-commercial / no-derivatives sources (e.g. E3C drug leaflets)."),
    restart: bool = typer.Option(False, "--restart", help="Ignore a previous interrupted build in --out and start over (default: resume it)."),
    home: Path | None = HomeOption,
    json_: bool = JsonOption,
) -> None:
    """Build a corpus from CONFIG into OUT (Parquet shards + data card).

    Each record keeps its source and licence. An interrupted build resumes: finished shards are
    kept. Records in which the pseudonymisation gate still finds an identifier are rejected and
    counted in the card.
    """
    from partages.corpus import CorpusError, MissingDependency, build as run_build, load_config

    s = settings(home)
    try:
        cfg = load_config(config)
        if allow_nc:
            cfg.allow_nc = True
        with Progress(SpinnerColumn(), TextColumn("[bold]corpus[/]"), BarColumn(), TextColumn("{task.completed} documents kept"),
                      TimeElapsedColumn(), console=console, transient=True, disable=json_) as bar:
            task = bar.add_task("build", total=None)
            result = run_build(cfg, out_dir, s, resume=not restart, progress=lambda n: bar.update(task, completed=n))
    except (CorpusError, MissingDependency) as exc:
        fail(str(exc))
    card = result.card
    if json_:
        print_json(card)
        return
    t = card["totals"]
    out.print(f"[green]{t['documents']}[/] documents, {t['tokens']} tokens ({card['token_unit']}), {t['shards']} shard(s) in {out_dir}")
    for st in card["stages"]:
        dropped = {k: v for k, v in st.items() if k.startswith("dropped_")}
        if dropped:
            out.print(f"  {st['name']}: " + ", ".join(f"{k.removeprefix('dropped_')}={v}" for k, v in dropped.items()))
    bad = sum(src["bad_records"] for src in card["sources"])
    if bad:
        out.print(f"  [yellow]{bad} bad record(s)[/] skipped; see {out_dir / 'DATA_CARD.md'}")
    out.print(f"Data card: {out_dir / 'DATA_CARD.md'}")

"""``partages kb``: build and search the trusted knowledge base (BDPM, ANSM, CIM-10, CCAM)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings
from partages.knowledge import KnowledgeError, SourcePaths, build, open_kb

app = typer.Typer(help="Trusted French medical knowledge: build the base from official files, then search it.", no_args_is_help=True)

_STEPS = ["bdpm", "ansm", "cim10", "ccam", "documents", "index"]


@app.command("build")
def build_cmd(
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder holding bdpm/<YYYY-MM>/, ansm_interactions_thesaurus/<YYYY_MM>/, edsnlp_terminologies/, ccam*/ (default: $PARTAGES_DATA_DIR)."),
    bdpm: Path = typer.Option(None, "--bdpm", help="Folder with the official BDPM CIS_*.txt files (overrides --data-dir)."),
    thesaurus: Path = typer.Option(None, "--thesaurus", help="Folder with the ANSM thesaurus JSON files."),
    cim10: Path = typer.Option(None, "--cim10", help="CIM-10 CSV (code,...,long); default: the installed edsnlp package's copy."),
    ccam: Path = typer.Option(None, "--ccam", help="CCAM CSV export (CNAM)."),
    force: bool = typer.Option(False, "--force", help="Reload every source even if its files did not change."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Build (or refresh) the knowledge base in $PARTAGES_HOME/kb/.

    Loads every source found; re-running only reloads sources whose files changed. A missing
    source is reported with where to get it; malformed lines are counted, not fatal.
    """
    s = settings(home)
    data = data_dir or s.data_dir
    if data is not None and not Path(data).is_dir():
        fail(f"--data-dir {data} is not a folder.", 2)
    paths = SourcePaths(bdpm=bdpm, ansm=thesaurus, cim10=cim10, ccam=ccam)
    s.ensure_home()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=json_out) as bar:
            task = bar.add_task("knowledge base", total=len(_STEPS))

            def progress(step: str, msg: str) -> None:
                if step == "done":
                    bar.update(task, completed=len(_STEPS), description="done")
                    return
                done = _STEPS.index(step) + (0 if msg in ("loading", "assembling", "indexing") else 1)
                bar.update(task, completed=done, description=f"{step}: {msg}")

            report = build(s.home, data, paths=paths, force=force, progress=progress)
    except KnowledgeError as exc:
        fail(str(exc), 2)
    if json_out:
        print_json(report.to_dict())
    else:
        t = Table(title=f"Knowledge base {report.path}")
        for col in ("source", "status", "version", "file date", "records", "malformed", "licence"):
            t.add_column(col)
        for o in report.sources:
            t.add_row(o.name, o.status, o.version or "", o.file_date or "", str(o.records), str(o.malformed), o.licence or "")
        out.print(t)
        for o in report.sources:
            if o.status in ("missing", "error"):
                console.print(f"[yellow]{o.name}:[/] {o.message}", highlight=False)
            for f in o.files:
                if o.status == "loaded" and f["malformed"]:
                    console.print(f"[yellow]{o.name}:[/] {f['file']}: {f['malformed']} malformed line(s), first at line(s) {f['malformed_lines']}: {f['reasons']}", highlight=False)
        out.print(f"{report.documents} documents indexed" + ("" if report.index_rebuilt else " (unchanged)"))
    if all(o.status in ("missing", "error") for o in report.sources):
        raise typer.Exit(1)


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help="What to look for, in French (e.g. \"surdosage AVK\")."),
    k: int = typer.Option(5, "-k", "--top", min=1, max=100, help="Number of hits."),
    source: list[str] = typer.Option(None, "--source", help="Only these sources (bdpm, ansm, cim10, ccam); repeatable."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Search the knowledge base (BM25 with French stemming, fused with the drug-name lookup). Each hit has a stable id to cite."""
    s = settings(home)
    try:
        kb = open_kb(s.home)
        hits = kb.search(query, k=k, sources=source or None)
    except (KnowledgeError, FileNotFoundError) as exc:
        fail(str(exc), 2)
    if json_out:
        print_json([h.to_dict() for h in hits])
        return
    if not hits:
        out.print("No result.")
    for i, h in enumerate(hits, 1):
        out.print(f"[bold]{i}. {h.title}[/]  [dim]{h.id} · {h.source} {h.version} · {h.licence} · score {h.score}[/]", highlight=False)
        out.print(f"   {h.snippet}", highlight=False)


@app.command("sources")
def sources_cmd(home: Path = HomeOption, json_out: bool = JsonOption) -> None:
    """List the sources in the knowledge base with version, file date and licence."""
    s = settings(home)
    try:
        srcs = open_kb(s.home).sources()
    except KnowledgeError as exc:
        fail(str(exc), 2)
    if json_out:
        print_json(srcs)
        return
    t = Table()
    for col in ("source", "version", "file date", "records", "malformed", "licence", "loaded at"):
        t.add_column(col)
    for v in srcs.values():
        t.add_row(v["name"], v["version"], v["file_date"], str(v["records"]), str(v["malformed"]), v["licence"], v["loaded_at"])
    out.print(t)

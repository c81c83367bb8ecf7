"""``partages drugs``: recognise drug names and check ANSM interactions (deterministic, no LLM)."""

from __future__ import annotations

from pathlib import Path

import typer

from partages.cli.common import HomeOption, JsonOption, fail, out, print_json, settings
from partages.knowledge import KnowledgeError, open_kb

app = typer.Typer(help="Drug names as prescribers write them -> BDPM specialities; ANSM interaction checks.", no_args_is_help=True)


@app.command("lookup")
def lookup_cmd(
    text: str = typer.Argument(..., help="Drug as written, e.g. \"kardegic 75mg\", \"doliprane 1g\", \"amoxiciline\"."),
    limit: int = typer.Option(5, "--limit", min=1, max=50, help="Number of specialities to list."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Normalise a drug name: BDPM specialities (CIS), ANSM substances and a confidence in [0, 1]."""
    s = settings(home)
    try:
        res = open_kb(s.home).lookup_drug(text, limit=limit)
    except KnowledgeError as exc:
        fail(str(exc), 2)
    if json_out:
        print_json(res.to_dict())
    else:
        if not res.resolved:
            out.print("No drug recognised.")
        if res.classes:
            out.print(f"ANSM class: {', '.join(res.classes)}")
        if res.substances:
            out.print(f"Substances (ANSM): {', '.join(res.substances)}")
        for m in res.matches:
            flag = "" if m.commercialised else " [dim](non commercialisée)[/]"
            out.print(f"{m.confidence:.2f}  {m.cis}  {m.denomination}{flag}  [dim]{m.match}[/]", highlight=False)
    if not res.resolved:
        raise typer.Exit(1)


@app.command("interactions")
def interactions_cmd(
    drugs: list[str] = typer.Argument(..., help="Two or more drugs (brand, substance or ANSM class such as AINS), one argument each."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Every ANSM interaction between each pair of drugs, class-level ones included (e.g. AINS, anticoagulants oraux).

    Levels: contre-indication > association déconseillée > précaution d'emploi > à prendre en compte.
    Prints [] when there is none; exits 1 if a drug is not recognised (no silent "no interaction").
    """
    if len(drugs) < 2:
        fail("Give at least two drugs.", 2)
    s = settings(home)
    try:
        rep = open_kb(s.home).interactions(drugs)
    except KnowledgeError as exc:
        fail(str(exc), 2)
    if rep.unresolved:
        fail("not recognised (check the spelling): " + ", ".join(repr(u) for u in rep.unresolved), 1)
    if json_out:
        print_json(rep.interactions)
        return
    if not rep.interactions:
        out.print("No interaction in the ANSM thesaurus between these drugs.")
    for i in rep.interactions:
        out.print(f"[bold]{i['level'].upper()}[/]  {i['a']} ({i['substances'][0]}) + {i['b']} ({i['substances'][1]})", highlight=False)
        out.print(f"  {i['mechanism']}", highlight=False)
        if i["conduct"]:
            out.print(f"  → {i['conduct']}", highlight=False)
        out.print(f"  [dim]{i['source']['title']}[/]", highlight=False)


@app.command("show")
def show_cmd(cis: str = typer.Argument(..., help="8-digit CIS code."), home: Path = HomeOption) -> None:
    """Everything the BDPM holds on one speciality (JSON)."""
    s = settings(home)
    try:
        d = open_kb(s.home).drug(cis)
    except KnowledgeError as exc:
        fail(str(exc), 2)
    if d is None:
        fail(f"No speciality with CIS {cis!r} in the BDPM.", 1)
    print_json(d)

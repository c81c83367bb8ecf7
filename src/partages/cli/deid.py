"""``partages deid``: find identifiers in French clinical notes, pseudonymise them, measure."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from partages.cli.common import JsonOption, console, fail, print_json, settings

app = typer.Typer(
    help="Pseudonymisation of French clinical text (outputs are 'pseudonymisé', never anonymous).",
    no_args_is_help=True,
)

InOption = typer.Option(..., "--in", help="Input: JSONL lines {id, text, patient?}, a .parquet file, or a folder of .txt files.")
OutOption = typer.Option(..., "--out", help="Output (same kind as the input). Ids already in it are skipped (resume).")
WorkersOption = typer.Option(1, "--workers", min=1, help="Worker processes.")
SkipBadOption = typer.Option(False, "--skip-bad", help="Count invalid records and continue instead of stopping.")


def _data_dir() -> str:
    s = settings()
    if s.data_dir is None:
        fail("No reference data folder: set PARTAGES_DATA_DIR to the shared data (fr_names, fr_geo, bdpm).")
    return str(s.data_dir)


def _run(task: str, in_path: Path, out_path: Path, workers: int, skip_bad: bool, as_json: bool, **spec_kw) -> None:
    from partages.deid.batch import TaskSpec, run_batch
    from partages.deid.errors import BadInputError, DeidError
    from partages.deid.records import count_records

    vault = spec_kw.pop("vault", None)
    if not in_path.exists():
        fail(f"Input not found: {in_path}")
    spec = TaskSpec(task=task, data_dir=_data_dir(), **spec_kw)
    try:
        total = count_records(in_path)
    except BadInputError as e:
        fail(str(e))
    with Progress(TextColumn(f"[bold]{task}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=as_json) as progress:
        bar = progress.add_task(task, total=total)
        try:
            stats = run_batch(in_path, out_path, spec, workers=workers, skip_bad=skip_bad, vault=vault,
                              on_progress=lambda n: progress.advance(bar, n))
        except BadInputError as e:
            fail(f"{e} (use --skip-bad to count and continue)")
        except DeidError as e:
            fail(str(e))
    result = stats.to_dict()
    if as_json:
        print_json(result)
    else:
        msg = f"{stats.written} written, {stats.skipped_done} already done, {stats.bad} bad, {stats.spans} spans → {out_path}"
        console.print(msg + (" (pseudonymisé)" if task == "pseudonymize" else ""), highlight=False)
        if stats.bad_places:
            console.print("bad records: " + ", ".join(stats.bad_places[:20]) + (" ..." if len(stats.bad_places) > 20 else ""), highlight=False)


@app.command()
def detect(
    in_path: Path = InOption,
    out_path: Path = OutOption,
    workers: int = WorkersOption,
    skip_bad: bool = SkipBadOption,
    as_json: bool = JsonOption,
) -> None:
    """Find identifiers (names, dates, addresses, NIR, phones...). OUT lines: {id, spans:[{start, end, label, text, source}]}."""
    _run("detect", in_path, out_path, workers, skip_bad, as_json)


@app.command()
def pseudonymize(
    in_path: Path = InOption,
    out_path: Path = OutOption,
    mode: str = typer.Option("surrogate", "--mode", help="surrogate (realistic, consistent per patient), placeholder (<NOM>) or mask."),
    key_file: Path | None = typer.Option(None, "--key-file", help="Secret key (HMAC) for surrogates; required in surrogate and reversible modes. Create one with `partages deid keygen`."),
    reversible: Path | None = typer.Option(None, "--reversible", help="Also store the original↔surrogate mapping, encrypted, in this vault file."),
    workers: int = WorkersOption,
    skip_bad: bool = SkipBadOption,
    as_json: bool = JsonOption,
) -> None:
    """Replace identifiers. OUT lines: {id, text, spans:[{..., replacement}]}; outputs are pseudonymised, not anonymous."""
    from partages.deid.errors import DeidError
    from partages.deid.vault import Vault, read_key_file

    if mode not in ("surrogate", "placeholder", "mask"):
        fail(f"Unknown --mode '{mode}': choose surrogate, placeholder or mask.")
    if reversible and mode != "surrogate":
        fail("--reversible needs --mode surrogate (placeholders and masks cannot be mapped back).")
    key = None
    if mode == "surrogate" or reversible:
        if key_file is None:
            fail("--key-file is required in surrogate/reversible mode (a random key would make surrogates unreproducible). Create one with `partages deid keygen --out deid.key`.")
        try:
            key = read_key_file(key_file)
        except DeidError as e:
            fail(str(e))
    vault = None
    if reversible:
        try:
            vault = Vault(reversible, key)
        except DeidError as e:
            fail(str(e))
    _run("pseudonymize", in_path, out_path, workers, skip_bad, as_json, mode=mode, key=key, reversible=bool(reversible), vault=vault)


@app.command()
def reidentify(
    in_path: Path = InOption,
    out_path: Path = OutOption,
    key_file: Path = typer.Option(..., "--key-file", help="The key used to pseudonymise."),
    vault_path: Path = typer.Option(..., "--vault", help="The vault written by `pseudonymize --reversible`."),
) -> None:
    """Restore the original text of pseudonymised JSONL records (authorised callers only)."""
    from partages.deid.errors import DeidError
    from partages.deid.pseudonymizer import reidentify_text, scope_for
    from partages.deid.records import read_jsonl
    from partages.deid.vault import Vault, read_key_file

    try:
        vault = Vault(vault_path, read_key_file(key_file))
    except DeidError as e:
        fail(str(e))
    mapping = vault.mapping()
    n = 0
    with out_path.open("w", encoding="utf-8") as f:
        for rec in read_jsonl(in_path):
            if isinstance(rec, Exception):
                fail(str(rec))
            m = vault.mapping(scope_for(rec["patient"])) if rec.get("patient") else mapping  # per patient when known
            f.write(json.dumps({"id": rec["id"], "text": reidentify_text(rec["text"], m)}, ensure_ascii=False) + "\n")
            n += 1
    console.print(f"{n} records re-identified → {out_path}", highlight=False)


@app.command()
def keygen(out: Path = typer.Option(..., "--out", help="Where to write the new secret key (mode 600; never overwritten).")) -> None:
    """Create a secret key file for keyed surrogates and the reversible vault."""
    from partages.deid.errors import DeidError
    from partages.deid.vault import write_key_file

    try:
        write_key_file(out)
    except DeidError as e:
        fail(str(e))
    console.print(f"key written to {out} — keep it secret and backed up: it reproduces every surrogate.", highlight=False)


@app.command("eval")
def eval_(
    gold: Path = typer.Option(..., "--gold", help="Gold JSONL: {id, text, spans:[{start,end,label}], protect:[{start,end}], patient?}."),
    as_json: bool = JsonOption,
) -> None:
    """Score detection: per-label token P/R/F1, redact recall, documents with nothing missed, leaks, over-redaction."""
    from partages.deid.detector import Detector, DetectorConfig
    from partages.deid.evaluation import evaluate
    from partages.deid.records import read_jsonl

    if not gold.exists():
        fail(f"Gold file not found: {gold}")
    docs = []
    for rec in read_jsonl(gold):
        if isinstance(rec, Exception):
            fail(str(rec))
        for i, s in enumerate(rec.get("spans") or []):
            if not isinstance(s, dict) or not {"start", "end", "label"} <= s.keys():
                fail(f"{gold}: record {rec['id']}: span {i} needs start, end and label")
        docs.append(rec)
    from partages.deid.errors import DeidError

    try:
        det = Detector(DetectorConfig(data_dir=Path(_data_dir())))
    except DeidError as e:
        fail(str(e))
    report = evaluate(docs, det.detect)
    if as_json:
        print_json(report.to_dict())
        return
    from rich.table import Table

    t = Table(title=f"deid eval — {report.docs} documents, {report.gold_tokens} gold tokens")
    for c in ("label", "precision", "recall", "F1", "support"):
        t.add_column(c, justify="right" if c != "label" else "left")
    for lab, m in report.per_label.items():
        t.add_row(lab, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    from partages.cli.common import out

    out.print(t)
    out.print(f"redact recall {report.redact_recall:.4f} · redact precision {report.redact_precision:.4f} · "
              f"documents with nothing missed {report.docs_nothing_missed:.1%} · leaks {report.leaks}/{report.known_identifier_occurrences} "
              f"· over-redaction {report.over_redacted}/{report.protect_items} ({report.over_redaction:.2%})", highlight=False)


@app.command("make-eval")
def make_eval(
    split: str = typer.Option("test", "--split", help="dev, dev2, dev-all, dev-v3 to dev-v10 (for tuning: EDS-Pseudo dev / train / all templates; blind-written development sets), test (the held-out split written blind, never tuned on), test-v1 to test-v9 (spent test splits)."),
    out: Path = typer.Option(..., "--out", help="Gold JSONL to write."),
    n_docs: int = typer.Option(200, "--docs", min=1, help="Synthetic documents (EDS-Pseudo templates refilled)."),
    tricky: bool = typer.Option(True, "--tricky/--no-tricky", help="Add the hand-written tricky notes of that split."),
    raw_gold: bool = typer.Option(False, "--raw-gold", help="Keep the EDS-Pseudo markup as published (no gold corrections, see partages.deid.synth)."),
) -> None:
    """Generate a gold set (synthetic notes from the shared EDS-Pseudo templates + hand-written notes)."""
    from partages.deid.eval_data import build_gold

    from partages.deid.synth import SPLITS

    if split not in SPLITS:
        fail(f"--split must be one of {', '.join(SPLITS)}")
    docs = build_gold(Path(_data_dir()), split, n_docs, tricky=tricky, corrected=not raw_gold)
    with out.open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    console.print(f"{len(docs)} gold documents ({split}) → {out}", highlight=False)

"""``partages export``: turn a trained adapter into a GGUF the gateway serves, and register it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings

app = typer.Typer(help="Export trained models for serving (GGUF for llama.cpp).", no_args_is_help=True)


@app.command()
def gguf(
    adapter: Path = typer.Option(..., "--adapter", "-a", help="Adapter folder written by `partages train` (runs/NAME/adapter)."),
    name: str = typer.Option(..., "--name", "-n", help="Registry id of the exported model (served with `partages serve --model NAME`)."),
    merge: bool = typer.Option(False, "--merge", help="Merge the LoRA into the weights and write a whole GGUF (default: a small GGUF LoRA served on top of the base)."),
    out_dir: Path | None = typer.Option(None, "--out", help="Where to write the GGUF files (default: $PARTAGES_HOME/models)."),
    evals: Path | None = typer.Option(None, "--eval-results", help="JSON with evaluation results to put in the model card."),
    package: Path | None = typer.Option(None, "--package", help="Also copy the GGUF LoRA + model card into this folder (e.g. adapters/NAME) for shipping."),
    outtype: str = typer.Option("f16", "--outtype", help="Tensor type of the written GGUF: f32, f16, bf16 or q8_0."),
    home: Path | None = HomeOption,
    json_: bool = JsonOption,
) -> None:
    """Convert ADAPTER to GGUF with llama.cpp's own conversion scripts and register it as NAME.

    The scripts come from the llama-cpp-python source distribution (downloaded once into the
    cache; offline, set PARTAGES_LLAMA_CPP_SRC). The registered model carries a model card:
    base, data card, recipe, held-out loss, evaluation results, licence.
    """
    from partages.training import TrainingError
    from partages.training.export import export_gguf

    ev = None
    if evals is not None:
        try:
            ev = json.loads(evals.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            fail(f"{evals}: not a readable JSON file ({exc})")
    try:
        with console.status("Converting with llama.cpp's conversion script..."):
            res = export_gguf(settings(home), adapter, name, merge=merge, out_dir=out_dir, evals=ev, outtype=outtype)
    except TrainingError as exc:
        fail(str(exc))
    if package is not None:
        try:
            from partages.training.export import package_adapter

            run_dir = adapter.parent
            package_adapter(res, package, {"loss_curve.png": run_dir / "loss_curve.png", "training_card.json": run_dir / "training_card.json"},
                            reproduce=(run_dir / "REPRODUCE.sh").read_text() if (run_dir / "REPRODUCE.sh").is_file() else "")
        except TrainingError as exc:
            fail(str(exc))
    if json_:
        print_json(res.entry.model_dump())
        return
    what = f"LoRA {res.lora} on {res.gguf}" if res.lora else str(res.gguf)
    size = (res.lora or res.gguf).stat().st_size / 1e6
    out.print(f"Registered [bold]{name}[/]: {what} ({size:.1f} MB)\nServe it: partages serve --model {name}")


@app.command()
def register(
    folder: Path = typer.Argument(..., help="A packaged adapter folder (model_card.json + *.lora.gguf), e.g. adapters/gemma3-270m-fr-med."),
    name: str | None = typer.Option(None, "--name", "-n", help="Registry id (default: the name in the card)."),
    home: Path | None = HomeOption,
    json_: bool = JsonOption,
) -> None:
    """Register a shipped GGUF LoRA adapter on top of its base model (which must be registered:
    `partages models pull gemma3-270m`), so `partages serve --model NAME` serves it."""
    from partages.training import TrainingError
    from partages.training.export import register_adapter_dir

    try:
        entry = register_adapter_dir(settings(home), folder, name)
    except TrainingError as exc:
        fail(str(exc))
    if json_:
        print_json(entry.model_dump())
        return
    out.print(f"Registered [bold]{entry.id}[/]: {entry.lora_path} on {entry.path}\nServe it: partages serve --model {entry.id}")

"""``partages train``: continued pretraining, instruction tuning and preference tuning from a recipe."""

from __future__ import annotations

from pathlib import Path

import typer

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings

app = typer.Typer(help="Train a model from a recipe (TRL + PEFT LoRA; accelerate for several GPUs).", no_args_is_help=True)

RecipeOption = typer.Option(..., "--recipe", "-r", help="Recipe YAML (see recipes/): base model, data, LoRA, TRL settings.")
DataOption = typer.Option(None, "--data", help="Override the recipe's data: a corpus folder from `partages corpus build` (or Parquet/JSONL files).")
OutOption = typer.Option(None, "--out", "-o", help="Override the recipe's output_dir (checkpoints, adapter/, loss_curve.png, training_card.json).")
StepsOption = typer.Option(None, "--max-steps", help="Override train.max_steps.")
WallOption = typer.Option(None, "--max-minutes", help="Stop cleanly (checkpoint, final evaluation) after this many minutes.")
ResumeOption = typer.Option(False, "--resume", help="Resume from the last checkpoint in the output folder.")
ThreadsOption = typer.Option(None, "--threads", help="Override the recipe's torch threads (1 is faster when the cores are shared with other work).")


def _run(kind: str, recipe: Path, data: list[Path] | None, out_dir: Path | None, max_steps: int | None, max_minutes: float | None,
         resume: bool, home: Path | None, json_: bool, threads: int | None = None) -> None:
    from partages.training import BaseModelError, TrainingError, load_recipe, run_recipe

    try:
        r = load_recipe(recipe, data=[str(p) for p in data] if data else None, output_dir=str(out_dir) if out_dir else None,
                        max_wall_seconds=max_minutes * 60 if max_minutes else None, threads=threads)
        if r.kind != kind:
            fail(f"{recipe} is a '{r.kind}' recipe; run `partages train {r.kind} --recipe {recipe}`")
        if max_steps:
            r.train["max_steps"] = max_steps
        console.print(f"Training [bold]{r.name}[/] ({r.kind}) on {r.base}; output in {r.output_dir}")
        result = run_recipe(r, settings(home), resume=resume)
    except (TrainingError, BaseModelError) as exc:
        fail(str(exc))
    card = result.card
    if json_:
        print_json({k: card[k] for k in ("eval_before", "eval_after", "steps", "wall_seconds", "train_examples", "eval_examples")} | {"adapter": str(result.adapter_dir)})
        return
    b, a = card["eval_before"].get("eval_loss"), card["eval_after"].get("eval_loss")
    if b is not None and a is not None:
        out.print(f"held-out loss {b:.3f} → {a:.3f} after {card['steps']} steps ({card['wall_seconds']:.0f} s)")
    out.print(f"adapter: {result.adapter_dir}\nloss curve: {result.output_dir / 'loss_curve.png'}")
    out.print(f"next: partages export gguf --adapter {result.adapter_dir} --name NAME")


@app.command()
def sft(recipe: Path = RecipeOption, data: list[Path] | None = DataOption, out_dir: Path | None = OutOption, max_steps: int | None = StepsOption,
        max_minutes: float | None = WallOption, resume: bool = ResumeOption, threads: int | None = ThreadsOption,
        home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """Instruction tuning on chat records (loss on the answers only), e.g. recipes/sft-gemma3-270m.yaml."""
    _run("sft", recipe, data, out_dir, max_steps, max_minutes, resume, home, json_, threads)


@app.command()
def cpt(recipe: Path = RecipeOption, data: list[Path] | None = DataOption, out_dir: Path | None = OutOption, max_steps: int | None = StepsOption,
        max_minutes: float | None = WallOption, resume: bool = ResumeOption, threads: int | None = ThreadsOption,
        home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """Continued pretraining on plain text (domain adaptation), e.g. recipes/cpt-gemma3-270m.yaml."""
    _run("cpt", recipe, data, out_dir, max_steps, max_minutes, resume, home, json_, threads)


@app.command()
def dpo(recipe: Path = RecipeOption, data: list[Path] | None = DataOption, out_dir: Path | None = OutOption, max_steps: int | None = StepsOption,
        max_minutes: float | None = WallOption, resume: bool = ResumeOption, threads: int | None = ThreadsOption,
        home: Path | None = HomeOption, json_: bool = JsonOption) -> None:
    """Preference tuning on prompt/chosen/rejected records (TRL DPO)."""
    _run("dpo", recipe, data, out_dir, max_steps, max_minutes, resume, home, json_, threads)

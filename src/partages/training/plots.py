"""Loss curves from the trainer's log history (matplotlib, headless)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save_loss_curve(history: list[dict[str, Any]], out_dir: Path, title: str = "", before: float | None = None) -> Path | None:
    """``before``: held-out loss of the untrained model, drawn at step 0 (the trainer's history
    starts again when training starts, so it does not hold that evaluation)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "log_history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")
    train = [(h["step"], h["loss"]) for h in history if "loss" in h and "step" in h]
    evals = [(h["step"], h["eval_loss"]) for h in history if "eval_loss" in h and "step" in h]
    if before is not None:
        evals = [(0, before), *[e for e in evals if e[0] != 0]]
    if not train and not evals:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    if train:
        ax.plot(*zip(*train), label="train loss")
    if evals:
        ax.plot(*zip(*evals), "o-", label="held-out loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats/token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    path = out_dir / "loss_curve.png"
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path

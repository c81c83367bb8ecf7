"""The federation's report: ``REPORT.md`` with a per-round table (clients, failures, dropouts,
bytes, time, losses) and two plots made with matplotlib: held-out and training loss per client
per round, and bytes exchanged per round."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def write_plots(summary: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds = summary["rounds"]
    paths = []
    fig, ax = plt.subplots(figsize=(6.5, 4))
    series: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
    for r in rounds:
        for c in r["clients"]:
            for key in ("heldout_loss", "train_loss"):
                if c.get(key) is not None:
                    series[(c["hospital"], key)].append((r["round"], c[key]))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (h, key), pts in sorted(series.items()):
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker="o", linestyle="-" if key == "train_loss" else "--", color=colours[h % len(colours)],
                label=f"hospital {h} {'local training' if key == 'train_loss' else 'held-out, global model received'}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("round")
    ax.set_ylabel("loss")
    ax.set_title("Loss per client per round")
    ax.legend(fontsize=7)
    fig.tight_layout()
    paths.append(out / "loss_per_client.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.5, 4))
    xs = [r["round"] for r in rounds]
    ax.bar([x - 0.2 for x in xs], [r["bytes_sent"] / 1e6 for r in rounds], width=0.4, label="server → clients")
    ax.bar([x + 0.2 for x in xs], [r["bytes_received"] / 1e6 for r in rounds], width=0.4, label="clients → server")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("round")
    ax.set_ylabel("MB")
    ax.set_title("Communication per round")
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out / "communication_per_round.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def render_markdown(summary: dict[str, Any], model: str | None = None) -> str:
    rounds = summary["rounds"]
    lines = ["# Federated fine-tuning report", "",
             f"- Rounds completed: {summary['rounds_completed']} of {summary['config'].get('num-rounds')}",
             f"- Adapter: {summary['adapter_tensors']} LoRA tensors, {_mb(summary['adapter_bytes'])} per copy",
             f"- Communication: {_mb(summary['bytes_total'])} in total", f"- Wall time: {summary['wall_seconds']} s"]
    if model:
        lines.append(f"- Registered model: `{model}` (`partages models list`)")
    if summary.get("privacy"):
        p = summary["privacy"]
        lines.append(f"- Differential privacy: ε = {p['epsilon']:.2f} at δ = {p['delta']:g} after {p['releases']} releases "
                     f"(noise multiplier {p['noise_multiplier']}, clipping norm {p['clipping_norm']}; {p['method']})")
    lines += ["", "## Rounds", "", "| round | clients | failures | dropouts | sent | received | time (s) | mean held-out loss | mean train loss |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rounds:
        held = [c["heldout_loss"] for c in r["clients"] if c.get("heldout_loss") is not None]
        train = [c["train_loss"] for c in r["clients"] if c.get("train_loss") is not None]
        lines.append(f"| {r['round']} | {len(r['clients'])} | {len(r['failures'])} | {len(r['dropouts'])} | {_mb(r['bytes_sent'])} | "
                     f"{_mb(r['bytes_received'])} | {r.get('seconds', '-')} | {sum(held) / len(held) if held else float('nan'):.4f} | "
                     f"{sum(train) / len(train) if train else float('nan'):.4f} |")
    lines += ["", "## Per client", "", "| round | hospital | examples | held-out loss (global model) | train loss | sent | received | train time (s) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rounds:
        for c in r["clients"]:
            lines.append(f"| {r['round']} | {c['hospital']} | {c.get('train_examples', c.get('num_examples'))} | {c.get('heldout_loss', float('nan')):.4f} | "
                         f"{c.get('train_loss', float('nan')):.4f} | {_mb(c['bytes_sent'])} | {_mb(c['bytes_received'])} | {c.get('train_seconds', '-')} |")
    problems = [(r["round"], f) for r in rounds for f in r["failures"]] + [(r["round"], {"node": n, "reason": "dropped out"}) for r in rounds for n in r["dropouts"]]
    if problems:
        lines += ["", "## Failures and dropouts", ""] + [f"- round {rn}: node {f['node']}: {f['reason']}" for rn, f in problems]
    lines += ["", "![loss per client](loss_per_client.png)", "", "![communication per round](communication_per_round.png)", ""]
    return "\n".join(lines)


def write_report(summary: dict[str, Any], out: Path, model: str | None = None) -> Path:
    write_plots(summary, out)
    path = out / "REPORT.md"
    path.write_text(render_markdown(summary, model), encoding="utf-8")
    return path

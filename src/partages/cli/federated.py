"""``partages federated``: fine-tune one LoRA adapter across hospitals with Flower. Each
hospital trains on its own corpus and sends back only adapter tensors and numbers."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import typer

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings

app = typer.Typer(
    help="Federated fine-tuning with Flower: only LoRA adapters leave a hospital. "
         "`simulate` runs a whole federation on this machine; `server` and `client` run one on several.",
    no_args_is_help=True,
)

RecipeOption = typer.Option(..., "--recipe", "-r", help="SFT recipe YAML with a LoRA section (e.g. recipes/federated/sft-gemma3-270m.yaml). Its 'data' is ignored: each client brings its own.")
RoundsOption = typer.Option(3, "--rounds", "-n", help="Federated rounds (each: send the global adapter, train locally, average).")
StepsOption = typer.Option(4, "--local-steps", help="Optimiser steps each client runs per round.")
FractionOption = typer.Option(1.0, "--fraction", help="Fraction of connected clients sampled each round.")
MinOption = typer.Option(2, "--min-clients", help="A round starts with at least this many clients and needs this many to be sampled.")
TimeoutOption = typer.Option(1800.0, "--round-timeout", help="Seconds to wait for replies; clients that have not answered by then count as dropouts.")
OutOption = typer.Option(None, "--out", "-o", help="Run folder: checkpoints/round-N.safetensors, adapter/, rounds.jsonl, REPORT.md, plots, logs/.")
NameOption = typer.Option(None, "--name", help="Register the final global adapter under this model id (default: federated-<recipe name>).")
NoExportOption = typer.Option(False, "--no-export", help="Keep the adapter in the run folder; do not convert to GGUF or register it.")
DPNoiseOption = typer.Option(0.0, "--dp-noise", help="Differential privacy: Gaussian noise multiplier added to the average (0 = off). Clients clip their update with Flower's fixedclipping_mod.")
DPClipOption = typer.Option(1.0, "--dp-clip", help="Differential privacy: L2 clipping norm of each client's update.")
DPDeltaOption = typer.Option(1e-5, "--dp-delta", help="Differential privacy: δ at which ε is reported.")
SecAggOption = typer.Option(False, "--secagg", help="Secure aggregation (Flower SecAgg+): the server only sees the sum of masked updates. Not combinable with --dp-noise.")


def _recipe(path: Path):
    from partages.training import TrainingError, load_recipe

    try:
        r = load_recipe(path, data=str(path.parent))
    except TrainingError as exc:
        fail(str(exc))
    if r.kind != "sft" or r.lora is None or r.full_finetune:
        fail(f"{path}: federated training needs an SFT recipe with a LoRA section (kind: sft, lora: ...)")
    return r


def _config(recipe_path: Path, home: Path | None, out_dir: Path | None, rounds: int, local_steps: int, fraction: float,
            min_clients: int, round_timeout: float, dp_noise: float, dp_clip: float, dp_delta: float, secagg: bool = False):
    from partages.federated import FederatedError
    from partages.federated.local import require_federated_extra

    try:
        require_federated_extra()
    except FederatedError as exc:
        fail(str(exc))
    from partages.federated.runtime import FederationConfig

    if rounds < 1 or local_steps < 1 or min_clients < 1:
        fail("--rounds, --local-steps and --min-clients must be at least 1")
    if not 0 < fraction <= 1:
        fail("--fraction must be in (0, 1]")
    if dp_noise < 0 or dp_clip <= 0:
        fail("--dp-noise must be ≥ 0 and --dp-clip > 0")
    if secagg and dp_noise > 0:
        fail("--secagg and --dp-noise cannot be combined (Flower's DP wrapper needs each client's update)")
    recipe = _recipe(recipe_path)
    s = settings(home)
    out_dir = (out_dir or Path("runs") / f"federated-{recipe.name}").expanduser().resolve()
    return FederationConfig(recipe=recipe, home=s.home, out=out_dir, rounds=rounds, local_steps=local_steps, fraction=fraction,
                            min_clients=min_clients, round_timeout=round_timeout, dp_noise=dp_noise, dp_clip=dp_clip, dp_delta=dp_delta,
                            secagg=secagg), s


def _on_round(total: int, json_: bool):
    def show(r: dict[str, Any]) -> None:
        held = [c["heldout_loss"] for c in r["clients"] if c.get("heldout_loss") is not None]
        mb = (r["bytes_sent"] + r["bytes_received"]) / 1e6
        line = (f"round {r['round']}/{total}: {len(r['clients'])} clients, {len(r['failures'])} failed, {len(r['dropouts'])} dropped out, "
                f"{mb:.2f} MB, {r.get('seconds', 0):.0f} s" + (f", held-out loss {sum(held) / len(held):.3f}" if held else ""))
        console.print(line, highlight=False)
        for f in r["failures"]:
            console.print(f"  [yellow]client node {f['node']} failed:[/] {f['reason']}", highlight=False)
        for n in r["dropouts"]:
            console.print(f"  [yellow]client node {n} dropped out[/]", highlight=False)
    return show


def _finish(cfg, s, summary: dict[str, Any], name: str | None, no_export: bool, json_: bool) -> None:
    from partages.federated.report import write_report
    from partages.training.errors import TrainingError

    model = None
    if summary.get("status") != "done":
        report = write_report(summary, cfg.out, None)
        reasons = sorted({f["reason"] for r in summary["rounds"] for f in r["failures"]})
        fail("no round was aggregated (too few clients replied)" + (f"; client errors: {'; '.join(reasons[:3])}" if reasons else "")
             + f". Report: {report}")
    if not no_export:
        from partages.training.export import export_gguf

        model = name or f"federated-{cfg.recipe.name}"
        try:
            with console.status(f"exporting the global adapter as {model}"):
                export_gguf(s, cfg.out / "adapter", model)
        except TrainingError as exc:
            fail(f"the federation finished but the export failed: {exc} (adapter kept in {cfg.out / 'adapter'})")
    report = write_report(summary, cfg.out, model)
    if json_:
        print_json({"out": str(cfg.out), "report": str(report), "model": model,
                    **{k: summary[k] for k in ("rounds_completed", "bytes_total", "wall_seconds", "adapter_bytes", "privacy")},
                    "rounds": summary["rounds"]})
        return
    out.print(f"{summary['rounds_completed']} rounds, {summary['bytes_total'] / 1e6:.2f} MB exchanged, {summary['wall_seconds']:.0f} s")
    if summary.get("privacy"):
        p = summary["privacy"]
        out.print(f"privacy budget: ε = {p['epsilon']:.2f} at δ = {p['delta']:g} ({p['method']})")
    out.print(f"report: {report}")
    if model:
        out.print(f"registered model: {model} (partages models list; partages serve --model {model})")


@app.command()
def simulate(
    recipe: Path = RecipeOption,
    data: list[Path] = typer.Option(..., "--data", "-d", help="A hospital's corpus folder (`partages corpus build` output). Repeat once per hospital, or give one folder with --clients K to split it."),
    clients: int = typer.Option(None, "--clients", "-k", help="Split a single --data folder into K hospitals (record i goes to hospital i mod K)."),
    rounds: int = RoundsOption, local_steps: int = StepsOption, fraction: float = FractionOption,
    min_clients: int = typer.Option(None, "--min-clients", help="Clients needed per round (default: all of them)."),
    round_timeout: float = TimeoutOption, out_dir: Path = OutOption, name: str = NameOption, no_export: bool = NoExportOption,
    threads: int = typer.Option(1, "--threads", help="Torch threads per client (the clients share this machine's cores)."),
    dp_noise: float = DPNoiseOption, dp_clip: float = DPClipOption, dp_delta: float = DPDeltaOption, secagg: bool = SecAggOption,
    home: Path = HomeOption, json_: bool = JsonOption,
) -> None:
    """Run a whole federation on this machine: a Flower SuperLink, one SuperNode per hospital and the ServerApp, as separate processes over loopback. Prints one line per round, writes a report with plots, then exports and registers the global adapter."""
    from partages.federated import FederatedError, load_hospital_data
    from partages.federated.runtime import simulate as run_simulation

    if clients is not None and (clients < 1 or len(data) != 1):
        fail("--clients K splits ONE --data folder into K hospitals (K ≥ 1); with several --data folders, each is a hospital")
    for d in data:
        if not d.is_dir():
            fail(f"{d}: no such corpus folder (build one with `partages corpus build`)")
    k = clients or len(data)
    nodes = [{"data-dir": str(data[0].resolve()), "partition-id": i, "num-partitions": k, "threads": threads} for i in range(k)] if clients \
        else [{"data-dir": str(d.resolve()), "threads": threads} for d in data]
    cfg, s = _config(recipe, home, out_dir, rounds, local_steps, fraction, min_clients or k, round_timeout, dp_noise, dp_clip, dp_delta, secagg)
    for i, n in enumerate(nodes):  # a quick look now saves a federation that cannot start; the clients check again
        try:
            load_hospital_data(n["data-dir"], partition=n.get("partition-id", 0), num_partitions=n.get("num-partitions", 1), eval_size=0)
        except FederatedError as exc:
            console.print(f"[yellow]warning:[/] hospital {i}: {exc} (it will fail its rounds)", highlight=False)
    console.print(f"Federation of {k} hospitals, {rounds} rounds × {local_steps} local steps, recipe {cfg.recipe.name}; run folder {cfg.out}")
    try:
        with console.status(f"federation running: {rounds} rounds (one line per finished round)"):
            summary = run_simulation(cfg, nodes, on_round=_on_round(rounds, json_))
    except FederatedError as exc:
        fail(str(exc))
    _finish(cfg, s, summary, name, no_export, json_)


@app.command()
def server(
    recipe: Path = RecipeOption, rounds: int = RoundsOption, local_steps: int = StepsOption, fraction: float = FractionOption,
    min_clients: int = MinOption, round_timeout: float = TimeoutOption,
    host: str = typer.Option("0.0.0.0", "--host", help="Address the SuperLink listens on (clients connect to HOST:PORT)."),
    port: int = typer.Option(9092, "--port", help="Port of the SuperLink (Fleet, Control and ServerApp APIs over HTTP)."),
    ca: Path = typer.Option(None, "--ca", help="TLS: CA certificate (PEM) that signed --cert; give it to the clients too."),
    cert: Path = typer.Option(None, "--cert", help="TLS: server certificate (PEM) for the address clients use."),
    key: Path = typer.Option(None, "--key", help="TLS: server private key (PEM)."),
    insecure: bool = typer.Option(False, "--insecure", help="No TLS (loopback or a trusted network only)."),
    out_dir: Path = OutOption, name: str = NameOption, no_export: bool = NoExportOption,
    dp_noise: float = DPNoiseOption, dp_clip: float = DPClipOption, dp_delta: float = DPDeltaOption, secagg: bool = SecAggOption,
    home: Path = HomeOption, json_: bool = JsonOption,
) -> None:
    """Coordinate a federation: start a Flower SuperLink on HOST:PORT, wait for --min-clients hospitals (`partages federated client`), run the rounds, then report, export and register."""
    from partages.federated import FederatedError
    from partages.federated.runtime import Federation, TLSFiles

    tls = None
    if not insecure:
        if not (ca and cert and key):
            fail("give --ca, --cert and --key for TLS, or --insecure on a trusted network")
        for p in (ca, cert, key):
            if not p.is_file():
                fail(f"{p}: no such file")
        tls = TLSFiles(ca=ca.resolve(), cert=cert.resolve(), key=key.resolve())
    cfg, s = _config(recipe, home, out_dir, rounds, local_steps, fraction, min_clients, round_timeout, dp_noise, dp_clip, dp_delta, secagg)
    try:
        with Federation(cfg.out, tls=tls, host=host, port=port) as fed:
            fed.start_superlink()
            console.print(f"SuperLink on {host}:{port} ({'TLS' if tls else 'insecure'}); waiting for {min_clients} clients. Logs in {fed.logs}")
            fed.submit(cfg)
            with console.status(f"federation running: {rounds} rounds (one line per finished round)"):
                summary = fed.wait(cfg, _on_round(rounds, json_))
    except FederatedError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    _finish(cfg, s, summary, name, no_export, json_)


@app.command()
def client(
    data: Path = typer.Option(..., "--data", "-d", help="This hospital's corpus folder (`partages corpus build` output, after the pseudonymisation gate)."),
    server_address: str = typer.Option(..., "--server", help="HOST:PORT of the federation's SuperLink."),
    root_certificates: Path = typer.Option(None, "--root-certificates", help="TLS: the CA certificate (PEM) the server's certificate was signed with."),
    insecure: bool = typer.Option(False, "--insecure", help="No TLS (loopback or a trusted network only)."),
    hospital_id: int = typer.Option(0, "--hospital-id", help="A number that names this hospital in the server's report (a number, never a name)."),
    threads: int = typer.Option(None, "--threads", help="Torch threads for local training."),
    port: int = typer.Option(None, "--port", help="Local port of the SuperNode's ClientApp API (default: a free one)."),
    home: Path = HomeOption,
) -> None:
    """Join a federation as one hospital: run a Flower SuperNode that trains on --data when the server asks and sends back only adapter tensors, example counts and losses. Runs until stopped."""
    from partages.federated import FederatedError, load_hospital_data
    from partages.federated.runtime import _env, free_port, supernode_args

    if ":" not in server_address:
        fail(f"--server {server_address}: expected HOST:PORT")
    if not insecure and root_certificates is None:
        fail("give --root-certificates CA.pem for TLS, or --insecure on a trusted network")
    if root_certificates is not None and not root_certificates.is_file():
        fail(f"{root_certificates}: no such file")
    try:
        n = len(load_hospital_data(data, eval_size=0).train)
    except FederatedError as exc:
        fail(str(exc))
    s = settings(home)
    node = {"data-dir": str(data.resolve()), "hospital-id": hospital_id, "home": str(s.home)}
    if threads:
        node["threads"] = threads
    args = supernode_args(server_address, node, root_certificates.resolve() if root_certificates else None, port or free_port())
    console.print(f"hospital {hospital_id}: {n} local examples; joining {server_address} ({'TLS' if root_certificates else 'insecure'}). Ctrl-C to leave.")
    flwr_home = s.home / "federated" / "flwr"
    proc = subprocess.Popen(args, env=_env(flwr_home))
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())  # a service manager stopping us stops the SuperNode too
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    raise typer.Exit(code)


@app.command()
def certs(
    host: list[str] = typer.Option(..., "--host", help="Name or IP address the clients use to reach the server (repeat for several)."),
    out_dir: Path = typer.Option(Path("certs"), "--out", "-o", help="Folder for ca.pem, server.pem and server.key."),
    days: int = typer.Option(365, "--days", help="Validity in days."),
    json_: bool = JsonOption,
) -> None:
    """Make a self-signed CA and a server certificate for a pilot federation (give ca.pem to the clients; keep server.key on the server)."""
    from partages.federated.certs import make_certificates

    if days < 1:
        fail("--days must be at least 1")
    files = make_certificates(out_dir, host, days)
    doc = {"ca": str(files.ca), "cert": str(files.cert), "key": str(files.key)}
    if json_:
        print_json(doc)
        return
    out.print(f"CA: {files.ca} (copy to every client: --root-certificates)\nserver certificate: {files.cert}\nserver key: {files.key} (stays on the server)")
    out.print(f"partages federated server --ca {files.ca} --cert {files.cert} --key {files.key} --recipe ...")


@app.command()
def report(run_dir: Path = typer.Argument(..., help="A federation run folder (holds federation.json)."), json_: bool = JsonOption) -> None:
    """Rewrite REPORT.md and the plots of a finished federation run."""
    from partages.federated.apps import SUMMARY_FILE
    from partages.federated.report import write_report

    path = run_dir / SUMMARY_FILE
    if not path.is_file():
        fail(f"{path}: no such file (is {run_dir} a federation run folder?)")
    summary = json.loads(path.read_text(encoding="utf-8"))
    p = write_report(summary, run_dir)
    print_json({"report": str(p)}) if json_ else out.print(f"report: {p}")



"""The ``partages`` command."""

from __future__ import annotations

import typer

from partages import __version__
from partages.cli import audit, keys, models, serve
from partages.cli import deid as deid_cli
from partages.cli import drugs, kb
from partages.cli import corpus as corpus_cli, export as export_cli, train as train_cli
from partages.cli import eval as eval_cli
from partages.cli import federated as federated_cli
from partages.cli import formation as formation_cli

app = typer.Typer(
    name="partages",
    help="Partages: open, self-hostable French-language health LLM stack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # never print local variables (they may hold notes)
)
app.command("serve")(serve.serve)
app.add_typer(models.app, name="models")
app.add_typer(keys.app, name="keys")
app.add_typer(audit.app, name="audit")
app.add_typer(deid_cli.app, name="deid")
app.add_typer(kb.app, name="kb")
app.add_typer(drugs.app, name="drugs")
app.add_typer(corpus_cli.app, name="corpus")
app.add_typer(train_cli.app, name="train")
app.add_typer(export_cli.app, name="export")
app.add_typer(eval_cli.app, name="eval")
app.add_typer(federated_cli.app, name="federated")
app.add_typer(formation_cli.app, name="formation")


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

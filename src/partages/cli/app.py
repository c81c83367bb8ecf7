"""The ``partages`` command."""

from __future__ import annotations

import typer

from partages import __version__
from partages.cli import audit, keys, models, serve

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


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

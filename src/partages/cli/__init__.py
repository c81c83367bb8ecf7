"""Command line (typer). Thin: parse options, call the layer below, print."""

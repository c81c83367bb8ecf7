"""``partages serve``: the gateway."""

from __future__ import annotations

from pathlib import Path

import typer

from partages.cli.common import HomeOption, console, fail, settings


def serve(
    host: str | None = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default 8080)."),
    model: str | None = typer.Option(None, "--model", help="Registered model id to serve (default gemma3-270m)."),
    upstream: str | None = typer.Option(None, "--upstream", help="Serve an OpenAI-compatible upstream (e.g. http://vllm:8000/v1) instead of llama.cpp."),
    threads: int | None = typer.Option(None, "--threads", help="llama.cpp threads."),
    home: Path | None = HomeOption,
) -> None:
    """Start the OpenAI-compatible gateway on the embedded model (or an upstream)."""
    import uvicorn

    from partages.engines.errors import EngineError
    from partages.server.app import create_app

    s = settings(home, host=host, port=port, upstream_base_url=upstream, n_threads=threads)
    try:
        app = create_app(s, model_id=model)
    except EngineError as exc:
        fail(str(exc))
    url = f"http://{s.host}:{s.port}"
    console.print(f"Partages gateway serving [bold]{app.state.gateway.model_id}[/] on [bold]{url}/v1[/]")
    console.print("Authenticate with 'Authorization: Bearer <key>' (create keys with `partages keys create`).")
    uvicorn.run(app, host=s.host, port=s.port, log_level="warning", access_log=False)

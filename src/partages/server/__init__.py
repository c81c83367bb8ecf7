"""HTTP gateway (FastAPI): OpenAI-compatible API, later the clinical API and web UI."""

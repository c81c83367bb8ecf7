"""OpenAI-compatible endpoints: protocol (pydantic), serving (engine calls), router (HTTP)."""

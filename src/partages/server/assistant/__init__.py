"""Clinical assistant endpoints (``/v1/assistant/...``): drafts, edits, validation, exports."""

"""AI-literacy endpoints (``/v1/formation/...``): exercises on fictitious cases, progress, class results."""

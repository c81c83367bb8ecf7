"""Model registry and the embedded model."""

"""One module per evaluation task; each registers itself with
:func:`partages.evaluation.registry.register`. Modules are discovered automatically."""

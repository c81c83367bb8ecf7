"""Pseudonymisation of French clinical text: detection, keyed surrogates, reversible vault.

Public API::

    from partages.deid import detect, Pseudonymizer, read_key_file

    spans = detect(text, patient={"nom": "Dupont", "ipp": "8012939402"})
    p = Pseudonymizer(read_key_file("deid.key"), mode="surrogate")
    out = p.pseudonymize(text, patient=None, scope=None)   # out.text, out.spans (.replacement)
    p.reidentify(out.text, mapping=out.mapping())           # or from a Vault

Outputs are *pseudonymised* ("pseudonymisé"), never anonymous: they remain personal data.
"""

from partages.deid.detector import Detector, DetectorConfig, default_detector, detect
from partages.deid.errors import BadInputError, DeidConfigError, DeidDataError, DeidError, KeyFileError, VaultError
from partages.deid.evaluation import EvalReport, evaluate
from partages.deid.numbers import IdPatterns
from partages.deid.registry import MemoryRegistry, SqliteRegistry
from partages.deid.pseudonymizer import (
    LABEL_OUTPUT,
    MODES,
    PseudonymizedText,
    Pseudonymizer,
    StreamReidentifier,
    reidentify_text,
    scope_for,
)
from partages.deid.spans import LABELS, Span
from partages.deid.vault import Vault, read_key_file, write_key_file

__all__ = [
    "LABELS", "LABEL_OUTPUT", "MODES", "BadInputError", "DeidConfigError", "DeidDataError", "MemoryRegistry", "SqliteRegistry", "DeidError", "Detector", "DetectorConfig",
    "EvalReport", "IdPatterns", "KeyFileError", "PseudonymizedText", "Pseudonymizer", "Span", "StreamReidentifier",
    "Vault", "VaultError", "default_detector", "detect", "evaluate", "read_key_file", "reidentify_text", "scope_for",
    "write_key_file",
]

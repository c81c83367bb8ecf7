"""The shape a draft's content must keep after a clinician's edit (JSON Schema, ``jsonschema``).

A JSON merge patch (RFC 7386) deletes a field with ``null``. For the discharge letter the sections
listed by the issue (art. R.1112-1-2 CSP) are mandatory: deleting one would silently drop it from
the validated letter and its FHIR export. The patched content is therefore validated before it is
stored, and a failure is a 400 naming the field (``letter.motif``) and the way to mark a section
as missing instead (an empty value and its name in ``a_completer``).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

_TEXT_OR_NULL = {"type": ["string", "null"]}
_ITEMS = {"type": "array", "items": {"type": ["object", "string"]}}
_DRUGS = {"type": "array", "items": {"type": "object", "required": ["medicament"], "properties": {"medicament": {"type": "string"}}}}

LETTER_REQUIRED = ["motif", "resume", "evenements_indesirables", "bmr", "transfusion", "dispositifs_implantes", "traitements_sortie",
                   "traitements_arretes", "traitements_modifies", "resultats_en_attente", "suivi", "a_completer"]

LETTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["letter"],
    "properties": {
        "letter": {
            "type": "object",
            "required": LETTER_REQUIRED,
            "properties": {
                "motif": _TEXT_OR_NULL,
                "resume": _TEXT_OR_NULL,
                "evenements_indesirables": _ITEMS,
                "bmr": {"type": ["boolean", "null"]},
                "transfusion": {"type": ["boolean", "null"]},
                "dispositifs_implantes": _ITEMS,
                "traitements_sortie": _DRUGS,
                "traitements_arretes": _DRUGS,
                "traitements_modifies": _DRUGS,
                "resultats_en_attente": _ITEMS,
                "suivi": _ITEMS,
                "a_completer": {"type": "array", "items": {"type": "string"}},
                "personnes": {"type": "object"},
                "sortie": {"type": "object"},
                "patient": {"type": "object"},
            },
        }
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {"discharge_letter": LETTER_SCHEMA}


class ContentInvalid(ValueError):
    """The edited content breaks the draft's schema; ``param`` is the dotted path of the field."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def validate_content(kind: str, content: dict[str, Any]) -> None:
    schema = SCHEMAS.get(kind)
    if schema is None:
        return
    errors = sorted(Draft202012Validator(schema).iter_errors(content), key=lambda e: list(e.absolute_path))
    if not errors:
        if kind == "discharge_letter":
            L = content["letter"]
            if not L.get("patient") and not any(str(x).startswith("Identité du patient") for x in L["a_completer"]):
                raise ContentInvalid("'letter.patient' (the patient's identity) is mandatory in the discharge letter: give it a value, "
                                     "or list \"Identité du patient\" in letter.a_completer.", "letter.patient")
        return
    e = errors[0]
    path = ".".join(str(p) for p in e.absolute_path)
    if e.validator == "required":
        missing = next((k for k in e.validator_value if k not in (e.instance or {})), "?")
        param = f"{path}.{missing}" if path else missing
        raise ContentInvalid(
            f"'{param}' is a mandatory section of the discharge letter and cannot be deleted (in a JSON merge patch, null deletes). "
            f"Give it a value, or mark it missing: an empty value (\"\" or []) and its name in letter.a_completer.", param)
    raise ContentInvalid(f"'{path}' is invalid: {e.message}.", path)

"""Roles and what each may do. One table, so a security review reads it in one place."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    clinician = "clinician"
    integrator = "integrator"
    admin = "admin"
    learner = "learner"
    teacher = "teacher"


# scope -> roles allowed. Routes declare the scope they need.
PERMISSIONS: dict[str, frozenset[Role]] = {
    # OpenAI-compatible surface
    "models": frozenset(Role),
    "chat": frozenset({Role.clinician, Role.integrator, Role.admin, Role.learner, Role.teacher}),
    # raw completions and log-probabilities: integration and evaluation, not day-to-day care
    "completions": frozenset({Role.integrator, Role.admin}),
    # trusted knowledge: search, drug records, interaction checks
    "knowledge": frozenset({Role.clinician, Role.integrator, Role.admin, Role.learner, Role.teacher}),
    # clinical assistant: drafts hold patient data, so no learner/teacher access (training uses
    # fictitious cases through its own routes); editing and validating is clinical
    "assistant": frozenset({Role.clinician, Role.integrator, Role.admin}),
    "assistant_validate": frozenset({Role.clinician, Role.admin}),
    # AI-literacy exercises on fictitious cases: own progress; class results and exports for teachers
    "formation": frozenset({Role.clinician, Role.learner, Role.teacher, Role.admin}),
    "formation_teacher": frozenset({Role.teacher, Role.admin}),
    # administration
    "audit": frozenset({Role.admin}),
    "keys": frozenset({Role.admin}),
}


def allowed(role: str, scope: str) -> bool:
    return Role(role) in PERMISSIONS.get(scope, frozenset({Role.admin}))

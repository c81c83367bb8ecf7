"""AI literacy for health students and professionals, built on the very assistant they will use.

Four exercise types (see :mod:`partages.formation.catalogue`), each naming its A.V.E.C. step and
the digital-health curriculum competence it trains: « Repérer l'erreur » (assistant drafts with
seeded errors), « Vérifier les sources » (claims against BDPM/ANSM records), « Pseudonymiser avant
de demander » (:func:`partages.deid.detect` shows what would have leaked), « Estimer la confiance »
(the model's probability against its measured calibration)::

    from partages.formation import build_module, find_modules, ProgressStore
    module = build_module(Path("cases"), kb, settings.data_dir, seed=0)
    result = score(exercise(module, "ex01"), {"marked": ["l3"]})

Cases are fictitious (no real patient data); learners' progress lives in
``$PARTAGES_HOME/formation.db``.
"""

from partages.formation.catalogue import ERROR_TYPES, EXERCISE_TYPES, ErrorType, ExerciseType
from partages.formation.cases import SHIPPED_CASES, load_cases
from partages.formation.confidence import calibrate
from partages.formation.errors import AnswerError, CaseError, FormationError, ModuleError
from partages.formation.module import (
    SHIPPED_MODULES,
    build_module,
    exercise,
    find_modules,
    load_module,
    module_digest,
    public_exercise,
    score,
    write_module,
)
from partages.formation.results import attestation_html, class_results, completion_csv, completion_rows, learner_summary
from partages.formation.store import Attempt, ProgressStore

__all__ = [
    "ERROR_TYPES", "EXERCISE_TYPES", "SHIPPED_CASES", "SHIPPED_MODULES", "AnswerError", "Attempt", "CaseError", "ErrorType",
    "ExerciseType", "FormationError", "ModuleError", "ProgressStore", "attestation_html", "build_module", "calibrate",
    "class_results", "completion_csv", "completion_rows", "exercise", "find_modules", "learner_summary", "load_cases",
    "load_module", "module_digest", "public_exercise", "score", "write_module",
]

"""Modules: an ordered list of exercises, built from a cases folder, deterministic for a seed.

``build_module`` reads the cases (see :mod:`partages.formation.cases`), builds each exercise with
a :class:`random.Random` seeded by ``(seed, case id)`` (adding or removing a case never changes
the others), and orders them by a seeded shuffle. The JSON holds the solutions; the gateway sends
learners :func:`public_exercise` (solutions stripped) and scores answers server-side.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

from partages import __version__
from partages.formation import confidence, pseudonymise, sources_check, spot_error
from partages.formation.cases import load_cases
from partages.formation.catalogue import EXERCISE_TYPES
from partages.formation.errors import ModuleError

SCHEMA = "partages.formation.module/1"
SHIPPED_MODULES = Path(__file__).resolve().parent / "modules"
SCORERS = {
    "reperer_erreur": spot_error.score,
    "verifier_sources": sources_check.score,
    "pseudonymiser": pseudonymise.score,
    "estimer_confiance": confidence.score,
}


def _rng(seed: int, case_id: str) -> random.Random:
    return random.Random(f"{seed}:{case_id}")  # str seeds hash with SHA-512: stable across runs


def build_module(cases_dir: Path, kb: Any, data_dir: Path | None, *, seed: int = 0, module_id: str = "avec-initiation",
                 title: str = "Initiation à l'IA en santé : la méthode A.V.E.C. en pratique", progress=None) -> dict[str, Any]:
    """Every exercise the cases allow. ``kb`` (a :class:`~partages.knowledge.KnowledgeBase`) is
    needed for drafts (drug normalisation, interactions) and source checking."""
    files = load_cases(cases_dir)
    exercises: list[dict[str, Any]] = []
    data = str(data_dir) if data_dir else None
    tasks: list[tuple[str, Any]] = []
    if "stays.json" in files:
        cf = files["stays.json"]
        for stay in cf.data:
            spot_error.validate_stay(cf, stay)
            tasks.append((stay["id"], lambda cf=cf, s=stay: spot_error.build(s, kb, data, _rng(seed, s["id"]))))
    if "sources.json" in files:
        cf = files["sources.json"]
        for rec in cf.data:
            sources_check.validate(cf, rec)
            tasks.append((rec["id"], lambda cf=cf, r=rec: sources_check.build(cf, r, kb, _rng(seed, r["id"]))))
    if "notes.json" in files:
        cf = files["notes.json"]
        for rec in cf.data:
            pseudonymise.validate(cf, rec)
            tasks.append((rec["id"], lambda r=rec: pseudonymise.build(r)))
    if "calibration.json" in files:
        cf = files["calibration.json"]
        confidence.validate(cf)
        tasks.append(("calibration", lambda cf=cf: confidence.build_all(cf, data_dir, _rng(seed, "calibration"))))
    for _, make in tasks:
        made = make()
        exercises.extend(made if isinstance(made, list) else [made])
        if progress:
            progress()
    # interleave the four types (seeded), so a learner meets each early
    by_type: dict[str, list[dict[str, Any]]] = {}
    for ex in exercises:
        by_type.setdefault(ex["type"], []).append(ex)
    rng = _rng(seed, "order")
    for lst in by_type.values():
        rng.shuffle(lst)
    ordered: list[dict[str, Any]] = []
    while any(by_type.values()):
        for t in EXERCISE_TYPES:
            if by_type.get(t):
                ordered.append(by_type[t].pop())
    for n, ex in enumerate(ordered, 1):
        ex["id"] = f"ex{n:02d}"
        t = EXERCISE_TYPES[ex["type"]]
        ex["avec"] = t.avec
        ex["competence"] = {"referentiel": t.to_dict()["referentiel"], "domaine": t.domaine, "libelle": t.competence}
        ex["consigne"] = t.consigne
    module = {
        "schema": SCHEMA,
        "id": module_id,
        "title": title,
        "seed": seed,
        "built_with": f"partages {__version__}",
        "cases": sorted(files),
        "notice": "Cas fictifs écrits pour le projet : aucune donnée réelle de patient.",
        "sources": [
            {"name": "BDPM", "licence": "Licence Ouverte / Etalab 2.0"},
            {"name": "Thésaurus ANSM des interactions médicamenteuses", "licence": "ANSM publication (reuse with attribution)"},
            {"name": "FrenchMedMCQA (Labrak et al. 2022)", "licence": "Apache-2.0"},
        ],
        "exercise_types": {k: v.to_dict() for k, v in EXERCISE_TYPES.items()},
        "exercises": [{k: ex[k] for k in ("id", *sorted(k for k in ex if k != "id"))} for ex in ordered],
    }
    module["sha256"] = module_digest(module)
    return module


def module_digest(module: dict[str, Any]) -> str:
    body = {k: v for k, v in module.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def write_module(module: dict[str, Any], out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(module, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out)


def load_module(path: Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModuleError(f"{path}: module file not found") from None
    try:
        module = json.loads(text)
    except json.JSONDecodeError as e:
        raise ModuleError(f"{path}:{e.lineno}: invalid JSON ({e.msg})") from None
    if not isinstance(module, dict) or module.get("schema") != SCHEMA or not isinstance(module.get("exercises"), list):
        raise ModuleError(f"{path}:1: not a formation module (expected schema '{SCHEMA}')")
    for ex in module["exercises"]:
        if ex.get("type") not in SCORERS or "solution" not in ex or "id" not in ex:
            raise ModuleError(f"{path}: exercise {ex.get('id', '?')} has an unknown type or no solution")
    return module


def find_modules(home: Path | None = None) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Shipped modules, then ``$PARTAGES_HOME/formation/modules/*.json`` (same id: the home wins)."""
    dirs = [SHIPPED_MODULES] + ([Path(home) / "formation" / "modules"] if home else [])
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    for d in dirs:
        for p in sorted(d.glob("*.json")) if d.is_dir() else []:
            m = load_module(p)
            out[m["id"]] = (p, m)
    return out


def public_exercise(ex: dict[str, Any]) -> dict[str, Any]:
    """What a learner sees before answering (no solution)."""
    return {k: v for k, v in ex.items() if k != "solution"}


def exercise(module: dict[str, Any], exercise_id: str) -> dict[str, Any] | None:
    return next((e for e in module["exercises"] if e["id"] == exercise_id), None)


def score(ex: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """Score one answer; raises :class:`~partages.formation.errors.AnswerError` on a bad answer."""
    return SCORERS[ex["type"]](ex, answer)

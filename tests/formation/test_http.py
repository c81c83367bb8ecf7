"""The formation API through the real gateway (`partages serve`) with real keys per role."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from partages.auth.keys import KeyStore


def _new_key(gateway, name: str, role: str) -> tuple[str, str]:
    store = KeyStore(gateway.home / "partages.db")
    rec, key = store.create(name, role)
    store.close()
    return rec.id, key


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _perfect(ex: dict) -> dict:
    sol = ex["solution"]
    if ex["type"] == "reperer_erreur":
        return {"marked": [e["line"] for e in sol["errors"]]}
    if ex["type"] == "verifier_sources":
        return {"verdicts": {c["id"]: c["supported"] for c in sol["claims"]}}
    if ex["type"] == "pseudonymiser":
        text = ex["note"]
        for i in sorted(sol["identifiers"], key=lambda i: -len(i["text"])):
            text = text.replace(i["text"], "[X]")
        return {"text": text}
    return {"trust": sol["bin"]["accuracy"] >= 0.5}


def test_learner_flow_resume_and_role_checks(gateway, shipped_module) -> None:
    root = gateway.root
    mid = shipped_module["id"]
    a_id, a_key = _new_key(gateway, "Alice Apprenante", "learner")
    b_id, b_key = _new_key(gateway, "Bruno Apprenant", "learner")
    with httpx.Client(base_url=root, timeout=60) as c:
        mods = c.get("/v1/formation/modules", headers=_h(a_key)).json()["data"]
        assert any(m["id"] == mid and m["exercises"] >= 20 for m in mods)
        assert set(next(m for m in mods if m["id"] == mid)["by_type"]) == {"reperer_erreur", "verifier_sources", "pseudonymiser", "estimer_confiance"}

        p = c.get(f"/v1/formation/modules/{mid}/progress", headers=_h(a_key)).json()
        assert p["summary"]["answered"] == 0 and p["summary"]["next_exercise"] == "ex01"
        first, second = shipped_module["exercises"][:2]
        ex = c.get(f"/v1/formation/modules/{mid}/exercises/{first['id']}", headers=_h(a_key)).json()
        assert "solution" not in ex and ex["avec"] and ex["competence"]["libelle"] and ex["position"] == 1
        # a malformed answer: clear 400, nothing stored
        r = c.post(f"/v1/formation/modules/{mid}/exercises/{first['id']}/answer", headers=_h(a_key), json={"answer": {"marked": ["l999"]}})
        assert r.status_code == 400 and "l999" in r.json()["error"]["message"]
        r = c.post(f"/v1/formation/modules/{mid}/exercises/{first['id']}/answer", headers=_h(a_key), json={"answer": {}, "extra": 1})
        assert r.status_code == 400
        r = c.post(f"/v1/formation/modules/{mid}/exercises/{first['id']}/answer", headers=_h(a_key), json={"answer": _perfect(first)})
        assert r.status_code == 200, r.text
        res = r.json()
        assert res["attempt"]["score"] == 1.0 and not res["already_answered"] and res["attempt"]["elapsed_s"] >= 0
        assert res["summary"]["answered"] == 1 and res["summary"]["next_exercise"] == second["id"]

        # interruption: a new client (new connection, nothing cached) resumes where the learner stopped
    with httpx.Client(base_url=root, timeout=60) as c:
        p = c.get(f"/v1/formation/modules/{mid}/progress", headers=_h(a_key)).json()
        assert p["summary"]["answered"] == 1 and p["summary"]["next_exercise"] == second["id"]
        assert p["attempts"][0]["exercise_id"] == first["id"] and p["attempts"][0]["result"]["score"] == 1.0
        # answering again never re-scores: the first answer stands
        r = c.post(f"/v1/formation/modules/{mid}/exercises/{first['id']}/answer", headers=_h(a_key), json={"answer": {"marked": []} if first["type"] == "reperer_erreur" else _perfect(first)})
        assert r.json()["already_answered"] and r.json()["attempt"]["score"] == 1.0
        # reopening a done exercise returns its stored feedback
        ex = c.get(f"/v1/formation/modules/{mid}/exercises/{first['id']}", headers=_h(a_key)).json()
        assert ex["attempt"]["score"] == 1.0

        # role checks: learner B sees only their own progress, never class results or A's attestation
        pb = c.get(f"/v1/formation/modules/{mid}/progress", headers=_h(b_key)).json()
        assert pb["summary"]["answered"] == 0 and pb["attempts"] == []
        for path in (f"/v1/formation/modules/{mid}/results", f"/v1/formation/modules/{mid}/results.csv",
                     f"/v1/formation/modules/{mid}/learners/{a_id}/attestation"):
            r = c.get(path, headers=_h(b_key))
            assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied", path
        # clinicians follow the module too (AI Act art. 4: staff who use AI); integrators do not
        assert c.get("/v1/formation/modules", headers=gateway.headers("clinician")).status_code == 200
        assert c.get("/v1/formation/modules", headers=gateway.headers("integrator")).status_code == 403
        assert c.get("/v1/formation/modules").status_code == 401
        # ...and learners still have no access to the assistant's drafts
        assert c.post("/v1/assistant/summary", headers=_h(a_key), json={"documents": [{"text": "x"}]}).status_code == 403

        # the learner's own attestation
        r = c.get(f"/v1/formation/modules/{mid}/attestation", headers=_h(a_key))
        assert r.status_code == 200 and "Alice Apprenante" in r.text and "Content-Security-Policy" in r.headers

        # teacher: class results, CSV, any learner's attestation
        t = gateway.headers("teacher")
        assert c.get(f"/v1/formation/modules/{mid}/exercises/{first['id']}", headers=t).status_code == 200  # teachers may try them
        res = c.get(f"/v1/formation/modules/{mid}/results", headers=t).json()
        assert all(lr["learner_name"] != "test-teacher" for lr in res["learners"])  # ...without joining the class
        alice = next(lr for lr in res["learners"] if lr["learner_id"] == a_id)
        assert alice["answered"] == 1 and alice["score_pct"] == round(100 / len(shipped_module["exercises"]), 1)
        assert sum(res["histogram"]["counts"]) >= 1
        rows = list(csv.DictReader(io.StringIO(c.get(f"/v1/formation/modules/{mid}/results.csv", headers=t).text)))
        row = next(r for r in rows if r["learner_id"] == a_id)
        assert row["learner_name"] == "Alice Apprenante" and row["completed"] == "non" and row["module_id"] == mid
        r = c.get(f"/v1/formation/modules/{mid}/learners/{a_id}/attestation", headers=t)
        assert r.status_code == 200 and "Attestation" in r.text and "article 4" in r.text
        assert c.get(f"/v1/formation/modules/{mid}/learners/nobody/attestation", headers=t).status_code == 404
        assert c.get("/v1/formation/modules/nope/progress", headers=t).status_code == 404


def test_audit_keeps_answers_out(gateway, shipped_module) -> None:
    """An answer (e.g. an edited note) is scored but never written to the audit log."""
    import sqlite3

    mid = shipped_module["id"]
    ex = next(e for e in shipped_module["exercises"] if e["type"] == "pseudonymiser")
    _, key = _new_key(gateway, "Chloé Apprenante", "learner")
    marker = "MARQUEUR-TEXTE-APPRENANT"
    r = httpx.post(f"{gateway.root}/v1/formation/modules/{mid}/exercises/{ex['id']}/answer", headers=_h(key),
                   json={"answer": {"text": ex["note"] + " " + marker}}, timeout=60)
    assert r.status_code == 200
    res = r.json()["attempt"]["result"]
    assert res["counts"]["leaked"] == res["counts"]["identifiers"] and res["score"] == 0.0
    assert res["detected_after_edit"]  # the pseudonymisation component shows what would have leaked
    conn = sqlite3.connect(gateway.home / "audit.db")
    dump = "\n".join(str(tuple(row)) for row in conn.execute("SELECT * FROM audit_log"))
    conn.close()
    assert marker not in dump
    assert '"action": "answer"' in dump or "answer" in dump


@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_teacher_and_admin_see_the_dashboard_page(gateway, role) -> None:
    with httpx.Client(base_url=gateway.root, timeout=30) as c:
        r = c.post("/login", data={"api_key": gateway.keys[role]})
        assert r.status_code == 303
        page = c.get("/formation")
        assert page.status_code == 200 and 'data-role="' + role + '"' in page.text
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert httpx.get(gateway.root + "/formation", follow_redirects=False).status_code == 303

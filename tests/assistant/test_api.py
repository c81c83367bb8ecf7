"""The assistant through the real gateway (``partages serve`` + embedded model + built KB):
each task, draft -> edit -> validate -> exports, roles, audit details, size limits."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from partages.audit.log import AuditLog

TIMEOUT = 300


def post(gw, path, body, role="clinician"):
    return httpx.post(f"{gw.url}/assistant/{path}", json=body, headers=gw.headers(role), timeout=TIMEOUT)


@pytest.fixture(scope="module")
def letter(gateway_with_kb, stays):
    r = post(gateway_with_kb, "discharge-letter", {"documents": stays[0]["documents"], "patient": {"display": "Patient 0042 (pseudonymisé)"}}, role="integrator")
    assert r.status_code == 200, r.text
    return r.json()


def test_discharge_letter_shape(letter, stays):
    assert letter["id"].startswith("draft-") and letter["status"] == "draft"
    g = letter["generated_by"]
    assert g["ai_generated"] is True and g["version"].startswith("partages") and g["date"]
    # the model's prose step is opt-in: off by default, and the response says so
    assert g["model"] is None and g["prose"]["enabled"] is False and g["prose"]["reason"]
    L = letter["letter"]
    for key in ("motif", "resume", "evenements_indesirables", "bmr", "transfusion", "dispositifs_implantes", "traitements_sortie",
                "traitements_arretes", "traitements_modifies", "resultats_en_attente", "suivi", "a_completer"):
        assert key in L
    assert L["motif"] == "hémiparésie droite brutale"
    assert {t["medicament"] for t in L["traitements_sortie"]} == {"Eliquis", "Metformine", "Ramipril", "Atorvastatine"}
    assert {t["medicament"] for t in L["traitements_arretes"]} == {"Previscan", "Kardégic"}
    assert all(t["raison"] for t in L["traitements_arretes"])
    docs = stays[0]["documents"]
    for item in L["traitements_sortie"] + L["resultats_en_attente"] + L["suivi"]:
        for ev in item["evidence"]:
            assert set(ev) == {"document", "start", "end"}
            assert 0 <= ev["start"] < ev["end"] <= len(docs[ev["document"]]["text"])
    assert any("Holter" in i["texte"] for i in L["resultats_en_attente"])
    assert L["provenance"]["resume"]["source"] == "extraction" and L["resume"]
    # added sections (the documented keys above are unchanged): people, discharge conditions
    assert L["personnes"]["medecin_traitant"]["texte"] == "Dr Aubert Lefranc"
    assert L["sortie"]["mode"]["valeur"] == "SSR" and L["sortie"]["date"]["texte"] == "09/03/2024"
    assert L["patient"] == {"display": "Patient 0042 (pseudonymisé)"}


def test_codes_medications_summary(gateway_with_kb, notes, stays):
    r = post(gateway_with_kb, "codes", {"text": notes[2]["text"]})
    assert r.status_code == 200, r.text
    codes = r.json()["codes"]
    assert [c["score"] for c in codes] == sorted((c["score"] for c in codes), reverse=True)
    got = [c["code"] for c in codes]
    assert "Z82.4" in got and "I21.9" not in got
    assert all({"code", "label", "score", "principal", "evidence"} <= set(c) for c in codes)

    r = post(gateway_with_kb, "medications", {"text": "Kardégic 75 mg 1 sachet le matin per os\nPreviscan 20 mg 1 cp le soir pendant 3 mois\nDoliprane 1 g si besoin"})
    assert r.status_code == 200, r.text
    body = r.json()
    meds = {m["medicament"]: m for m in body["medications"]}
    k = meds["Kardégic"]
    assert k["cis"] == "64755969" and k["substances"] == ["acide acetylsalicylique"]
    assert k["dose"] == "75 mg" and k["route"] == "orale" and "matin" in k["frequency"]
    assert meds["Previscan"]["duration"] == "pendant 3 mois"
    assert body["interactions"][0]["level"] == "contre-indication"
    assert {"a", "b", "level", "source"} <= set(body["interactions"][0])

    r = post(gateway_with_kb, "summary", {"documents": stays[2]["documents"]})
    assert r.status_code == 200, r.text
    s = r.json()["summary"]
    assert any(p["code"] == "K92.2" for p in s["problemes"])
    dates = [e["date"] for e in s["evenements"]]
    assert dates == sorted(dates) and s["traitements"]


def test_draft_edit_validate_export(gateway_with_kb, letter):
    gw, did = gateway_with_kb, letter["id"]
    base = f"{gw.url}/assistant/drafts/{did}"
    # not validated: no export, no patient explanation
    r = httpx.get(f"{base}/fhir", headers=gw.headers("clinician"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "draft_not_validated"
    assert post(gw, "explain", {"draft_id": did}).status_code == 409
    # integrators generate but cannot edit or validate
    r = httpx.post(f"{base}/validate", headers=gw.headers("integrator"))
    assert r.status_code == 403 and r.json()["error"]["type"] == "permission_error"
    assert httpx.patch(base, json={"letter": {"motif": "x"}}, headers=gw.headers("learner")).status_code == 403
    assert httpx.get(base, headers=gw.headers("learner")).status_code == 403  # drafts hold patient data
    # a clinician edits (merge patch), then validates
    secret_motif = "AVC ischémique sylvien gauche (motif corrigé)"
    r = httpx.patch(base, json={"letter": {"motif": secret_motif, "a_completer": []}}, headers=gw.headers("clinician"))
    assert r.status_code == 200, r.text
    assert r.json()["letter"]["motif"] == secret_motif and r.json()["revision"] == 1
    assert r.json()["letter"]["traitements_sortie"] == letter["letter"]["traitements_sortie"]
    bad = httpx.patch(base, json={"status": "validated"}, headers=gw.headers("clinician"))
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "status"
    # null deletes in a merge patch: not for a mandatory section of the letter
    bad = httpx.patch(base, json={"letter": {"suivi": None}}, headers=gw.headers("clinician"))
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "letter.suivi" and "a_completer" in bad.json()["error"]["message"]
    r = httpx.post(f"{base}/validate", headers=gw.headers("clinician"))
    assert r.status_code == 200 and r.json()["status"] == "validated" and r.json()["validated_by"]
    # frozen once validated
    assert httpx.patch(base, json={"letter": {"motif": "y"}}, headers=gw.headers("clinician")).status_code == 409
    # exports
    md = httpx.get(f"{base}/markdown", headers=gw.headers("integrator"))
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert secret_motif in md.text and "généré par IA" in md.text
    r = httpx.get(f"{base}/fhir", headers=gw.headers("integrator"))
    assert r.status_code == 200, r.text
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.composition import Composition
    from fhir.resources.R4B.documentreference import DocumentReference

    bundle = Bundle.model_validate(r.json())
    comp = Composition.model_validate(r.json()["entry"][0]["resource"])
    doc = DocumentReference.model_validate(r.json()["entry"][1]["resource"])
    assert len(bundle.entry) == 2 and comp.status == "final" and comp.type.coding[0].code == "18842-5"
    assert doc.docStatus == "final" and doc.content[0].attachment.contentType.startswith("text/markdown")
    raw = r.json()["entry"][1]["resource"]["content"][0]["attachment"]["data"]
    assert secret_motif in base64.b64decode(raw).decode()
    # patient explanation from the validated letter: a new draft
    r = post(gw, "explain", {"draft_id": did})
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["status"] == "draft" and e["source_draft"] == did
    assert "Eliquis" in e["explanation"]["texte"] and "Previscan" in e["explanation"]["texte"]
    # audit: draft id, action and hashes, never the edited text
    log = AuditLog(gw.home / "audit.db")
    details = [x["details"].get("assistant") for x in log.entries() if isinstance(x["details"], dict) and x["details"].get("assistant", {}).get("draft_id") == did]
    log.close()
    actions = [d["action"] for d in details]
    assert "edit" in actions and "validate" in actions and "export_fhir" in actions
    edit = next(d for d in details if d["action"] == "edit")
    assert len(edit["edit_sha256"]) == 64
    assert secret_motif not in json.dumps(details, ensure_ascii=False)


def test_errors_and_limits(gateway_with_kb):
    gw = gateway_with_kb
    r = post(gw, "codes", {"text": "x" * 50_001})
    assert r.status_code == 400 and r.json()["error"]["param"] == "text"
    doc = {"type": "note", "date": None, "text": "HTA."}
    r = post(gw, "summary", {"documents": [doc] * 21})
    assert r.status_code == 400 and r.json()["error"]["param"] == "documents"
    big = {"type": "note", "date": None, "text": "a" * 45_000}
    r = post(gw, "discharge-letter", {"documents": [big] * 5})
    assert r.status_code == 413 and r.json()["error"]["code"] == "input_too_large"
    r = post(gw, "codes", {"text": "HTA", "documents": [doc]})
    assert r.status_code == 400
    r = post(gw, "codes", {"txt": "HTA"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_parameter"
    r = httpx.get(f"{gw.url}/assistant/drafts/draft-doesnotexist", headers=gw.headers("clinician"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "draft_not_found"
    r = httpx.post(f"{gw.url}/assistant/codes", json={"text": "HTA"})
    assert r.status_code == 401

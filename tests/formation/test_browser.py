"""The formation page in a real browser (Debian chromium, headless, via Playwright): a learner
completes two exercises with immediate feedback and a progress bar, resumes after a reload; a
teacher sees the class dashboard and exports the completion records (CSV + attestation).
Screenshots in test-artifacts/formation/."""

from __future__ import annotations

import csv
import io

import pytest

from partages.auth.keys import KeyStore

pytestmark = pytest.mark.slow


def _login(page, gateway, key: str) -> None:
    page.goto(gateway.root + "/login")
    page.get_by_label("Clé d'accès").fill(key)
    page.get_by_label("Clé d'accès").press("Enter")
    page.wait_for_url(gateway.root + "/formation")  # learners and teachers land on the exercises


def test_learner_completes_two_exercises_and_teacher_exports(browser, gateway, shipped_module, formation_artifacts) -> None:
    store = KeyStore(gateway.home / "partages.db")
    rec, key = store.create("Dana Étudiante", "learner")
    store.close()
    total = len(shipped_module["exercises"])
    ex1, ex2 = shipped_module["exercises"][:2]
    assert (ex1["type"], ex2["type"]) == ("reperer_erreur", "verifier_sources")

    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size({"width": 1280, "height": 800})
    _login(page, gateway, key)

    # exercise 1: mark the injected errors (and one false alarm), immediate feedback
    page.locator("#exercise-title").wait_for()
    assert page.locator("#exercise-title").inner_text() == ex1["title"]
    assert "A.V.E.C. : Vérifier" in page.locator("#exercise-avec").inner_text()
    assert page.locator("#progress-text").inner_text().startswith(f"0 / {total}")
    assert page.locator("#teacher").is_hidden()  # learners have no dashboard
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
            .map(e => e.outerHTML.slice(0, 80))""")
    assert unlabelled == []
    wrong = [e["line"] for e in ex1["solution"]["errors"]]
    false_alarm = next(ln["id"] for ln in ex1["draft"] if ln["id"] not in wrong)
    for line in [*wrong[:-1], false_alarm]:  # misses the last error on purpose
        page.locator(f"#line-{line}").check()
    page.screenshot(path=str(formation_artifacts / "01-learner-spot-error-1280.png"), full_page=True)
    page.get_by_role("button", name="Valider ma réponse").click()
    fb = page.locator("#feedback")
    fb.wait_for(state="visible")
    n = len(wrong)
    assert f"{n - 1} erreur(s) trouvée(s) sur {n}, 1 manquée(s), 1 fausse(s) alerte(s)" in fb.inner_text()
    assert f"Score : {round(100 * (n - 1) / (n + 1))} %" in fb.inner_text()
    assert page.locator(f"#row-{wrong[-1]}.missed").count() == 1 and page.locator(f"#row-{false_alarm}.false-alarm").count() == 1
    assert "Source : document" in fb.inner_text()  # each error explained with its source span
    assert page.locator("#progress-text").inner_text().startswith(f"1 / {total}")
    assert page.locator("#progress-bar").get_attribute("value") == "1"
    page.screenshot(path=str(formation_artifacts / "02-learner-feedback-1280.png"), full_page=True)

    # exercise 2: check each claim against the cited record
    page.get_by_role("button", name="Exercice suivant").click()
    page.locator("#exercise-title").filter(has_text="Vérifier les sources").wait_for()
    for claim in ex2["solution"]["claims"]:
        page.locator(f"#verdict-{claim['id']}-{'true' if claim['supported'] else 'false'}").check()
    page.get_by_role("button", name="Valider ma réponse").click()
    page.locator("#feedback").wait_for(state="visible")
    assert "Score : 100 %" in page.locator("#feedback").inner_text()
    assert page.locator("#progress-text").inner_text().startswith(f"2 / {total}")
    page.set_viewport_size({"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.screenshot(path=str(formation_artifacts / "03-learner-sources-768.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # interruption: a reload resumes at the next unanswered exercise
    page.reload()
    page.locator("#exercise-title").filter(has_text=shipped_module["exercises"][2]["title"]).wait_for()
    assert page.locator("#progress-text").inner_text().startswith(f"2 / {total}")
    assert page.locator("#exercise-list button.done").count() == 2

    # the two other types render and give feedback too
    ex3, ex4 = shipped_module["exercises"][2:4]
    assert (ex3["type"], ex4["type"]) == ("pseudonymiser", "estimer_confiance")
    note = ex3["note"]
    for ident in ex3["solution"]["identifiers"][1:]:  # forgets the first identifier
        note = note.replace(ident["text"], "[X]")
    page.get_by_label("Note à envoyer à l'assistant (modifiez-la)").fill(note)
    page.get_by_role("button", name="Valider ma réponse").click()
    page.locator("#feedback").wait_for(state="visible")
    assert "Identifiants encore présents" in page.locator("#feedback").inner_text()
    assert "outil de pseudonymisation détecte encore" in page.locator("#feedback").inner_text()
    page.screenshot(path=str(formation_artifacts / "03b-learner-pseudonymise-1280.png"), full_page=True)
    page.get_by_role("button", name="Exercice suivant").click()
    page.locator("#exercise-type").filter(has_text="Estimer la confiance").wait_for()
    assert "probabilité annoncée" in page.locator(".model-answer").inner_text()
    page.get_by_label("Non, je vérifie ailleurs").check()
    page.get_by_role("button", name="Valider ma réponse").click()
    page.locator("#feedback").wait_for(state="visible")
    assert "il a raison dans" in page.locator("#feedback").inner_text()
    expected = 0 if ex4["solution"]["bin"]["accuracy"] >= 0.5 else 100  # scored on the calibrated decision
    assert f"Score : {expected} %" in page.locator("#feedback").inner_text()
    page.screenshot(path=str(formation_artifacts / "03c-learner-confidence-1280.png"), full_page=True)
    assert page.locator("#progress-text").inner_text().startswith(f"4 / {total}")
    assert all(u.startswith(gateway.root) or u.startswith(("blob:", "data:")) for u in requests), requests
    assert errors == [], errors
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/login?out=1")
    page.close()

    # teacher: dashboard, CSV export, attestation
    page = browser.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, gateway, gateway.keys["teacher"])
    page.locator("#teacher").wait_for(state="visible")
    row = page.locator("#learners-table tbody tr", has_text="Dana Étudiante")
    row.wait_for()
    assert f"4 / {total}" in row.inner_text()
    assert page.locator("#histogram svg rect.bar").count() == 10
    assert page.locator("#missed-table tbody tr").first.inner_text()
    page.screenshot(path=str(formation_artifacts / "04-teacher-dashboard-1280.png"), full_page=True)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Exporter les résultats (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    dana = next(r for r in rows if r["learner_id"] == rec.id)
    assert dana["learner_name"] == "Dana Étudiante" and dana["answered"] == "4" and dana["module_id"] == shipped_module["id"]
    href = row.get_by_role("link", name="Attestation de Dana Étudiante").get_attribute("href")
    page.goto(gateway.root + href)
    assert "Dana Étudiante" in page.content() and "Attestation de formation" in page.content()
    page.screenshot(path=str(formation_artifacts / "05-attestation-1280.png"), full_page=True)
    assert errors == [], errors
    page.close()

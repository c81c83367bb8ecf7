"""The clinician page in a real browser (Debian chromium, headless, via Playwright).

Walks log-in → paste a stay → grounded chat question (citations) → cancel a long task → draft the
discharge letter → edit → validate → export, with screenshots at 1280×800 and 768 px wide in
test-artifacts/web/. The assistant part needs the clinical assistant API (/v1/assistant/*); when
the gateway does not serve it, that part is skipped with the reason, never faked.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.web.stay import STAY

pytestmark = pytest.mark.slow
LONG = 300_000  # ms: the embedded model on 2 shared CPU cores


def _login(page, gateway, role="clinician"):
    page.goto(gateway.root + "/login")
    page.get_by_label("Clé d'accès").fill(gateway.keys[role])
    page.get_by_label("Clé d'accès").press("Enter")  # keyboard only
    page.wait_for_url(gateway.root + "/")


def _paste_stay(page):
    for i, doc in enumerate(STAY):
        if i:
            page.get_by_role("button", name="Ajouter un document").click()
        box = page.locator("#documents .doc").nth(i)
        box.get_by_label("Type").select_option(doc["type"])
        box.get_by_label("Date").fill(doc["date"])
        box.get_by_label("Texte").fill(doc["text"])


def _unlabelled_controls(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
            .map(e => e.outerHTML.slice(0, 80))"""
    )


def test_clinician_walk(browser, gateway_with_kb, artifacts) -> None:
    gw = gateway_with_kb
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(gw.root + "/login")
    page.screenshot(path=str(artifacts / "01-login-1280.png"))
    _login(page, gw)
    # the key is nowhere in the browser: HttpOnly cookie, no storage
    assert page.evaluate("document.cookie") == ""
    stored = page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert gw.keys["clinician"] not in stored and stored == "[[],[]]"
    assert gw.keys["clinician"] not in page.content()

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller aux tâches"  # skip link first
    _paste_stay(page)
    assert page.locator("#documents .doc").count() == 3
    assert _unlabelled_controls(page) == []

    # errors in plain French (the mapping every failing call goes through)
    msgs = page.evaluate(
        """async () => { const m = await import('/static/api.js');
           return [m.frenchMessage(503, 'engine_busy', '5'), m.frenchMessage(413, 'request_too_large'), m.frenchMessage(401, 'session_expired')]; }"""
    )
    assert "occupé" in msgs[0] and "5 s" in msgs[0]
    assert "trop long" in msgs[1] and "session a expiré" in msgs[2]
    # saving an edit sends only the changes (a merge patch would read a null member as "delete")
    patch = page.evaluate(
        """async () => (await import('/static/render.js')).mergePatch(
             {a: 1, b: null, c: {d: 1, e: 2}, g: [1, 2]}, {a: 1, b: null, c: {d: 1, e: 3}, g: [1, 2], f: [null]})"""
    )
    assert patch == {"c": {"e": 3}, "f": [None]}

    # a long task shows its progress and can be cancelled (Échap or the button)
    page.get_by_label("Votre question").fill("Peut-on associer un AINS et un anticoagulant oral ?")
    page.get_by_role("button", name="Envoyer").click()
    page.locator("#progress").wait_for(state="visible")
    assert "en cours" in page.locator("#progress-text").inner_text()
    page.get_by_role("button", name="Annuler").click()
    page.locator("#chat-error").wait_for(state="visible")
    assert "annulée" in page.locator("#chat-error").inner_text()
    assert page.locator("#progress").is_hidden()

    # grounded chat: answer with [n] markers linked to numbered citations
    page.get_by_role("button", name="Envoyer").click()
    answer = page.locator(".msg.assistant").last
    answer.wait_for(state="visible", timeout=LONG)
    cites = answer.locator("ol.citations li")
    assert cites.count() >= 1
    assert "anticoagulant" in answer.locator("ol.citations").inner_text().lower()
    assert "générée par IA" in answer.inner_text()
    refs = answer.locator("a.cite-ref")
    if refs.count():
        refs.first.click()
        assert re.search(r"#cite-\d+-\d+$", page.url)

    page.screenshot(path=str(artifacts / "02-stay-chat-1280.png"), full_page=False)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # no horizontal scrolling on a tablet
    page.screenshot(path=str(artifacts / "03-stay-chat-768.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # nothing was fetched from outside the gateway
    assert all(u.startswith(gw.root) or u.startswith(("blob:", "data:")) for u in requests), requests
    assert errors == [], errors

    # ---- the assistant: draft the discharge letter ------------------------------------------
    page.get_by_role("button", name="Lettre de liaison").click()
    page.locator("#draft:not([hidden]), #task-error:not([hidden])").first.wait_for(timeout=LONG)
    if page.locator("#task-error").is_visible():
        text = page.locator("#task-error").inner_text()
        page.screenshot(path=str(artifacts / "04-letter-unavailable-1280.png"))
        if "pas disponible" in text:
            pytest.skip("the clinical assistant API (/v1/assistant/*, issue 7) is not served by this gateway yet: "
                        "draft → edit → validate → export not exercised")
        pytest.fail(f"the discharge letter failed: {text}")

    draft = page.locator("#draft")
    assert page.locator("#ai-banner").is_visible()
    assert "Brouillon généré par IA — à vérifier" in page.locator("#ai-banner").inner_text()
    assert page.get_by_role("button", name="Exporter (Markdown)").is_disabled()
    # evidence: a button highlights its span in the source text
    ev = draft.locator(".evidence button")
    if ev.count():
        ev.first.focus()
        page.keyboard.press("Enter")  # keyboard: the chip is a button
        assert page.locator("#source-view mark.active").count() >= 1
        page.get_by_role("button", name="Revenir au brouillon").click()
        assert page.evaluate("document.activeElement.closest('.evidence') !== null")
    assert page.locator("#source-view mark").count() >= 1 or ev.count() == 0
    page.evaluate("document.querySelector('#draft').scrollIntoView()")
    page.screenshot(path=str(artifacts / "04-letter-draft-1280.png"))
    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=str(artifacts / "05-letter-draft-768.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # edit, save, validate
    fields = page.locator("#draft-body .field").count()
    motif = page.get_by_label("Motif d'hospitalisation")
    motif.fill("Pneumopathie lobaire inférieure droite (relu par le Dr Test)")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Modifications enregistrées").wait_for()
    page.get_by_role("button", name="Valider le document").click()
    page.locator("#validated-banner").wait_for(state="visible")
    assert page.locator("#ai-banner").is_hidden()
    assert page.get_by_label("Motif d'hospitalisation").is_disabled()
    assert page.get_by_label("Motif d'hospitalisation").input_value().endswith("(relu par le Dr Test)")
    assert page.locator("#draft-body .field").count() == fields  # saving sent a diff: no section lost

    assert page.get_by_role("button", name="Explication pour le patient").is_enabled()  # from a validated letter

    # export: Markdown (the validated content) and FHIR R4
    with page.expect_download() as dl:
        page.get_by_role("button", name="Exporter (Markdown)").click()
    md = open(dl.value.path(), encoding="utf-8").read()
    assert "relu par le Dr Test" in md and md.startswith("# ") and "Lettre de liaison" in md.splitlines()[0]
    with page.expect_download() as dl:
        page.get_by_role("button", name="Exporter (FHIR R4)").click()
    fhir = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert fhir.get("resourceType") in ("Bundle", "Composition", "DocumentReference")
    (artifacts / "letter.md").write_text(md, encoding="utf-8")
    page.evaluate("document.querySelector('#draft').scrollIntoView()")
    page.screenshot(path=str(artifacts / "06-letter-validated-1280.png"))
    assert errors == [], errors


def test_expired_session_is_explained(browser, gateway) -> None:
    page = browser.new_page()
    _login(page, gateway, "clinician")
    page.context.clear_cookies()  # as after expiry or a log-out elsewhere
    page.get_by_label("Votre question").fill("Bonjour")
    page.get_by_role("button", name="Envoyer").click()
    err = page.locator("#chat-error")
    err.wait_for(state="visible")
    assert "session a expiré" in err.inner_text()
    assert err.get_by_role("link", name="Se reconnecter").count() == 1
    # log-out button works from the keyboard-reachable header form
    page.goto(gateway.root + "/login")
    page.close()


def test_logout_button(browser, gateway) -> None:
    page = browser.new_page()
    _login(page, gateway, "clinician")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login\?out=1$"))
    assert "déconnecté" in page.content()
    page.goto(gateway.root + "/")
    assert page.url.endswith("/login")
    page.close()

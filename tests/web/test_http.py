"""The web page over real HTTP (the gateway subprocess): log-in, cookie flags, CSP, CSRF on the
/v1 API, log-out and key revocation ending the session, static assets with no external URL."""

from __future__ import annotations

import re
from importlib import resources

import httpx

from partages.auth.keys import KeyStore


def _login(gateway, role: str = "clinician", key: str | None = None, **headers) -> httpx.Response:
    return httpx.post(gateway.root + "/login", data={"api_key": key or gateway.keys[role]}, headers=headers, follow_redirects=False)


def _session(gateway, role: str = "clinician", key: str | None = None) -> tuple[httpx.Client, str]:
    resp = _login(gateway, role, key)
    landing = "/formation" if role in ("learner", "teacher") and key is None else "/"  # no drafts for them
    assert resp.status_code == 303 and resp.headers["location"] == landing
    client = httpx.Client(base_url=gateway.root, cookies=resp.cookies, timeout=180)
    page = client.get(landing)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    return client, csrf


def test_login_page_and_security_headers(gateway) -> None:
    r = httpx.get(gateway.root + "/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = httpx.get(gateway.root + "/login")
    assert r.status_code == 200 and '<html lang="fr">' in r.text
    assert '<label for="api-key">' in r.text and 'type="password"' in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text and " style=" not in r.text and " on" + "click" not in r.text


def test_bad_key_is_refused_in_french(gateway) -> None:
    r = _login(gateway, key="pk-nope-nope")
    assert r.status_code == 401 and "invalide ou révoquée" in r.text and "set-cookie" not in r.headers
    r = _login(gateway, "clinician", origin="http://evil.example")
    assert r.status_code == 403 and "set-cookie" not in r.headers


def test_cookie_flags(gateway) -> None:
    r = _login(gateway)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("partages_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on localhost
    assert gateway.keys["clinician"] not in cookie
    # behind a TLS-terminating proxy on the same host (uvicorn trusts 127.0.0.1's X-Forwarded-Proto)
    r = _login(gateway, **{"x-forwarded-proto": "https"})
    assert "Secure" in r.headers["set-cookie"]


def test_session_uses_the_api_with_csrf(gateway) -> None:
    client, csrf = _session(gateway, "clinician")
    page = client.get("/")
    assert "test-clinician" in page.text and "clinician" in page.text
    assert gateway.keys["clinician"] not in page.text  # the key never reaches the page
    assert client.get("/v1/models").json()["data"][0]["id"]
    body = {"model": "gemma3-270m", "messages": [{"role": "user", "content": "Bonjour"}], "max_tokens": 2, "temperature": 0}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = client.post("/v1/chat/completions", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = client.post("/v1/chat/completions", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["role"] == "assistant"
    # the role still applies to a session: raw completions are not for clinicians
    r = client.post("/v1/completions", json={"model": "gemma3-270m", "prompt": "a", "max_tokens": 1}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    client.close()


def test_logout_needs_csrf_and_ends_the_session(gateway) -> None:
    client, csrf = _session(gateway, "learner")
    token = client.cookies.get("partages_session")
    assert client.post("/logout", data={}).status_code == 403
    r = client.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login?out=1"
    assert 'partages_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    stale = httpx.Client(base_url=gateway.root, cookies={"partages_session": token})
    client.close()
    # the old cookie, replayed, is dead
    r = stale.get("/v1/models")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
    assert stale.get("/", follow_redirects=False).status_code == 303
    stale.close()


def test_revoking_the_key_ends_its_sessions(gateway) -> None:
    store = KeyStore(gateway.home / "partages.db")
    rec, key = store.create("web-revoke-test", "clinician")
    client, _ = _session(gateway, key=key)
    assert client.get("/v1/models").status_code == 200
    store.revoke(rec.id)
    store.close()
    r = client.get("/v1/models")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
    assert _login(gateway, key=key).status_code == 401
    client.close()


def test_assets_are_local(gateway) -> None:
    static = resources.files("partages.server.web").joinpath("static")
    names = sorted(p.name for p in static.iterdir() if p.name.endswith((".html", ".js", ".css", ".svg")))
    assert {"app.html", "login.html", "app.js", "api.js", "render.js", "chat.js", "app.css"} <= set(names)
    for name in names:
        text = static.joinpath(name).read_text(encoding="utf-8")
        urls = [u for u in re.findall(r"https?://[^\s\"'<>)]+", text) if "www.w3.org/2000/svg" not in u]
        assert urls == [], f"{name} references external resources: {urls}"
        assert "localStorage" not in text and "sessionStorage" not in text and "indexedDB" not in text
        if name.endswith(".html"):
            assert "<script>" not in text and " style=" not in text
    r = httpx.get(gateway.root + "/static/app.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    for bad in ("/static/..%2Fweb%2Frouter.py", "/static/router.py", "/static/app.html", "/static/nope.js"):
        assert httpx.get(gateway.root + bad).status_code == 404, bad

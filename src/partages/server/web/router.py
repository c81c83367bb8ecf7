"""Routes of the clinician web page: ``/`` (the page), ``/login``, ``/logout``, ``/static/*``.

The page is plain HTML, CSS and ES modules shipped in the package (no CDN, no build step), and
calls the same ``/v1`` routes as any integrator, authenticated by the session cookie plus a CSRF
header (see ``partages.server.auth``). Every response here carries a strict Content-Security-Policy
(no inline script or style) and is never cached, so the CSRF token embedded in the page stays
private to its tab.
"""

from __future__ import annotations

import html
from importlib import resources
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from partages.audit.log import AuditEntry
from partages.auth.sessions import SESSION_COOKIE, SessionStore
from partages.server.errors import APIError
from partages.server.web.store import session_store

router = APIRouter(include_in_schema=False)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would turn the form POST's Origin into "null"
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
_MAX_KEY_LEN = 200


def _asset(name: str) -> str:
    return resources.files("partages.server.web").joinpath("static", name).read_text(encoding="utf-8")


def _page(name: str, status: int = 200, **values: str) -> HTMLResponse:
    text = _asset(name)
    for k, v in values.items():
        text = text.replace("{{" + k + "}}", html.escape(v, quote=True))
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (login CSRF): Origin, else Referer, must name this host."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # non-browser clients; the browser always sends Origin on a form POST
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _audit(request: Request, route: str, status: int, key_id: str | None = None, role: str | None = None) -> None:
    request.app.state.gateway.audit.append(AuditEntry(route=route, method=request.method, key_id=key_id, role=role, status=status))


@router.get("/")
async def page(request: Request) -> Response:
    store = session_store(request.app)
    session = await anyio.to_thread.run_sync(store.verify, request.cookies.get(SESSION_COOKIE))
    if session is None:
        return RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    return _page("app.html", csrf=session.csrf, user=session.key_name, role=session.role)


@router.get("/formation")
async def formation_page(request: Request) -> Response:
    """AI-literacy exercises (learner view) and, for teachers, the class dashboard."""
    session = await anyio.to_thread.run_sync(session_store(request.app).verify, request.cookies.get(SESSION_COOKIE))
    if session is None:
        return RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    return _page("formation.html", csrf=session.csrf, user=session.key_name, role=session.role)


@router.get("/login")
async def login_page(request: Request, expired: int = 0, out: int = 0) -> Response:
    message = ""
    if expired:
        message = "Votre session a expiré : reconnectez-vous."
    elif out:
        message = "Vous êtes déconnecté."
    return _page("login.html", message=message, hidden="" if message else "hidden")


@router.post("/login")
async def login(request: Request) -> Response:
    if not _same_origin(request):
        return _page("login.html", 403, message="Requête refusée (origine inconnue).", hidden="")
    form = await request.form()
    presented = str(form.get("api_key") or "").strip()
    gw = request.app.state.gateway
    key = await anyio.to_thread.run_sync(gw.keys.verify, presented[:_MAX_KEY_LEN] if presented else None)
    if key is None:
        await anyio.to_thread.run_sync(_audit, request, "/login", 401)
        return _page("login.html", 401, message="Clé d'accès invalide ou révoquée.", hidden="")
    store = session_store(request.app)
    await anyio.to_thread.run_sync(store.purge)
    token, _ = await anyio.to_thread.run_sync(store.create, key.id)
    await anyio.to_thread.run_sync(_audit, request, "/login", 303, key.id, key.role)
    # learners and teachers have no clinical drafts: they land on the exercises
    landing = "/formation" if key.role in ("learner", "teacher") else "/"
    resp = RedirectResponse(landing, status_code=303, headers=SECURITY_HEADERS)
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(store.lifetime_s),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    store = session_store(request.app)
    token = request.cookies.get(SESSION_COOKIE)
    session = await anyio.to_thread.run_sync(store.verify, token)
    if session is not None:
        form = await request.form()
        presented = request.headers.get("x-csrf-token") or str(form.get("csrf_token") or "")
        if not SessionStore.csrf_ok(session, presented):
            raise APIError(403, "Missing or invalid CSRF token.", code="csrf_failed")
        await anyio.to_thread.run_sync(store.revoke, token)
        await anyio.to_thread.run_sync(_audit, request, "/logout", 303, session.key_id, session.role)
    resp = RedirectResponse("/login?out=1", status_code=303, headers=SECURITY_HEADERS)
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return resp


@router.get("/static/{name}")
async def static(name: str) -> Response:
    suffix = name[name.rfind("."):] if "." in name else ""
    if "/" in name or "\\" in name or name.startswith(".") or suffix not in _STATIC_TYPES:
        raise APIError(404, "Unknown asset.", code="not_found")
    try:
        body = _asset(name)
    except (FileNotFoundError, IsADirectoryError):
        raise APIError(404, "Unknown asset.", code="not_found") from None
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(body, media_type=_STATIC_TYPES[suffix], headers=headers)

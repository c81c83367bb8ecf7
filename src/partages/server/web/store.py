"""The gateway's one :class:`SessionStore`, opened on first use next to the key store.

Kept on ``app.state`` (not in ``GatewayState``) so the web page plugs into the gateway with a single
router registration; SQLite connections here are shared across threads (see ``store.sqlite``).
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from partages.auth.sessions import SessionStore

_lock = threading.Lock()


def session_store(app: FastAPI) -> SessionStore:
    store = getattr(app.state, "web_sessions", None)
    if store is None:
        with _lock:
            store = getattr(app.state, "web_sessions", None)
            if store is None:
                store = SessionStore(app.state.gateway.settings.db_path)
                app.state.web_sessions = store
    return store

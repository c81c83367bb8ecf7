"""The clinician web page (French): log-in by API key, stay documents, assistant tasks, grounded chat.

``router`` serves ``/``, ``/login``, ``/logout`` and ``/static/*``; the page's scripts call the
public ``/v1`` API with the session cookie (``partages.auth.sessions``).
"""

from partages.server.web.router import CSP, router
from partages.server.web.store import session_store

__all__ = ["CSP", "router", "session_store"]

"""What the server refuses before the dashboard's pages see a request (serve.py; docs/operations.md).

- ``/_stcore/metrics`` is closed: it would tell anyone how many sessions, caches and uploads the server holds.
- A file upload (``PUT /_stcore/upload_file/<session>/<file>``) is accepted only for a session whose signed-in role
  may load data, and only while the files the session holds stay within the upload limit (pipelines/limits.py).
  Streamlit itself checks only the size of each file, and takes any number of them from any session.
- A browser's "clear cache" message is ignored: it would empty every cache for every visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession

from pipelines import limits
from pipelines.audit import Actor, may

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

METRICS = "/_stcore/metrics"
UPLOAD = "/_stcore/upload_file/"
_LOG = logging.getLogger(__name__)


class Guard:
    """ASGI middleware: answers a refused request itself, passes every other one on."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = refusal_of(scope) if scope["type"] == "http" else None
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, text = refusal
        body = text.encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def refusal_of(scope: Scope) -> tuple[int, str] | None:
    """(HTTP status, text) for a request the server refuses, else None."""
    path = scope.get("path", "")
    if path.rstrip("/").endswith(METRICS):
        return 404, "Not found."
    if scope.get("method") == "PUT" and UPLOAD in path:
        session_id = path.split(UPLOAD, 1)[1].split("/", 1)[0]
        return upload_refusal(session_id, _content_length(scope))
    return None


def upload_refusal(session_id: str, size: int) -> tuple[int, str] | None:
    """Why a session may not upload a file of ``size`` bytes now, or None."""
    session = Runtime.instance().get_app_session(session_id) if Runtime.exists() else None
    actor = _actor(session)
    if actor is None or not may(actor, "load"):
        return 403, "Only a signed-in manager or administrator may upload files."
    if held_bytes(session_id) + size > limits.MAX_UPLOAD_BYTES:
        return 413, f"One upload may hold at most {limits.megabytes(limits.MAX_UPLOAD_BYTES)}."
    return None


def held_bytes(session_id: str) -> int:
    """The bytes of the files a session has uploaded and not yet removed."""
    storage = getattr(Runtime.instance().uploaded_file_mgr, "file_storage", {})
    return sum(len(record.data) for record in storage.get(session_id, {}).values())


def _actor(session: AppSession | None) -> Actor | None:
    from ui.auth import ACTOR_KEY  # here, as importing the pages' layer before the server starts only adds noise

    if session is None:
        return None
    state = session.session_state
    found = state[ACTOR_KEY] if ACTOR_KEY in state else None  # noqa: SIM401 (SessionState has no get)
    return found if isinstance(found, Actor) else None


def _content_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return 0


def ignore_client_cache_clearing() -> None:
    """Make the browser's "clear cache" message (every visitor can send it) do nothing but leave a log line.

    Streamlit has no setting for this, so its handler is replaced; the caches empty themselves when the data
    changes (ui/data.py)."""
    AppSession._handle_clear_cache_request = _ignore_clear_cache


def _ignore_clear_cache(_session: AppSession) -> None:
    _LOG.warning("A browser asked to clear every cache; ignored (ui/server.py).")

"""The server as shipped: its settings, and the guard in front of the dashboard (serve.py, ui/server.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.runtime.app_session import AppSession

import dev
from benchmarks.first_start import NotServing, free_port, wait_until_healthy
from pipelines import limits
from pipelines.audit import Actor
from tests.apphelpers import copy_database
from ui import server
from ui.auth import ACTOR_KEY

ROOT = Path(__file__).resolve().parents[1]
MB = limits.MB


def test_the_shipped_config_keeps_errors_and_the_server_to_itself() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["address"] == "localhost"
    assert config["server"]["maxUploadSize"] * MB == limits.MAX_FILE_BYTES
    assert config["server"]["enableXsrfProtection"] is True
    production = dict(zip(dev.PRODUCTION[::2], dev.PRODUCTION[1::2], strict=True))
    assert production["--client.showErrorDetails"] == "none" and production["--server.fileWatcherType"] == "none"


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "/impact/_stcore/metrics"])
def test_the_metrics_are_closed(path: str) -> None:
    assert server.refusal_of({"type": "http", "method": "GET", "path": path}) == (404, "Not found.")


def test_other_requests_pass() -> None:
    for method, path in [("GET", "/"), ("GET", "/_stcore/health"), ("OPTIONS", "/_stcore/upload_file/s/f")]:
        assert server.refusal_of({"type": "http", "method": method, "path": path}) is None


def sessions(actor: Actor | None, held: int = 0) -> SimpleNamespace:
    """A stand-in for Streamlit's runtime with one session, 's', whose run set ``actor``, holding ``held`` bytes."""
    state = {ACTOR_KEY: actor} if actor else {}
    files = {"s": {"f0": SimpleNamespace(data=b"x" * held)}}
    return SimpleNamespace(
        get_app_session=lambda sid: SimpleNamespace(session_state=state) if sid == "s" else None,
        uploaded_file_mgr=SimpleNamespace(file_storage=files),
    )


def upload(size: int, session_id: str = "s") -> tuple[int, str] | None:
    path = f"/_stcore/upload_file/{session_id}/f1"
    headers = [(b"content-length", str(size).encode())]
    return server.refusal_of({"type": "http", "method": "PUT", "path": path, "headers": headers})


@pytest.mark.parametrize(
    ("actor", "held", "size", "status"),
    [
        (None, 0, 10, 403),  # not signed in: the sign-in page has no uploader, so an upload is an attack
        (Actor("vic", "viewer"), 0, 10, 403),
        (Actor("mo", "manager"), 0, 10, None),
        (Actor("ada", "administrator"), 0, 10, None),
        (Actor("mo", "manager"), limits.MAX_UPLOAD_BYTES - 10, 10, None),
        (Actor("mo", "manager"), limits.MAX_UPLOAD_BYTES - 10, 11, 413),  # three 40 MB files: the third is refused
    ],
)
def test_an_upload_needs_a_role_that_may_load_and_room_in_the_limit(
    monkeypatch: pytest.MonkeyPatch, actor: Actor | None, held: int, size: int, status: int | None
) -> None:
    monkeypatch.setattr(server.Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(server.Runtime, "instance", staticmethod(lambda: sessions(actor, held)))
    refusal = upload(size)
    assert (refusal[0] if refusal else None) == status
    assert upload(10, session_id="gone")[0] == 403  # a session that has ended resumes nothing


def test_the_browsers_clear_cache_message_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AppSession, "_handle_clear_cache_request", AppSession._handle_clear_cache_request)
    calls = []

    @st.cache_data
    def figure(n: int) -> int:
        calls.append(n)
        return n

    figure(1)
    server.ignore_client_cache_clearing()
    AppSession._handle_clear_cache_request(SimpleNamespace())
    figure(1)
    assert calls == [1]


def status(url: str, method: str = "GET", data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def served(sample_db: Path, tmp_path: Path) -> Iterator[str]:
    """`python3 dev.py serve` as it starts the dashboard: serve.py with the production settings."""
    db = copy_database(sample_db, tmp_path / "data")
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "serve.py", *dev.PRODUCTION, "--server.port", str(port)]
    log = (tmp_path / "log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "IMPACT_DB": str(db)}, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_healthy(base, process, 60)
        except NotServing as failed:
            pytest.fail(f"{failed}:\n{(tmp_path / 'log').read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def test_the_served_app_refuses_metrics_and_uploads_from_nowhere(served: str) -> None:
    assert status(f"{served}/") == 200
    assert status(f"{served}/_stcore/metrics") == 404
    assert status(f"{served}/_stcore/upload_file/no-session/f1", "PUT", b"x" * 1000) == 403

"""docs/operations.md: its nginx site, run as written in front of `python3 dev.py serve`, gives HTTPS and WebSockets."""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.first_start import free_port
from tests.test_server import served  # noqa: F401 (served is a fixture)

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists() or not shutil.which("openssl"), reason="needs nginx, openssl")


def documented_site() -> str:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    [site] = re.findall(r"```nginx\n(.*?)```", text, re.DOTALL)
    return site


def site_here(site: str, https: int, http: int, app: int, folder: Path) -> str:
    """The documented site with this machine's ports and a certificate of its own instead of Let's Encrypt's."""
    for made, name in ((folder / "cert.pem", "fullchain.pem"), (folder / "key.pem", "privkey.pem")):
        site = site.replace(f"/etc/letsencrypt/live/impact.example.org/{name}", str(made))
    site = site.replace("impact.example.org", "localhost").replace("127.0.0.1:8501", f"127.0.0.1:{app}")
    return site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;").replace(
        "listen 80;", f"listen 127.0.0.1:{http};"
    )


@pytest.fixture
def proxy(served: str, tmp_path: Path) -> Iterator[int]:  # noqa: F811
    """nginx with the documented site in front of the served app; yields its HTTPS port."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    https, http, app = free_port(), free_port(), int(served.rsplit(":", 1)[1])
    temp = "".join(f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi"))
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\naccess_log off;\n{temp}scgi_temp_path {tmp_path}/scgi;\n"
        f"{site_here(documented_site(), https, http, app, tmp_path)}\n}}\n"
    )
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")])
    try:
        deadline = time.monotonic() + 20
        while not listening(https):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.2)
        yield https
    finally:
        process.terminate()
        process.wait(10)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def https_status(port: int, path: str) -> int:
    context = ssl._create_unverified_context()  # the test's own certificate
    try:
        with urllib.request.urlopen(f"https://localhost:{port}{path}", context=context, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def websocket_answer(port: int) -> str:
    """The first line of the answer to the page's WebSocket request, through the proxy."""
    context = ssl._create_unverified_context()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, context.wrap_socket(raw) as tls:
        tls.sendall(
            b"GET /_stcore/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Protocol: streamlit\r\n\r\n"
        )
        return tls.recv(4096).decode("latin-1").splitlines()[0]


def test_the_documented_proxy_serves_the_app_over_https_with_websockets(proxy: int) -> None:
    assert https_status(proxy, "/") == 200
    assert https_status(proxy, "/_stcore/health") == 200
    assert https_status(proxy, "/_stcore/metrics") == 404
    assert websocket_answer(proxy).startswith("HTTP/1.1 101")

"""Many signed-in viewers at once over Streamlit's websocket, as browsers talk to the server, without a browser's CPU
in the figures (issue 25, "Speed you can feel").

.venv/bin/python -m benchmarks.load [--sessions 20] [--db PATH] [--against REV] [--json PATH]

Each session is a viewer signed in by their session cookie (pipelines/sessions.py, made before the server starts). It
opens ``/_stcore/stream``, asks for Overview as a browser opening the link does (``rerun_script`` naming the page),
waits for the run's ``script_finished``, then asks for Reach by the page's script hash as a click in the sidebar does.
A page's time runs from the request until its run has finished and every message has arrived; the charts are not
drawn (the browser benchmark, benchmarks/browser.py, includes that).

The server is a fresh ``streamlit run dashboard.py`` on a copy of ``--db`` (the bundled sample by default) that has
served one Reports page and then gone quiet, so the process has imported everything, opened the database and worked
out what it works out ahead of the first viewer, but no page's own figures are cached: the first viewers work them
out, the others should find them shared. One viewer alone on a server of its own
is the baseline; the server's peak memory (RSS of the process and its children) is read every 0.1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.browser import Memory, crowd_figures, crowd_lines, family
from benchmarks.first_start import ROOT, TIMEOUT_S, sample_database, server
from benchmarks.page_runs import copied, export
from pipelines import sessions, store, users
from pipelines.audit import OPERATOR
from pipelines.sessions import COOKIE

PASSWORD = "a long benchmark password"


def signed_in_viewers(db: Path, count: int) -> list[str]:
    """Session tokens of ``count`` viewer accounts added to ``db``, one each, as if each had signed in."""
    con = store.connect(db)
    tokens = []
    for n in range(count):
        account = f"load-viewer-{n}"
        if users.role_of(con, account) is None:
            users.add(con, account, "viewer", PASSWORD, by=OPERATOR)
        tokens.append(sessions.start(con, account))
    con.close()
    return tokens


class Session:
    """One viewer's websocket: ask for a page, wait until its run has finished."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket
        self.pages: dict[str, str] = {}  # URL path -> page script hash, from the server's navigation message

    async def run(self, path: str, by_hash: bool) -> float:
        """Seconds from asking for the page at ``path`` until its run has finished."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = ""
        if by_hash:
            state.page_script_hash = self.pages[path]
        else:
            state.page_name = path
        start = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        while True:
            received = ForwardMsg()
            received.ParseFromString(await asyncio.wait_for(self.socket.recv(), TIMEOUT_S))
            kind = received.WhichOneof("type")
            if kind == "navigation":
                self.pages |= {p.url_pathname: p.page_script_hash for p in received.navigation.app_pages}
            elif kind == "script_finished":
                if received.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return time.perf_counter() - start
            elif kind == "page_not_found":
                raise RuntimeError(f"the server found no page {path!r}")


async def viewer(base: str, token: str) -> dict[str, float]:
    """One viewer opening Overview by its link, then clicking to Reach."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": f"{COOKIE}={token}", "Origin": base}
    async with websockets.connect(url, subprotocols=["streamlit"], additional_headers=headers, max_size=None) as ws:
        session = Session(ws)
        return {"Overview": await session.run("overview", by_hash=False), "Reach": await session.run("reach", True)}


async def warmed(base: str, token: str) -> None:
    """The server has served the Reports page once, as a running server has."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": f"{COOKIE}={token}", "Origin": base}
    async with websockets.connect(url, subprotocols=["streamlit"], additional_headers=headers, max_size=None) as ws:
        await Session(ws).run("reports", by_hash=False)


def cpu_ticks(pid: int) -> int:
    """CPU time the process and its children have used, in clock ticks (/proc/PID/stat)."""
    ticks = 0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def quiet(pid: int, most_seconds: float = 60) -> None:
    """Wait until the server has used almost no CPU for half a second: what it works out in the background after its
    first page (ui/data.py, the shared figures) is done, as on a server that has been running a while."""
    deadline = time.monotonic() + most_seconds
    before = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_ticks(pid)
        if now - before <= 2:
            return
        before = now


def at_once(db: Path, root: Path, count: int, folder: Path) -> dict[str, float]:
    """``count`` viewers at the same moment on a fresh, warmed server; one viewer alone first as the baseline."""
    alone_db = copied(db, folder, "alone")
    tokens = signed_in_viewers(alone_db, 2)
    with server(alone_db, root) as (base, process):
        asyncio.run(warmed(base, tokens[0]))
        quiet(process.pid)
        alone = asyncio.run(viewer(base, tokens[1]))
    crowd_db = copied(db, folder, "crowd")
    tokens = signed_in_viewers(crowd_db, count + 1)
    with server(crowd_db, root) as (base, process), Memory(process.pid) as memory:
        asyncio.run(warmed(base, tokens[0]))
        quiet(process.pid)
        start = time.perf_counter()
        runs = asyncio.run(_all(base, tokens[1:]))
        whole = time.perf_counter() - start
    return crowd_figures(count, whole, memory.peak, alone, runs)


async def _all(base: str, tokens: list[str]) -> list[dict[str, float]]:
    return await asyncio.gather(*(viewer(base, token) for token in tokens))


def table(name: str, found: dict[str, float]) -> str:
    head = f"== {name}: {found['sessions']} viewers at once over the websocket, whole run {found['whole run']:.1f} s"
    return "\n".join([head, *crowd_lines(found)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="viewers at once (default 20)")
    parser.add_argument("--db", type=Path, help="a database to copy (default: the bundled sample)")
    parser.add_argument("--against", help="a git revision to measure too, in the same run")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db or sample_database(folder)
        trees = {**({args.against: export(args.against, folder)} if args.against else {}), "work tree": ROOT}
        for name, root in trees.items():
            found[name] = at_once(db, root, args.sessions, folder)
            print(table(name, found[name]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    sys.exit(main())

"""Time the app's first start on an empty database against a start on a database already holding the sample.

.venv/bin/python -m benchmarks.first_start [--runs 3]

Each run starts `streamlit run serve.py` (as `python3 dev.py run` does) and times, in headless Chromium
(/usr/bin/chromium), from the command until the Overview's title and first figure are visible. Both starts are
measured in the same run, so the ratio is comparable across machines: the empty start's extra work is loading the
bundled sample.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from benchmarks.page_runs import copied, sample_database

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NotServing(RuntimeError):
    """The server exited, or did not answer its health check in time."""


def wait_until_healthy(base: str, process: subprocess.Popen, seconds: float = TIMEOUT_S) -> None:
    """Return once the Streamlit server at ``base`` answers its health check; NotServing if it exits or does not
    answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NotServing(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.05)
    raise NotServing(f"streamlit did not answer {base}/_stcore/health within {seconds:g} s")


@contextmanager
def server(db: Path, root: Path = ROOT) -> Iterator[tuple[str, subprocess.Popen]]:
    """A fresh `streamlit run serve.py` (dashboard.py, for code older than serve.py) of the code in ``root`` on ``db``,
    once it answers its health check; its base URL and its process."""
    port = free_port()
    script = "serve.py" if (root / "serve.py").exists() else "dashboard.py"
    env = {**os.environ, "IMPACT_DB": str(db)}
    env.pop("IMPACT_SECRET_FILE", None)
    command = [
        sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=10)


def seconds_to_first_page(browser: Browser, db: Path) -> float:
    start = time.perf_counter()
    with server(db) as (base, _):
        page = browser.new_page()
        page.goto(base)
        page.locator("h1", has_text="Overview").first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
        page.locator('[data-testid="stMetricValue"]').first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
        seconds = time.perf_counter() - start
        page.close()
    return seconds


def first_starts(runs: int) -> tuple[float, float]:
    """Median seconds to the first page on an empty database and on one already holding the sample (the baseline)."""
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        loaded = sample_database(Path(tmp))
        empty_times, loaded_times = [], []
        for run in range(runs):
            folder = Path(tmp) / f"run{run}"
            folder.mkdir()
            empty_times.append(seconds_to_first_page(browser, folder / "empty.duckdb"))
            loaded_times.append(seconds_to_first_page(browser, copied(loaded, folder)))
        browser.close()
    return statistics.median(empty_times), statistics.median(loaded_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="starts of each kind (the median is printed)")
    args = parser.parse_args()
    empty, warm = first_starts(args.runs)
    print(f"{'first page, database holding the sample (baseline)':<58} {warm * 1000:>9.0f} ms")
    print(f"{'first page, empty database (loads the sample)':<58} {empty * 1000:>9.0f} ms")
    print(f"{'ratio empty / baseline':<58} {empty / warm:>9.1f} x")


if __name__ == "__main__":
    main()

"""Each page in headless Chromium on the sample, first and second load, and 20 viewers at once, beside the targets of
issue 25 ("Speed you can feel").

.venv/bin/python -m benchmarks.browser [--sessions 20] [--against REV] [--json PATH]

1. Each page's first load (a fresh server that has served only the Reports page, so the page's own figures and
   charts are not yet cached) and second load (a new browser session opening the same page again), from ``goto``
   until the page has settled: its title shown, the app's ``data-test-script-state`` back to "notRunning" and every
   chart drawn.
2. ``--sessions`` browser contexts at once on a fresh server, each opening Overview and then clicking to Reach, as a
   board meeting following the same link does: each page's slowest time, the whole run's time, and the server's peak
   memory (RSS of the streamlit process and its children, read every 0.1 s).

The server runs `streamlit run dashboard.py` on a copy of the bundled sample (/usr/bin/chromium drives it), so the
sessions are demo visitors, who see what a signed-in member of staff sees. Times are wall-clock on this machine:
compare runs made on the same machine, or the ratios. ``--against REV`` measures that git revision's code too, in
the same run (exported to a temporary folder), each figure beside this work tree's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

from benchmarks.first_start import CHROMIUM, ROOT, TIMEOUT_S, sample_database, server
from benchmarks.page_runs import export

PAGES = {"overview": "Overview", "outcomes": "Outcomes", "reach": "Reach", "funding": "Funding"}
WARM_UP = ("reports", "Reports")  # opened first on every fresh server: the process's imports and database, no page's
FIRST_TARGET, SECOND_TARGET = 1.5, 0.5  # seconds, each page in the browser on the sample
LOAD_TARGET_S, LOAD_TARGET_MB = 5.0, 1536  # 20 viewers at once: slowest page each, peak memory
SETTLED = """title => {
    const app = document.querySelector('[data-testid="stApp"]');
    const h1 = document.querySelector('[data-testid="stMain"] h1');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning' || !h1) return false;
    if (h1.textContent.trim() !== title) return false;
    return [...document.querySelectorAll('.vega-embed')].every(c => c.querySelector('svg, canvas'));
}"""


class Memory:
    """The peak resident memory of a process and its children, read every 0.1 s in a thread until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, sum(rss_bytes(pid) for pid in family(self.pid)))


def family(pid: int) -> list[int]:
    """The process and its descendants, from /proc."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in children:
            found += family(int(child))
    return found


def rss_bytes(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) * 1024


async def warmed(browser: Browser, base: str) -> None:
    """The server has served one page (``WARM_UP``), as a running server has."""
    context = await browser.new_context()
    await opened(await context.new_page(), f"{base}/{WARM_UP[0]}", WARM_UP[1])
    await context.close()


async def settled(page: Page, title: str) -> None:
    await page.wait_for_function(SETTLED, arg=title, timeout=TIMEOUT_S * 1000, polling=20)


async def opened(page: Page, url: str, title: str) -> float:
    """Seconds from asking for ``url`` until its page has settled."""
    start = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)  # the app's own state says when it is done
    await settled(page, title)
    return time.perf_counter() - start


async def clicked(page: Page, title: str) -> float:
    """Seconds from clicking the page's link in the sidebar until it has settled."""
    start = time.perf_counter()
    await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    await settled(page, title)
    return time.perf_counter() - start


async def first_and_second(browser: Browser, db: Path, root: Path) -> dict[str, dict[str, float]]:
    """Each page's first load on a fresh server, then its second in a new browser session."""
    found = {}
    for path, title in PAGES.items():
        with server(db, root) as (base, _):
            await warmed(browser, base)
            times = []
            for _ in range(2):
                context = await browser.new_context(viewport={"width": 1400, "height": 1800})
                times.append(await opened(await context.new_page(), f"{base}/{path}", title))
                await context.close()
        found[title] = {"first": times[0], "second": times[1]}
        say(f"{title}: first {times[0]:.2f} s, second {times[1]:.2f} s")
    return found


async def viewer(browser: Browser, base: str) -> dict[str, float]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1800})
    try:
        page = await context.new_page()
        return {"Overview": await opened(page, f"{base}/overview", "Overview"), "Reach": await clicked(page, "Reach")}
    finally:
        await context.close()


async def at_once(browser: Browser, db: Path, root: Path, sessions: int) -> dict[str, float]:
    """``sessions`` viewers opening Overview then Reach at the same moment on a fresh server (warmed, none of the two
    pages' figures cached); one viewer alone first, on a server of its own, as the baseline."""
    with server(db, root) as (base, _):
        await warmed(browser, base)
        alone = await viewer(browser, base)
    with server(db, root) as (base, process), Memory(process.pid) as memory:
        await warmed(browser, base)
        start = time.perf_counter()
        runs = await asyncio.gather(*(viewer(browser, base) for _ in range(sessions)))
        whole = time.perf_counter() - start
    found = crowd_figures(sessions, whole, memory.peak, alone, runs)
    say(f"{sessions} at once: {json.dumps(found)}")
    return found


def crowd_figures(
    sessions: int, whole: float, peak: int, alone: dict[str, float], runs: list[dict[str, float]]
) -> dict[str, float]:
    """The figures of many sessions at once: the whole run, peak memory, and each page's slowest and median time
    beside one session alone."""
    found = {"sessions": sessions, "whole run": whole, "peak memory MB": peak / 2**20}
    for title in ("Overview", "Reach"):
        found[f"{title} alone"] = alone[title]
        found[f"{title} slowest"] = max(run[title] for run in runs)
        found[f"{title} median"] = statistics.median(run[title] for run in runs)
    return found


def crowd_lines(found: dict[str, float]) -> list[str]:
    """``crowd_figures`` beside their targets, a line each."""
    rows = [
        f"  {title:<10} slowest {found[f'{title} slowest']:6.2f} s (target {LOAD_TARGET_S:g} s), "
        f"median {found[f'{title} median']:6.2f} s, one viewer alone {found[f'{title} alone']:5.2f} s"
        for title in ("Overview", "Reach")
    ]
    return [*rows, f"  server peak memory {found['peak memory MB']:.0f} MB (target < {LOAD_TARGET_MB} MB)"]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def table(pages: dict[str, dict[str, float]], load: dict[str, float]) -> str:
    rows = [f"{'page, sample, browser':<34}{'first':>8}{'target':>8}{'second':>8}{'target':>8}"]
    for title, t in pages.items():
        rows.append(f"{title:<34}{t['first']:>7.2f}s{FIRST_TARGET:>7.1f}s{t['second']:>7.2f}s{SECOND_TARGET:>7.1f}s")
    n = load["sessions"]
    rows.append(f"\n{n} viewers at once (Overview then Reach), whole run {load['whole run']:.1f} s")
    return "\n".join([*rows, *crowd_lines(load)])


async def measure(sessions: int, against: str | None) -> dict[str, dict]:
    """The figures of this work tree, and of the revision ``against`` when given, by tree."""
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = sample_database(Path(tmp))
        trees = {**({against: export(against, Path(tmp))} if against else {}), "work tree": ROOT}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for name, root in trees.items():
                say(f"-- {name}")
                found[name] = {
                    "pages": await first_and_second(browser, db, root),
                    "at once": await at_once(browser, db, root, sessions),
                }
            await browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions at once (default 20)")
    parser.add_argument("--against", help="a git revision to measure too, in the same run")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    found = asyncio.run(measure(args.sessions, args.against))
    for name, figures in found.items():
        print(f"\n== {name}\n{table(figures['pages'], figures['at once'])}")
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()

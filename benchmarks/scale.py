"""How fast the dashboard is at a network's scale, each figure beside its target (issue 14, "Fast at network scale").

.venv/bin/python -m benchmarks.scale [--quick] [--runs 3] [--large-db PATH] [--json PATH]

1. each 100,000-row workbook's check and load, beside a bare python-calamine read and pandas with openpyxl of the same
   file, measured in the same run, as ratios;
2. each page's run (streamlit.testing AppTest) with every cache cleared (cold) and again with the same filters (warm),
   on the bundled sample and on the large database (1,000,000 attendances, 100,000 people, 200,000 WEMWBS
   questionnaires, 500 funding lines over three financial years, loaded through the loader: benchmarks/generate.py);
3. summary.summary in process and ``python -m pipelines summary --json`` as a whole command;
4. the peak memory (RSS) of loading and of serving the large database;
5. the first start on an empty database (benchmarks/first_start.py, in headless Chromium).

Every heavy part runs in its own child process, so each peak RSS is that part's own (readers it forks included).
Figures are medians of ``--runs`` runs. ``--quick`` runs once, with 10,000-row workbooks and a tenth of the large
database. ``--large-db PATH`` keeps the large database there and reuses it when it exists (its load is then not
timed again). The table is printed, then the figures as JSON (to stdout, or to ``--json PATH``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "benchmark-viewer"
PAGES = {
    "Overview": "pages/overview.py",
    "Outcomes": "pages/outcomes.py",
    "Reach": "pages/reach.py",
    "Funding": "pages/funding.py",
    "Reports": "pages/reports.py",
}
WORKBOOKS = ("register", "wellbeing")
GB = 1024**3


@dataclass
class Figure:
    """One measured figure and its target; ``met`` is None where the issue sets no target."""

    figure: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# The parts, each run in a child process: ``python -m benchmarks.scale --part NAME --options JSON`` ------------------


def part_workbook(kind: str, path: str, runs: int, folder: str) -> dict:
    """Check and load of one workbook into a fresh database, a bare calamine read and pandas with openpyxl."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    from pipelines import ingest, store

    data, databases = Path(path).read_bytes(), iter(range(runs))

    def check_and_load() -> None:
        db = Path(folder) / f"{kind}-{next(databases)}.duckdb"
        con = store.connect(db)
        checked = ingest.check(con, [(Path(path).name, data)])
        assert checked.ok, checked.problems[:3]
        ingest.load(con, checked)
        con.close()

    calamine = median_seconds(lambda: CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python(), runs)
    say(f"{kind}: calamine {calamine:.2f} s")
    loader = median_seconds(check_and_load, runs)
    say(f"{kind}: check and load {loader:.2f} s")
    pandas = median_seconds(lambda: pd.read_excel(path, engine="openpyxl"), runs)
    say(f"{kind}: pandas with openpyxl {pandas:.2f} s")
    return {"calamine": calamine, "check_and_load": loader, "pandas_openpyxl": pandas}


def part_sample(db_path: str) -> dict:
    from pipelines import ingest, store

    con = store.connect(db_path)
    ingest.load_sample(con)
    add_account(con)
    return {}


def part_large(db_path: str, factor: float) -> dict:
    """The large database, loaded through ingest.check and ingest.load one file at a time."""
    from benchmarks import generate
    from pipelines import store

    con = store.connect(db_path)
    result = generate.large(con, generate.Scale().shrunk(factor), say=say)
    add_account(con)
    return result


def add_account(con) -> None:
    """The viewer account the page runs sign in with, unless the database has it already (one kept from a run)."""
    from pipelines import users
    from pipelines.audit import OPERATOR

    if users.role_of(con, ACCOUNT) is None:
        users.add(con, ACCOUNT, "viewer", None, by=OPERATOR)


def part_pages(runs: int) -> dict:
    """Each page run cold (st.cache_data and st.cache_resource cleared) then warm (the same filters again)."""
    import streamlit as st
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    from benchmarks.page_runs import through_navigation
    from pipelines import sessions, store
    from ui.auth import SESSION_KEY

    with store.connect() as con:  # a database kept from an earlier run, or built elsewhere, may lack the account
        add_account(con)
        token = sessions.start(con, ACCOUNT)

    through_navigation()
    logger.set_log_level("error")  # AppTest's warnings about running without a server would bury the progress

    def signed_in_app() -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.session_state[SESSION_KEY] = (token, None)  # a session started for this run's connection
        return ran(at.run())

    timings = {}
    for title, script in PAGES.items():
        cold, warm = [], []
        for _ in range(runs):
            at = signed_in_app()
            at.switch_page(script)
            st.cache_data.clear()
            st.cache_resource.clear()
            cold.append(median_seconds(lambda at=at: ran(at.run()), 1))
            warm.append(median_seconds(lambda at=at: ran(at.run()), 1))
            assert [t.value for t in at.title] == [title], [t.value for t in at.title]
        timings[title] = {"cold": statistics.median(cold), "warm": statistics.median(warm)}
        say(f"{title}: cold {timings[title]['cold']:.2f} s, warm {timings[title]['warm']:.2f} s")
    return timings


def ran(at):
    if at.exception:
        raise RuntimeError("\n".join(e.message for e in at.exception))
    return at


def part_summary(db_path: str, runs: int) -> dict:
    """summary.summary in process: the first call on a fresh connection, then the median of ``runs`` more."""
    from pipelines import inventory, store, summary
    from pipelines.query import Filters

    con = store.connect(db_path)
    filters = Filters(inventory.default_period(con))
    first = median_seconds(lambda: summary.summary(con, filters), 1)
    return {"first": first, "median": median_seconds(lambda: summary.summary(con, filters), runs)}


def part_first_start(runs: int) -> dict:
    from benchmarks.first_start import CHROMIUM, first_starts

    if not Path(CHROMIUM).exists():
        return {}
    empty, loaded = first_starts(runs)
    return {"empty": empty, "loaded": loaded}


PARTS = {
    "workbook": part_workbook,
    "sample": part_sample,
    "large": part_large,
    "pages": part_pages,
    "summary": part_summary,
    "first_start": part_first_start,
}


class PartFailed(Exception):
    """A part's child process failed: its figures are left out and the others still measured."""


def in_child(part: str, db: Path | None = None, **options: object) -> tuple[dict, int]:
    """A part's result, and the peak RSS in bytes of its child process (and the readers that child forked)."""
    env = {**os.environ, "IMPACT_DB": str(db)} if db else dict(os.environ)
    env.pop("IMPACT_SECRET_FILE", None)  # the key stays beside each database
    command = [sys.executable, "-m", "benchmarks.scale", "--part", part, "--options", json.dumps(options)]
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().splitlines()
    if child.returncode:
        raise PartFailed(f"the {part} part failed (exit status {child.returncode}); its error is above")
    return json.loads(lines[-1]), usage.ru_maxrss * 1024  # Linux counts kilobytes


def run_part(name: str, options: str) -> None:
    print(json.dumps(PARTS[name](**json.loads(options))))


# The whole benchmark -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    runs: int
    rows: int  # rows of each workbook of part 1
    factor: float  # the large database is the network's size divided by this
    large_db: Path | None


def workbook_figures(settings: Settings, folder: Path) -> list[Figure]:
    from benchmarks import generate

    figures = []
    builders = {"register": generate.register_workbook, "wellbeing": generate.wellbeing_workbook}
    for kind in WORKBOOKS:
        path = folder / f"{kind}_{settings.rows}.xlsx"
        path.write_bytes(builders[kind](settings.rows))
        say(f"built {path.name}")
        found, _ = in_child("workbook", kind=kind, path=str(path), runs=settings.runs, folder=str(folder))
        label = f"{settings.rows:,}-row {kind} workbook"
        to_calamine = found["check_and_load"] / found["calamine"]
        faster = found["pandas_openpyxl"] / found["check_and_load"]
        figures += [
            Figure(f"{label}: python-calamine read (baseline)", found["calamine"], "s"),
            Figure(f"{label}: pandas.read_excel, openpyxl", found["pandas_openpyxl"], "s"),
            Figure(f"{label}: check and load", found["check_and_load"], "s"),
            Figure(f"{label}: check and load / calamine", to_calamine, "x", "<= 1.5", to_calamine <= 1.5),
            Figure(f"{label}: pandas+openpyxl / check and load", faster, "x", ">= 5", faster >= 5),
        ]
    return figures


def sample_scale(db: Path) -> list[tuple[str, Path]]:
    """The small scale, the bundled sample loaded into ``db``; none if it could not be loaded."""
    try:
        in_child("sample", db=db, db_path=str(db))
    except PartFailed as failure:
        say(f"small scale left out: {failure}")
        return []
    return [("small", db)]


def load_figures(settings: Settings, db: Path) -> list[Figure]:
    """The large database loaded into ``db`` now (timed, with its peak RSS) unless ``--large-db`` names one there."""
    if db.exists():
        say(f"reusing {db}: its load is not timed again")
        return []
    found, rss = in_child("large", db=db, db_path=str(db), factor=settings.factor)
    rows = found["rows"]
    label = f"large: load {rows['attendance']:,} attendances, {rows['participants']:,} people, "
    label += f"{rows['wemwbs_questionnaires']:,} WEMWBS"
    return [
        Figure(f"{label} (check and load, all files)", found["load_seconds"], "s"),
        Figure("large: peak RSS loading", rss / GB, "GB", "< 1", rss < GB),
    ]


def page_figures(scale: str, db: Path, runs: int) -> list[Figure]:
    found, rss = in_child("pages", db=db, runs=runs)
    figures = []
    for title, times in found.items():
        for state, limit in (("cold", 1.0), ("warm", 0.2)):
            value = times[state]
            target = (f"< {limit}", value < limit) if scale == "large" else ("", None)
            figures.append(Figure(f"{scale}: {title} page, {state}", value, "s", *target))
    if scale == "large":
        figures.append(Figure("large: peak RSS serving the pages", rss / GB, "GB", "< 1", rss < GB))
    return figures


def summary_figures(scale: str, db: Path, runs: int) -> list[Figure]:
    found, _ = in_child("summary", db=db, db_path=str(db), runs=runs)
    command = [sys.executable, "-m", "pipelines", "summary", "--json", "--db", str(db)]
    whole = median_seconds(lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True), runs)
    target = ("< 1.0", found["median"] < 1.0) if scale == "large" else ("", None)
    return [
        Figure(f"{scale}: summary.summary in process, first call", found["first"], "s"),
        Figure(f"{scale}: summary.summary in process", found["median"], "s", *target),
        Figure(f"{scale}: python -m pipelines summary --json (whole command)", whole, "s"),
    ]


def first_start_figures(runs: int) -> list[Figure]:
    found, _ = in_child("first_start", runs=runs)
    if not found:
        say("first start not measured: no /usr/bin/chromium")
        return []
    return [
        Figure("first page, database holding the sample (baseline)", found["loaded"], "s"),
        Figure("first page, empty database (loads the sample)", found["empty"], "s", "< 5", found["empty"] < 5),
    ]


def measure(settings: Settings) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="impact-scale-") as tmp:
        folder = Path(tmp)
        figures = unless_failed(workbook_figures, settings, folder)
        large = settings.large_db or folder / "large.duckdb"
        figures += unless_failed(load_figures, settings, large)
        for scale, db in (*sample_scale(folder / "sample.duckdb"), ("large", large)):
            figures += unless_failed(page_figures, scale, db, settings.runs)
            figures += unless_failed(summary_figures, scale, db, settings.runs)
        figures += unless_failed(first_start_figures, settings.runs)
    return figures


def unless_failed(section: Callable[..., list[Figure]], *args: object) -> list[Figure]:
    """A section's figures; none, said on stderr, when one of its parts failed."""
    try:
        return section(*args)
    except (PartFailed, subprocess.CalledProcessError) as failure:
        say(f"left out: {failure}")
        return []


def table(figures: list[Figure]) -> str:
    width = max(len(f.figure) for f in figures)
    lines = [f"{'figure':<{width}}  {'value':>10}  {'target':<8}  met", "-" * (width + 30)]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        lines.append(f"{f.figure:<{width}}  {f.value:>8.2f} {f.unit:<2}  {f.target:<8}  {met}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run, 10,000-row workbooks, a tenth of the network")
    parser.add_argument("--runs", type=int, help="runs of each measurement, the median reported (default 3)")
    parser.add_argument("--large-db", type=Path, help="keep the large database here, and reuse it when it exists")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here instead of printing them")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        run_part(args.part, args.options)
        return
    quick = args.quick
    settings = Settings(
        args.runs or (1 if quick else 3), 10_000 if quick else 100_000, 10 if quick else 1, args.large_db
    )
    figures = measure(settings)
    print(table(figures))
    settings_json = {**asdict(settings), "large_db": str(settings.large_db) if settings.large_db else None}
    found = json.dumps({"settings": settings_json, "figures": [asdict(f) for f in figures]}, indent=2)
    if args.json:
        args.json.write_text(found + "\n")
    else:
        print(found)


if __name__ == "__main__":
    main()

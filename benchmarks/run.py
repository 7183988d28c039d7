"""Print how long the main operations take, on the bundled sample and on a large generated register.

.venv/bin/python benchmarks/run.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

from pipelines import funding, ingest, inventory, outcomes, reach, store, summary
from pipelines.disclosure import Disclosure
from pipelines.query import Filters
from pipelines.template import xlsx_bytes

SCREEN = Disclosure.screen()  # the figures as a page shows them


def timed(label: str, action: Callable[[], object], repeat: int = 1) -> object:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:>9.0f} ms")
    return result


def register(rows: int) -> bytes:
    """An attendance register of ``rows`` sessions for 2,000 people over 12 activities."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(["participant_id", "session_date", "activity", "attended"])
    start = dt.date(2024, 4, 1)
    for i in range(rows):
        sheet.append([f"P{i % 2000:05d}", start + dt.timedelta(days=i // 2000), f"Group {i % 12}", "Yes"])
    return xlsx_bytes(book)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the large register")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        files = [(p.name, p.read_bytes()) for p in sorted(ingest.SAMPLE_DIR.glob("*.xlsx"))]
        checked = timed(f"check the sample ({len(files)} workbooks)", lambda: ingest.check(con, files))
        timed("load the checked sample (one transaction)", lambda: ingest.load(con, checked))
        f = Filters(inventory.default_period(con))
        measure = inventory.main_measure(con)
        timed("summary (every headline figure, all measures)", lambda: summary.summary(con, f), repeat=3)
        timed("reach for the period", lambda: reach.reach(con, f), repeat=5)
        timed(f"outcome for {measure}", lambda: outcomes.outcome(con, f, measure), repeat=5)
        timed("reach by quarter", lambda: reach.reach_by_quarter(con, f), repeat=3)
        timed(
            f"outcomes: {measure} by activity",
            lambda: outcomes.breakdown(con, f, measure, "activity", SCREEN),
            repeat=3,
        )
        timed(f"outcomes: {measure} headline", lambda: outcomes.headline(con, f, measure, SCREEN), repeat=3)
        timed(
            "reach: ethnic group against England",
            lambda: reach.representation(con, f, "ethnicity_group", reach.ENGLAND, SCREEN),
            repeat=3,
        )
        timed("funding: income by quarter and funder", lambda: funding.income_by_quarter(con, f), repeat=3)
        timed("funding: value for money per activity", lambda: funding.value_for_money(con, f), repeat=3)
        big = timed(f"build a {args.rows:,}-row register workbook", lambda: register(args.rows))
        checked = timed(f"check the {args.rows:,}-row register", lambda: ingest.check(con, [("big.xlsx", big)]))
        timed(f"load the {args.rows:,}-row register", lambda: ingest.load(con, checked))
        timed("reach for the period, after the large load", lambda: reach.reach(con, f), repeat=5)


if __name__ == "__main__":
    main()

"""Each page's run with AppTest on the sample, cold (every cache cleared) and warm (the same filters again), this
work tree against a git revision, in the same run, as ratios.

.venv/bin/python -m benchmarks.page_runs [--against REV] [--runs 5] [--rounds 2] [--database PATH] [--json PATH]

The revision (default HEAD) is exported to a temporary folder. Each tree is measured in its own child process, the
trees taking turns ``--rounds`` times so that a busy machine slows both alike; each figure is the median of ``--runs``
runs. A bare page (one title, Streamlit's own rerun cost) is timed in every child too: no page goes under it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "benchmark-viewer"
PAGES = {"Overview": "pages/overview.py", "Outcomes": "pages/outcomes.py", "Reach": "pages/reach.py",
         "Funding": "pages/funding.py"}  # fmt: skip
BARE = "import streamlit as st\n\nst.title('Bare')\n"


def median_run(at, runs: int, cold: bool = False) -> float:
    """The median of ``runs`` runs of an AppTest that has run once already, each after clearing every cache when
    ``cold``."""
    import streamlit as st

    times = []
    for _ in range(runs):
        if cold:
            st.cache_data.clear()
            st.cache_resource.clear()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError("\n".join(e.message for e in at.exception))
    return statistics.median(times)


def through_navigation() -> None:
    """Every AppTest run through st.navigation in dashboard.py, as on a server (tests/apphelpers.py,
    ServerPagesManager, says why)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class ServerPagesManager(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = ServerPagesManager


def measure_tree(root: Path, db: str, runs: int) -> dict[str, float]:
    """In this (child) process: the bare page's median run and each page's cold and warm, with ``root``'s code."""
    sys.path.insert(0, str(root))
    import os

    os.chdir(root)
    os.environ["IMPACT_DB"] = db
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    from pipelines import sessions, store
    from ui.auth import SESSION_KEY

    con = store.connect(db)
    token = sessions.start(con, ACCOUNT)  # signed in as the viewer, as on a database that is not the demo's
    con.close()
    through_navigation()
    logger.set_log_level("error")
    bare = AppTest.from_string(BARE).run()
    found = {"bare page": median_run(bare, runs)}
    for title, script in PAGES.items():
        at = AppTest.from_file(str(root / "dashboard.py"), default_timeout=600)
        at.session_state[SESSION_KEY] = (token, None)
        at.run()
        at.switch_page(script).run()
        assert [t.value for t in at.title] == [title], [t.value for t in at.title]
        found[f"{title} cold"] = median_run(at, runs, cold=True)
        found[f"{title} warm"] = median_run(at, runs)
    return found


def sample_database(folder: Path, viewer: str | None = None) -> Path:
    """``folder``/sample.duckdb holding the bundled sample, and a viewer account of that name when one is given."""
    from pipelines import ingest, store, users
    from pipelines.audit import OPERATOR

    db = folder / "sample.duckdb"
    con = store.connect(db)
    try:
        ingest.load_sample(con)
        if viewer:
            users.add(con, viewer, "viewer", None, by=OPERATOR)
    finally:
        con.close()
    return db


def copied(database: Path, folder: Path, name: str | None = None) -> Path:
    """A copy of ``database`` and its key in ``folder`` (as ``name``.duckdb), so that no run changes the original."""
    copy = folder / (f"{name}.duckdb" if name else database.name)
    shutil.copyfile(database, copy)
    shutil.copyfile(f"{database}.key", f"{copy}.key")
    return copy


def export(revision: str, folder: Path) -> Path:
    """The revision's files, as ``git archive`` gives them."""
    archive = folder / "before.tar"
    subprocess.run(["git", "archive", "-o", str(archive), revision], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "before", filter="data")
    return folder / "before"


def in_child(root: Path, db: Path, runs: int) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(root), "--db", str(db), "--runs",
               str(runs)]  # fmt: skip
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", default="HEAD", help="the git revision to compare with (default HEAD)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs of each page in each child (the median)")
    parser.add_argument("--rounds", type=int, default=2, help="times each tree is measured, taking turns")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--database",
        type=Path,
        help="a copy of this database instead of the sample (it must hold "
        "the benchmark-viewer account, as benchmarks.scale's --large-db does)",
    )
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_tree(args.measure, args.db, args.runs)))
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = copied(args.database, folder) if args.database else sample_database(folder, viewer=ACCOUNT)
        trees = {args.against: export(args.against, folder), "work tree": ROOT}
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            for name, root in trees.items():
                rounds[name].append(in_child(root, db, args.runs))
    figures = {name: {k: statistics.median(r[k] for r in found) for k in found[0]} for name, found in rounds.items()}
    before, after = figures[args.against], figures["work tree"]
    print(f"{'page run (median s)':<22}{args.against:>12}{'work tree':>12}{'after/before':>14}")
    for key in before:
        print(f"{key:<22}{before[key]:>12.3f}{after[key]:>12.3f}{after[key] / before[key]:>13.2f}x")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

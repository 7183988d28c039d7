"""Command line: python -m pipelines.reference build SOURCE_DIR [--imd-dir DIR] [--out FILE]."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipelines.reference import TABLE_FILE
from pipelines.reference.build import build


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    imd_dir = args.imd_dir or args.source_dir.parent / "imd2019"
    rows = build(args.source_dir, imd_dir, args.out)
    print(f"Wrote {rows:,} rows to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines.reference", description=__doc__)
    sub = parser.add_subparsers(required=True).add_parser("build", help="build the local-authority population table")
    sub.add_argument("source_dir", type=Path, help="folder with the Census 2021 files, IoD2019 File 6 and lookups")
    sub.add_argument("--imd-dir", type=Path, help="folder with IoD2019 File 1 (default: SOURCE_DIR/../imd2019)")
    sub.add_argument("--out", type=Path, default=TABLE_FILE, help=f"table to write (default: {TABLE_FILE.name})")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())

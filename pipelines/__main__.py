"""Command line: python -m pipelines load|uploads|rollback|summary|population|report|deadlines|sample|users|audit|
person|erase|retention|backup|restore (docs/cli.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import (
    audit,
    backup,
    files,
    ingest,
    inventory,
    pack,
    reach,
    reference,
    report,
    reporting,
    rights,
    settings,
    snapshot,
    store,
    summary,
    users,
    words,
)
from pipelines.audit import OPERATOR, ROLES
from pipelines.files import write_private
from pipelines.periods import Period
from pipelines.privacy import MissingSecret
from pipelines.problems import UploadRefused
from pipelines.query import Filters

POPULATION_DIMENSIONS = ("ethnicity_group", "ethnicity", "age_band", "gender", "disability", "imd_quintile")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UploadRefused as refused:
        print(f"Nothing was loaded: {words.counted(len(refused.problems), 'problem')} to fix.", file=sys.stderr)
        for problem in refused.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except (MissingSecret, ValueError, snapshot.SnapshotFailed) as error:
        print(error, file=sys.stderr)
        return 1
    except store.DatabaseBusy as busy:
        print(_busy(busy, args), file=sys.stderr)
        return 1
    except duckdb.Error:  # never a traceback: what went wrong, in a sentence, and what to do
        print(
            f"The database {getattr(args, 'db', None) or store.db_path()} could not be read: it may be damaged or not "
            "a database of this dashboard. Restore the latest backup (python -m pipelines restore; see "
            "docs/operations.md).",
            file=sys.stderr,
        )
        return 1


def _busy(busy: store.DatabaseBusy, args: argparse.Namespace) -> str:
    """One sentence: the running dashboard holds the database, and what to do instead."""
    instead = ", or manage accounts in the dashboard under Settings › Accounts" if args.command == "users" else ""
    return (
        f"The dashboard has the database {busy.path} open, so `{args.command}` cannot change it now: stop the dashboard "
        f"(Ctrl+C where it runs), run the command again and start the dashboard again{instead}."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    commands = parser.add_subparsers(required=True)

    def command(name: str, run, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--db", type=Path, help="database file (default: $IMPACT_DB or data/impact.duckdb)")
        sub.set_defaults(run=run, command=name)
        return sub

    command("load", _load, "check and load spreadsheets, all or nothing").add_argument("files", nargs="+", type=Path)
    command("uploads", _uploads, "list the uploads")
    command("rollback", _rollback, "roll an upload back").add_argument("upload_id", type=int)
    summary = _with_filters(command("summary", _summary, "print the headline figures"))
    summary.add_argument("--json", action="store_true", help="print JSON (the only format for now)")
    population = commands.add_parser("population", help="print the Census 2021 population of local authorities")
    population.add_argument("codes", nargs="+", metavar="AREA_CODE", help="2022 local authority code, e.g. E08000027")
    population.add_argument("--json", action="store_true", help="print JSON (the only format for now)")
    population.set_defaults(run=_population)
    pack = _with_filters(command("report", _report, "write a report pack: PDF, Word and a ZIP of charts and data"))
    pack.add_argument("--out", type=Path, required=True, help="folder to write the files into")
    pack.add_argument("--funder", help="report on one funder's grants and the activities they fund")
    pack.add_argument("--sections", help=f"comma-separated, from {','.join(report.SECTIONS)} (default: all)")
    deadlines = command("deadlines", _deadlines, "list the reports funders expect, or write them as a calendar")
    deadlines.add_argument("--json", action="store_true", help="print JSON instead of a line per report")
    deadlines.add_argument("--ics", type=Path, metavar="FILE", help="also write the reports as an .ics calendar")
    deadlines.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="first day (default: today)")
    deadlines.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="last day (default: 12 months on)")
    sample = commands.add_parser("sample", help="write the bundled sample workbooks")
    sample.add_argument("out_dir", type=Path, nargs="?", default=ingest.SAMPLE_DIR)
    sample.set_defaults(run=_sample)
    accounts = command("users", _users, "add, remove, list the accounts that may sign in, or change their role")
    accounts.add_argument("action", choices=("add", "remove", "list", "set-role"))
    accounts.add_argument("name", nargs="?", help="user name, or the e-mail address for the identity provider")
    accounts.add_argument("--role", choices=ROLES, help="for add and set-role")
    accounts.add_argument("--sso", action="store_true", help="add: signs in with the identity provider, no password")
    accounts.add_argument("--password-stdin", action="store_true", help="add: read the password from standard input")
    trail = command("audit", _audit, "print the audit trail as CSV: sign-ins, loads, rollbacks, settings, accounts")
    trail.add_argument("--out", type=Path, help="write the CSV to this file instead")
    person = command("person", _person, "list the records held about one person, by the ID your spreadsheets use")
    person.add_argument("id", metavar="ID", help="the participant ID as in your spreadsheets")
    person.add_argument("--out", type=Path, help="write the records to this spreadsheet (.xlsx) for the person")
    erase = command("erase", _erase, "erase every record about one person, for good")
    erase.add_argument("id", metavar="ID", help="the participant ID as in your spreadsheets")
    keep = command("retention", _retention, "list the people past the retention period; --apply removes them")
    keep.add_argument("--apply", action="store_true", help="remove them, as an erasure does")
    saving = command(
        "backup", _backup, "back up the database, its history, settings and key file, even while the app runs"
    )
    saving.add_argument("out_dir", type=Path, metavar="DIR", help="a new or empty folder for the backup")
    putting_back = command("restore", _restore, "check a backup and put it back as the database (the app stopped)")
    putting_back.add_argument("backup_dir", type=Path, metavar="DIR", help="the folder a backup was written to")
    putting_back.add_argument("--replace", action="store_true", help="replace an existing database (kept beside it)")
    return parser


def _with_filters(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="first day, e.g. 2025-04-01")
    sub.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="last day, e.g. 2026-03-31")
    sub.add_argument("--activity", action="append", default=[], help="limit to an activity (repeatable)")
    return sub


def _period(args: argparse.Namespace, default: Period) -> Period:
    return Period(args.start or default.start, args.end or default.end)


def _load(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    result = ingest.check(con, [(p.name, p.read_bytes()) for p in args.files])
    ids = ingest.load(con, result)
    for sentence in result.already_in:
        print(sentence)
    if ids and result.sample_to_remove:
        print(ingest.sample_removed(result.sample_to_remove))
    for item, upload_id in zip(result.files, ids, strict=True):
        counts = ", ".join(f"{kind} {c['new']} new, {c['changed']} corrected" for kind, c in item.changes.items())
        print(f"Upload {upload_id}: {item.name}: {counts}")
        for note in item.notes:
            print(f"  note: {note}")
    return 0


def _uploads(args: argparse.Namespace) -> int:
    with snapshot.reading(args.db) as (con, _):
        table = store.uploads(con)
    for row in table.itertuples():
        state = "active" if pd.isna(row.rolled_back_at) else f"rolled back {row.rolled_back_at:%d/%m/%Y %H:%M}"
        counts = {kind: c["rows"] for kind, c in json.loads(row.row_counts).items()}
        print(f"{row.upload_id:>4}  {row.loaded_at:%d/%m/%Y %H:%M}  {row.file_name}  {counts}  {state}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    store.rollback(con, args.upload_id)
    print(f"Upload {args.upload_id} rolled back; the rows it replaced are current again. Taken out:")
    print(*ingest.describe_uploads(con, [args.upload_id]))
    return 0


def _summary(args: argparse.Namespace) -> int:
    with snapshot.reading(args.db) as (con, _):
        found = _summary_of(con, args)
    print(json.dumps(found, indent=2, default=str))
    return 0


def _summary_of(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> dict:
    period = _period(args, inventory.default_period(con))
    found = summary.summary(con, Filters(period, tuple(args.activity)))
    area = reach.default_area(con)
    chosen = settings.area(con)
    found["area"] = {
        "chosen": [{"code": c, "name": n} for c, n in zip(chosen.codes, chosen.names, strict=True)] if chosen else [],
        "compared_with": area,
    }
    found["reach"]["population"] = _population_shares(reach.benchmark(con, area), found["reach"]["by"])
    return found


def _population_shares(benchmark: pd.DataFrame, by: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Per dimension of the summary the benchmark has, each group's share of the population, in percent."""
    return {
        dimension: {group: 100 * share for group, share in rows[["group", "share"]].itertuples(index=False)}
        for dimension, rows in benchmark.groupby("dimension", sort=False)
        if dimension in by
    }


def _population(args: argparse.Namespace) -> int:
    codes = list(dict.fromkeys(code.strip().upper() for code in args.codes))
    found = reference.population(codes)
    names = dict(reference.areas().values)
    result = {
        "areas": [{"code": code, "name": names[code]} for code in codes],
        "dimensions": {d: found[d] for d in POPULATION_DIMENSIONS if d in found},
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _report(args: argparse.Namespace) -> int:
    with snapshot.reading(args.db) as (con, copied):
        files = _report_files(con, args)
    for path in pack.write(files, args.out):
        print(path)
    if copied:
        print(NOT_AUDITED, file=sys.stderr)
    return 0


NOT_AUDITED = (
    "The dashboard has the database open, so the report was made from a copy taken just now and is not in the audit "
    "trail."
)


def _report_files(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> dict[str, bytes]:
    pack.check_export(con, OPERATOR, {"document": "pack", "funder": args.funder, "out": str(args.out)})
    period = _period(args, report.scope(con, funder=args.funder).filters.period) if args.start or args.end else None
    return pack.report_files(
        con,
        settings.brand(con, store.showing_sample(con)),
        funder=args.funder,
        period=period,
        activities=tuple(args.activity),
        sections=report.sections(args.sections),
    )


def _deadlines(args: argparse.Namespace) -> int:
    with snapshot.reading(args.db) as (con, _):
        found = reporting.due_within(con, _period(args, reporting.ahead(dt.date.today())))
        charity = settings.brand(con, store.showing_sample(con)).charity_name
    if args.ics:
        files.write_private(args.ics, reporting.ics(found, charity, dt.datetime.now(dt.UTC)))
    if args.json:
        print(json.dumps([r.as_dict() for r in found], indent=2, ensure_ascii=False))
    else:
        for r in found:
            print(f"{r.due.isoformat()}  {r.funder}  {r.grant}  covers {r.covers.start} to {r.covers.end}")
        print(f"{words.counted(len(found), 'report')} due" + (f"; calendar written to {args.ics}" if args.ics else "."))
    return 0


def _users(args: argparse.Namespace) -> int:
    if args.action == "list":
        with snapshot.reading(args.db) as (con, _):
            listing = users.listing(con)
        for row in listing.itertuples():
            print(f"{row.name}  {row.role}  {row.sign_in}  added {row.created_at:%d/%m/%Y %H:%M}")
        return 0
    con = store.connect(args.db)
    if not args.name or (args.action != "remove" and not args.role):
        raise ValueError(f"users {args.action} needs a NAME" + (" and --role" if args.action != "remove" else "") + ".")
    if args.action == "add":
        users.add(con, args.name, args.role, None if args.sso else _password(args.password_stdin), by=OPERATOR)
        print(f"Added {args.name} as {args.role}.")
    elif args.action == "remove":
        users.remove(con, args.name, by=OPERATOR)
        print(f"Removed {args.name}.")
    else:
        users.set_role(con, args.name, args.role, by=OPERATOR)
        print(f"{args.name} is now {args.role}.")
    return 0


def _password(from_stdin: bool) -> str:
    """The new password, from standard input or typed twice at a prompt that does not echo it."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("The same password again: ") != password:
        raise ValueError("The two passwords differ; nothing was changed.")
    return password


def _audit(args: argparse.Namespace) -> int:
    with snapshot.reading(args.db) as (con, _):
        data = audit.csv_bytes(con)
    if args.out:
        write_private(args.out, data)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


def _backup(args: argparse.Namespace) -> int:
    for path in backup.backup(Path(args.db or store.db_path()), args.out_dir):
        print(path)
    return 0


def _restore(args: argparse.Namespace) -> int:
    db = Path(args.db or store.db_path())
    backup.restore(args.backup_dir, db, replace=args.replace)
    print(f"Restored {db} and its key file from {args.backup_dir}. Start the dashboard to use it.")
    return 0


def _person(args: argparse.Namespace) -> int:
    held = rights.find(store.connect(args.db), args.id)
    print(*rights.describe(held), sep="\n")
    if args.out and held.rows:
        files.write_private(args.out, rights.workbook(held, dt.date.today()))
        print(f"Written to {args.out}.")
    return 0


def _erase(args: argparse.Namespace) -> int:
    erased = rights.erase_in_file(args.db or store.db_path(), args.id)
    print(f"Erased participant ID {args.id.strip()}: {_rows(erased)}. The database file was rewritten without them.")
    return 0


def _rows(erased: rights.Erased) -> str:
    by_kind = ", ".join(f"{kind} {n}" for kind, n in erased.rows.items())
    return f"{erased.total} row(s) ({by_kind})"


def _retention(args: argparse.Namespace) -> int:
    path, today = args.db or store.db_path(), dt.date.today()
    con = store.connect(path)
    limit, past = rights.retention_limit(con, today), rights.past_retention(con, today)
    con.close()
    if limit is None:
        print(RETENTION_OFF)
        return 0
    people = "person's" if len(past) == 1 else "people's"
    print(f"{len(past)} {people} last activity was before {limit:%d/%m/%Y}, past the retention period.")
    for row in past.itertuples():
        print(f"  last activity {row.last_activity:%d/%m/%Y}: {row.rows} row(s)")
    if args.apply and not past.empty:
        erased = rights.apply_retention_in_file(path, today)
        print(f"Removed {erased.people} people: {_rows(erased)}. The database file was rewritten without them.")
    elif not past.empty:
        print("Nothing was removed: run again with --apply to remove them.")
    return 0


RETENTION_OFF = (
    "No retention period is set (the default): records are kept until erased. An administrator sets one in Settings."
)


def _sample(args: argparse.Namespace) -> int:
    from pipelines import sample

    for path in sample.generate(args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""No uploaded file, however broken or hostile, can hurt the service: each family of hostile file either loads as it
should or is refused with a message naming the file (and sheet, row and column where there is one) and saying what
to do; never a traceback, a hang, a crash, a partial load or any change to the database."""

from __future__ import annotations

import io
import os
import random
import re
import string
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePath

import pytest

from pipelines import ingest, limits
from pipelines import workbook as reading
from pipelines.limits import Refused, run_guarded
from pipelines.problems import Problem, UploadRefused
from tests.helpers import (
    REGISTER,
    REGISTER_HEADER,
    SHEET,
    counts,
    csv_bytes,
    current,
    grant,
    grants_package,
    parts,
    register_csv,
    rezip,
    workbook,
)

# Generators of hostile files ----------------------------------------------------------------------


def register_xlsx(rows: list[list] | None = None) -> bytes:
    return workbook({"Register": rows or REGISTER})


def with_sheet_xml(change: Callable[[str], str], rows: list[list] | None = None) -> bytes:
    """The register workbook with its sheet's XML changed."""
    files = parts(register_xlsx(rows))
    files[SHEET] = change(files[SHEET].decode()).encode()
    return rezip(files)


def lying_end_record() -> bytes:
    """The zip's end record points its central directory 1,000 bytes too far."""
    data = bytearray(register_xlsx())
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, offset + 1000)
    return bytes(data)


def truncated_zip() -> bytes:
    data = register_xlsx()
    return data[: len(data) * 2 // 3]


def whole_sheet_dimension() -> bytes:
    return with_sheet_xml(lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml))


def zip_bomb(megabytes: int = 200) -> bytes:
    """A valid register with an extra part of ``megabytes`` of zeros, packed about a thousand times smaller."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts(register_xlsx()).items():
            archive.writestr(name, content)
        with archive.open("xl/media/image1.bin", "w") as bomb:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                bomb.write(chunk)
    return out.getvalue()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)  # lol9 expands to a thousand million "lol"s


def billion_laughs() -> bytes:
    return with_sheet_xml(lambda xml: BILLION_LAUGHS + xml.replace("<t>Art group</t>", "<t>&lol9;</t>", 1))


def external_entity() -> bytes:
    declaration = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return with_sheet_xml(lambda xml: declaration + xml.replace("<t>Art group</t>", "<t>&x;</t>", 1))


def formula_with_saved_value() -> bytes:
    """C2 holds a formula that would fetch a web page, saved with its value 'Art group'."""
    formula = '<c r="C2" t="str"><f>WEBSERVICE("http://example.invalid/")&amp;"x"</f><v>Art group</v></c>'
    return with_sheet_xml(lambda xml: xml.replace('<c r="C2" t="inlineStr"><is><t>Art group</t></is></c>', formula))


def formula_without_saved_value() -> bytes:
    """C3 holds the formula 1+1 saved without a value: it reads as empty, never as 2."""
    formula = '<c r="C3"><f>1+1</f></c>'
    return with_sheet_xml(lambda xml: xml.replace('<c r="C3" t="inlineStr"><is><t>Art group</t></is></c>', formula))


def long_cell(chars: int = 1024 * 1024) -> bytes:
    """The register with C2 (an activity) ``chars`` long, written in the sheet itself: openpyxl would cut it short."""
    return with_sheet_xml(lambda xml: xml.replace("<t>Art group</t>", f"<t>{incompressible(chars)}</t>", 1))


def incompressible(chars: int) -> str:
    """Letters that pack no smaller than real text does, so that no zip bomb check stops the file first."""
    return "".join(random.Random(chars).choices(string.ascii_letters, k=chars))


def shared_string_repeated(chars: int = 1024 * 1024, times: int = 500) -> bytes:
    """One long shared string used in ``times`` cells: small on disk, huge once each cell holds its own copy."""
    files = parts(register_xlsx())
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, times + 1))
    files[SHEET] = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", files[SHEET].decode())
    files[SHEET] = files[SHEET].encode()
    strings = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{incompressible(chars)}</t></si></sst>'
    files["xl/sharedStrings.xml"] = strings.encode()
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    return rezip(files)


def wide_row(columns: int = 100_000) -> bytes:
    """The register with 100,000 more columns in its header row, written without cell references as some tools do."""
    extra = "".join(f"<c><v>{ord(letter)}</v></c>" for letter in incompressible(columns))
    return with_sheet_xml(
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', "", xml).replace("</row>", extra + "</row>", 1)
    )


def far_cell() -> bytes:
    """One value a million rows down and 200 columns across, with no dimension: a 200-million-cell sheet."""
    far = '<row r="1000000"><c r="GR1000000" t="inlineStr"><is><t>x</t></is></c></row>'
    return with_sheet_xml(
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', "", xml).replace("</sheetData>", far + "</sheetData>")
    )


def no_sheets() -> bytes:
    files = parts(register_xlsx())
    files["xl/workbook.xml"] = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", files["xl/workbook.xml"])
    return rezip(files)


def many_entries() -> bytes:
    files = parts(register_xlsx())
    files |= {f"xl/media/image{i}.png": b"" for i in range(limits.MAX_ZIP_ENTRIES)}
    return rezip(files)


def mixed_newlines() -> bytes:
    lines = csv_bytes(REGISTER + [["P5", "2024-06-12", "Art group", "yes"]]).split(b"\r\n")
    return lines[0] + b"\r\n" + lines[1] + b"\r" + lines[2] + b"\n" + lines[3] + b"\r\n"


def unmatched_quote() -> bytes:
    return (
        register_csv([REGISTER_HEADER, ["P3", "2024-06-05", "Art group", "yes"]]) + b'P4,2024-06-05,"Art group,no\r\n'
    )


def long_csv_field(chars: int = 200_000) -> bytes:
    return register_csv([REGISTER_HEADER, ["P3", "2024-06-05", "A" * chars, "yes"]])


def deeply_nested(depth: int = 10_000) -> bytes:
    return b'{"grants": [' + b"[" * depth + b"]" * depth + b"]}"


def not_a_number(word: str) -> bytes:
    return grants_package([grant()]).replace(b"12000", word.encode())


# The families: each loads as expected or is refused with these words -----------------------------

Loaded = Callable[[object], None]


def _loads_register(con) -> None:
    stored = current(con, "SELECT activity FROM attendance WHERE session_date = '2024-06-05' ORDER BY participant_id")
    assert stored == [("Art group",), ("Art group",)]


def _control_characters_removed(con) -> None:
    assert current(con, "SELECT activity, venue FROM attendance WHERE session_date = '2024-06-05'") == [
        ("Art group", "Church hall")
    ]


CONTROL_CHARACTERS = [
    REGISTER_HEADER + ["venue"],
    ["P3", "2024-06-05", "\x07Art\x1b group\x7f", "yes", "Church\u202e hall\x85"],
]
FILLER = [[f"P{n}", "2024-06-12", "Walk and talk", "yes"] for n in range(10, 300)]  # the first 4 kB hold no NUL
A_NUL_LATER = register_csv([REGISTER_HEADER, *FILLER, *([*row[:2], "Art\x00 group", row[3]] for row in REGISTER[1:])])

FAMILIES: list[tuple[str, Callable[[], tuple[str, bytes]], list[str] | Loaded]] = [
    ("lying end record", lambda: ("q2.xlsx", lying_end_record()), ["damaged", "Save As"]),
    ("truncated zip", lambda: ("q2.xlsx", truncated_zip()), ["damaged", "Save As"]),
    ("dimension A1:XFD1048576", lambda: ("q2.xlsx", whole_sheet_dimension()), ["'Register'", "XFD1048576", "200 columns", "delete"]),
    ("zip bomb", lambda: ("q2.xlsx", zip_bomb()), ["'xl/media/image1.bin'", "zip bomb"]),
    ("billion laughs", lambda: ("q2.xlsx", billion_laughs()), ["DTD or entities", SHEET]),
    ("external entity", lambda: ("q2.xlsx", external_entity()), ["DTD or entities"]),
    ("too many parts", lambda: ("q2.xlsx", many_entries()), ["parts"]),
    ("no sheets", lambda: ("q2.xlsx", no_sheets()), ["no sheets"]),
    ("headers only", lambda: ("q2.xlsx", register_xlsx([REGISTER_HEADER])), ["no rows of data"]),
    ("formula with its saved value", lambda: ("q2.xlsx", formula_with_saved_value()), _loads_register),
    ("formula without a saved value", lambda: ("q2.xlsx", formula_without_saved_value()), ['row 3, column C "activity"', "must be filled in"]),
    ("1 MB cell", lambda: ("q2.xlsx", long_cell()), ["row 2, column C", "at most 32,767 characters", "1,048,576"]),
    ("1 MB shared string in 500 cells", lambda: ("q2.xlsx", shared_string_repeated()), ["memory"]),
    ("100,000 columns", lambda: ("q2.xlsx", wide_row()), ["'Register'", "100,004 columns", "200 columns"]),
    ("a cell 200 million cells away", lambda: ("q2.xlsx", far_cell()), ["memory"]),
    ("CSV with \\r newlines", lambda: ("q2.csv", register_csv(newline="\r")), _loads_register),
    ("CSV with \\n newlines", lambda: ("q2.csv", register_csv(newline="\n")), _loads_register),
    ("CSV with mixed newlines", lambda: ("q2.csv", mixed_newlines()), _loads_register),
    ("CSV with an unmatched quote", lambda: ("q2.csv", unmatched_quote()), ["line 3", "never closed"]),
    ("CSV with a 200 kB field", lambda: ("q2.csv", long_csv_field()), ["Line 2", "131,072 characters"]),
    ("CSV with a 40 kB field", lambda: ("q2.csv", long_csv_field(40_000)), ["at most 32,767 characters"]),
    ("CSV of 100,000 columns", lambda: ("q2.csv", register_csv([REGISTER_HEADER + ["x"] * 100_000])), ["200 columns"]),
    ("CSV with a NUL byte", lambda: ("q2.csv", A_NUL_LATER), _loads_register),
    ("JSON nested 10,000 deep", lambda: ("g.json", deeply_nested()), ["50 levels deep"]),
    ("JSON nested 60 deep", lambda: ("g.json", deeply_nested(60)), ["50 levels deep"]),
    ("JSON NaN amount", lambda: ("g.json", not_a_number("NaN")), ["NaN", "not valid JSON"]),
    ("JSON Infinity amount", lambda: ("g.json", not_a_number("Infinity")), ["Infinity", "not valid JSON"]),
    ("JSON amount 1e400", lambda: ("g.json", not_a_number("1e400")), ["row 2", "a number from -10,000,000,000"]),
    ("JSON amount 1e11", lambda: ("g.json", not_a_number("1e11")), ["a number from -10,000,000,000"]),
    ("JSON 5,000-digit amount", lambda: ("g.json", not_a_number("9" * 5000)), ["not valid JSON"]),
    ("JSON title an object", lambda: ("g.json", grants_package([grant(title={"a": [1]})])), ["Grant 1", "'Title'"]),
    ("JSON 1 MB title", lambda: ("g.json", grants_package([grant(title="T" * 2**20)])), ["at most 32,767 characters"]),
    ("JSON 300-character title", lambda: ("g.json", grants_package([grant(title="T" * 300)])), ["at most 200 characters"]),
    ("JSON duration 1e9 months", lambda: ("g.json", grants_package([grant(plannedDates=[{"duration": 1e9}])])), ["0 to 1,200"]),
    ("300-character activity name", lambda: ("q2.xlsx", long_cell(300)), ["at most 200 characters", "300"]),
    ("100-character participant ID", lambda: ("q2.xlsx", register_xlsx([REGISTER_HEADER, ["P" * 100, "2024-06-05", "Art", "yes"]])), ["at most 64 characters"]),
    ("infinite expenditure", lambda: ("s.xlsx", workbook({"Spend": [["month", "spend"], ["2024-06-01", "inf"]]})), ["a number from"]),
    ("NaN reserves", lambda: ("r.csv", csv_bytes([["as at", "free reserves"], ["2024-06-30", "nan"]])), ["a number from"]),
    ("control characters", lambda: ("q2.csv", register_csv(CONTROL_CHARACTERS)), _control_characters_removed),
]  # fmt: skip


@pytest.mark.parametrize(("make", "outcome"), [(m, o) for _, m, o in FAMILIES], ids=[f for f, _, _ in FAMILIES])
def test_a_hostile_file_loads_or_is_refused_and_the_database_is_unchanged(loaded, make, outcome):
    name, data = make()
    before = counts(loaded)
    started = time.perf_counter()
    result = ingest.check(loaded, [(name, data)])
    assert time.perf_counter() - started < 20
    if callable(outcome):
        assert result.ok, "\n".join(map(str, result.problems))
        ingest.load(loaded, result)
        outcome(loaded)
        return
    assert result.problems, "expected the file to be refused"
    with pytest.raises(UploadRefused):
        ingest.load(loaded, result)
    assert counts(loaded) == before
    message = "\n".join(str(p) for p in result.problems)
    assert all(p.file == name for p in result.problems)
    assert [words for words in outcome if words not in message] == [], message
    assert len(message) < 5_000  # a cell's long value is cut short in the message


# Read without the memory bombs, which only the guard may read
READ_HERE = [(family, make) for family, make, outcome in FAMILIES if callable(outcome) or "memory" not in outcome]


@pytest.mark.parametrize("make", [m for _, m in READ_HERE], ids=[f for f, _ in READ_HERE])
def test_the_guard_changes_where_a_file_is_read_not_what_is_read(make):
    """What the reading process sends back (grids and problems) is what reading the file in this process gives; a file
    refused before it is read is refused with that reason alone."""
    name, data = make()
    suffix = PurePath(name).suffix.lower()
    refusal = reading._refusal(suffix, data)
    if refusal:
        assert reading.read_grids(name, data) == ([], [Problem(name, expected=refusal)])
    else:
        guarded, problems = run_guarded(reading._read_packed, name, suffix, data)
        here, problems_here = reading._read_packed(name, suffix, data)
        assert ([reading._unpacked(p) for p in guarded], problems) == (
            [reading._unpacked(p) for p in here],
            problems_here,
        )


def test_a_cell_problem_names_the_sheet_row_and_column(loaded):
    result = ingest.check(loaded, [("q2.xlsx", long_cell(300))])
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column, problem.column_index) == ("Register", 2, 'C "activity"', 3)
    assert problem.value == incompressible(300)[:100] + "…"


def test_a_1mb_cell_is_named_by_sheet_row_and_column(loaded):
    [problem] = ingest.check(loaded, [("q2.xlsx", long_cell())]).problems
    assert (problem.sheet, problem.row, problem.column, problem.column_index) == ("Register", 2, "C", 3)


# Sizes of files and uploads ------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(loaded, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(ingest, "read_grids", _never_read)
    before = counts(loaded)
    [problem] = ingest.check(loaded, [("big.xlsx", register_xlsx())]).problems
    assert problem.file == "big.xlsx" and "over the 0.0 MB limit for one file" in problem.expected
    assert counts(loaded) == before


def test_an_upload_over_its_size_limit_is_refused_before_any_file_is_read(loaded, monkeypatch):
    files = [("a.csv", register_csv()), ("b.csv", register_csv(newline="\n")), ("c.csv", register_csv(newline="\r"))]
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", len(files[0][1]) + len(files[1][1]) - 1)
    monkeypatch.setattr(ingest, "read_grids", _never_read)
    [problem] = ingest.check(loaded, files).problems
    assert (
        problem.file == "b.csv" and "limit for one upload" in problem.expected and "smaller batches" in problem.expected
    )


def test_an_upload_over_its_budget_of_cells_is_refused(loaded, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UPLOAD_CELLS", 20)
    files = [("a.csv", register_csv()), ("b.csv", register_csv(REGISTER + [["P5", "2024-06-12", "Art", "yes"]]))]
    [problem] = ingest.check(loaded, files).problems
    assert problem.file == "b.csv" and "28 cells" in problem.expected


def test_the_limits_can_be_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("IMPACT_MAX_FILE_MB", "7")
    monkeypatch.setenv("IMPACT_READ_SECONDS", "nonsense")
    assert (limits._setting("IMPACT_MAX_FILE_MB", 50), limits._setting("IMPACT_READ_SECONDS", 30)) == (7, 30)


def _never_read(name: str, data: bytes):
    raise AssertionError(f"{name} was read")


# The child process that reads each file ------------------------------------------------------------


def _sleep() -> None:
    time.sleep(10)


def _allocate() -> bytes:
    return bytes(4 * limits.READ_MEMORY_BYTES)


def _abort() -> None:
    os.abort()


def _fail() -> None:
    raise KeyError("boom")


def _grow() -> list[bytes]:
    """Memory filled a little at a time, up to four times the budget, as a reader of a huge sheet would."""
    chunks = []
    for _ in range(4 * limits.READ_MEMORY_BYTES // (8 * limits.MB)):
        chunks.append(b"\x01" * (8 * limits.MB))
        time.sleep(0.02)
    return chunks


ROOT = Path(__file__).resolve().parents[1]
GUARDS = ["fork", "spawn"]  # Linux's way, and the others' (IMPACT_READ_GUARD forces it here)
SMALL_BUDGET_MB = 64  # for a spawned child, which reads its budget from the environment


@pytest.mark.parametrize("guard", GUARDS)
@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (_sleep, "longer than 1 seconds"),
        (_allocate, "more than"),
        (_grow, "more than"),
        (_abort, "the reader stopped"),
        (_fail, "KeyError"),
    ],
    ids=["hangs", "runs out of memory at once", "runs out of memory", "crashes", "raises"],
)
def test_a_reader_that_hangs_crashes_or_runs_out_of_memory_is_a_refusal(monkeypatch, guard, read, expected):
    if guard == "spawn" and read is _allocate:
        pytest.skip("untouched memory is not used: only a child that fills it can be seen to grow")
    monkeypatch.setenv("IMPACT_READ_GUARD", guard)
    monkeypatch.setenv("IMPACT_READ_MEMORY_MB", str(SMALL_BUDGET_MB))
    monkeypatch.setattr(limits, "READ_SECONDS", 1 if read is _sleep else 10)
    monkeypatch.setattr(limits, "READ_MEMORY_BYTES", SMALL_BUDGET_MB * limits.MB)
    started = time.perf_counter()
    with pytest.raises(Refused, match=expected):
        run_guarded(read)
    fresh = guard == "spawn" or read is _abort  # a crash is tried again in a spawned Python, which starts afresh
    assert time.perf_counter() - started < (30 if fresh else 5)


def _crash_once(flag: str) -> str:
    """Dies the first time (as a reader can under a passing shortage on the machine), reads the second."""
    if not Path(flag).exists():
        Path(flag).write_text("crashed once")
        os._exit(1)
    return "read"


@pytest.mark.parametrize("guard", GUARDS)
def test_a_reader_that_crashed_once_is_tried_again(monkeypatch, tmp_path, guard):
    monkeypatch.setenv("IMPACT_READ_GUARD", guard)
    assert run_guarded(_crash_once, str(tmp_path / "flag")) == "read"


_FORKED = {"from the test": False}  # True in the test's process, and so in a child forked from it


def _crash_if_forked() -> str:
    if _FORKED["from the test"]:
        os.abort()
    return "read afresh"


def test_a_reader_that_crashes_in_a_forked_child_is_tried_again_in_a_new_process(monkeypatch):
    """A forked child inherits its parent's state (its memory, another thread's lock); the second try does not."""
    monkeypatch.setenv("IMPACT_READ_GUARD", "fork")
    monkeypatch.setitem(_FORKED, "from the test", True)
    assert run_guarded(_crash_if_forked) == "read afresh"


@pytest.mark.parametrize("guard", GUARDS)
def test_the_child_returns_what_the_reader_read(monkeypatch, guard):
    monkeypatch.setenv("IMPACT_READ_GUARD", guard)
    assert run_guarded(sorted, [3, 1, 2]) == [1, 2, 3]


def test_the_guard_is_the_fork_with_a_memory_cap_on_linux_and_a_watched_spawn_elsewhere(monkeypatch):
    monkeypatch.delenv("IMPACT_READ_GUARD", raising=False)
    assert limits.guard_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    for other in ("win32", "darwin"):
        monkeypatch.setattr(limits.sys, "platform", other)
        assert limits.guard_method() == "spawn"


def test_the_pipelines_import_where_there_is_no_resource_module():
    """As on Windows: `resource` is POSIX only."""
    code = (
        "import sys; sys.modules['resource'] = None; from pipelines import ingest, limits; print(limits.guard_method())"
    )
    ran = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and ran.stdout.strip() == "spawn", ran.stderr

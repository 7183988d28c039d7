"""Limits that keep any uploaded file, however broken or hostile, from hurting the service.

Each check runs before the step it protects, so the spreadsheet reader never sees a file that could hurt it:

1. the size of each file and of the whole upload (``upload_problems``);
2. for a workbook (a zip): its directory, which must be readable and honest, with few entries, a bounded unpacked size
   and no entry packed like a zip bomb; no XML part declaring a DTD or entities; no sheet whose declared dimension
   is larger than a register can be (``zip_refusal``);
3. the file is then read in a child process with a memory and time budget (``run_guarded``), so a reader that
   crashes, hangs or runs out of memory costs only a refusal; there each sheet's size is checked before its cells
   become Python objects, and each cell's length after;
4. the whole upload's cells and characters stay within a budget (``UploadBudget``);
5. when the cells are validated: ids, names and other stored text have a maximum length, numbers are finite and in a
   sane range, control characters are removed (pipelines/cells.py).

Every limit breached becomes a Problem saying what is wrong, where, and what to do; nothing is loaded.
The sizes can be changed with environment variables (IMPACT_MAX_FILE_MB, IMPACT_MAX_UPLOAD_MB, IMPACT_READ_SECONDS,
IMPACT_READ_MEMORY_MB) or by setting the constants below.

The child process uses what each system offers (``guard_method``). On Linux it is forked and its address space
capped (RLIMIT_AS), so that an allocation beyond the budget fails inside it. Elsewhere (Windows, macOS, where there
is no RLIMIT_AS that holds, and forking a process with threads is unsafe) it is spawned, and the parent watches its
memory while it waits, ending it once it uses more than the budget: with psutil when it is installed, else from
/proc or `ps`; on Windows without psutil only the time limit applies. IMPACT_READ_GUARD=spawn forces the second
way (the tests run both).
"""

from __future__ import annotations

import faulthandler
import io
import multiprocessing
import os
import re
import subprocess
import sys
import time
import types
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TypeVar

from defusedxml import ElementTree

from pipelines.problems import Problem

try:
    import resource  # POSIX only
except ImportError:
    resource = None
try:
    import psutil  # optional: a process's memory on every system, when installed
except ImportError:
    psutil = None

MB = 1024 * 1024


def _setting(name: str, default: int) -> int:
    """A whole-number limit from the environment variable ``name``, else ``default``."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


MAX_FILE_BYTES = _setting("IMPACT_MAX_FILE_MB", 50) * MB
MAX_UPLOAD_BYTES = _setting("IMPACT_MAX_UPLOAD_MB", 100) * MB
READ_SECONDS = _setting("IMPACT_READ_SECONDS", 60)
READ_MEMORY_BYTES = _setting("IMPACT_READ_MEMORY_MB", 768) * MB  # on top of what the app already uses

MAX_ZIP_ENTRIES = 1_000  # a workbook has a dozen parts, and two or three more per sheet
MAX_UNPACKED_BYTES = 500 * MB
MAX_PACKING_RATIO = 100  # real sheets pack 10 to 20 times; a zip bomb of zeros a thousand times
RATIO_FROM_BYTES = 1 * MB  # small parts may pack better than that, harmlessly
XML_HEAD_BYTES = 64 * 1024  # where a DTD, entity declaration or sheet dimension would be

MAX_ROWS = 1_000_000
MAX_COLUMNS = 200  # a register has tens of columns, a funder's 360Giving file under a hundred
MAX_CELLS = 2_000_000  # per file: rows times columns, empty cells included
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_UPLOAD_CELLS = 4_000_000
MAX_UPLOAD_CHARS = 100_000_000
MAX_JSON_DEPTH = 50  # a 360Giving package nests four or five deep

ID_CHARS = 64
NAME_CHARS = 200  # activity, funder, grant title, venue: what a chart or table shows; a field may allow more
LARGEST_NUMBER = 1e10  # ten billion pounds, minutes or people: beyond anything a charity records
ANY_NUMBER = (-LARGEST_NUMBER, LARGEST_NUMBER)  # a number field's range, unless the field states a narrower one

RESAVE = "Open it in Excel and use File › Save As › Excel Workbook (.xlsx), then upload that file."
SMALLER = "If the data really is this large, split it into several files, e.g. one per quarter."


class Refused(Exception):
    """The file is refused before or while being read; the message says what is wrong and what to do."""


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"


# 1. Sizes -----------------------------------------------------------------------------------------


def upload_problems(files: Sequence[tuple[str, bytes]]) -> list[Problem]:
    """Files over the size limit, and the file that takes the upload over its limit."""
    problems = [
        Problem(
            name,
            expected=f"The file is {megabytes(len(data))}, over the {megabytes(MAX_FILE_BYTES)} limit for one file. "
            f"Delete sheets, rows or pictures the dashboard does not need. {SMALLER}",
        )
        for name, data in files
        if len(data) > MAX_FILE_BYTES
    ]
    total = 0
    for name, data in files:
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            problems.append(
                Problem(
                    name,
                    expected=f"With this file the upload comes to {megabytes(total)}, over the "
                    f"{megabytes(MAX_UPLOAD_BYTES)} limit for one upload. Upload the files in smaller batches.",
                )
            )
            break
    return problems


# 2. The zip directory of a workbook ---------------------------------------------------------------

DAMAGED = f"The file is damaged or is not really an Excel workbook. {RESAVE}"
_DECLARATIONS = tuple(word.encode(enc) for word in ("<!doctype", "<!entity") for enc in ("utf-8", "utf-16-le"))
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']{1,40})[\"']")
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")


def zip_refusal(data: bytes) -> str | None:
    """Why a workbook's zip cannot be read safely, from its directory and the start of its XML parts; None if it can."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            return _directory_refusal(entries) or _parts_refusal(archive, entries)
    except Exception:  # zipfile raises many types (BadZipFile, zlib.error, EOFError, ...) for a damaged or lying zip
        return DAMAGED


def _directory_refusal(entries: list[zipfile.ZipInfo]) -> str | None:
    if len(entries) > MAX_ZIP_ENTRIES:
        return f"The workbook has {len(entries):,} parts inside it; an Excel workbook has far fewer. {RESAVE}"
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        return (
            f"The workbook unpacks to {megabytes(unpacked)}, over the {megabytes(MAX_UNPACKED_BYTES)} that can be "
            f"read. {SMALLER}"
        )
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_PACKING_RATIO * max(entry.compress_size, 1):
            return (
                f"The workbook's part {entry.filename!r} unpacks to {entry.file_size / max(entry.compress_size, 1):,.0f}"
                f" times its packed size, as a 'zip bomb' does; a real sheet packs far less. {RESAVE}"
            )
    return None


def _parts_refusal(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> str | None:
    sheets = _sheet_names(archive)
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(entry) as part:
            head = part.read(XML_HEAD_BYTES)
        if any(word in head.lower() for word in _DECLARATIONS):
            return (
                f"The workbook's part {entry.filename!r} declares a DTD or entities, which Excel never writes and "
                f"which can be used to attack a server. {RESAVE}"
            )
        found = _DIMENSION.search(head)
        if found:
            refusal = _dimension_refusal(sheets.get(entry.filename, entry.filename), found.group(1).decode("ascii"))
            if refusal:
                return refusal
    return None


def _dimension_refusal(sheet: str, ref: str) -> str | None:
    """Refusal of a sheet whose declared used range (e.g. 'A1:XFD1048576') is larger than can be read."""
    corners = _CELL_REF.findall(ref.upper())
    if not corners:
        return None
    column, row = max(_column_number(letters) for letters, _ in corners), max(int(r) for _, r in corners)
    if row <= MAX_ROWS and column <= MAX_COLUMNS and row * column <= MAX_CELLS:
        return None
    return (
        f"Sheet {sheet!r} says it uses cells up to {corners[-1][0]}{corners[-1][1]}: {row:,} rows and {column:,} "
        f"columns. At most {MAX_ROWS:,} rows, {MAX_COLUMNS} columns and {MAX_CELLS:,} cells can be read. If the data "
        "is smaller, Excel is keeping empty rows or columns as used: select the empty rows below the data and the "
        "empty columns to its right, delete them (right-click › Delete), save and upload again."
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


_RELATIONS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_RELATIONS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name, e.g. 'xl/worksheets/sheet1.xml' -> 'Register', from the workbook's own index.

    Parsed with defusedxml, which refuses DTDs and entities; a part too large or unreadable just gives no names.
    """
    try:
        book = ElementTree.fromstring(_small_part(archive, "xl/workbook.xml"), forbid_dtd=True)
        links = ElementTree.fromstring(_small_part(archive, "xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:  # names only improve messages: any damage is reported by the reader itself
        return {}
    targets = {link.get("Id"): link.get("Target", "") for link in links.iter(f"{_RELATIONS}Relationship")}
    names = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet") and sheet.get(f"{_OFFICE_RELATIONS}id") in targets:
            target = targets[sheet.get(f"{_OFFICE_RELATIONS}id")]
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            names[path] = sheet.get("name", path)
    return names


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > MB:
        raise Refused(f"{name} is too large to be a workbook index")
    return archive.read(name)


# 3. Reading in a child process with a memory and time budget ------------------------------------

T = TypeVar("T")


WATCH_SECONDS = 0.05  # how often the parent looks at a spawned child's memory


def guard_method() -> str:
    """'fork' (a forked child with its address space capped) on Linux, else 'spawn' (a new process whose memory
    the parent watches); IMPACT_READ_GUARD=fork or spawn chooses."""
    forced = os.environ.get("IMPACT_READ_GUARD", "").strip().lower()
    if forced in ("fork", "spawn"):
        return forced
    linux = sys.platform.startswith("linux") and hasattr(os, "fork")
    return "fork" if linux and resource is not None and hasattr(resource, "RLIMIT_AS") else "spawn"


def run_guarded(read: Callable[..., T], *args: object) -> T:
    """``read(*args)`` in a child process limited to READ_MEMORY_BYTES more memory and READ_SECONDS.

    A crash (the spreadsheet reader aborts when it cannot allocate), a timeout or running out of memory raises
    Refused; the app itself is never at risk. A crash is tried once more, in a new Python process, before the file
    is refused: a forked child can die of what it inherits (the machine's state at that moment, or the parent's
    memory and locks), while a hostile file crashes the reader every time. On Linux that process's address space
    is capped too. Forking and passing the cells back cost about 20 to 50 ms a file; spawning (``guard_method``)
    costs a second or so more, to start Python afresh. ``read`` must be a module's function, so that a spawned
    child can find it.
    """
    method = guard_method()
    outcome, value = _guarded(read, args, method, capped=method == "fork")
    if outcome == "crashed":
        outcome, value = _guarded(read, args, "spawn", capped=method == "fork")
    if outcome != "ok":
        raise Refused(_child_refusal(outcome, value))
    return value


def _guarded(read: Callable[..., T], args: tuple, method: str, capped: bool) -> tuple[str, object]:
    """One try of ``run_guarded`` in a child started by ``method``: the child's outcome and what it sent. A
    ``capped`` child caps its own address space; the parent watches the memory of one that is not."""
    context = multiprocessing.get_context(method)
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, read, args, capped), daemon=True)
    with _bare_main() if method == "spawn" else nullcontext():
        child.start()
    sending.close()
    try:
        outcome, value = _outcome(receiving) if capped else _watched(receiving, child)
    except (EOFError, OSError):
        outcome, value = "crashed", None
    finally:
        receiving.close()
        child.kill()
        child.join()
    return outcome, value


@contextmanager
def _bare_main() -> Iterator[None]:
    """While a child is started, a ``__main__`` without a file: a spawned child imports the parent's main module
    again, and under Streamlit that is the page being run (its script, with the database connection, in the child).
    Restored unless a page run has installed its own meanwhile."""
    main, bare = sys.modules["__main__"], types.ModuleType("__main__")
    sys.modules["__main__"] = bare
    try:
        yield
    finally:
        if sys.modules.get("__main__") is bare:
            sys.modules["__main__"] = main


def _outcome(receiving, seconds: float | None = None) -> tuple[str, object]:
    """What the child sent within ``seconds`` (READ_SECONDS); a forked child's memory is capped inside it."""
    if not receiving.poll(READ_SECONDS if seconds is None else seconds):
        raise _too_slow()
    return receiving.recv()


def _watched(receiving, child) -> tuple[str, object]:
    """What a spawned child sent, or 'memory' once it uses READ_MEMORY_BYTES more than when it was ready to read."""
    deadline = time.monotonic() + READ_SECONDS
    started, detail = _outcome(receiving)
    if started != "started":
        return started, detail
    ready = _rss(child.pid)
    while not receiving.poll(WATCH_SECONDS):
        if time.monotonic() > deadline:
            raise _too_slow()
        used = _rss(child.pid)
        if ready is not None and used is not None and used > ready + READ_MEMORY_BYTES:
            return "memory", None
    return receiving.recv()


def _too_slow() -> Refused:
    return Refused(
        f"Reading the file took longer than {READ_SECONDS} seconds, far longer than a register needs. {SMALLER}"
    )


_RSS_ERRORS = (OSError, ValueError, subprocess.SubprocessError, *((psutil.Error,) if psutil else ()))


def _rss(pid: int) -> int | None:
    """The memory a process uses (resident set size, bytes), or None where it cannot be read."""
    try:
        if psutil is not None:
            return psutil.Process(pid).memory_info().rss
        if os.path.exists(f"/proc/{pid}/statm"):
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        if sys.platform == "darwin":
            found = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
            return int(found.stdout.strip()) * 1024 if found.stdout.strip().isdigit() else None
    except _RSS_ERRORS:  # the process has just ended, or its memory cannot be read here
        return None
    return None


def _child_refusal(outcome: str, detail: str | None) -> str:
    if outcome == "memory":
        return (
            f"Reading the file needed more than {megabytes(READ_MEMORY_BYTES)} of memory: it holds far more than a "
            f"register (a very long cell repeated many times, or cells far below or to the right of the data). {SMALLER}"
        )
    if outcome == "error":
        return f"The file could not be read ({detail}). {RESAVE}"
    return (
        "The file could not be read: the reader stopped, most likely because the file asks for far more memory than "
        f"a register needs (cells far below or to the right of the data), or it is damaged. {RESAVE}"
    )


def _child(sending, read: Callable[..., object], args: tuple, cap_memory: bool) -> None:
    """Runs in the child: whatever happens, the parent receives an outcome or sees the pipe close. ``cap_memory``:
    cap the address space here (on Linux); elsewhere the parent watches the child's memory."""
    _silence_errors()
    if cap_memory:
        _limit_memory()
    else:
        sending.send(("started", None))  # the parent notes the memory used now, and watches it grow
    try:
        result = ("ok", read(*args))
    except MemoryError:
        result = ("memory", None)
    except Exception as error:  # a reader's unexpected error in a hostile file becomes a refusal, never a traceback
        result = ("error", f"{type(error).__name__}: {str(error)[:200]}")
    except BaseException:  # the reader's own panic, e.g. when Python cannot allocate a cell within the budget
        result = ("crashed", None)
    try:
        sending.send(result)
    except MemoryError:
        sending.send(("memory", None))


def _silence_errors() -> None:
    """The reader's own last words (e.g. 'memory allocation failed') would only clutter the app's log."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (open until the child exits)


def _limit_memory() -> None:
    """Cap this process's address space at what it uses now plus READ_MEMORY_BYTES (Linux)."""
    try:
        with open("/proc/self/statm") as statm:
            in_use = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = in_use + READ_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


# 4. The upload's budget of cells and characters --------------------------------------------------


@dataclass
class UploadBudget:
    """Cells and characters read so far in one upload, so that many small files cannot add up to too much."""

    cells: int = 0
    chars: int = 0

    def spend(self, name: str, grids: Sequence[object]) -> list[Problem]:
        """Count a file's grids; a problem once the upload is over its budget."""
        for grid in grids:
            cells, chars = grid.size()
            self.cells += cells
            self.chars += chars
        if self.cells <= MAX_UPLOAD_CELLS and self.chars <= MAX_UPLOAD_CHARS:
            return []
        return [
            Problem(
                name,
                expected=f"With this file the upload holds {self.cells:,} cells and {self.chars:,} characters, over "
                f"the {MAX_UPLOAD_CELLS:,} cells or {MAX_UPLOAD_CHARS:,} characters one upload may hold. "
                "Upload the files in smaller batches.",
            )
        ]

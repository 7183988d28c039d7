"""Reading a wellbeing sheet: which columns hold which questionnaire's answers, and each row's answers scored by
its questionnaire's record (pipelines/measures.py), a column at a time where the sheet allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import numpy as np

from pipelines import cells, words
from pipelines.cells import CellError
from pipelines.measures import INSTRUMENTS, Questionnaire, score, score_total, scores
from pipelines.rows import Column, Record, Rows, Sheet, cell, clean_records
from pipelines.vocab import norm_key

_NAMED_ITEMS = {
    norm_key(f"{prefix}{item}"): (q.key, i)
    for q in INSTRUMENTS.values()
    for i, item in enumerate(q.item_names, 1)
    for prefix in ("", f"{q.name} ", *(f"{other} " for other in q.other_names))
}  # a question asked by name may head its column alone ('Happy'), or after the questionnaire's name ('ONS4 happy')
_MEASURE_KEYS = sorted(INSTRUMENTS, key=len, reverse=True)


def item_column(header: object) -> tuple[str, int | None] | None:
    """(instrument key, item number) for a wide questionnaire column; item None for a total."""
    key = norm_key(header)
    if key in _NAMED_ITEMS:
        return _NAMED_ITEMS[key]
    for measure in _MEASURE_KEYS:
        if key.startswith(measure):
            rest = key[len(measure) :]
            if rest in ("total", "score", "totalscore"):
                return measure, None
            found = re.fullmatch(r"(?:q|item|question)?(\d{1,2})", rest)
            if found and 1 <= int(found.group(1)) <= INSTRUMENTS[measure].items:
                return measure, int(found.group(1))
    return None


def long_item_column(header: object) -> int | None:
    """Item number of a long-layout column such as ``item_3`` or ``Q3``."""
    found = re.fullmatch(r"(?:item|q|question)(\d{1,2})", norm_key(header))
    return int(found.group(1)) if found else None


def read_wellbeing(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    """Each row's questionnaires scored, one record per score, in the wide or the long layout
    (docs/data-contract.md#wellbeing)."""
    missing_item_rows = 0
    long_layout = any(c.field and c.field.name == "measure" for c in columns)
    instruments = {} if long_layout else _wide_columns(columns)
    wide = {} if long_layout else _wide_scores(instruments, rows)
    for number, place, record in clean_records(sheet, columns, rows, ("date",)):
        found = wide.get(number)
        if found is None:  # the long layout, or a row with something to explain
            row = rows.row(place)
            answers = (
                _long_answers(sheet, columns, number, row, record) if long_layout else _wide_answers(instruments, row)
            )
            found = None if answers is None else _score_row(sheet, columns, number, answers)
        if found is None:
            continue
        missing_item_rows += any(s["score"] is None for s in found)
        base = {
            "source_row": number,
            "participant_id": record["participant_id"],
            "date": record["date"],
            "activity": record.get("activity"),
        }
        sheet.records.extend({**base, **s} for s in found)
    if missing_item_rows:
        sheet.notes.append(
            f"{words.counted(missing_item_rows, 'questionnaire')} in sheet {sheet.sheet or sheet.file!r} "
            f"{'has' if missing_item_rows == 1 else 'have'} a missing answer, so that measure has no score for "
            f"{'it' if missing_item_rows == 1 else 'them'} (CORE-10 allows one missing answer, prorated)."
        )


Answers = dict[str, tuple[dict[int, tuple[object, Column]], tuple[object, Column] | None]]
WideColumns = dict[str, tuple[dict[int, Column], Column | None]]  # instrument key -> (item -> column, total column)


def _wide_scores(instruments: WideColumns, rows: Rows) -> dict[int, list[Record]]:
    """Row number -> score records of each wide-layout row, worked out a column at a time.

    A row with an answer out of range, a total that is not one or that disagrees with the answers is left out:
    _score_row looks at it alone and says what is wrong.
    """
    found: dict[int, list[Record]] = {number: [] for number in rows.numbers}
    for key, (items, total_column) in instruments.items():
        instrument = INSTRUMENTS[key]
        answers, blank, wrong = _answer_matrix(instrument, items, rows)
        total, total_blank, total_wrong = _column_array(partial(_total_cell, instrument), total_column, rows)
        missing = blank.sum(axis=1)
        whole = np.all(np.isnan(answers) | (answers == np.round(answers)), axis=1)  # so sums are exact
        adds_up = (missing > 0) | total_blank | (whole & (np.nansum(answers, axis=1) == total))
        explain = wrong.any(axis=1) | total_wrong | ~adds_up
        skipped = blank.all(axis=1) & total_blank
        scored = {m: s.tolist() for m, s in scores(instrument, answers).items()}
        derived = {m: instrument.derives(m) for m in scored}
        given = answers.tolist()
        for i, number in enumerate(rows.numbers):
            if number not in found or skipped[i]:
                continue
            if explain[i]:
                del found[number]
            elif missing[i] == instrument.items:
                found[number] += [
                    _score_record(m, v, [], instrument.items, instrument.derives(m))
                    for m, v in score_total(instrument, float(total[i])).items()
                ]
            else:
                items_given = [None if v != v else v for v in given[i]] if missing[i] else given[i]
                found[number] += [
                    _score_record(m, None if v[i] != v[i] else v[i], items_given, int(missing[i]), derived[m])
                    for m, v in scored.items()
                ]
    return {number: _without_derived_twice(records) for number, records in found.items()}


def _wide_columns(columns: list[Column]) -> WideColumns:
    """Instrument key -> (item number -> column, total column), in the order the sheet first names each."""
    found: WideColumns = {}
    for column in columns:
        if column.item is None:
            continue
        key, item = column.item
        items, total = found.setdefault(key, ({}, None))
        found[key] = (items, column) if item is None else ({**items, item: column}, total)
    return found


def _answer_matrix(
    instrument: Questionnaire, items: dict[int, Column], rows: Rows
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(answers, blank, wrong): one row per sheet row, one column per item; NaN where blank or not understood."""
    parts = [
        _column_array(partial(_answer_cell, instrument, n), items.get(n), rows) for n in range(1, instrument.items + 1)
    ]
    return tuple(np.column_stack([part[k] for part in parts]) for k in range(3))


def _column_array(
    read: Callable[[object], tuple[float, bool, bool]], column: Column | None, rows: Rows
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank, wrong) of a column's cells as arrays, each distinct cell read once; all blank if no column."""
    if column is None:
        return np.full(len(rows), np.nan), np.ones(len(rows), bool), np.zeros(len(rows), bool)
    codes, distinct = rows.distinct(column.index)
    found = np.array([read(value) for value in distinct], dtype=float).reshape(-1, 3)[codes]
    return found[:, 0], found[:, 1] == 1, found[:, 2] == 1


def _answer_cell(instrument: Questionnaire, item: int, raw: object) -> tuple[float, bool, bool]:
    if cells.is_blank(raw):
        return np.nan, True, False
    value = instrument.answer(item, raw)
    if value is None or not instrument.low <= value <= instrument.high:
        return np.nan, False, True
    return value, False, False


def _total_cell(instrument: Questionnaire, raw: object) -> tuple[float, bool, bool]:
    if cells.is_blank(raw):
        return np.nan, True, False
    low, high = instrument.total_range
    try:
        total = cells.number(raw)
    except CellError:
        return np.nan, False, True
    return (total, False, False) if low <= total <= high and total.is_integer() else (np.nan, False, True)


def _without_derived_twice(records: list[Record]) -> list[Record]:
    """A score worked out from another questionnaire gives way to the same measure given directly in the row."""
    direct = {r["measure"] for r in records if not r["derived"]}
    return [r for r in records if not (r["derived"] and r["measure"] in direct)]


def _wide_answers(instruments: WideColumns, row: list[object]) -> Answers:
    """Each questionnaire's answers in a row of the wide layout, each with its column."""
    return {
        key: ({n: (cell(row, c), c) for n, c in items.items()}, None if total is None else (cell(row, total), total))
        for key, (items, total) in instruments.items()
    }


def _long_answers(
    sheet: Sheet, columns: list[Column], number: int, row: list[object], record: Record
) -> Answers | None:
    key = norm_key(record.get("measure") or "")
    measure_column = next(c for c in columns if c.field and c.field.name == "measure")
    items = {c.long_item: (cell(row, c), c) for c in columns if c.long_item}
    total_column = next((c for c in columns if c.field and c.field.name == "total"), None)
    total = (cell(row, total_column), total_column) if total_column else None
    if key in INSTRUMENTS:
        return {key: (items, total)}
    if not key and all(cells.is_blank(v) for v, _ in [*items.values(), *([total] if total else [])]):
        return {}  # nothing answered: skipped, as a blank questionnaire is in the wide layout
    sheet.problem(
        number,
        f"Expected one of the measures: {', '.join(i.name for i in INSTRUMENTS.values())}.",
        measure_column,
        record.get("measure"),
    )
    return None


def _score_row(sheet: Sheet, columns: list[Column], number: int, answers: Answers) -> list[Record] | None:
    records: list[Record] = []
    ok = True
    for key, (items, total_cell) in answers.items():
        instrument = INSTRUMENTS[key]
        given = {n: v for n, v in items.items() if n <= instrument.items}
        if all(cells.is_blank(v) for v, _ in given.values()) and (total_cell is None or cells.is_blank(total_cell[0])):
            continue
        values: list[float | None] = []
        for n in range(1, instrument.items + 1):
            raw, column = given.get(n, (None, None))
            value = None if cells.is_blank(raw) else instrument.answer(n, raw)
            if not cells.is_blank(raw) and (value is None or not instrument.low <= value <= instrument.high):
                words = f" or the words: {', '.join(instrument.words)}" if instrument.words else ""
                sheet.problem(
                    number,
                    f"Expected a whole-number answer from {instrument.low} to {instrument.high}{words}.",
                    column,
                    raw,
                )
                ok = False
            values.append(value)
        total = _read_total(sheet, number, instrument, total_cell)
        if total is False:
            ok = False
            continue
        scored = _scores(sheet, number, instrument, values, given, total, total_cell)
        if scored is None:
            ok = False
            continue
        records.extend(scored)
    return _without_derived_twice(records) if ok else None


def _read_total(sheet: Sheet, number: int, instrument, total_cell) -> float | None | bool:
    """A row's total (None where blank), or False with the problem noted where it is not one (``_total_cell``)."""
    if total_cell is None:
        return None
    raw, column = total_cell
    total, blank, wrong = _total_cell(instrument, raw)
    if wrong:
        low, high = instrument.total_range
        sheet.problem(
            number, f"Expected a {instrument.name} total: a whole number from {low:g} to {high:g}.", column, raw
        )
        return False
    return None if blank else total


def _scores(sheet, number, instrument, values, given, total, total_cell) -> list[Record] | None:
    answered = sum(v is not None for v in values)
    missing = instrument.items - answered
    if answered == 0 and total is None:  # every answer given was not one, each said: nothing to score
        return None
    if answered == 0:
        return [
            _score_record(m, s, [], instrument.items, instrument.derives(m))
            for m, s in score_total(instrument, total).items()
        ]
    if total is not None and missing == 0 and sum(values) != total:
        sheet.problem(
            number,
            f"The answers in this row add up to {sum(values):g}, not {total:g}. Check the answers or the total.",
            total_cell[1],
            total_cell[0],
        )
        return None
    return [_score_record(m, s, values, missing, instrument.derives(m)) for m, s in score(instrument, values).items()]


def _score_record(measure: str, value: float | None, items: list[float | None], missing: int, derived: bool) -> Record:
    return {"measure": measure, "score": value, "items": items or None, "missing_items": missing, "derived": derived}

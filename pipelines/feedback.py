"""What participants say: the NHS Friends and Family Test (docs/metrics.md#friends-and-family-test).

Share positive = (Very good + Good) ÷ all responses, "Don't know" included in all responses, as NHS England works
out the FFT percentage positive; share negative = (Poor + Very poor) ÷ all responses. Each with a 95% Wilson interval.
A response can be anonymous, so responses are compared with the people reached in words, never as a rate.
"""

from __future__ import annotations

import pandas as pd

from pipelines.disclosure import Disclosure
from pipelines.periods import quarters
from pipelines.query import ACTIVITY_MATCH, Con, Filters, fetch_frame, fetch_rows, periods_table, sql_params
from pipelines.reach import reach
from pipelines.stats import wilson
from pipelines.vocab import FFT, FFT_POSITIVE

NEGATIVE = ("Poor", "Very poor")
ANSWERS = tuple(FFT.values)  # in the order NHS England codes them, 1 to 6
WHOLE_SERVICE = "The service as a whole"  # a response recorded without an activity
FEEDBACK_SQL = f"SELECT * FROM feedback WHERE date BETWEEN $start AND $end AND {ACTIVITY_MATCH}"
COUNT_COLUMNS = f"""count(answer) AS responses,
    count(answer) FILTER (WHERE answer IN {FFT_POSITIVE}) AS positive,
    count(answer) FILTER (WHERE answer IN {NEGATIVE}) AS negative,
    count(answer) FILTER (WHERE answer = 'Don''t know') AS dont_know"""  # every response has an answer
SOURCE = (
    "Share positive: Very good and Good answers as a share of all answers, Don't know included, as NHS England "
    "works out the Friends and Family Test percentage positive."
)


def with_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Exact shares positive and negative of all responses, with the 95% Wilson interval of the share positive."""
    n = frame["responses"]
    low_high = [wilson(k, r) if r else (None, None) for k, r in zip(frame["positive"], n, strict=True)]
    return frame.assign(
        share_positive=(frame["positive"] / n.where(n > 0)).astype("float64"),
        share_negative=(frame["negative"] / n.where(n > 0)).astype("float64"),
        low=pd.Series([lo for lo, _ in low_high], index=frame.index, dtype="float64"),
        high=pd.Series([hi for _, hi in low_high], index=frame.index, dtype="float64"),
    )


def totals(con: Con, f: Filters) -> dict:
    """Responses in the period, positive, negative and don't know, the exact shares and the interval."""
    found = fetch_frame(con, f"SELECT {COUNT_COLUMNS} FROM ({FEEDBACK_SQL})", sql_params(f))
    row = with_shares(found).iloc[0]
    return {
        "responses": int(row["responses"]),
        "positive": int(row["positive"]),
        "negative": int(row["negative"]),
        "dont_know": int(row["dont_know"]),
        "share_positive": None if pd.isna(row["share_positive"]) else float(row["share_positive"]),
        "share_negative": None if pd.isna(row["share_negative"]) else float(row["share_negative"]),
        "interval": None if pd.isna(row["low"]) else [float(row["low"]), float(row["high"])],
    }


def answers(con: Con, f: Filters) -> pd.DataFrame:
    """Responses per answer, every answer listed in NHS England's order (0 where none)."""
    found = dict(fetch_rows(con, f"SELECT answer, count(*) FROM ({FEEDBACK_SQL}) GROUP BY 1", sql_params(f)))
    return pd.DataFrame({"answer": ANSWERS, "responses": [found.get(a, 0) for a in ANSWERS]})


def by_quarter(con: Con, f: Filters) -> pd.DataFrame:
    """Exact counts and shares per financial quarter of the period (every quarter listed)."""
    return _with_shares(
        con,
        f,
        f"""SELECT q.quarter, {COUNT_COLUMNS}
        FROM {periods_table(quarters(f.period))} LEFT JOIN ({FEEDBACK_SQL}) x ON x.date BETWEEN q_start AND q_end
        GROUP BY q.quarter, q.q_start ORDER BY q.q_start""",
    )


def by_activity(con: Con, f: Filters) -> pd.DataFrame:
    """Exact counts and shares per activity, most responses first; responses without one are the service as a whole."""
    return _with_shares(
        con,
        f,
        f"""SELECT coalesce(activity, '{WHOLE_SERVICE}') AS activity, {COUNT_COLUMNS}
        FROM ({FEEDBACK_SQL}) GROUP BY 1 ORDER BY responses DESC, 1""",
    )


def _with_shares(con: Con, f: Filters, sql: str) -> pd.DataFrame:
    """The groups' exact counts (``sql``, of COUNT_COLUMNS) under the filters, with their shares (``with_shares``)."""
    return with_shares(fetch_frame(con, sql, sql_params(f)))


# As a page may show them ------------------------------------------------------------------------------------------


def answer_parts(
    disclosure: Disclosure, positive: int, negative: int, dont_know: int, responses: int, key: str | None = None
) -> pd.DataFrame:
    """One row's answers as parts of its responses (``Disclosure.parts``): positive, neither, negative and don't know,
    small ones hidden with secondary suppression, don't know hidden first and positive last."""
    counts = {
        "positive": positive,
        "neither": responses - positive - negative - dont_know,
        "negative": negative,
        "don't know": dont_know,
    }
    return disclosure.parts(counts, keep=("positive",), key=f"{key} answers" if key else None, whole=key)


def made_safe(exact: pd.DataFrame, disclosure: Disclosure, group_col: str, f: Filters) -> pd.DataFrame:
    """Rows of exact counts as a page may show them: responses labelled ('<8', '–') with secondary suppression
    across rows; each row's shares only for published answer groups (``answer_parts``) of enough responses, worked
    out from the published counts; and where exactly one row's share positive is withheld, another's too, so that
    it cannot be worked out from the period's."""
    key = f.key(f"feedback by {group_col}")
    safe = disclosure.groups(exact, "responses", group_col=group_col, key=key, whole=f.key("feedback"))
    split = [
        answer_parts(disclosure, *counts, key=f"{key}:{name}")
        for *counts, name in zip(
            exact["positive"], exact["negative"], exact["dont_know"], exact["responses"], exact[group_col], strict=True
        )
    ]
    positive = pd.Series([_share(p, "positive") for p in split], index=exact.index, dtype="float64")
    negative = pd.Series([_share(p, "negative") for p in split], index=exact.index, dtype="float64")
    shown = positive.notna() & ~safe["hidden"]
    if ((~shown) & (exact["responses"] > 0)).sum() == 1 and shown.any():
        shown[exact["responses"].where(shown).idxmin()] = False
    intervals = [
        _interval(disclosure, k, n) if ok else (None, None)
        for k, n, ok in zip(exact["positive"], exact["responses"], shown, strict=True)
    ]
    return pd.DataFrame(
        {
            group_col: exact[group_col],
            "responses": safe["responses"],
            "label": safe["label"],
            "hidden": safe["hidden"],
            "share_positive": positive.where(shown),
            "share_negative": negative.where(~safe["hidden"]),
            "low": pd.Series([lo for lo, _ in intervals], index=exact.index, dtype="float64"),
            "high": pd.Series([hi for _, hi in intervals], index=exact.index, dtype="float64"),
        }
    )


def _share(split: pd.DataFrame, part: str) -> float | None:
    """A part's share of the row's responses, None where hidden or the row has too few responses."""
    value = split.loc[part, "share"]
    return None if pd.isna(value) else float(value)


def _interval(disclosure: Disclosure, positive: int, responses: int) -> tuple[float | None, float | None]:
    """The Wilson interval from the published counts (rounded in export)."""
    k, n = disclosure.count(positive), disclosure.count(responses)
    return wilson(k, n) if k is not None and n else (None, None)


def quarterly(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    return made_safe(by_quarter(con, f), disclosure, "quarter", f)


def activities(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    return made_safe(by_activity(con, f), disclosure, "activity", f)


def headline(con: Con, f: Filters, disclosure: Disclosure) -> dict:
    """The period's figures as a page may show them: responses labelled, each share only for a published answer
    group (``answer_parts``), the interval with the share positive; and the people reached beside them."""
    exact = totals(con, f)
    split = answer_parts(
        disclosure, exact["positive"], exact["negative"], exact["dont_know"], exact["responses"], f.key("feedback")
    )
    shown = _share(split, "positive") is not None
    return {
        "responses": disclosure.count(exact["responses"], f.key("feedback")),
        "responses_label": disclosure.label(exact["responses"], f.key("feedback")),
        "share_positive": _share(split, "positive"),
        "share_negative": _share(split, "negative"),
        "negative_label": split.loc["negative", "label"],
        "interval": list(_interval(disclosure, exact["positive"], exact["responses"])) if shown else None,
        "reached_label": disclosure.label(reach(con, f)["reached"], f.key("reached")),
    }


def responses_in_words(found: dict) -> str:
    """'212 answers from 527 people reached (…not a response rate per person).'"""
    if found["responses_label"] == "0":
        return "No Friends and Family Test answers are recorded for this period."
    return (
        f"{found['responses_label']} answers from {found['reached_label']} people reached (a response can be "
        "anonymous, so this is not a response rate per person)."
    )


def in_words(found: dict) -> str:
    """The share positive with its interval and the share negative, in one sentence; or why it is not shown."""
    if found["responses_label"] == "0":
        return responses_in_words(found)
    if found["share_positive"] is None:
        return (
            f"{responses_in_words(found)} The share positive is not shown: too few answers, or too few of one kind, "
            "and it could identify someone."
        )
    low, high = found["interval"]
    said = (
        f"{found['share_positive']:.0%} said their experience was good or very good "
        f"(95% interval {low:.0%} to {high:.0%})"
    )
    if found["share_negative"] is not None:
        said += f"; {found['share_negative']:.0%} said poor or very poor"
    elif found["negative_label"].startswith("<"):
        said += f"; {found['negative_label']} answers said poor or very poor"
    return f"{said}. {responses_in_words(found)}"


def summary(con: Con, f: Filters) -> dict:
    """For the summary: responses, the exact shares and the interval (staff only, unsuppressed)."""
    found = totals(con, f)
    return {k: found[k] for k in ("responses", "share_positive", "share_negative", "interval")}

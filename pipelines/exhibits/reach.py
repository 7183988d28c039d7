"""Reach's charts and tables: people reached by quarter, by activity, sessions and referral route, who they are,
how that compares with the population, Core20 and the Five Ways."""

from __future__ import annotations

import pandas as pd

from pipelines import charts, reach, ways, words
from pipelines.charts.ways import people_by_way
from pipelines.dimensions import BY_KEY
from pipelines.exhibits import Exhibit
from pipelines.query import Filters

CORE20_TITLE = "People reached living in the most deprived 20% of areas"


def reached_by_quarter(f: Filters) -> Exhibit:
    """People reached each quarter, new and returning, as stacked bars; as a table, with attendances and sessions."""
    return Exhibit(
        "People reached by quarter",
        f,
        reach.quarterly,
        (f,),
        describe=lambda t: (
            "Stacked bars of the people reached each quarter, new and returning: "
            f"{words.listed(t['quarter'], t['reached_label'])}."
        ),
        draw=lambda t, d: charts.reach_over_quarters(t, f.description, d.hidden_note(t), d.rounded),
        shape=lambda t: pd.DataFrame(
            {
                "quarter": t["quarter"],
                "people reached": t["reached_label"],
                "new": t["new_label"],
                "returning": t["returning_label"],
                "attendances": t["attendances"].map("{:,}".format),
                "did not attend": t["dna_rate"].map(words.share),
                "sessions": t["sessions_delivered"].map("{:,}".format),
            }
        ),
    )


def _bars(
    f: Filters, what: str, title: str, groups: str, source, args: tuple, part: str | None = None, caveat: str = ""
) -> Exhibit:
    """A bar chart of people per group, every group labelled, and the same as a table whose first column is named
    ``groups``."""
    return Exhibit(
        what,
        f,
        source,
        args,
        part=part,
        describe=lambda t: f"Bar chart of {title.lower()}: {words.listed(t['group'], t['label'])}.",
        draw=lambda t, d: charts.group_bars(t, title, f.description, d.hidden_note(t), caveat),
        shape=lambda t: pd.DataFrame(
            {
                groups[0].upper() + groups[1:]: t["group"],
                "people": t["label"],
                **({"share": t["share"].map(words.share)} if "share" in t else {}),
            }
        ),
    )


def people_by(f: Filters, by: str) -> Exhibit:
    """People per activity, type of activity or delivery mode (one person can be in several)."""
    label = reach.MIX[by]
    caveat = "One person can take part in several, so the bars add up to more than the people reached."
    return _bars(f, f"People by {label}", f"People reached by {label}", label, reach.mix, (f, by), caveat=caveat)


def sessions_attended(f: Filters) -> Exhibit:
    title = "People by sessions attended in the period"
    return _bars(f, "People by sessions attended", title, "sessions attended", reach.retention, (f,), "bands")


def referral_routes(f: Filters) -> Exhibit:
    return _bars(f, "Referral routes", "How people were referred", "referral route", reach.referral_sources, (f,))


def people_by_group(f: Filters, dimension: str) -> Exhibit:
    """People per group of one dimension ('Not known' counted), with each group's share of the people reached."""
    label = BY_KEY[dimension].label
    return _bars(f, f"People by {label}", f"People reached by {label}", label, reach.profile, (f, dimension))


def against_population(f: Filters, dimension: str, area: str) -> Exhibit:
    """Each group's share of the people reached beside its share of the population, and as a table."""
    label = BY_KEY[dimension].label
    explain = reach.DEPRIVATION_AIM if dimension == reach.DEPRIVATION else ""
    return Exhibit(
        f"Reached by {label} against {area}",
        f,
        reach.representation,
        (f, dimension, area),
        describe=lambda t: (
            f"Bars of the share of the people reached by {label} beside the share of {area}: {_compared(t)}. "
            f"{reach.represented_in_words(t, dimension)}"
        ),
        draw=lambda t, d: charts.representation_plot(
            t, label, area, f.description, d.hidden_note(t[t["compared"]]), explain
        ),
        shape=_compared_table,
    )


def _compared(table: pd.DataFrame) -> str:
    """'White 78% (74% to 82%) against 81%, in line…; Black <8 people against 4%': each group compared, in words."""
    rows = table[table["compared"]]
    return "; ".join(
        f"{r['name']} {r['share']:.0%} ({r['share_low']:.0%} to {r['share_high']:.0%}) against {r['benchmark']:.0%}, "
        f"{r['reading']}"
        if r["shown"]
        else f"{r['name']} {r['label']} people against {r['benchmark']:.0%}"
        for _, r in rows.iterrows()
    )


def _compared_table(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table["compared"]]
    return pd.DataFrame(
        {
            "group": rows["name"],
            "people": rows["label"],
            "share of the people reached": rows["share"].map(words.share),
            "95% interval": [
                "" if pd.isna(lo) else f"{lo:.0%} to {hi:.0%}"
                for lo, hi in zip(rows["share_low"], rows["share_high"], strict=True)
            ],
            "share of the population": rows["benchmark"].map(words.share),
            "compared with the population": [
                f"{m} {r}".strip() for m, r in zip(rows["marker"], rows["reading"], strict=True)
            ],
            "to match the population": rows["match"],
        }
    )


def core20_by_quarter(f: Filters, expected: tuple[float, str]) -> Exhibit:
    """The Core20 share each quarter against ``expected`` (reach.core20_benchmark): the share of the place's residents
    living in those areas."""
    share, where = expected
    return Exhibit(
        "Core20 share by quarter",
        f,
        reach.core20_by_quarter,
        (f,),
        describe=lambda t: (
            f"Line chart of the Core20 share by quarter: {words.listed(t['quarter'], t['share'].map(words.share))}."
        ),
        draw=lambda t, d: charts.share_over_quarters(t, CORE20_TITLE, "Core20 share", f.description, share, where),
    )


def people_by_way_to_wellbeing(f: Filters) -> Exhibit:
    """People and sessions per way to wellbeing (one person counts under each way of each activity)."""
    return Exhibit(
        "People by way to wellbeing",
        f,
        ways.reach_by_way,
        (f,),
        describe=lambda t: (
            f"Bar chart of the people reached by way to wellbeing: {words.listed(t['group'], t['words'])}."
        ),
        draw=lambda t, d: people_by_way(t, f.description, d.hidden_note(t)),
    )

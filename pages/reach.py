"""Reach: who the service reaches, how often, and who it misses compared with the population it serves."""

import pandas as pd
import streamlit as st

from pipelines import charts, reach, ways
from pipelines.charts.goals import people_by_way
from pipelines.dimensions import BENCHMARKED
from ui import figures, show
from ui.data import cached, cursor
from ui.figures import fact, hidden_note, listed
from ui.sidebar import page_header

f, note = page_header("Reach", "People count as reached when they attended at least one session in the period.")
safe = figures.screen()
AREA_KEY = "reach-area"
areas = reach.benchmark_areas(cursor())  # not cached: the area chosen in Settings changes no data
area = st.session_state.get(AREA_KEY) or reach.default_area(cursor())
area = area if area in areas else reach.default_area(cursor())
if area_note := reach.area_note(cursor(), area):
    st.info(area_note, icon=":material/location_on:")
st.markdown("\n\n".join(cached(reach.in_brief, f, area, safe)))
activity, who, population, deprivation, five = st.tabs(
    ["Activity", "Who", "Against the population", "Deprivation", "Five Ways"]
)


def bars(what: str, title: str, fetch: figures.Fetch, caveat: str = "") -> None:
    """A bar chart of people per group, every group labelled."""
    figures.chart(
        what,
        f.period,
        fetch,
        lambda t, d: charts.group_bars(t, title, note, hidden_note(t, d), caveat),
        description=lambda t: f"Bar chart of {title.lower()}: {listed(t['group'], t['label'])}.",
    )


def described(table: pd.DataFrame) -> str:
    """'White 78% (74% to 82%) against 81%; Black <8 people against 4%': each group compared, for the alt text."""
    rows = table[table["compared"]]
    return "; ".join(
        f"{r['name']} {r['share']:.0%} ({r['share_low']:.0%} to {r['share_high']:.0%}) against {r['benchmark']:.0%}, "
        f"{r['reading']}"
        if r["shown"]
        else f"{r['name']} {r['label']} people against {r['benchmark']:.0%}"
        for _, r in rows.iterrows()
    )


def compared_table(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table["compared"]]
    return pd.DataFrame(
        {
            "group": rows["name"],
            "people": rows["label"],
            "share of the people reached": rows["share"].map(show.share),
            "95% interval": [
                "" if pd.isna(lo) else f"{lo:.0%} to {hi:.0%}"
                for lo, hi in zip(rows["share_low"], rows["share_high"], strict=True)
            ],
            "share of the population": rows["benchmark"].map(show.share),
            "compared with the population": [
                f"{m} {r}".strip() for m, r in zip(rows["marker"], rows["reading"], strict=True)
            ],
            "to match the population": rows["match"],
        }
    )


with activity:
    now = cached(reach.reach_figures, f, safe)
    cols = st.columns(6)
    shown = (
        ("People reached", now["labels"]["reached"]),
        ("New", now["labels"]["new"]),
        ("Returning", now["labels"]["returning"]),
        ("Attendances", now["labels"]["attendances"]),
        ("Did not attend", show.share(now["dna_rate"])),
        ("Sessions delivered", now["labels"]["sessions_delivered"]),
    )
    for column, (label, value) in zip(cols, shown, strict=True):
        column.metric(label, value, border=True)
    figures.chart(
        "People reached by quarter",
        f.period,
        lambda d: cached(reach.quarterly, f, d),
        lambda t, d: charts.reach_over_quarters(t, note, hidden_note(t, d)),
        description=lambda t: (
            f"Stacked bars of the people reached each quarter: {listed(t['quarter'], t['reached_label'])}."
        ),
    )
    with st.expander("The figures by quarter"):
        figures.table(
            "Reach by quarter",
            f.period,
            lambda d: cached(reach.quarterly, f, d),
            lambda t: pd.DataFrame(
                {
                    "quarter": t["quarter"],
                    "people reached": t["reached_label"],
                    "new": t["new_label"],
                    "returning": t["returning_label"],
                    "attendances": t["attendances"].map("{:,}".format),
                    "did not attend": t["dna_rate"].map(show.share),
                    "sessions": t["sessions_delivered"].map("{:,}".format),
                }
            ),
        )
    left, right = st.columns(2)
    with left:
        by = st.radio("People by", list(reach.MIX), format_func=reach.MIX.get, horizontal=True)
        bars(
            f"People by {reach.MIX[by]}",
            f"People reached by {reach.MIX[by]}",
            lambda d, by=by: cached(reach.mix, f, by, d),
            f"One person can take part in several, so the bars add up to more than the {now['labels']['reached']} "
            "people reached.",
        )
    with right:
        kept = cached(reach.retention, f, safe)["came_back"]
        fact(
            st,
            "New people who came back after their first session",
            show.share(kept["share"]),
            f"{kept['label']} of {kept['of']} new people",
        )
        bars(
            "People by sessions attended",
            "People by sessions attended in the period",
            lambda d: cached(reach.retention, f, d)["bands"],
        )
    bars("Referral routes", "How people were referred", lambda d: cached(reach.referral_sources, f, d))

with who:
    dimension = st.radio(
        "Group people by",
        list(reach.PROFILE_DIMENSIONS),
        format_func=lambda d: reach.PROFILE_DIMENSIONS[d][0].upper() + reach.PROFILE_DIMENSIONS[d][1:],
        horizontal=True,
    )
    if dimension == "ethnicity_group" and st.toggle("Show the 19 detailed ethnic groups"):
        dimension = "ethnicity"
    label = "ethnic group (detailed)" if dimension == "ethnicity" else reach.PROFILE_DIMENSIONS[dimension]
    left, right = st.columns([3, 2])
    with left:
        bars(
            f"People by {label}", f"People reached by {label}", lambda d, by=dimension: cached(reach.profile, f, by, d)
        )
    with right:
        figures.table(
            f"People by {label} table",
            f.period,
            lambda d, by=dimension: cached(reach.profile, f, by, d),
            lambda t: pd.DataFrame({"group": t["group"], "people": t["label"], "share": t["share"].map(show.share)}),
        )
        st.caption("'Not known' is everyone whose record does not say; it is counted, never dropped.")

with population:
    st.selectbox(
        "Compare with",
        areas,
        index=areas.index(area),
        key=AREA_KEY,
        help="England from Census 2021, the area chosen in Settings, or a local benchmark loaded as a population "
        "sheet.",
    )
    st.markdown(
        "For each group: its share of the people reached beside its share of the population. A group is reached "
        "**fewer** or **more than its share** only when the difference is clearer than chance alone would give (the "
        "95% interval of its share, the black line, leaves the population's share out); otherwise it is **in line**."
    )
    st.caption(
        "People whose group is not known, or has no benchmark figure, are left out of the comparison. "
        f"Groups of fewer than {safe.min_count} people are withheld. Choose the local authorities the service covers "
        "in Settings, or load your own figures as a 'population' sheet (area, dimension, group, count or share), to "
        "compare locally. Age is compared with residents aged 16 and over."
    )
    benchmarked = set(cached(reach.benchmark, area)["dimension"])
    compared = [d for d in BENCHMARKED if d in benchmarked]
    if "ethnicity" in benchmarked and st.toggle("Compare the 19 detailed ethnic groups", key="reach-detailed"):
        compared = ["ethnicity" if d == "ethnicity_group" else d for d in compared]
    for by in compared:
        words = reach.represented_in_words(cached(reach.representation, f, by, area, safe), by)
        group = "ethnic group (detailed)" if by == "ethnicity" else reach.PROFILE_DIMENSIONS[by]
        explain = reach.DEPRIVATION_AIM if by == reach.DEPRIVATION else ""
        figures.chart(
            f"Reached by {group} against {area}",
            f.period,
            lambda d, by=by: cached(reach.representation, f, by, area, d),
            lambda t, d, group=group, explain=explain: charts.representation_plot(
                t, group, area, note, hidden_note(t[t["compared"]], d), explain
            ),
            description=lambda t, group=group, words=words: (
                f"Bars of the share of the people reached by {group} beside the share of {area}: {described(t)}. "
                f"{words}"
            ),
        )
        st.markdown(words)
        if missed := reach.missed_in_words(cached(reach.representation, f, by, area, safe), by, area, f.period.label):
            st.markdown(" ".join(missed))
        with st.expander(f"The figures by {group}"):
            figures.table(
                f"Figures by {group} against {area}",
                f.period,
                lambda d, by=by: cached(reach.representation, f, by, area, d),
                compared_table,
            )

with deprivation:
    found = cached(reach.deprivation, f, safe)
    core20 = found["core20"]
    cols = st.columns(3)
    fact(
        cols[0],
        "Core20: most deprived 20% of areas",
        show.share(core20["share"]),
        f"{core20['label']} of {core20['of']} people with a known area",
        help="IMD deciles 1 and 2 (English Indices of Deprivation 2019). If the service reached all areas "
        "equally, this would be 20%.",
    )
    cols[1].metric("People reached with no known area", found["not_known"], border=True)
    cols[2].metric("Share if all areas were reached equally", "20%", border=True)
    st.markdown(
        f"**Core20.** {reach.CORE20} If the service reached every area equally, 20% of its people would "
        "live there; more than that is the aim."
    )
    title = "People reached living in the most deprived 20% of areas"
    figures.chart(
        "Core20 share by quarter",
        f.period,
        lambda d: cached(reach.core20_by_quarter, f, d),
        lambda t, d: charts.share_over_quarters(t, title, "Core20 share", note, 0.2),
        description=lambda t: (
            f"Line chart of the Core20 share by quarter: {listed(t['quarter'], t['share'].map(show.share))}."
        ),
    )
    st.caption(
        "Recording LSOAs instead of deciles? Upload the government's English Indices of Deprivation 2019 "
        "'File 1' CSV on the Upload data page, and each person's LSOA is given its decile."
    )

with five:
    st.markdown(
        "**The Five Ways to Wellbeing** (New Economics Foundation): Connect, Be active, Take notice, Keep learning "
        "and Give. The people reached and the sessions delivered by the ways of the activities they attended."
    )
    if not cached(ways.recorded):
        st.info(
            "No activity has its Five Ways to Wellbeing recorded yet: add a 'ways' column to the attendance sheet, "
            "or an activities sheet, on the Upload data page.",
            icon=":material/info:",
        )
    else:
        figures.chart(
            "People by way to wellbeing",
            f.period,
            lambda d: cached(ways.reach_by_way, f, d),
            lambda t, d: people_by_way(t, note, hidden_note(t, d)),
            description=lambda t: (
                f"Bar chart of the people reached by way to wellbeing: {listed(t['group'], t['words'])}."
            ),
        )
        st.caption("A session counts under each way of its activity.")

"""Reach: who the service reaches, how often, and who it misses compared with the population it serves."""

import streamlit as st

from pipelines import metrics, reach
from ui import charts, show
from ui.data import metric
from ui.sidebar import current_filters, period_note, threshold

f = current_filters()
limit = threshold()
note = period_note(f)

st.title("Reach")
st.caption(f"{note}. People count as reached when they attended at least one session in the period.")
activity, who, population, deprivation = st.tabs(["Activity", "Who", "Against the population", "Deprivation"])

with activity:
    now = metric(metrics.reach, f)
    quarterly = metric(metrics.reach_by_quarter, f)
    cols = st.columns(6)
    figures = (
        ("People reached", show.count(now["reached"], limit)),
        ("New", show.count(now["new"], limit)),
        ("Returning", show.count(now["reached"] - now["new"], limit)),
        ("Attendances", f"{now['attendances']:,}"),
        ("Did not attend", show.share(metrics.dna_rate(now["attendances"], now["did_not_attend"]))),
        ("Sessions delivered", f"{now['sessions_delivered']:,}"),
    )
    for column, (label, value) in zip(cols, figures, strict=True):
        column.metric(label, value, border=True)
    st.altair_chart(charts.reach_over_quarters(quarterly, note, limit), width="stretch")
    with st.expander("The figures by quarter"):
        st.dataframe(
            show.quarterly_table(quarterly, limit),
            hide_index=True,
            width="stretch",
        )
    left, right = st.columns(2)
    with left:
        by = st.radio("People by", list(reach.MIX), format_func=reach.MIX.get, horizontal=True)
        st.altair_chart(
            charts.group_bars(metric(reach.mix, f, by), "people", f"People reached by {reach.MIX[by]}", note, limit),
            width="stretch",
        )
    with right:
        kept = metric(reach.retention, f)
        st.metric(
            "New people who came back after their first session",
            show.share_of(kept["came_back"], kept["new"], limit),
            f"{show.count(kept['came_back'], limit)} of {show.count(kept['new'], limit)} new people",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        bands = kept["bands"].rename(columns={"band": "group"})
        st.altair_chart(
            charts.group_bars(bands, "people", "People by sessions attended in the period", note, limit),
            width="stretch",
        )
    sources = metric(reach.referral_sources, f)
    st.altair_chart(charts.group_bars(sources, "people", "How people were referred", note, limit), width="stretch")

with who:
    dimension = st.radio(
        "Group people by",
        list(reach.PROFILE_DIMENSIONS),
        format_func=lambda d: reach.PROFILE_DIMENSIONS[d][0].upper() + reach.PROFILE_DIMENSIONS[d][1:],
        horizontal=True,
    )
    if dimension == "ethnicity_group" and st.toggle("Show the 19 detailed ethnic groups"):
        dimension = "ethnicity"
    groups = metric(reach.profile, f, dimension)
    label = "ethnic group (detailed)" if dimension == "ethnicity" else reach.PROFILE_DIMENSIONS[dimension]
    left, right = st.columns([3, 2])
    left.altair_chart(charts.group_bars(groups, "people", f"People reached by {label}", note, limit), width="stretch")
    right.dataframe(show.people_table(groups, limit), hide_index=True, width="stretch")
    right.caption("'Not known' is everyone whose record does not say; it is counted, never dropped.")

with population:
    areas = metric(reach.benchmark_areas)
    area = st.selectbox(
        "Compare with", areas, help="England from Census 2021, or a local benchmark loaded as a population sheet."
    )
    st.caption(
        "People whose group is not known, or has no benchmark figure, are left out of the comparison. "
        f"Groups of fewer than {limit} people are withheld. Load your own area's Census 2021 figures as a "
        "'population' sheet (area, dimension, group, count or share) to compare locally."
    )
    compared = [
        d
        for d in ("ethnicity_group", "age_band", "gender", "disability", "imd_quintile")
        if d in set(metric(reach.benchmark, area)["dimension"])
    ]
    for dimension in compared:
        table = metric(reach.representation, f, dimension, area, limit)
        st.altair_chart(
            charts.representation_plot(table, reach.PROFILE_DIMENSIONS[dimension], area, note, limit), width="stretch"
        )
        st.markdown(reach.represented_in_words(table, dimension))

with deprivation:
    found = metric(reach.core20, f)
    cols = st.columns(3)
    cols[0].metric(
        "Core20: most deprived 20% of areas",
        show.share_of(found["core20"], found["known"], limit),
        f"{show.count(found['core20'], limit)} of {show.count(found['known'], limit)} people with a known area",
        delta_color="off",
        delta_arrow="off",
        help="IMD deciles 1 and 2 (English Indices of Deprivation 2019). If the service reached all areas "
        "equally, this would be 20%.",
        border=True,
    )
    cols[1].metric(
        "People reached with no known area", show.count(found["reached"] - found["known"], limit), border=True
    )
    cols[2].metric("Share if all areas were reached equally", "20%", border=True)
    trend = metric(reach.core20_by_quarter, f, limit)
    st.altair_chart(
        charts.share_over_quarters(
            trend, "People reached living in the most deprived 20% of areas", "Core20 share", note, limit, 0.2
        ),
        width="stretch",
    )
    st.caption(
        "Recording LSOAs instead of deciles? Upload the government's English Indices of Deprivation 2019 "
        "'File 1' CSV on the Upload data page, and each person's LSOA is given its decile."
    )

"""Reach: who the service reaches, how often, and who it misses compared with the population it serves."""

import streamlit as st

from pipelines import published, reach, ways, words
from pipelines.dimensions import BENCHMARKED, BY_KEY
from pipelines.exhibits import reach as shown
from ui import figures, sections
from ui.data import cached, cursor
from ui.figures import fact
from ui.sidebar import page_header

f = page_header("Reach", "People count as reached when they attended at least one session in the period.")
AREA_KEY = "reach-area"
areas = reach.benchmark_areas(cursor())  # not cached: the area chosen in Settings changes no data
area = st.session_state.get(AREA_KEY) or reach.default_area(cursor())
area = area if area in areas else reach.default_area(cursor())
figures.publish(published.kept_site, f)
safe = figures.screen()
if area_note := cached(reach.area_note, area):
    st.info(area_note, icon=":material/location_on:")
st.markdown("\n\n".join(cached(reach.in_brief, f, area, safe)))
st.selectbox(  # above the sections: the words above and the comparison below both follow it, whichever is open
    "Compare with",
    areas,
    index=areas.index(area),
    key=AREA_KEY,
    help="England from Census 2021, the area chosen in Settings, or a local benchmark loaded as a population sheet.",
)
section = sections.chosen(["Activity", "Who", "Against the population", "Deprivation", "Five Ways"], "reach-section")

if section == "Activity":
    now = cached(reach.reach_figures, f, safe)
    cols = st.columns(6)
    figures_shown = (
        ("People reached", now["labels"]["reached"]),
        ("New", now["labels"]["new"]),
        ("Returning", now["labels"]["returning"]),
        ("Attendances", now["labels"]["attendances"]),
        ("Did not attend", words.share(now["dna_rate"])),
        ("Sessions delivered", now["labels"]["sessions_delivered"]),
    )
    for column, (label, value) in zip(cols, figures_shown, strict=True):
        column.metric(label, value, border=True)
    by_quarter = shown.reached_by_quarter(f)
    figures.show(by_quarter)
    with st.expander("The figures by quarter"):
        figures.table(by_quarter)
    left, right = st.columns(2)
    with left:
        by = st.radio("People by", list(reach.MIX), format_func=reach.MIX.get, horizontal=True)
        figures.show(shown.people_by(f, by))
    with right:
        kept = cached(reach.retention, f, safe)["came_back"]
        fact(
            st,
            "New people who came back after their first session",
            words.share(kept["share"]),
            f"{kept['label']} of {kept['of']} new people",
        )
        figures.show(shown.sessions_attended(f))
    figures.show(shown.referral_routes(f))

if section == "Who":
    dimension = st.radio(
        "Group people by",
        list(reach.PROFILE_DIMENSIONS),
        format_func=lambda d: reach.PROFILE_DIMENSIONS[d][0].upper() + reach.PROFILE_DIMENSIONS[d][1:],
        horizontal=True,
    )
    if dimension == "ethnicity_group" and st.toggle("Show the 19 detailed ethnic groups"):
        dimension = "ethnicity"
    left, right = st.columns([3, 2])
    people = shown.people_by_group(f, dimension)
    with left:
        figures.show(people)
    with right:
        figures.table(people)
        st.caption("'Not known' is everyone whose record does not say; it is counted, never dropped.")

if section == "Against the population":
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
        table = cached(reach.representation, f, by, area, safe)
        against = shown.against_population(f, by, area)
        figures.show(against)
        st.markdown(reach.represented_in_words(table, by))
        if missed := reach.missed_in_words(table, by, area, f.period.label):
            st.markdown(" ".join(missed))
        with st.expander(f"The figures by {BY_KEY[by].label}"):
            figures.table(against)

if section == "Deprivation":
    found = cached(reach.deprivation, f, safe)
    core20 = found["core20"]
    expected, where = reach.core20_benchmark(cursor(), area)
    cols = st.columns(3)
    fact(
        cols[0],
        "Core20: most deprived 20% of areas",
        words.share(core20["share"]),
        f"{core20['label']} of {core20['of']} people with a known area",
        help=f"IMD deciles 1 and 2 (English Indices of Deprivation 2019). {expected:.0%} of {where}'s residents "
        "live in these areas.",
    )
    cols[1].metric("People reached with no known area", found["not_known"], border=True)
    cols[2].metric(f"Residents of {where} living there", words.share(expected), border=True)
    st.markdown(
        f"**Core20.** {reach.CORE20} {expected:.0%} of {where}'s residents live there, so reaching more than "
        f"{expected:.0%} of the service's people from these areas is the aim."
    )
    figures.show(shown.core20_by_quarter(f, (expected, where)))
    st.caption(
        "Recording LSOAs instead of deciles? Upload the government's English Indices of Deprivation 2019 "
        "'File 1' CSV on the Upload data page, and each person's LSOA is given its decile."
    )

if section == "Five Ways":
    st.markdown(
        "**The Five Ways to Wellbeing** (New Economics Foundation): Connect, Be active, Take notice, Keep learning "
        "and Give. The people reached and the sessions delivered by the ways of the activities they attended."
    )
    if not cached(ways.recorded):
        st.info(ways.NONE_RECORDED, icon=":material/info:")
    else:
        figures.show(shown.people_by_way_to_wellbeing(f))
        st.caption("A session counts under each way of its activity.")

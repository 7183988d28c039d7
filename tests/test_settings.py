"""The charity's settings: branding saved with its history, and every bad value refused with nothing saved."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from pipelines import sessions, settings, store
from pipelines.audit import Actor, NotAllowed
from pipelines.settings import Brand, SettingRefused
from tests.apphelpers import (
    app_with_own_data,
    assert_ran,
    chart_titles,
    open_page,
    open_section,
    successes_after,
    widget,
)
from tests.helpers import current, load, workbook


@pytest.fixture
def own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on a database of the charity's own data (one attendance), not the sample: a page it offers to change."""
    register = [["participant_id", "session_date", "activity"], ["P1", "2025-05-06", "Peer"]]
    return app_with_own_data(tmp_path, monkeypatch, {"Register": register})


def picture(fmt: str, size: tuple[int, int] = (1200, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#1f6f8b").save(out, format=fmt)
    return out.getvalue()


def saved_rows(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM settings_history").fetchone()[0]


def test_defaults_before_anything_is_saved(con: duckdb.DuckDBPyConnection) -> None:
    assert settings.brand(con) == Brand()
    assert settings.brand(con, showing_sample=True).charity_name == "Brightside Mind"


def test_the_latest_value_wins_and_earlier_ones_are_kept(con: duckdb.DuckDBPyConnection) -> None:
    settings.save_brand(con, charity_name="Dudley Mind", colour="#AA3377", footnote="Registered charity 123")
    saved = settings.save_brand(con, charity_name="  Dudley\tand Walsall Mind ", colour="#aa3377", footnote="")
    assert saved == Brand("Dudley and Walsall Mind", "#aa3377", None, "")
    assert saved_rows(con) == 6
    assert settings.brand(con, showing_sample=True).charity_name == "Dudley and Walsall Mind"


def test_a_logo_is_stored_as_a_small_png_and_can_be_removed(con: duckdb.DuckDBPyConnection) -> None:
    saved = settings.save_brand(con, charity_name="X", colour="#000000", footnote="", logo=picture("JPEG"))
    with Image.open(io.BytesIO(saved.logo_png)) as logo:
        assert (logo.format, logo.size) == ("PNG", (600, 150))
    settings.save_brand(con, charity_name="X", colour="#000000", footnote="")
    assert settings.brand(con).logo_png == saved.logo_png, "saving without a new logo keeps the old one"
    assert settings.save_brand(con, charity_name="X", colour="#000000", footnote="", remove_logo=True).logo_png is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "blue"}, "not a colour code like #1f6f8b"),
        ({"colour": "#12345"}, "not a colour code"),
        ({"charity_name": "M" * 121}, "121 characters long; keep it to 120"),
        ({"footnote": "f" * 301}, "keep it to 300"),
        ({"logo": b"%PDF-1.7 not a picture"}, "could not be read as a picture"),
        ({"logo": picture("GIF")}, "is a GIF file; use a PNG or JPEG"),
        ({"logo": b"\x89PNG" + b"0" * 2_000_001}, "use a PNG or JPEG under 2 MB"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    con: duckdb.DuckDBPyConnection, change: dict, message: str
) -> None:
    settings.save_brand(con, charity_name="Kept", colour="#123456", footnote="")
    values = {"charity_name": "New", "colour": "#654321", "footnote": "", **change}
    with pytest.raises(SettingRefused, match=message):
        settings.save_brand(con, **values)
    assert settings.brand(con) == Brand("Kept", "#123456", None, "")


# The Settings page ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("app_runtime")
def test_the_settings_page_saves_the_branding(sample_app: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    assert widget(at.text_input, "Charity name").value == "Brightside Mind", "the sample's name until one is set"
    widget(at.text_input, "Charity name").set_value("Dudley Mind")
    widget(at.text_input, "Footnote on every download").set_value("Registered charity 1234567")
    assert successes_after(at, "Save") == ["Saved. Downloads from now on carry these settings."]
    assert widget(at.text_input, "Charity name").value == "Dudley Mind", "the saved name, read back"
    assert widget(at.text_input, "Footnote on every download").value == "Registered charity 1234567"


# Our area -------------------------------------------------------------------------------------------

DUDLEY, SANDWELL, LEEDS = "E08000027", "E08000028", "E08000035"
DUDLEY_LSOAS = ["E01009719", "E01009720", "E01009721", "E01009722", "E01009723"]
SANDWELL_LSOAS = ["E01009921", "E01009922", "E01009923"]
LEEDS_LSOAS = ["E01011264", "E01011265", "E01011266"]


def people_living_in(con: duckdb.DuckDBPyConnection, lsoas: list[str | None]) -> None:
    """One participant per LSOA (None: no area recorded), each seen once."""
    people = [["participant_id", "lsoa_code"], *[[f"P{i}", lsoa] for i, lsoa in enumerate(lsoas)]]
    register = [
        ["participant_id", "session_date", "activity"],
        *[[f"P{i}", "2024-05-07", "Peer"] for i in range(len(lsoas))],
    ]
    load(con, ("people.xlsx", workbook({"People": people, "Register": register})))


def test_no_area_until_one_is_chosen_and_the_latest_choice_wins(con: duckdb.DuckDBPyConnection) -> None:
    assert settings.area(con) is None
    both = settings.save_area(con, [DUDLEY, " e08000028 ", DUDLEY])
    assert both == settings.Area((DUDLEY, SANDWELL), ("Dudley", "Sandwell"))
    assert both.name == "Dudley and Sandwell"
    assert settings.save_area(con, [LEEDS]).name == "Leeds"
    assert settings.area(con) == settings.Area((LEEDS,), ("Leeds",))
    assert settings.save_area(con, []) is None
    assert settings.area(con) is None
    assert current(con, "SELECT text_value FROM settings_history WHERE key = 'area' ORDER BY rowid") == [
        ("E08000027,E08000028",),
        ("E08000035",),
        ("",),
    ]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["E0800027"], r"E0800027: did you mean E08000027 Dudley"),
        (["E92000001"], "Not a local authority code"),  # England is the comparison without an area, not an area
        ([DUDLEY, "E07000004"], "E07000004"),  # Aylesbury Vale: a district merged into Buckinghamshire in 2020
    ],
)
def test_an_unknown_area_is_refused_and_nothing_is_saved(
    con: duckdb.DuckDBPyConnection, codes: list[str], message: str
) -> None:
    settings.save_area(con, [SANDWELL])
    with pytest.raises(SettingRefused, match=message):
        settings.save_area(con, codes)
    assert settings.area(con).codes == (SANDWELL,)


@pytest.mark.parametrize(
    ("lsoas", "suggested"),
    [
        # 5 Dudley, 3 Sandwell, 3 Leeds: Dudley alone is not most; Dudley and Sandwell hold 8 of 11
        (DUDLEY_LSOAS + SANDWELL_LSOAS + LEEDS_LSOAS + [None, None], ("Dudley", "Sandwell")),
        (DUDLEY_LSOAS * 2 + LEEDS_LSOAS, ("Dudley",)),  # 10 of 13
        (DUDLEY_LSOAS + SANDWELL_LSOAS[:2] + [None] * 9, None),  # 7 people with an area: too few to say
        (DUDLEY_LSOAS * 2 + ["E01099999"] * 20, ("Dudley",)),  # a code in no authority is not a recorded area
    ],
)
def test_the_suggestion_is_the_fewest_authorities_where_most_participants_live(
    con: duckdb.DuckDBPyConnection, lsoas: list[str | None], suggested: tuple[str, ...] | None
) -> None:
    people_living_in(con, lsoas)
    found = settings.suggested_area(con)
    assert (found.names if found else None) == suggested


def test_the_suggestion_in_words(con: duckdb.DuckDBPyConnection) -> None:
    assert settings.suggestion(con) == (
        "Choose the local authorities your service covers in Settings to compare with their population."
    )
    people_living_in(con, DUDLEY_LSOAS + SANDWELL_LSOAS + LEEDS_LSOAS[:2])
    assert settings.suggestion(con) == (
        "Most participants with a recorded area live in Dudley and Sandwell: choose your area in Settings."
    )


@pytest.mark.usefixtures("app_runtime")
def test_the_settings_page_chooses_the_area_by_name(sample_app: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    assert any("No area is chosen yet, so Reach compares with England." in i.value for i in at.info)
    chooser = widget(at.multiselect, "Local authorities served")
    chooser.select(DUDLEY).select(SANDWELL)
    at.button(key="FormSubmitter:area-Save the area").click().run()
    assert_ran(at)
    assert [s.value for s in at.success] == ["Saved. Reach now compares with the population of Dudley and Sandwell."]
    assert widget(at.multiselect, "Local authorities served").value == [DUDLEY, SANDWELL]
    assert not any("No area is chosen" in i.value for i in at.info)


@pytest.mark.usefixtures("app_runtime")
def test_choosing_dudley_turns_reach_into_dudleys(sample_app: Path) -> None:
    at = open_page("pages/reach.py", "Reach")
    assert any(i.value.startswith("Compared with England because no area is chosen yet.") for i in at.info)
    assert widget(at.selectbox, "Compare with").value == "England (Census 2021)"

    at.switch_page("pages/settings.py").run()
    widget(at.multiselect, "Local authorities served").select(DUDLEY)
    at.button(key="FormSubmitter:area-Save the area").click().run()
    assert_ran(at)

    at.switch_page("pages/reach.py").run()
    assert_ran(at)
    assert not any("no area is chosen" in i.value for i in at.info)
    assert widget(at.selectbox, "Compare with").value == "Dudley (Census 2021)"
    assert "**Who is missed:** compared with Dudley (Census 2021)" in at.markdown[0].value
    compared = [
        " ".join(t) if isinstance(t, list) else t for t in chart_titles(open_section(at, "Against the population"))
    ]
    compared = [t for t in compared if t.startswith("Who the service reaches by")]
    assert len(compared) == 5 and all(t.endswith("against Dudley (Census 2021)") for t in compared)
    assert any("of the population of Dudley but" in m.value for m in at.markdown)
    widget(at.toggle, "Compare the 19 detailed ethnic groups").set_value(True).run()
    assert_ran(at)
    detailed = [" ".join(t) if isinstance(t, list) else t for t in chart_titles(at)]
    assert "Who the service reaches by ethnic group (detailed), against Dudley (Census 2021)" in detailed


# Volunteer time's hourly rate -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "saved"),
    [("12.5", 12.5), ("£15", 15.0), (" £1,000 ", 1_000.0), (9.999, 10.0), ("", None), (None, None)],
)
def test_the_volunteer_rate_is_saved_to_the_penny_and_a_blank_means_the_living_wage(
    con: duckdb.DuckDBPyConnection, typed: object, saved: float | None
) -> None:
    settings.save_volunteer_rate(con, "20")
    assert settings.save_volunteer_rate(con, typed) == saved
    assert settings.volunteer_rate(con) == saved


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("twelve", "not an amount in pounds"),
        ("0", "more than £0"),
        ("-3", "more than £0"),
        ("1000.01", "at most £1,000"),
    ],
)
def test_a_bad_volunteer_rate_is_refused_and_nothing_is_saved(
    con: duckdb.DuckDBPyConnection, typed: str, message: str
) -> None:
    settings.save_volunteer_rate(con, "12")
    with pytest.raises(SettingRefused, match=message):
        settings.save_volunteer_rate(con, typed)
    assert settings.volunteer_rate(con) == 12.0


def test_only_an_administrator_sets_the_volunteer_rate(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(NotAllowed):
        settings.save_volunteer_rate(con, "15", by=Actor("mo", "manager"))
    assert settings.volunteer_rate(con) is None


@pytest.mark.usefixtures("app_runtime")
def test_the_settings_page_saves_the_volunteer_rate(own_data: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    rate = widget(at.number_input, "Hourly rate for volunteer time (£)")
    assert rate.value is None, "blank until one is set: the National Living Wage"
    rate.set_value(14.5)
    assert "Saved. Volunteer time is valued at £14.50 an hour." in successes_after(at, "Save the rate")
    assert widget(at.number_input, "Hourly rate for volunteer time (£)").value == 14.5, "the saved rate, read back"


@pytest.mark.usefixtures("app_runtime")
def test_the_settings_page_saves_the_social_value_assumptions(own_data: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    aside = widget(at.number_input, "Set aside for deadweight and attribution (%)")
    assert aside.value == 0, "none set aside until an administrator sets a share"
    aside.set_value(30)
    widget(at.number_input, "How long the change lasts (years)").set_value(2.0)
    widget(at.number_input, "Price uplift from 2019 prices").set_value(1.2)
    widget(at.number_input, "The year the uplift brings prices to").set_value(2025)
    assert successes_after(at, "Save the assumptions") == [
        "Saved: values in 2025 prices, assuming the change lasts 2 years, with 30% set aside for what would have "
        "happened anyway or is owed to others."
    ]
    assert widget(at.number_input, "Set aside for deadweight and attribution (%)").value == 30, "read back"


@pytest.mark.usefixtures("app_runtime")
def test_the_settings_page_sets_the_session_limits(own_data: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    assert widget(at.number_input, "Idle limit (minutes)").value == 30
    assert widget(at.number_input, "Absolute limit (hours)").value == 12
    widget(at.number_input, "Idle limit (minutes)").set_value(15)
    widget(at.number_input, "Absolute limit (hours)").set_value(8)
    said = successes_after(at, "Save the limits")
    assert "Saved. Idle for 15 minutes, or signed in for 8 hours, signs a person out." in said
    with store.connect(own_data) as con:
        assert sessions.limits(con) == sessions.Limits(15, 8)

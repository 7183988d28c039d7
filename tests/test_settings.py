"""The charity's settings: branding saved with its history, and every bad value refused with nothing saved."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from pipelines import settings
from pipelines.settings import Brand, SettingRefused
from tests.apphelpers import assert_ran, run_app, widget


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
    at = run_app()
    at.switch_page("pages/settings.py").run()
    assert_ran(at)
    assert widget(at.text_input, "Charity name").value == "Brightside Mind", "the sample's name until one is set"
    widget(at.text_input, "Charity name").set_value("Dudley Mind")
    widget(at.text_input, "Footnote on every download").set_value("Registered charity 1234567")
    at.button[0].click().run()
    assert_ran(at)
    assert [s.value for s in at.success] == ["Saved. Downloads from now on carry these settings."]
    assert widget(at.text_input, "Charity name").value == "Dudley Mind", "the saved name, read back"
    assert widget(at.text_input, "Footnote on every download").value == "Registered charity 1234567"

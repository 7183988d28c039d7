"""The charity's own settings (name, logo, colour and footnote for exports; the local authorities it serves), kept in
the database with their history.

Every change is a new row, so the latest row per setting is the one in force and earlier values are never lost.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import duckdb
from PIL import Image, UnidentifiedImageError

from pipelines import audit, reference, store
from pipelines.audit import OPERATOR, Actor
from pipelines.disclosure import MIN_COUNT
from pipelines.social_value import PRICE_YEAR, Assumptions

COLOUR_CODE = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#1f6f8b"
SAMPLE_CHARITY = "Brightside Mind"
MAX_NAME = 120
MAX_FOOTNOTE = 300
MAX_LOGO_BYTES = 2_000_000
LOGO_PIXELS = 600  # a logo is stored at most this wide or high: enough for print at the size reports use
AREA_KEY = "area"  # the local authorities served, as codes separated by commas ("": none chosen)
VOLUNTEER_RATE_KEY = "volunteer_hourly_rate"  # pounds an hour volunteer time is valued at ("": National Living Wage)
MAX_VOLUNTEER_RATE = 1_000.0
RETENTION_KEY = "retention_years"  # keep a person's records this many years after their last activity ("": off)
MAX_RETENTION_YEARS = 100
MOST_SUGGESTED = 3
SOCIAL_VALUE_KEYS = ("wellby_duration_years", "wellby_deadweight", "wellby_uplift", "wellby_price_year")
LONGEST_DURATION = 10.0  # years a change may be taken to last
MOST_DEADWEIGHT = 0.95  # a share set aside of 100% would value nothing: say so by not reporting a value instead
UPLIFT_RANGE = (0.5, 5.0)
T = TypeVar("T")


class SettingRefused(ValueError):
    """A setting that cannot be saved, with a message the person can act on."""


@dataclass(frozen=True)
class Brand:
    """What exported charts and documents carry: the charity's name, primary colour, logo and a footnote ("": none)."""

    charity_name: str = ""
    colour: str = DEFAULT_COLOUR
    logo_png: bytes | None = None
    footnote: str = ""

    def __post_init__(self) -> None:
        if not COLOUR_CODE.fullmatch(self.colour):
            raise SettingRefused(_not_a_colour(self.colour))


def _latest(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, bytes | None]]:
    rows = con.execute(
        """SELECT key, text_value, blob_value FROM settings_history
        QUALIFY row_number() OVER (PARTITION BY key ORDER BY changed_at DESC, rowid DESC) = 1"""
    ).fetchall()
    return {key: (text, blob) for key, text, blob in rows}


def texts(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Every setting's latest text value, by key."""
    return {key: text for key, (text, _) in _latest(con).items()}


def _read_setting(con: duckdb.DuckDBPyConnection, key: str, read: Callable[[str], T]) -> T | None:
    """One setting's latest text read as its value, or None while it is not set (never saved, or saved blank)."""
    text = texts(con).get(key)
    return read(text) if text else None


def save_texts(con: duckdb.DuckDBPyConnection, values: dict[str, str], by: Actor) -> None:
    """Save checked text settings in one transaction and record who did; the caller checked the actor's role."""
    with store.transaction(con):
        con.executemany(
            "INSERT INTO settings_history (key, text_value, blob_value, changed_by) VALUES (?, ?, NULL, ?)",
            [[key, text, by.name] for key, text in values.items()],
        )
        audit.record(con, by.name, "settings saved", values)


def brand(con: duckdb.DuckDBPyConnection, showing_sample: bool = False) -> Brand:
    """The branding in force; the sample's made-up charity name while only the sample is loaded and none is set."""
    found = _latest(con)
    name = (found.get("charity_name") or (None, None))[0] or (SAMPLE_CHARITY if showing_sample else "")
    return Brand(
        charity_name=name,
        colour=(found.get("colour") or (None, None))[0] or DEFAULT_COLOUR,
        logo_png=(found.get("logo") or (None, None))[1],
        footnote=(found.get("footnote") or (None, None))[0] or "",
    )


def save_brand(
    con: duckdb.DuckDBPyConnection,
    *,
    charity_name: str,
    colour: str,
    footnote: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
    by: Actor = OPERATOR,
) -> Brand:
    """Check and save the branding in one transaction; a refused value saves nothing. Administrators only."""
    audit.require(con, by, "settings", {"saving": "branding"})
    values = {
        "charity_name": (checked_text(charity_name, "The charity's name", MAX_NAME), None),
        "colour": (_checked_colour(colour), None),
        "footnote": (checked_text(footnote, "The footnote", MAX_FOOTNOTE), None),
    }
    if logo is not None:
        values["logo"] = (None, logo_png(logo))
    elif remove_logo:
        values["logo"] = (None, None)
    with store.transaction(con):
        con.executemany(
            "INSERT INTO settings_history (key, text_value, blob_value, changed_by) VALUES (?, ?, ?, ?)",
            [[key, text, blob, by.name] for key, (text, blob) in values.items()],
        )
        audit.record(con, by.name, "settings saved", {key: text for key, (text, _) in values.items()})
    return brand(con)


def checked_text(value: str, what: str, longest: int) -> str:
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value or "").split())  # one line, no control characters
    if len(text) > longest:
        raise SettingRefused(f"{what} is {len(text)} characters long; keep it to {longest} at most.")
    return text


def _checked_colour(value: str) -> str:
    colour = (value or "").strip()
    if not COLOUR_CODE.fullmatch(colour):
        raise SettingRefused(_not_a_colour(value))
    return colour.lower()


def _not_a_colour(value: object) -> str:
    return f"The colour {value!r} is not a colour code like #1f6f8b."


def logo_png(data: bytes) -> bytes:
    """A logo as a PNG no larger than LOGO_PIXELS a side; anything that is not a PNG or JPEG picture is refused."""
    if len(data) > MAX_LOGO_BYTES:
        raise SettingRefused(f"The logo is {len(data) / 1e6:.1f} MB; use a PNG or JPEG under 2 MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise SettingRefused(f"The logo is a {image.format} file; use a PNG or JPEG picture.")
            if image.width * image.height > 40_000_000:
                raise SettingRefused("The logo is too large a picture; use one under 6,000 pixels a side.")
            image.thumbnail((LOGO_PIXELS, LOGO_PIXELS))
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise SettingRefused("The logo could not be read as a picture; use a PNG or JPEG file.") from error
    return out.getvalue()


# Volunteer time: the hourly rate it is valued at ---------------------------------------------------


def volunteer_rate(con: duckdb.DuckDBPyConnection) -> float | None:
    """The hourly rate set for volunteer time, or None: then the National Living Wage in force each month."""
    return _read_setting(con, VOLUNTEER_RATE_KEY, float)


def save_volunteer_rate(con: duckdb.DuckDBPyConnection, rate: object, by: Actor = OPERATOR) -> float | None:
    """Set the hourly rate for volunteer time (None or blank: back to the National Living Wage); a refused value
    saves nothing. Administrators only."""
    audit.require(con, by, "settings", {"saving": "volunteer rate"})
    chosen = _checked_rate(rate)
    save_texts(con, {VOLUNTEER_RATE_KEY: "" if chosen is None else f"{chosen:.2f}"}, by)
    return chosen


def _checked_rate(value: object) -> float | None:
    """An amount in pounds an hour, to the penny ('£12.50', 12.5); None for a blank."""
    text = "" if value is None else str(value).strip().removeprefix("£").strip()
    if not text:
        return None
    try:
        rate = float(text.replace(",", ""))
    except ValueError:
        raise SettingRefused(f"The hourly rate {value!r} is not an amount in pounds, such as 12.21.") from None
    if not 0 < rate <= MAX_VOLUNTEER_RATE:  # also refuses nan
        raise SettingRefused(f"The hourly rate should be more than £0 and at most £{MAX_VOLUNTEER_RATE:,.0f}.")
    return round(rate, 2)


# Retention: how long a person's records are kept after their last activity ------------------------------


def retention_years(con: duckdb.DuckDBPyConnection) -> int | None:
    """The retention period in whole years, or None: off (the default), records are kept until erased."""
    return _read_setting(con, RETENTION_KEY, int)


def save_retention(con: duckdb.DuckDBPyConnection, years: object, by: Actor = OPERATOR) -> int | None:
    """Set the retention period in whole years (None or blank: off); a refused value saves nothing. Administrators
    only. Saving it removes nothing: ``python -m pipelines retention --apply`` or Settings does (pipelines/rights.py)."""
    audit.require(con, by, "settings", {"saving": "retention period"})
    chosen = _checked_years(years)
    save_texts(con, {RETENTION_KEY: "" if chosen is None else str(chosen)}, by)
    return chosen


def _checked_years(value: object) -> int | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        years = float(text)
    except ValueError:
        raise SettingRefused(f"The retention period {value!r} is not a number of years, such as 7.") from None
    if not years.is_integer() or not 1 <= years <= MAX_RETENTION_YEARS:  # also refuses nan
        raise SettingRefused(f"The retention period should be a whole number of years from 1 to {MAX_RETENTION_YEARS}.")
    return int(years)


# Social value: the assumptions the WELLBY valuation rests on ---------------------------------------


def social_value_assumptions(con: duckdb.DuckDBPyConnection) -> Assumptions:
    """The assumptions an administrator has set; each one not set is Assumptions' default."""
    found = texts(con)
    duration, deadweight, uplift, year = (found.get(key) for key in SOCIAL_VALUE_KEYS)
    default = Assumptions()
    return Assumptions(
        duration_years=float(duration) if duration else default.duration_years,
        deadweight=float(deadweight) if deadweight else default.deadweight,
        uplift=float(uplift) if uplift else default.uplift,
        price_year=int(year) if year and uplift else PRICE_YEAR,
    )


def save_social_value(
    con: duckdb.DuckDBPyConnection,
    *,
    duration_years: float,
    deadweight: float,
    uplift: float | None = None,
    price_year: int | None = None,
    by: Actor = OPERATOR,
) -> Assumptions:
    """Check and save the WELLBY assumptions (no uplift: back to 2019 prices); a refused value saves nothing.
    Administrators only."""
    audit.require(con, by, "settings", {"saving": "social value"})
    chosen = _checked_assumptions(duration_years, deadweight, uplift, price_year)
    values = {
        "wellby_duration_years": f"{chosen.duration_years:g}",
        "wellby_deadweight": f"{chosen.deadweight:g}",
        "wellby_uplift": "" if uplift is None else f"{chosen.uplift:g}",
        "wellby_price_year": "" if uplift is None else str(chosen.price_year),
    }
    save_texts(con, values, by)
    return social_value_assumptions(con)


def _checked_assumptions(
    duration: float, deadweight: float, uplift: float | None, price_year: int | None
) -> Assumptions:
    if not 0 < duration <= LONGEST_DURATION:  # also refuses nan
        raise SettingRefused(f"How long the change lasts should be more than 0 and at most {LONGEST_DURATION:g} years.")
    if not 0 <= deadweight <= MOST_DEADWEIGHT:
        raise SettingRefused(f"The share set aside should be from 0% to {MOST_DEADWEIGHT:.0%}.")
    if uplift is None:
        return Assumptions(duration, deadweight)
    low, high = UPLIFT_RANGE
    if not low <= uplift <= high:
        raise SettingRefused(f"The price uplift from 2019 should be between {low:g} and {high:g} (e.g. 1.21).")
    if price_year is None or not PRICE_YEAR < price_year <= 2100:
        raise SettingRefused("Give the year the uplift brings prices to, after 2019 (e.g. 2025).")
    return Assumptions(duration, deadweight, uplift, price_year)


# Our area: the local authorities the charity serves -------------------------------------------------


@dataclass(frozen=True)
class Area:
    """Local authorities taken together (their populations added): 2022 codes and names, in the order chosen."""

    codes: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        """'Dudley', 'Dudley and Sandwell', 'Dudley, Sandwell and Walsall'."""
        return and_list(self.names)


def and_list(words: tuple[str, ...] | list[str]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def area_of(codes: list[str] | tuple[str, ...]) -> Area:
    """The Area of these authority codes, each once; an unknown code (or a country) is refused, naming close matches."""
    known = reference.authorities()
    chosen = tuple(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    unknown = [code for code in chosen if code not in known]
    if unknown:
        hints = "; ".join(f"{code}: did you mean {', '.join(reference.close_matches(code)) or '?'}" for code in unknown)
        raise SettingRefused(f"Not a local authority code of 2022 ({hints}).")
    return Area(chosen, tuple(known[code] for code in chosen))


def area(con: duckdb.DuckDBPyConnection) -> Area | None:
    """The local authorities the charity serves, or None until chosen."""
    return _read_setting(con, AREA_KEY, lambda text: area_of(text.split(",")))


def save_area(con: duckdb.DuckDBPyConnection, codes: list[str], by: Actor = OPERATOR) -> Area | None:
    """Choose the local authorities served (none: back to no area); a refused code saves nothing. Administrators."""
    audit.require(con, by, "settings", {"saving": "area"})
    chosen = area_of(codes)
    save_texts(con, {AREA_KEY: ",".join(chosen.codes)}, by)
    return chosen if chosen.codes else None


def people_by_authority(con: duckdb.DuckDBPyConnection) -> Counter[str]:
    """Participants with a recorded LSOA per local authority they live in (LSOAs not in the lookup left out)."""
    lookup = reference.lsoa_authorities()
    rows = con.execute("SELECT upper(trim(lsoa_code)) FROM participants WHERE lsoa_code IS NOT NULL").fetchall()
    return Counter(lookup[code] for (code,) in rows if code in lookup)


def suggested_area(con: duckdb.DuckDBPyConnection) -> Area | None:
    """The fewest authorities (up to three) where most participants with a recorded area live, largest first; None
    when fewer than MIN_COUNT people have one, or no three authorities hold more than half of them."""
    counts = people_by_authority(con)
    total = sum(counts.values())
    if total < MIN_COUNT:
        return None
    chosen, covered = [], 0
    for code, people in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MOST_SUGGESTED]:
        chosen.append(code)
        covered += people
        if 2 * covered > total:
            return area_of(chosen)
    return None


def suggestion(con: duckdb.DuckDBPyConnection) -> str:
    """What a page says about the area while none is chosen."""
    found = suggested_area(con)
    if found is None:
        return "Choose the local authorities your service covers in Settings to compare with their population."
    return f"Most participants with a recorded area live in {found.name}: choose your area in Settings."

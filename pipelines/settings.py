"""The charity's own settings (name, logo, colour and footnote for exports), kept in the database with their history.

Every change is a new row, so the latest row per setting is the one in force and earlier values are never lost.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import duckdb
from PIL import Image, UnidentifiedImageError

from pipelines import store

COLOUR_CODE = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#1f6f8b"
SAMPLE_CHARITY = "Brightside Mind"
MAX_NAME = 120
MAX_FOOTNOTE = 300
MAX_LOGO_BYTES = 2_000_000
LOGO_PIXELS = 600  # a logo is stored at most this wide or high: enough for print at the size reports use


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
    by: str | None = None,
) -> Brand:
    """Check and save the branding in one transaction; a refused value saves nothing."""
    values = {
        "charity_name": (_checked_text(charity_name, "The charity's name", MAX_NAME), None),
        "colour": (_checked_colour(colour), None),
        "footnote": (_checked_text(footnote, "The footnote", MAX_FOOTNOTE), None),
    }
    if logo is not None:
        values["logo"] = (None, logo_png(logo))
    elif remove_logo:
        values["logo"] = (None, None)
    with store.transaction(con):
        con.executemany(
            "INSERT INTO settings_history (key, text_value, blob_value, changed_by) VALUES (?, ?, ?, ?)",
            [[key, text, blob, by] for key, (text, blob) in values.items()],
        )
    return brand(con)


def _checked_text(value: str, what: str, longest: int) -> str:
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

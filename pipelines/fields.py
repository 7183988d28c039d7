"""A column of the data contract (docs/data-contract.md): its name and other spellings, how its cells are read,
its range or length, and what is stored from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pipelines import limits
from pipelines.vocab import Vocabulary, norm_key

TITLES = {"participant_id": "Participant ID", "imd_decile": "IMD decile", "lsoa_code": "LSOA code", "ways": "Five ways"}
STORED_TYPES = {
    "date": "DATE",
    "dates": "DATE[]",
    "month": "DATE",
    "number": "DOUBLE",
    "imd": "INTEGER",
    "whole": "INTEGER",
    "ways": "VARCHAR[]",
}
# any other parse rule stores text


@dataclass(frozen=True)
class Field:
    name: str
    parse: str  # how a cell is read: id, date, month, text, choice, number, whole, imd, lsoa, district, age,
    # ethnicity, ways, dates
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: Vocabulary | None = None  # the words a choice field takes (or, for the Five Ways, a cell's words)
    stored_as: str | None = ""  # the stored column's DuckDB type: "" as the parse rule says; None: read, not stored
    in_template: bool = True  # False for the alternatives the template's instructions tell in words
    within: tuple[float, float] = limits.ANY_NUMBER  # a number's or whole number's range, both ends included
    most_chars: int = limits.NAME_CHARS  # the longest text a text field may hold

    @property
    def title(self) -> str:
        """The header the template writes, e.g. 'Session date'."""
        return TITLES.get(self.name, self.name.replace("_", " ").capitalize())

    @cached_property
    def spellings(self) -> frozenset[str]:
        """The header spellings that name this field, normalised once (header detection asks millions of times)."""
        return frozenset({norm_key(self.name), *(norm_key(a) for a in self.aliases)})

    @property
    def columns(self) -> dict[str, str]:
        """The stored columns this field fills, with their DuckDB types."""
        if self.stored_as is None:
            return {}
        columns = {self.name: self.stored_as or STORED_TYPES.get(self.parse, "VARCHAR")}
        if self.parse == "ethnicity":
            columns["ethnicity_group"] = "VARCHAR"  # the Census 2021 high-level group, read from the same cell
        return columns

"""Social value in WELLBYs (docs/metrics.md#social-value): what the rise in people's life satisfaction is worth, as
HM Treasury's *Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance* (July 2021) values it.

One WELLBY is a one-point change in life satisfaction (0 to 10) for one person for one year. Only ONS4 life
satisfaction is valued: WEMWBS and the other measures are not life satisfaction, and the guidance gives no way to
turn them into WELLBYs. The value is the mean change × the people with two scores × the years it is taken to last ×
(1 − the share set aside as deadweight and attribution) × the value of a WELLBY (× a price uplift, when set).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines import words
from pipelines.disclosure import MIN_COUNT, Disclosure
from pipelines.outcomes import outcome, pairs_key
from pipelines.query import Con, Filters, fetch_rows

MEASURE = "ONS4 life satisfaction"
WELLBY_VALUES = (10_000.0, 13_000.0, 16_000.0)  # low, central, high: £ per WELLBY in 2019 prices (GUIDANCE)
PRICE_YEAR = 2019
GUIDANCE = (
    "HM Treasury (July 2021), Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance, its recommended "
    "value of a WELLBY (Open Government Licence v3.0)"
)
NOT_VALUED = (
    "Only ONS4 life satisfaction is valued in WELLBYs. WEMWBS, SWEMWBS, CORE-10 and the other measures are not "
    "life satisfaction, and the Treasury guidance gives no way of turning them into WELLBYs, so they are not valued."
)


@dataclass(frozen=True)
class Assumptions:
    """What an administrator sets for the valuation (Settings); the defaults claim the least."""

    duration_years: float = 1.0  # how long the change is taken to last
    deadweight: float = 0.0  # the share of the change set aside: what would have happened anyway, or others' work
    uplift: float = 1.0  # from 2019 prices to ``price_year``'s (e.g. by the GDP deflator)
    price_year: int = PRICE_YEAR

    @property
    def prices(self) -> str:
        """'2019 prices' until an uplift is set."""
        return f"{self.price_year} prices"

    @property
    def in_words(self) -> str:
        """The assumptions as a sentence ends them: 'assuming the change lasts 1 year, with nothing yet set aside …'."""
        lasting = f"{self.duration_years:g} year{'' if self.duration_years == 1 else 's'}"
        aside = f"{self.deadweight:.0%}" if self.deadweight else "nothing yet"
        return (
            f"assuming the change lasts {lasting}, with {aside} set aside for what would have happened anyway or is "
            "owed to others"
        )


@dataclass(frozen=True)
class SocialValue:
    """The WELLBYs of the people with two life satisfaction scores, and their value with its range."""

    pairs: int
    mean_change: float
    ci95: tuple[float, float] | None  # of the mean change; None when it has no width (every change the same)
    assumptions: Assumptions
    spent: float | None  # on the chosen activities in the period

    @property
    def wellbys(self) -> float:
        a = self.assumptions
        return self.mean_change * self.pairs * a.duration_years * (1 - a.deadweight)

    @property
    def value(self) -> float:
        return self._pounds(self.mean_change, WELLBY_VALUES[1])

    @property
    def value_low(self) -> float:
        return min(self._corners())

    @property
    def value_high(self) -> float:
        return max(self._corners())

    def _corners(self) -> list[float]:
        """Each end of the mean change's interval valued at the low and the high value of a WELLBY."""
        ends = self.ci95 or (self.mean_change, self.mean_change)
        return [self._pounds(change, wellby) for change in ends for wellby in (WELLBY_VALUES[0], WELLBY_VALUES[2])]

    def _pounds(self, change: float, wellby: float) -> float:
        a = self.assumptions
        return change * self.pairs * a.duration_years * (1 - a.deadweight) * wellby * a.uplift

    def per_pound(self, value: float) -> float | None:
        """A value for every £1 spent; None without spending recorded."""
        return value / self.spent if self.spent else None

    def as_dict(self) -> dict:
        """As ``summary --json`` gives it (docs/cli.md#summary)."""
        return {
            "pairs": self.pairs,
            "mean_change": self.mean_change,
            "wellbys": self.wellbys,
            "value": self.value,
            "value_low": self.value_low,
            "value_high": self.value_high,
            "per_pound_spent": self.per_pound(self.value),
            "price_year": self.assumptions.price_year,
        }


def social_value(con: Con, f: Filters, assumptions: Assumptions, spent: float | None) -> SocialValue | None:
    """The exact figures from everyone with two life satisfaction scores; None without any."""
    found = outcome(con, f, MEASURE)
    if not found["pairs"]:
        return None
    ci = tuple(found["ci95"]) if found["ci95"] else None
    return SocialValue(found["pairs"], found["mean_change"], ci, assumptions, spent)


def summary(con: Con, f: Filters, assumptions: Assumptions, spent: float | None) -> dict | None:
    """``summary --json``'s ``funding.social_value``: null without pairs; with fewer than MIN_COUNT pairs only the
    pairs and the price year, every figure withheld as too few to value."""
    found = social_value(con, f, assumptions, spent)
    if found is None:
        return None
    shown = found.as_dict()
    if found.pairs < MIN_COUNT:
        shown = {k: v if k in ("pairs", "price_year") else None for k, v in shown.items()}
    return shown


def shown(
    con: Con, f: Filters, assumptions: Assumptions, spent: float | None, disclosure: Disclosure
) -> SocialValue | None:
    """As a page or a file may show it: worked out from the published count of people with two scores, and None
    under the threshold (or without pairs)."""
    return _published(f, social_value(con, f, assumptions, spent), disclosure)


def _published(f: Filters, found: SocialValue | None, disclosure: Disclosure) -> SocialValue | None:
    if found is None or not disclosure.may_show(found.pairs):
        return None
    published = disclosure.count(found.pairs, pairs_key(f, MEASURE))
    return (
        None
        if published is None
        else SocialValue(published, found.mean_change, found.ci95, found.assumptions, found.spent)
    )


def headline(
    con: Con, f: Filters, assumptions: Assumptions, spent: float | None, disclosure: Disclosure
) -> tuple[SocialValue | None, str]:
    """What the chosen activities' wellbeing change is worth against what was ``spent`` on them
    (``funding.expenditure``), as a page or file may show it, with its sentence: the value with its range and
    caveat, or why none is given."""
    found = social_value(con, f, assumptions, spent)
    if found is None:
        return None, NOT_RECORDED
    value = _published(f, found, disclosure)
    return value, withheld_in_words() if value is None else in_words(value)


def recorded_in(con: Con, f: Filters) -> str | None:
    """Where life satisfaction is recorded, when no activity is chosen: the value is set against the spending on
    every activity, so choosing those activities gives a fairer figure per £. None when the questionnaires name no
    activity."""
    found = [
        row[0]
        for row in fetch_rows(
            con,
            "SELECT DISTINCT activity FROM wellbeing WHERE measure = $measure AND activity IS NOT NULL ORDER BY 1",
            {"measure": MEASURE},
        )
    ]
    if f.activities or not found:
        return None
    return (
        f"ONS4 life satisfaction is recorded in {words.joined(found)}. The value per £ is set against the spending on "
        "every activity; choose these activities in the sidebar to set it against their spending alone."
    )


def in_words(value: SocialValue) -> str:
    """The value in one sentence with its range and caveat, for a commissioner."""
    people = f"{value.pairs:,} people who completed ONS4 twice"
    rough = f"({money(value.value_low)} to {money(value.value_high)})"
    if value.mean_change <= 0:
        return (
            f"Life satisfaction did not rise on average among the {people}, so no social value is claimed; the 95% "
            f"range runs from {money(value.value_low)} to {money(value.value_high)}."
        )
    per_pound = value.per_pound(value.value)
    spend = (
        f", or {pounds(per_pound)} for every £1 spent ({pounds(value.per_pound(value.value_low))} to "
        f"{pounds(value.per_pound(value.value_high))})"
        if per_pound is not None
        else ""
    )
    return (
        f"The rise in life satisfaction of the {people} is worth about {money(value.value)} {rough} in "
        f"{value.assumptions.prices}{spend}, {value.assumptions.in_words}. Before-and-after change is not all caused "
        "by the service, so this is an upper estimate."
    )


def money(value: float) -> str:
    """Whole pounds, a loss with its minus sign first: '−£33,785'."""
    return f"−£{-value:,.0f}" if value < 0 else words.money(value)


def pounds(value: float | None) -> str:
    """Pounds and pence ('£1.47'), or a dash without a value."""
    return "–" if value is None else f"−£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def withheld_in_words() -> str:
    """Why no value is given when too few people have two life satisfaction scores (the count is not said)."""
    return (
        f"Fewer than {MIN_COUNT} people completed ONS4 life satisfaction twice in this period: too few to value, so "
        "no social value is given."
    )


NOT_RECORDED = (
    "No one completed ONS4 life satisfaction twice in this period, so no social value is given. " + NOT_VALUED
)

METHOD = (
    "Social value is worked out in WELLBYs, as HM Treasury's Green Book guidance on wellbeing does: one WELLBY is a "
    "one-point change in life satisfaction (0 to 10) for one person for one year. The WELLBYs are the average change "
    "in ONS4 life satisfaction from each person's first to latest questionnaire × the people with two × the years "
    "the change is taken to last × (1 − the share set aside for what would have happened anyway or is owed to "
    "others). Each is valued at £13,000 in 2019 prices, with a range of £10,000 to £16,000; the range given "
    "also carries the 95% confidence interval of the average change. "
    f"{NOT_VALUED} Source: {GUIDANCE}."
)

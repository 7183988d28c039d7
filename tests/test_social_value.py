"""Social value in WELLBYs, worked by hand for eight people (docs/metrics.md#social-value): the central value, the
range carried from the mean change's interval, deadweight, duration and the price uplift, withholding under the
minimum of pairs, and nothing from other measures."""

from __future__ import annotations

import pytest

from pipelines import audit, settings, social_value, summary
from pipelines.disclosure import Disclosure
from pipelines.query import Filters
from pipelines.settings import SettingRefused
from tests.helpers import FY24, load, workbook

HEADER = ["participant_id", "date", "life satisfaction", "worthwhile", "happy", "anxious"]
CHANGES = (2, 1, 1, 0, 2, 3, 1, -2)  # sum 8, mean 1.0; squared deviations 1+0+0+1+1+4+0+9 = 16, variance 16/7
T_7 = 2.3646243  # Student's t, 97.5th percentile, 7 degrees of freedom (statistical tables)
HALF = T_7 * (16 / 7) ** 0.5 / 8**0.5  # 1.263950: the 95% CI of the mean change is 1.0 ± HALF
SPENT = 20_000.0


def ons4(changes: tuple[int, ...]) -> list[list]:
    """One person per change: life satisfaction 4 in May 2024, 4 + change in November."""
    rows = [HEADER]
    for i, change in enumerate(changes):
        rows += [[f"P{i}", "2024-05-01", 4, 5, 5, 5], [f"P{i}", "2024-11-01", 4 + change, 5, 5, 5]]
    return rows


def spending() -> list[list]:
    return [["period_start", "amount"], ["2024-06-01", SPENT]]


@pytest.fixture
def eight(con):
    load(con, ("o.xlsx", workbook({"ONS4": ons4(CHANGES), "Expenditure": spending()})))
    return con


def test_central_value_and_range_by_hand(eight):
    found = social_value.social_value(eight, Filters(FY24), social_value.Assumptions(), SPENT)
    assert found.pairs == 8 and found.mean_change == pytest.approx(1.0)
    assert found.wellbys == pytest.approx(8.0)  # 1.0 × 8 people × 1 year × (1 − 0)
    assert found.value == pytest.approx(104_000)  # 8 × £13,000
    # the low end of the interval (1 − 1.26395 = −0.26395) is a loss, largest at £16,000; the high end at £16,000
    assert found.value_low == pytest.approx((1 - HALF) * 8 * 16_000) == pytest.approx(-33_785, abs=1)
    assert found.value_high == pytest.approx((1 + HALF) * 8 * 16_000) == pytest.approx(289_785, abs=1)
    assert found.per_pound(found.value) == pytest.approx(5.2)  # £104,000 ÷ £20,000


def test_deadweight_duration_and_uplift_by_hand(eight):
    chosen = social_value.Assumptions(duration_years=2, deadweight=0.25, uplift=1.1, price_year=2025)
    found = social_value.social_value(eight, Filters(FY24), chosen, SPENT).as_dict()
    assert found["wellbys"] == pytest.approx(12.0)  # 1.0 × 8 × 2 years × 0.75
    assert found["value"] == pytest.approx(171_600)  # 12 × £13,000 × 1.1
    assert found["value_high"] == pytest.approx((1 + HALF) * 12 * 16_000 * 1.1)
    assert found["value_low"] == pytest.approx((1 - HALF) * 12 * 16_000 * 1.1)
    assert found["per_pound_spent"] == pytest.approx(8.58)  # £171,600 ÷ £20,000
    assert found["price_year"] == 2025


def test_a_rise_whose_interval_stays_above_zero_uses_the_low_value_at_its_low_end(con):
    load(con, ("o.xlsx", workbook({"ONS4": ons4((1, 1, 1, 1, 2, 2, 2, 2))})))  # mean 1.5, sd √(2/7)
    found = social_value.social_value(con, Filters(FY24), social_value.Assumptions(), None)
    half = T_7 * (2 / 7) ** 0.5 / 8**0.5  # 0.44689
    assert found.value_low == pytest.approx((1.5 - half) * 8 * 10_000)  # £84,249: the low end at £10,000
    assert found.value_high == pytest.approx((1.5 + half) * 8 * 16_000)  # £249,201
    assert found.per_pound(found.value) is None  # no spending recorded


def test_the_sentence_gives_the_range_per_pound_and_the_caveat(eight):
    found = social_value.social_value(eight, Filters(FY24), social_value.Assumptions(), SPENT)
    said = social_value.in_words(found)
    assert said.startswith(
        "The rise in life satisfaction of the 8 people who completed ONS4 twice is worth about £104,000"
    )
    assert "(−£33,78" in said and " to £289,78" in said and ") in 2019 prices" in said
    assert "or £5.20 for every £1 spent" in said
    assert "with nothing yet set aside for what would have happened anyway" in said
    assert "not all caused by the service" in said


def test_summary_json_shape(eight):
    found = summary.summary(eight, Filters(FY24))["funding"]["social_value"]
    assert set(found) == {"pairs", "mean_change", "wellbys", "value", "value_low", "value_high", "per_pound_spent",
                          "price_year"}  # fmt: skip
    assert found["value"] == pytest.approx(104_000) and found["per_pound_spent"] == pytest.approx(5.2)


def test_the_administrators_assumptions_reach_the_summary(eight):
    settings.save_social_value(eight, duration_years=2, deadweight=0.25, uplift=1.1, price_year=2025)
    found = summary.summary(eight, Filters(FY24))["funding"]["social_value"]
    assert found["value"] == pytest.approx(171_600) and found["price_year"] == 2025
    settings.save_social_value(eight, duration_years=1, deadweight=0)  # no uplift: back to 2019 prices
    assert settings.social_value_assumptions(eight) == social_value.Assumptions()


@pytest.mark.parametrize(
    ("duration", "deadweight", "uplift", "year"),
    [(0, 0, None, None), (11, 0, None, None), (1, 0.96, None, None), (1, 0, 1.2, None), (1, 0, 9.0, 2025)],
)
def test_impossible_assumptions_are_refused(con, duration, deadweight, uplift, year):
    with pytest.raises(SettingRefused):
        settings.save_social_value(con, duration_years=duration, deadweight=deadweight, uplift=uplift, price_year=year)
    assert settings.social_value_assumptions(con) == social_value.Assumptions()


def test_only_administrators_set_the_assumptions(con):
    with pytest.raises(audit.NotAllowed):
        settings.save_social_value(con, duration_years=2, deadweight=0.5, by=audit.Actor("v", "viewer"))


def test_withheld_under_the_minimum_of_pairs(con):
    load(con, ("o.xlsx", workbook({"ONS4": ons4(CHANGES[:7]), "Expenditure": spending()})))
    found = summary.summary(con, Filters(FY24))["funding"]["social_value"]
    assert found["pairs"] == 7 and found["price_year"] == 2019
    assert [k for k, v in found.items() if v is not None] == ["pairs", "price_year"]
    value, said = social_value.headline(con, Filters(FY24), social_value.Assumptions(), SPENT, Disclosure.export())
    assert value is None and said.startswith("Fewer than 8 people completed ONS4 life satisfaction twice")
    assert "7" not in said  # a count of 1 to 7 is never said


def test_no_value_from_other_measures(con):
    wemwbs = [["participant_id", "date", "WEMWBS total"], ["A", "2024-05-01", 40], ["A", "2024-11-01", 50]]
    load(con, ("w.xlsx", workbook({"WEMWBS": wemwbs})))
    assert summary.summary(con, Filters(FY24))["funding"]["social_value"] is None
    value, said = social_value.headline(con, Filters(FY24), social_value.Assumptions(), None, Disclosure.export())
    assert value is None and "WEMWBS" in said and "not valued" in said


def test_a_fall_claims_no_value(con):
    load(con, ("o.xlsx", workbook({"ONS4": ons4(tuple(-c for c in CHANGES))})))
    value, said = social_value.headline(con, Filters(FY24), social_value.Assumptions(), None, Disclosure.export())
    assert said.startswith("Life satisfaction did not rise on average") and "no social value is claimed" in said


def test_a_page_values_the_published_count(con):
    load(con, ("o.xlsx", workbook({"ONS4": ons4(CHANGES + (1, 1, 1, 1))})))  # 12 people, mean 12 / 12 = 1.0
    value, _ = social_value.headline(con, Filters(FY24), social_value.Assumptions(), None, Disclosure.export())
    assert value.pairs == 10 and value.value == pytest.approx(130_000)  # 12 is published as 10

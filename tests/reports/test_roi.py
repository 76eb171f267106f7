"""The ROI model against hand-computed cases (pure: no database, no Flask)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from reports.roi import ROIInputError, compute, parse_inputs, to_json

SEED = {
    "monthly_spend": 300_000,
    "hourly_labor_cost": 5_000,
    "enablement_cost": 900_000,
    # 100 people x 3 h/month: 30 minutes, 6 times a month
    "use_cases": [{"title": "議事録の要約", "minutes_per_run": 30, "runs_per_month": 6, "people": 100}],
    "licensed_seats": 100,
}


def run(**overrides):
    return to_json(compute(parse_inputs({**SEED, **overrides})))


def test_the_seed_example_saves_3600_hours_a_year():
    out = run()
    assert out["gross_hours_per_month"] == 300.0
    assert out["gross_hours_per_year"] == 3600.0
    assert out["realized_hours_per_month"] == 150.0  # 50 % realization
    assert out["realized_value_per_month"] == 750_000
    assert out["cost_per_month"] == 300_000
    assert out["net_benefit_per_month"] == 450_000
    assert out["payback_months"] == 2.0  # 900,000 / 450,000
    assert out["cost_per_hour_saved"] == 2_000  # 300,000 / 150 h
    assert out["per_seat"] == {
        "realized_hours_per_month": 1.5,
        "realized_value_per_month": 7_500,
        "cost_per_month": 3_000,
    }


def test_npv_and_roi_discount_each_year_end_and_keep_enablement_at_year_zero():
    out = run()
    factors = [Fraction(1, 1) / Fraction(11, 10) ** y for y in (1, 2, 3)]
    pv_benefits = sum(Fraction(9_000_000) * f for f in factors)
    pv_costs = 900_000 + sum(Fraction(3_600_000) * f for f in factors)
    npv = pv_benefits - pv_costs
    assert out["pv_benefits"] == round(pv_benefits)
    assert out["pv_costs"] == round(pv_costs)
    assert out["npv"] == round(npv)
    assert out["roi_pct"] == round(float(npv / pv_costs * 100), 1)
    assert [y["net"] for y in out["yearly"]] == [5_400_000] * 3


def test_zero_use_cases_lose_the_whole_cost_and_never_pay_back():
    out = run(use_cases=[])
    assert out["gross_hours_per_year"] == 0 and out["realized_value_per_month"] == 0
    assert out["roi_pct"] == -100.0
    assert out["payback_months"] is None and out["cost_per_hour_saved"] is None


def test_zero_cost_has_no_roi_percentage_and_immediate_payback():
    out = run(monthly_spend=0, enablement_cost=0)
    assert out["pv_costs"] == 0 and out["roi_pct"] is None
    assert out["payback_months"] == 0.0 and out["npv"] > 0


def test_negative_roi_when_spend_exceeds_value():
    out = run(monthly_spend=2_000_000)
    assert out["net_benefit_per_month"] == 750_000 - 2_000_000
    assert out["npv"] < 0 and out["roi_pct"] < 0 and out["payback_months"] is None


def test_internal_hours_cost_labor_and_risk_reduces_value():
    out = run(internal_hours_per_month=10, risk_adjustment="0.2")
    assert out["cost_per_month"] == 300_000 + 10 * 5_000
    assert out["realized_value_per_month"] == 600_000  # 300 h x 0.5 x 0.8 x 5,000


def test_sensitivity_moves_realization_and_risk_around_the_base():
    s = run()["sensitivity"]
    assert (s["low"]["realization_rate"], s["low"]["risk_adjustment"]) == (0.3, 0.1)
    assert (s["high"]["realization_rate"], s["high"]["risk_adjustment"]) == (0.7, 0.0)
    assert s["low"]["realized_value_per_month"] == 405_000  # 300 x 0.3 x 0.9 x 5,000
    assert s["high"]["realized_value_per_month"] == 1_050_000
    assert s["low"]["npv"] < s["base"]["npv"] < s["high"]["npv"]


def test_contributions_rank_use_cases_and_add_up():
    cases = [
        {"title": "small", "minutes_per_run": 10, "runs_per_month": 6, "people": 10},
        {"title": "big", "minutes_per_run": 60, "runs_per_month": 4, "people": 20},
    ]
    out = run(use_cases=cases)
    assert [c["title"] for c in out["use_cases"]] == ["big", "small"]
    assert [c["gross_hours_per_month"] for c in out["use_cases"]] == [80.0, 10.0]
    assert sum(c["share_pct"] for c in out["use_cases"]) == pytest.approx(100.0, abs=0.1)


def test_adoption_ramp_scales_early_years():
    out = run(adoption_ramp=["0.5", 1])
    assert [y["benefit"] for y in out["yearly"]] == [4_500_000, 9_000_000, 9_000_000]


@pytest.mark.parametrize(
    ("patch", "key"),
    [
        ({"monthly_spend": "abc"}, "monthly_spend"),
        ({"hourly_labor_cost": -1}, "hourly_labor_cost"),
        ({"realization_rate": 1.5}, "realization_rate"),
        ({"discount_rate": "NaN"}, "discount_rate"),
        ({"horizon_years": 2.5}, "horizon_years"),
        (
            {"use_cases": [{"title": "x", "minutes_per_run": -3, "runs_per_month": 1, "people": 1}]},
            "use_cases[0].minutes_per_run",
        ),
        ({"use_cases": [{"minutes_per_run": 3}]}, "use_cases[0].title"),
        ({"adoption_ramp": [0.5, 2]}, "adoption_ramp[1]"),
        ({"monthly_spend": True}, "monthly_spend"),
    ],
)
def test_bad_values_name_their_key(patch, key):
    with pytest.raises(ROIInputError) as caught:
        parse_inputs({**SEED, **patch})
    assert caught.value.key == key


def test_money_is_summed_exactly():
    result = compute(parse_inputs({**SEED, "hourly_labor_cost": "3333.33"}))
    assert isinstance(result.realized_value_per_month, Decimal)
    assert result.realized_value_per_month == Decimal("150") * Decimal("3333.33")

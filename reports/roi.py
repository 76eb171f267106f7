"""The ROI model behind the procurement report: inputs in, results out. Pure: no Flask, no database.

Conventions (Forrester TEI style, Microsoft's "assisted hours x hourly rate"), also printed in the report's
appendix and the README:

* gross hours / month = sum(minutes per run x runs per month x people) / 60
* realized value / month = gross hours x realization rate x (1 - risk adjustment) x hourly labor cost
* cost / month = licence spend + internal hours x hourly labor cost
* flows are annual and discounted at the end of each year 1..horizon; the one-off enablement cost falls at
  year 0, undiscounted; an optional adoption ramp scales each year's benefit
* NPV = PV(benefits) - PV(costs); ROI % = NPV / PV(costs) x 100 (None when PV(costs) is 0)
* payback months = enablement / (value/month - cost/month) when that difference is positive (0 with no
  enablement), else None

Money is summed as :class:`~decimal.Decimal` and reported in whole yen (half up); hours keep two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tenants.errors import N_

MINUTES_PER_HOUR = Decimal(60)
MONTHS_PER_YEAR = 12
MAX_HORIZON_YEARS = 10
MAX_YEN = Decimal(10) ** 13  # far above any real contract; catches a slipped digit
# Sensitivity: the low and high cases move realization and risk by these steps (clamped to 0..1).
SENSITIVITY_REALIZATION_STEP = Decimal("0.2")
SENSITIVITY_RISK_STEP = Decimal("0.1")

# Each assumption and where its default comes from; the report prints these beside the values used.
ASSUMPTION_SOURCES = {
    "realization_rate": N_("Forrester TEI convention: only part of the time saved becomes productive work."),
    "risk_adjustment": N_("Forrester TEI risk adjustment of benefits; 0 unless the CSM sets it."),
    "discount_rate": N_(
        "Corporate discount rate for NPV; ten percent unless the client's finance team gives one."
    ),
    "horizon_years": N_("Three years, the usual span of a TEI study and of an enterprise licence."),
    "hourly_labor_cost": N_("Fully loaded hourly labor cost agreed with the client (pay and overhead)."),
    "use_cases": N_("Production use cases: minutes saved per run x runs per month x people using it."),
}


class ROIInputError(ValueError):
    """A bad input value; ``key`` names it the way the JSON input spells it, ``code`` says what is wrong
    (required, number, min, max, whole, shape) and ``limit`` the bound for min/max, so a form can say it in
    the person's language while the CLI prints ``message``."""

    def __init__(self, key: str, message: str, code: str = "shape", limit: Decimal | None = None):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
        self.code = code
        self.limit = limit


@dataclass(frozen=True)
class UseCaseInput:
    title: str
    minutes_per_run: Decimal
    runs_per_month: Decimal
    people: Decimal

    @property
    def hours_per_month(self) -> Decimal:
        return self.minutes_per_run * self.runs_per_month * self.people / MINUTES_PER_HOUR


@dataclass(frozen=True)
class ROIInputs:
    monthly_spend: Decimal
    hourly_labor_cost: Decimal
    enablement_cost: Decimal = Decimal(0)
    internal_hours_per_month: Decimal = Decimal(0)
    realization_rate: Decimal = Decimal("0.5")
    risk_adjustment: Decimal = Decimal(0)
    discount_rate: Decimal = Decimal("0.10")
    horizon_years: int = 3
    use_cases: tuple[UseCaseInput, ...] = ()
    adoption_ramp: tuple[Decimal, ...] = ()  # share of the full benefit reached in year 1, 2, ...
    licensed_seats: int | None = None

    def ramp(self, year: int) -> Decimal:
        """Share of the full benefit in ``year`` (1-based); the last ramp value holds afterwards."""
        if not self.adoption_ramp:
            return Decimal(1)
        return self.adoption_ramp[min(year, len(self.adoption_ramp)) - 1]


@dataclass(frozen=True)
class Contribution:
    title: str
    gross_hours_per_month: Decimal
    realized_value_per_month: Decimal
    share: Decimal  # of the gross hours, 0..1


@dataclass(frozen=True)
class ROIResult:
    inputs: ROIInputs
    gross_hours_per_month: Decimal
    gross_hours_per_year: Decimal
    realized_hours_per_month: Decimal
    realized_hours_per_year: Decimal
    realized_value_per_month: Decimal
    realized_value_per_year: Decimal
    cost_per_month: Decimal
    net_benefit_per_month: Decimal
    net_benefit_per_year: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    npv: Decimal
    roi_pct: Decimal | None
    payback_months: Decimal | None
    cost_per_hour_saved: Decimal | None
    per_seat: dict[str, Decimal] | None
    yearly: list[dict[str, Decimal]]
    contributions: list[Contribution]
    sensitivity: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)


def compute(inputs: ROIInputs, *, with_sensitivity: bool = True) -> ROIResult:
    """Run the model on validated ``inputs``."""
    gross = sum((uc.hours_per_month for uc in inputs.use_cases), Decimal(0))
    keep = inputs.realization_rate * (1 - inputs.risk_adjustment)
    realized_hours = gross * keep
    value_m = realized_hours * inputs.hourly_labor_cost
    cost_m = inputs.monthly_spend + inputs.internal_hours_per_month * inputs.hourly_labor_cost
    yearly, pv_benefits, pv_costs = [], Decimal(0), inputs.enablement_cost
    for year in range(1, inputs.horizon_years + 1):
        factor = (1 + inputs.discount_rate) ** year
        benefit = value_m * MONTHS_PER_YEAR * inputs.ramp(year)
        cost = cost_m * MONTHS_PER_YEAR
        pv_benefits += benefit / factor
        pv_costs += cost / factor
        yearly.append({"year": Decimal(year), "benefit": benefit, "cost": cost, "net": benefit - cost})
    npv = pv_benefits - pv_costs
    monthly_gain = value_m - cost_m
    if monthly_gain > 0:
        payback = inputs.enablement_cost / monthly_gain if inputs.enablement_cost else Decimal(0)
    else:
        payback = None
    result = ROIResult(
        inputs=inputs,
        gross_hours_per_month=gross,
        gross_hours_per_year=gross * MONTHS_PER_YEAR,
        realized_hours_per_month=realized_hours,
        realized_hours_per_year=realized_hours * MONTHS_PER_YEAR,
        realized_value_per_month=value_m,
        realized_value_per_year=value_m * MONTHS_PER_YEAR,
        cost_per_month=cost_m,
        net_benefit_per_month=monthly_gain,
        net_benefit_per_year=monthly_gain * MONTHS_PER_YEAR,
        pv_benefits=pv_benefits,
        pv_costs=pv_costs,
        npv=npv,
        roi_pct=npv / pv_costs * 100 if pv_costs else None,
        payback_months=payback,
        cost_per_hour_saved=cost_m / realized_hours if realized_hours else None,
        per_seat=_per_seat(inputs, realized_hours, value_m, cost_m),
        yearly=yearly,
        contributions=[
            Contribution(
                title=uc.title,
                gross_hours_per_month=uc.hours_per_month,
                realized_value_per_month=uc.hours_per_month * keep * inputs.hourly_labor_cost,
                share=uc.hours_per_month / gross if gross else Decimal(0),
            )
            for uc in sorted(inputs.use_cases, key=lambda uc: uc.hours_per_month, reverse=True)
        ],
    )
    if with_sensitivity:
        result.sensitivity.update(_sensitivity(inputs, result))
    return result


def _per_seat(inputs: ROIInputs, hours: Decimal, value: Decimal, cost: Decimal) -> dict[str, Decimal] | None:
    if not inputs.licensed_seats:
        return None
    seats = Decimal(inputs.licensed_seats)
    return {
        "realized_hours_per_month": hours / seats,
        "realized_value_per_month": value / seats,
        "cost_per_month": cost / seats,
    }


def _clamp(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def _sensitivity(inputs: ROIInputs, base: ROIResult) -> dict[str, dict[str, Decimal | None]]:
    """Low / base / high: realization down and risk up, and the reverse."""
    cases = {
        "low": replace(
            inputs,
            realization_rate=_clamp(inputs.realization_rate - SENSITIVITY_REALIZATION_STEP),
            risk_adjustment=_clamp(inputs.risk_adjustment + SENSITIVITY_RISK_STEP),
        ),
        "high": replace(
            inputs,
            realization_rate=_clamp(inputs.realization_rate + SENSITIVITY_REALIZATION_STEP),
            risk_adjustment=_clamp(inputs.risk_adjustment - SENSITIVITY_RISK_STEP),
        ),
    }
    out = {}
    for name, case in (("low", cases["low"]), ("base", None), ("high", cases["high"])):
        result = base if case is None else compute(case, with_sensitivity=False)
        out[name] = {
            "realization_rate": result.inputs.realization_rate,
            "risk_adjustment": result.inputs.risk_adjustment,
            "realized_value_per_month": result.realized_value_per_month,
            "npv": result.npv,
            "roi_pct": result.roi_pct,
            "payback_months": result.payback_months,
        }
    return out


# -- Reading inputs (JSON, forms) ----------------------------------------------------------------------------


def _number(raw: Mapping, key: str, *, default=None, minimum=Decimal(0), maximum=None, label=None) -> Decimal:
    label = label or key
    value = raw.get(key, default)
    if value is None:
        raise ROIInputError(label, "is required", "required")
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ROIInputError(label, "must be a number", "number")
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ROIInputError(label, f"must be a number, not {str(value)[:40]!r}", "number") from None
    if not number.is_finite():
        raise ROIInputError(label, "must be a finite number", "number")
    if number < minimum:
        raise ROIInputError(label, f"must be at least {minimum}", "min", minimum)
    if maximum is not None and number > maximum:
        raise ROIInputError(label, f"must be at most {maximum}", "max", maximum)
    return number


def parse_inputs(raw: Mapping) -> ROIInputs:
    """Validated :class:`ROIInputs` from a JSON-like mapping; raises :class:`ROIInputError` naming the key."""
    if not isinstance(raw, Mapping):
        raise ROIInputError("(root)", "must be a JSON object")
    unit = Decimal(1)
    horizon = _number(raw, "horizon_years", default=3, minimum=unit, maximum=Decimal(MAX_HORIZON_YEARS))
    if horizon != horizon.to_integral_value():
        raise ROIInputError("horizon_years", "must be a whole number of years", "whole")
    cases = raw.get("use_cases", [])
    if not isinstance(cases, list):
        raise ROIInputError("use_cases", "must be a list")
    ramp = raw.get("adoption_ramp") or []
    if not isinstance(ramp, list):
        raise ROIInputError("adoption_ramp", "must be a list of shares per year")
    seats = raw.get("licensed_seats")
    return ROIInputs(
        monthly_spend=_number(raw, "monthly_spend", maximum=MAX_YEN),
        hourly_labor_cost=_number(raw, "hourly_labor_cost", maximum=MAX_YEN),
        enablement_cost=_number(raw, "enablement_cost", default=0, maximum=MAX_YEN),
        internal_hours_per_month=_number(raw, "internal_hours_per_month", default=0, maximum=Decimal(10**7)),
        realization_rate=_number(raw, "realization_rate", default="0.5", maximum=unit),
        risk_adjustment=_number(raw, "risk_adjustment", default=0, maximum=unit),
        discount_rate=_number(raw, "discount_rate", default="0.10", maximum=unit),
        horizon_years=int(horizon),
        use_cases=tuple(_use_case(case, i) for i, case in enumerate(cases)),
        adoption_ramp=tuple(
            _number({"v": v}, "v", maximum=unit, label=f"adoption_ramp[{i}]") for i, v in enumerate(ramp)
        ),
        licensed_seats=None if seats is None else int(_number(raw, "licensed_seats", minimum=unit)),
    )


def _use_case(raw, index: int) -> UseCaseInput:
    where = f"use_cases[{index}]"
    if not isinstance(raw, Mapping):
        raise ROIInputError(where, "must be an object with title, minutes_per_run, runs_per_month, people")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ROIInputError(f"{where}.title", "is required", "required")
    return UseCaseInput(
        title=title.strip()[:200],
        minutes_per_run=_number(
            raw, "minutes_per_run", maximum=Decimal(24 * 60), label=f"{where}.minutes_per_run"
        ),
        runs_per_month=_number(
            raw, "runs_per_month", maximum=Decimal(10**6), label=f"{where}.runs_per_month"
        ),
        people=_number(raw, "people", maximum=Decimal(10**7), label=f"{where}.people"),
    )


# -- Writing results -----------------------------------------------------------------------------------------


def yen(value: Decimal | None) -> int | None:
    """Whole yen, half up."""
    return None if value is None else int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pct(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def to_json(result: ROIResult) -> dict:
    """The results as plain JSON values: yen as integers, hours and months with two decimals."""
    i = result.inputs
    return {
        "gross_hours_per_month": hours(result.gross_hours_per_month),
        "gross_hours_per_year": hours(result.gross_hours_per_year),
        "realized_hours_per_month": hours(result.realized_hours_per_month),
        "realized_hours_per_year": hours(result.realized_hours_per_year),
        "realized_value_per_month": yen(result.realized_value_per_month),
        "realized_value_per_year": yen(result.realized_value_per_year),
        "cost_per_month": yen(result.cost_per_month),
        "net_benefit_per_month": yen(result.net_benefit_per_month),
        "net_benefit_per_year": yen(result.net_benefit_per_year),
        "pv_benefits": yen(result.pv_benefits),
        "pv_costs": yen(result.pv_costs),
        "npv": yen(result.npv),
        "roi_pct": pct(result.roi_pct),
        "payback_months": hours(result.payback_months),
        "cost_per_hour_saved": yen(result.cost_per_hour_saved),
        "per_seat": None
        if result.per_seat is None
        else {
            "realized_hours_per_month": hours(result.per_seat["realized_hours_per_month"]),
            "realized_value_per_month": yen(result.per_seat["realized_value_per_month"]),
            "cost_per_month": yen(result.per_seat["cost_per_month"]),
        },
        "yearly": [
            {
                "year": int(y["year"]),
                "benefit": yen(y["benefit"]),
                "cost": yen(y["cost"]),
                "net": yen(y["net"]),
            }
            for y in result.yearly
        ],
        "use_cases": [
            {
                "title": c.title,
                "gross_hours_per_month": hours(c.gross_hours_per_month),
                "realized_value_per_month": yen(c.realized_value_per_month),
                "share_pct": pct(c.share * 100),
            }
            for c in result.contributions
        ],
        "sensitivity": {
            name: {
                "realization_rate": float(case["realization_rate"]),
                "risk_adjustment": float(case["risk_adjustment"]),
                "realized_value_per_month": yen(case["realized_value_per_month"]),
                "npv": yen(case["npv"]),
                "roi_pct": pct(case["roi_pct"]),
                "payback_months": hours(case["payback_months"]),
            }
            for name, case in result.sensitivity.items()
        },
        "assumptions": {
            "realization_rate": float(i.realization_rate),
            "risk_adjustment": float(i.risk_adjustment),
            "discount_rate": float(i.discount_rate),
            "horizon_years": i.horizon_years,
            "hourly_labor_cost": yen(i.hourly_labor_cost),
            "monthly_spend": yen(i.monthly_spend),
            "enablement_cost": yen(i.enablement_cost),
            "internal_hours_per_month": hours(i.internal_hours_per_month),
        },
    }

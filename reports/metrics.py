"""Adoption metrics: pure functions of counts, so SQL aggregates, imports, tests and the CLI share them.

Definitions (docs/architecture.md, "Metrics"):

* use-case density = use cases shared in the period per 100 licensed seats per month;
* team coverage = share of teams with at least one case shared in the period (teams are measured, people are
  never ranked); champion coverage = share of teams with at least one active champion;
* LT cadence = months with a lightning talk held / months since kickoff;
* breadth = active users / licensed seats;
* health = the mean of the parts that are measured, each scored against its target, shown with its parts
  and never as a bare number.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenants.errors import N_

# Targets a healthy account reaches; a part scores its value / target, capped at 1.
TARGETS = {
    "use_case_density": 5.0,  # five cases a month per 100 seats: a living library
    "team_coverage": 1.0,  # every team shares at least one case a month (the team KPI)
    "champion_coverage": 1.0,  # a champion in every team
    "lt_cadence": 1.0,  # a lightning talk every month
    "breadth": 0.6,  # six in ten licensed seats active
}
PART_LABELS = {
    "use_case_density": N_("Use-case density"),
    "team_coverage": N_("Team coverage"),
    "champion_coverage": N_("Champion coverage"),
    "lt_cadence": N_("LT cadence"),
    "breadth": N_("Breadth"),
}
GOOD, WATCH = 70, 40  # health bands: >= 70 good, >= 40 watch, else at risk


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def use_case_density(shared: int, seats: int, months: float = 1.0) -> float | None:
    """Use cases shared per 100 licensed seats per month."""
    if not seats or months <= 0:
        return None
    return shared * 100 / seats / months


@dataclass(frozen=True)
class HealthPart:
    key: str
    value: float | None  # the metric itself (None: not measured yet)
    score: float | None  # 0..1 against its target
    target: float


@dataclass(frozen=True)
class Health:
    score: int | None  # 0..100, None when no part is measured
    band: str | None  # good / watch / at_risk
    parts: list[HealthPart]


def health_score(values: dict[str, float | None]) -> int | None:
    """The 0..100 composite of :func:`health` without its parts: what sorting a thousand accounts needs."""
    measured = [min(1.0, values[k] / target) for k, target in TARGETS.items() if values.get(k) is not None]
    return round(100 * sum(measured) / len(measured)) if measured else None


def health(values: dict[str, float | None]) -> Health:
    """The composite of the measured parts in ``values`` (keys of :data:`TARGETS`)."""
    parts = []
    for key, target in TARGETS.items():
        value = values.get(key)
        score = None if value is None else min(1.0, value / target)
        parts.append(HealthPart(key, value, score, target))
    score = health_score(values)
    if score is None:
        return Health(None, None, parts)
    band = "good" if score >= GOOD else "watch" if score >= WATCH else "at_risk"
    return Health(score, band, parts)

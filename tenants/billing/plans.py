"""Plans, their Stripe prices and their limits. Price ids come from the environment in production
(``STRIPE_PRICE_STARTER`` ...); the defaults are the ids the local Stripe fake knows."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tenants.errors import N_


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    price_id: str | None
    monthly_yen: int
    accounts: int | None  # active client accounts; None = no limit
    csm_seats: int | None  # owners and CSMs, active or invited
    reports_per_month: int | None


def _price(key: str) -> str:
    return os.environ.get(f"STRIPE_PRICE_{key.upper()}", f"price_{key}_monthly")


PLANS: dict[str, Plan] = {
    "starter": Plan(
        "starter", "Starter", _price("starter"), 50_000, accounts=3, csm_seats=2, reports_per_month=5
    ),
    "growth": Plan(
        "growth", "Growth", _price("growth"), 200_000, accounts=20, csm_seats=10, reports_per_month=50
    ),
    "enterprise": Plan(
        "enterprise",
        "Enterprise",
        _price("enterprise"),
        800_000,
        accounts=None,
        csm_seats=None,
        reports_per_month=None,
    ),
}
# Before a first subscription (a trial) the tenant has the Starter limits.
TRIAL = Plan("trial", "Trial", None, 0, accounts=3, csm_seats=2, reports_per_month=5)
# The embedded default has no Stripe: one plan, no limits.
UNLIMITED = Plan("unlimited", "Unlimited", None, 0, accounts=None, csm_seats=None, reports_per_month=None)

LIMIT_LABELS = {
    "accounts": N_("active client accounts"),
    "csm_seats": N_("owner and CSM seats"),
    "reports_per_month": N_("ROI reports a month"),
}


def plan_for_price(price_id: str | None) -> Plan | None:
    return next((p for p in PLANS.values() if p.price_id == price_id), None)

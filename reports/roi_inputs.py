"""ROI inputs drawn from an account's own records: the contract and its production use cases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from playbooks.usecases import Stage, UseCase
from tenants.accounts import Account

DEFAULT_ASSUMPTIONS = {
    "enablement_cost": 0,
    "internal_hours_per_month": 0,
    "realization_rate": "0.5",
    "risk_adjustment": "0",
    "discount_rate": "0.10",
    "horizon_years": 3,
}


def production_use_cases(session: Session, account: Account) -> list[UseCase]:
    """The account's production use cases (PoCs and pilots excluded), largest monthly saving first."""
    cases = session.scalars(
        select(UseCase).where(
            UseCase.account_id == account.id,
            UseCase.stage == Stage.PRODUCTION.value,
            UseCase.published_at.is_not(None),
        )
    )
    return sorted(cases, key=lambda c: (-c.minutes_saved_per_month, c.id))


def inputs_from_account(session: Session, account: Account, **assumptions) -> dict:
    """ROI model inputs (the JSON shape of :func:`reports.roi.parse_inputs`) from ``account``'s contract and
    production use cases; ``assumptions`` override the defaults."""
    return {
        **DEFAULT_ASSUMPTIONS,
        **assumptions,
        "monthly_spend": account.monthly_spend_yen,
        "hourly_labor_cost": account.hourly_labor_cost_yen,
        "licensed_seats": account.licensed_seats,
        "use_cases": [
            {
                "title": case.title,
                "minutes_per_run": case.minutes_saved_per_run,
                "runs_per_month": case.runs_per_month,
                "people": case.people,
            }
            for case in production_use_cases(session, account)
        ],
    }

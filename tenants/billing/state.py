"""What a tenant's subscription allows: its plan's limits, and whether it may still write.

Where Stripe is not configured (the embedded default) every tenant has one plan with no limits. The web
shell says which with :func:`configure`, once per app context, as it does for jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenants.billing.plans import LIMIT_LABELS, PLANS, TRIAL, UNLIMITED, Plan
from tenants.db import as_utc, utcnow
from tenants.errors import N_, FieldErrors, Message
from tenants.tenant import Tenant

GRACE_DAYS = 7  # past_due keeps full access this long (with a banner), then the tenant is read-only
ACTIVE_STATUSES = {"active", "trialing"}


@dataclass
class _Settings:
    enabled: bool = False


_settings = _Settings()


def configure(enabled: bool) -> None:
    """Billing is enabled when Stripe keys are configured."""
    _settings.enabled = enabled


def billing_enabled() -> bool:
    return _settings.enabled


def plan_of(tenant: Tenant) -> Plan:
    """The plan whose limits apply to ``tenant``."""
    if not _settings.enabled:
        return UNLIMITED
    return PLANS.get(tenant.plan, TRIAL)


def access_mode(tenant: Tenant, now: datetime | None = None) -> str:
    """``full``; ``grace`` (payment failed recently: everything works, a banner says so); or ``read_only``
    (payment failed longer than the grace period ago, or the subscription was canceled). Data is never
    deleted; reactivating restores full access."""
    if not _settings.enabled:
        return "full"
    status = tenant.subscription_status
    if status in ("past_due", "unpaid"):
        since = as_utc(tenant.past_due_since) if tenant.past_due_since else (now or utcnow())
        return "grace" if (now or utcnow()) - since < timedelta(days=GRACE_DAYS) else "read_only"
    if status in ("canceled", "incomplete_expired"):
        return "read_only"
    return "full"


def grace_ends(tenant: Tenant) -> datetime | None:
    if tenant.past_due_since is None:
        return None
    return as_utc(tenant.past_due_since) + timedelta(days=GRACE_DAYS)


def account_count(session: Session) -> int:
    from tenants.accounts import Account

    return session.scalar(select(func.count(Account.id))) or 0


def staff_seat_count(session: Session) -> int:
    """Active owners and CSMs, plus vendor invitations still open (each will take a seat)."""
    from tenants.invitations import Invitation
    from tenants.people import vendor_staff

    pending = sum(
        1
        for i in session.scalars(select(Invitation).where(Invitation.account_id.is_(None)))
        if i.status() == "pending"
    )
    return len(vendor_staff(session, active_only=True)) + pending


class PlanLimitReached(FieldErrors):
    """One more of something the plan limits: the form shows the plan and the way to upgrade."""

    def __init__(self, plan: Plan, limit_key: str, limit: int):
        self.plan, self.limit_key, self.limit = plan, limit_key, limit
        message = Message(
            N_("Your %(plan)s plan includes %(limit)s %(what)s. The owner can upgrade on the billing page."),
            plan=plan.name,
            limit=limit,
            what=LIMIT_LABELS[limit_key],
        )
        super().__init__({"plan": message})


def check_limit(tenant: Tenant, limit_key: str, current: int, adding: int = 1) -> None:
    """Raise :class:`PlanLimitReached` when ``current + adding`` would pass the tenant's plan limit."""
    plan = plan_of(tenant)
    limit = getattr(plan, limit_key)
    if limit is not None and current + adding > limit:
        raise PlanLimitReached(plan, limit_key, limit)


def month_start(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return datetime(now.year, now.month, 1, tzinfo=UTC)

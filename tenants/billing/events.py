"""Stripe webhook events: stored once each with their outcome, applied from the object's current state.

Stripe may deliver an event twice, late, or out of order. So an event only says *which* subscription changed:
the subscription's current state is fetched from Stripe and copied onto the tenant, and the event id is
stored (unique) with what came of it. Replaying an old event therefore can never move a tenant backwards.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants import audit
from tenants.billing.plans import plan_for_price
from tenants.db import db, utcnow
from tenants.jobs import job
from tenants.scoping import unscoped
from tenants.tenant import Tenant

HANDLED = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_failed",
}


class StripeEvent(db.Model):
    """A webhook event received from Stripe (platform-level: it names a customer, not a scope)."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(100), default="received")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


def record_event(session: Session, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event; ``(row, False)`` when its id was already received (a duplicate delivery)."""
    existing = session.scalar(select(StripeEvent).where(StripeEvent.event_id == event["id"]))
    if existing is not None:
        return existing, False
    row = StripeEvent(event_id=event["id"], type=event["type"], payload=event)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the same event delivered twice at the same moment
        session.rollback()
        return session.scalar(select(StripeEvent).where(StripeEvent.event_id == event["id"])), False
    return row, True


def _ts(value) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def _subscription_id(obj: dict) -> str | None:
    if obj.get("object") == "subscription":
        return obj["id"]
    sub = obj.get("subscription") or (obj.get("parent") or {}).get("subscription_details", {}).get(
        "subscription"
    )
    return sub["id"] if isinstance(sub, dict) else sub


def _tenant_for(session: Session, obj: dict) -> Tenant | None:
    customer = obj.get("customer")
    customer = customer["id"] if isinstance(customer, dict) else customer
    tenant = session.scalar(select(Tenant).where(Tenant.stripe_customer_id == customer)) if customer else None
    if tenant is None and (ref := obj.get("client_reference_id")) and str(ref).isdigit():
        tenant = session.get(Tenant, int(ref))
        if tenant is not None and customer and tenant.stripe_customer_id in (None, customer):
            tenant.stripe_customer_id = customer
        elif tenant is not None:
            tenant = None  # a reference that contradicts the customer we know is not trusted
    return tenant


def copy_subscription(tenant: Tenant, sub: dict) -> None:
    """Make the tenant's plan and status those of Stripe's current subscription object."""
    items = (sub.get("items") or {}).get("data") or [{}]
    price = (items[0].get("price") or {}).get("id")
    period_end = sub.get("current_period_end") or items[0].get("current_period_end")
    tenant.stripe_subscription_id = sub["id"]
    if plan := plan_for_price(price):
        tenant.plan = plan.key
    previous, tenant.subscription_status = tenant.subscription_status, sub["status"]
    tenant.current_period_end = _ts(period_end)
    tenant.trial_end = _ts(sub.get("trial_end"))
    if sub["status"] in ("past_due", "unpaid"):
        if previous not in ("past_due", "unpaid") or tenant.past_due_since is None:
            tenant.past_due_since = utcnow()
    else:
        tenant.past_due_since = None


def apply_event(session: Session, client, row: StripeEvent) -> str:
    """Apply one stored event; returns (and stores) its outcome. ``client`` is a ``stripe.StripeClient``."""
    obj = row.payload["data"]["object"]
    with unscoped(session, "Stripe names a customer; the tenant is found from it"):
        tenant = _tenant_for(session, obj)
        if row.type not in HANDLED:
            outcome = "ignored"
        elif tenant is None:
            outcome = "unknown customer"
        elif (sub_id := _subscription_id(obj)) is None:
            outcome = "no subscription"
        else:
            current = client.v1.subscriptions.retrieve(sub_id)
            before = (tenant.plan, tenant.subscription_status)
            copy_subscription(tenant, current.to_dict() if hasattr(current, "to_dict") else dict(current))
            outcome = f"{before[1]} -> {tenant.subscription_status}"
            if row.type == "customer.subscription.trial_will_end":
                outcome = f"trial ends {tenant.trial_end:%Y-%m-%d}" if tenant.trial_end else "trial ends"
            audit.record(
                session,
                tenant.id,
                None,
                "billing." + row.type,
                f"tenant:{tenant.id}",
                plan=tenant.plan,
                status=tenant.subscription_status,
            )
        row.tenant_id = tenant.id if tenant else None
        row.outcome, row.processed_at = outcome, utcnow()
        session.flush()  # written here, under the unscoped reason: the webhook has no signed-in user
    return outcome


@job("default", timeout=60, retries=3, retry_intervals=(5, 30, 120))
def process_stripe_event(event_row_id: int) -> str:
    """Job: apply a stored webhook event (the webhook view answered Stripe already)."""
    from tenants.billing.client import stripe_client

    session = db.session
    row = session.get(StripeEvent, event_row_id)
    if row is None or row.processed_at is not None:
        return "done before"
    outcome = apply_event(session, stripe_client(), row)
    session.commit()
    return outcome

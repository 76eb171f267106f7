"""Subscribing and managing a subscription: Checkout, the Customer Portal, invoices."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tenants.billing.plans import PLANS
from tenants.errors import N_, FieldErrors
from tenants.tenant import Tenant
from tenants.users import User


def ensure_customer(client, tenant: Tenant, owner: User) -> str:
    """The tenant's Stripe customer id, creating the customer on first use."""
    if not tenant.stripe_customer_id:
        customer = client.v1.customers.create(
            params={"email": owner.email, "name": tenant.name, "metadata": {"tenant_id": str(tenant.id)}}
        )
        tenant.stripe_customer_id = customer.id
    return tenant.stripe_customer_id


def start_checkout(
    session: Session, client, tenant: Tenant, owner: User, plan_key: str, *, success_url: str, cancel_url: str
) -> str:
    """A Stripe Checkout URL where the owner subscribes ``tenant`` to ``plan_key``."""
    plan = PLANS.get(plan_key)
    if plan is None or plan.price_id is None:
        raise FieldErrors({"plan": N_("Choose a plan from the list.")})
    customer = ensure_customer(client, tenant, owner)
    session.flush()
    checkout = client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer,
            "client_reference_id": str(tenant.id),
            "line_items": [{"price": plan.price_id, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
    )
    return checkout.url


def portal_url(client, tenant: Tenant, return_url: str) -> str:
    """The Customer Portal (payment methods, invoices, cancellation) for a subscribed tenant."""
    if not tenant.stripe_customer_id:
        raise FieldErrors({"plan": N_("Subscribe to a plan first.")})
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": tenant.stripe_customer_id, "return_url": return_url}
    )
    return portal.url


def recent_invoices(client, tenant: Tenant, limit: int = 12) -> list[dict]:
    """The tenant's latest invoices as plain dicts (empty before a first subscription)."""
    if not tenant.stripe_customer_id:
        return []
    page = client.v1.invoices.list(params={"customer": tenant.stripe_customer_id, "limit": limit})
    return [inv.to_dict() for inv in page.data]

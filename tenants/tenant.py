"""The vendor: one tenant of AdoptLoop."""

import re
import secrets
import unicodedata
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import db, utcnow
from tenants.scoping import ScopeRoot


class Tenant(ScopeRoot, db.Model):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(32), default="trial")
    subscription_status: Mapped[str] = mapped_column(String(32), default="not_configured")
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    default_locale: Mapped[str] = mapped_column(String(5), default="ja")
    # Billing (tenants/billing): Stripe's ids and the subscription state last fetched from Stripe.
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64))
    current_period_end: Mapped[datetime | None]
    trial_end: Mapped[datetime | None]
    past_due_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the owner proved they read mail at their address; an unverified vendor cannot invite anyone.
    verified_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


def slugify(name: str) -> str:
    """ASCII slug of ``name``; names with no Latin letters (e.g. 株式会社…) get a random one."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48]
    return slug or f"vendor-{secrets.token_hex(3)}"


def unique_slug(session, name: str) -> str:
    """A slug for ``name`` not yet used by any tenant (caller holds an unscoped session)."""
    base = slugify(name)
    slug, n = base, 1
    while session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug

"""An append-only record of who did what, per tenant."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants.db import db, utcnow
from tenants.scoping import MaybeAccountOwned


class AuditEvent(MaybeAccountOwned, db.Model):
    """Vendor-level events have no account and are hidden from client users; account events show to
    that account's people."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(120), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def record(
    session: Session,
    tenant_id: int,
    actor_id: int | None,
    action: str,
    target: str = "",
    account_id: int | None = None,
    **data,
) -> None:
    """Add an audit event to the current transaction (``account_id`` for events about one account)."""
    session.add(
        AuditEvent(
            tenant_id=tenant_id,
            account_id=account_id,
            actor_id=actor_id,
            action=action,
            target=target,
            data=data,
        )
    )


def recent(session: Session, limit: int = 50) -> list[AuditEvent]:
    """The scoped tenant's latest events."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))

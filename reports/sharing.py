"""Share links: procurement reads one report without an account, until the link expires or is revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.models import Report, ShareLink
from tenants import audit
from tenants.db import utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import unscoped
from tenants.users import User

DEFAULT_DAYS = 14
MAX_DAYS = 90


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share_link(
    session: Session, report: Report, actor: User, days: int = DEFAULT_DAYS
) -> tuple[ShareLink, str]:
    """A new link to ``report`` valid for ``days``; returns it with the token (shown once, stored hashed)."""
    if not report.is_done:
        raise FieldErrors({"report": N_("Only a finished report can be shared.")})
    if not 1 <= days <= MAX_DAYS:
        raise FieldErrors({"days": N_("A link lasts between 1 and 90 days.")})
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        tenant_id=report.tenant_id,
        account_id=report.account_id,
        report_id=report.id,
        token_hash=hash_token(token),
        expires_at=utcnow() + timedelta(days=days),
        created_by_id=actor.id,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        report.tenant_id,
        actor.id,
        "report.shared",
        f"report:{report.id}",
        report.account_id,
        link=link.id,
        days=days,
    )
    return link, token


def revoke_share_link(session: Session, link: ShareLink, actor: User) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record(
            session,
            link.tenant_id,
            actor.id,
            "report.share_revoked",
            f"report:{link.report_id}",
            link.account_id,
            link=link.id,
        )


def open_share_link(session: Session, token: str) -> tuple[str, Report | None]:
    """``("ok", report)`` for a live link (the opening is counted and logged), ``("gone", None)`` for an
    expired or revoked one, ``("missing", None)`` for an unknown token."""
    with unscoped(
        session, "a share link is opened by someone without an account; the token names the report"
    ):
        link = session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
        if link is None:
            return "missing", None
        if link.status() != "active":
            return "gone", None
        link.open_count += 1
        link.last_opened_at = utcnow()
        audit.record(
            session,
            link.tenant_id,
            None,
            "report.share_opened",
            f"report:{link.report_id}",
            link.account_id,
            link=link.id,
        )
        return "ok", link.report


def get_share_link(session: Session, link_id: int) -> ShareLink | None:
    return session.scalar(select(ShareLink).where(ShareLink.id == link_id))

"""One-time links mailed to a person: confirm the address of a new vendor, or choose a (new) password.

Like invitations, only a SHA-256 of the token is stored; a link expires, works once, and a newer link of the
same kind for the same person replaces it. Asking for one never tells the asker whether the address has a
login: the caller answers the same either way, and only the mailbox learns more.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenants import audit
from tenants.db import db, utcnow
from tenants.passwords import hash_password
from tenants.scoping import TenantOwned, unscoped
from tenants.tenant import Tenant
from tenants.users import User, check_password_rules, find_person, memberships_of


class Purpose(enum.StrEnum):
    VERIFY = "verify"  # a new vendor's owner confirms their address
    RESET = "reset"  # choose a new password (asked by the person, or sent by their CSM / client admin)


TTL = {Purpose.VERIFY: timedelta(days=2), Purpose.RESET: timedelta(hours=1)}
# A link sent by a CSM or client admin is opened later than one the person asked for themselves.
SENT_BY_ADMIN_TTL = timedelta(days=3)


class LoginLink(TenantOwned, db.Model):
    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def issue(session: Session, user: User, purpose: Purpose, *, by: User | None = None) -> str:
    """A new link for ``user``; earlier unused links of the same kind stop working. Returns the raw token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    ttl = SENT_BY_ADMIN_TTL if by is not None and by.id != user.id else TTL[purpose]
    with unscoped(session, "a link is issued for a person found by address, before any scope"):
        session.execute(
            update(LoginLink)
            .where(
                LoginLink.user_id == user.id, LoginLink.purpose == purpose.value, LoginLink.used_at.is_(None)
            )
            .values(used_at=now)
        )
        session.add(
            LoginLink(
                tenant_id=user.tenant_id,
                user_id=user.id,
                purpose=purpose.value,
                token_hash=_hash(token),
                created_by_id=by.id if by else None,
                expires_at=now + ttl,
            )
        )
        session.flush()
    return token


def find(session: Session, token: str, purpose: Purpose) -> LoginLink | None:
    """The open link for ``token`` (unused, unexpired, its person active), or None."""
    with unscoped(session, "a mailed link names its person before any scope"):
        link = session.scalar(
            select(LoginLink).where(LoginLink.token_hash == _hash(token), LoginLink.purpose == purpose.value)
        )
        if link is None or link.used_at is not None or _aware(link.expires_at) <= utcnow():
            return None
        if not link.user.active:
            return None
        return link


def user_for_address(session: Session, email: str) -> User | None:
    """The active membership a person with this address last used, for sending them a link (never shown to
    the asker). The password it resets is the person's, for every membership."""
    person = find_person(session, email)
    if person is None:
        return None
    users = memberships_of(session, person.id)
    return users[0] if users else None


def confirm_address(session: Session, link: LoginLink) -> User:
    """Use a verification link: the owner's vendor becomes verified (it may now invite)."""
    with unscoped(session, "confirming an address before the person is signed in"):
        link.used_at = utcnow()
        tenant = session.get(Tenant, link.user.tenant_id)
        if tenant.verified_at is None:
            tenant.verified_at = utcnow()
            audit.record(session, tenant.id, link.user_id, "tenant.verified", f"tenant:{tenant.id}")
        session.flush()
        return link.user


def reset_password(session: Session, link: LoginLink, password: str) -> User:
    """Use a reset link: a new password, every other sign-in ended. Raises FieldErrors for a weak one."""
    check_password_rules(password)
    with unscoped(session, "resetting a password before the person is signed in"):
        user = link.user
        user.password_hash = hash_password(password)
        user.sign_out_everywhere()
        link.used_at = utcnow()
        # Proof of the address, like a verification link: an owner resetting confirms their vendor too.
        tenant = session.get(Tenant, user.tenant_id)
        if tenant.verified_at is None and user.membership and user.role.value == "owner":
            tenant.verified_at = utcnow()
        session.flush()
        return user

"""Sign-ins kept on the server: each sign-in is a row, and the cookie names it.

The session cookie (and the remember-me cookie, which carries the same id) holds
``"<user id>:<session version>:<token>"``; only a SHA-256 of the token is stored. A cookie works while its row
is open and the user's session version is unchanged, so:

- signing out closes that row: a copy of the cookie taken before stops working;
- "sign out everywhere" and a password change bump the person's version: every row of every membership
  closes at once; deactivating one membership closes that membership's rows;
- the profile lists the open rows (when, from where, which browser).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants.db import as_utc, db, utcnow
from tenants.scoping import TenantOwned, unscoped
from tenants.users import User, memberships_of

# How often "last seen" is written: every request would turn every page view into a write.
SEEN_EVERY = timedelta(minutes=5)


class SignIn(TenantOwned, db.Model):
    """One sign-in of one person on one browser."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int]
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    def is_open_for(self, user: User) -> bool:
        return self.ended_at is None and self.session_version == user.session_version


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, *, ip: str = "", user_agent: str = "") -> str:
    """Open a sign-in for ``user`` and return the cookie id to hand to Flask-Login."""
    token = secrets.token_urlsafe(24)
    with unscoped(session, "a sign-in is recorded before the person's scope is bound"):
        session.add(
            SignIn(
                tenant_id=user.tenant_id,
                user_id=user.id,
                token_hash=_hash(token),
                session_version=user.session_version,
                ip=(ip or "")[:64],
                user_agent=(user_agent or "")[:200],
            )
        )
        session.flush()
    user.sign_in_id = f"{user.id}:{user.session_version}:{token}"
    return user.sign_in_id


def resolve(session: Session, cookie_id: str) -> tuple[User, SignIn] | None:
    """The active user and open sign-in a cookie names, or None (ended, signed out everywhere, deactivated,
    or not one of ours)."""
    user_id, _, rest = cookie_id.partition(":")
    version, _, token = rest.partition(":")
    if not (user_id.isdigit() and version.isdigit() and token):
        return None
    with unscoped(session, "the session cookie names the user whose scope we are about to set"):
        row = session.scalar(
            select(SignIn).where(SignIn.token_hash == _hash(token), SignIn.user_id == int(user_id))
        )
        if row is None:
            return None
        user = session.scalar(select(User).where(User.id == row.user_id, User.active.is_(True)))
        if user is None or user.session_version != int(version) or not row.is_open_for(user):
            return None
        now = utcnow()
        if now - as_utc(row.last_seen_at) > SEEN_EVERY:
            session.execute(update(SignIn).where(SignIn.id == row.id).values(last_seen_at=now))
            session.commit()
    return user, row


def load_user(session: Session, cookie_id: str) -> User | None:
    """Flask-Login's user loader: the person an open sign-in names, remembering which sign-in it is."""
    found = resolve(session, cookie_id)
    if found is None:
        return None
    user, _ = found
    user.sign_in_id = cookie_id
    return user


def end(session: Session, cookie_id: str) -> None:
    """Close the sign-in a cookie names (signing out): copies of that cookie stop working."""
    _, _, rest = cookie_id.partition(":")
    _, _, token = rest.partition(":")
    if not token:
        return
    with unscoped(session, "signing out closes the sign-in the cookie names"):
        session.execute(
            update(SignIn)
            .where(SignIn.token_hash == _hash(token), SignIn.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all_for(session: Session, user: User) -> None:
    """Close every sign-in into this one membership (deactivation): the person's other vendors stay
    signed in."""
    session.execute(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None)).values(ended_at=utcnow())
    )


def leave_for(session: Session, current: User, cookie_id: str, target_user_id: int) -> User | None:
    """End this browser's sign-in into ``current`` to move to another membership of the same person, and
    return that membership (the caller starts the new sign-in). None, ending nothing, unless the target is
    an active membership of the same person."""
    target = next((u for u in memberships_of(session, current.person_id) if u.id == target_user_id), None)
    if target is None:
        return None
    end(session, cookie_id)
    with unscoped(session, "switching records the time in the membership being entered"):
        target.last_login_at = utcnow()
    return target


def open_sign_ins(session: Session, user: User) -> list[SignIn]:
    """The person's sign-ins that still work, latest first."""
    rows = session.scalars(
        select(SignIn)
        .where(
            SignIn.user_id == user.id,
            SignIn.ended_at.is_(None),
            SignIn.session_version == user.session_version,
        )
        .order_by(SignIn.last_seen_at.desc())
    )
    return list(rows)


def is_current(row: SignIn, cookie_id: str) -> bool:
    """Whether ``row`` is the sign-in of the cookie ``cookie_id``."""
    return _hash(cookie_id.rpartition(":")[2]) == row.token_hash

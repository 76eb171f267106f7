"""API tokens: how a vendor's own systems (product telemetry, a chat bot) call /api/v1.

A token belongs to one vendor and reads (``read``) or also writes (``write``) that vendor's data. Only a
SHA-256 of the secret is stored; the secret is shown once, when the owner creates it. Its prefix stays
visible so the owner can tell tokens apart, and a revoked token stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tenants import audit
from tenants.db import as_utc, db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import TenantOwned, unscoped
from tenants.text import clean_name
from tenants.users import User

SCOPES = ("read", "write")
PREFIX = "al_"
# last_used_at is written at most this often: not a write per API call.
USED_EVERY = timedelta(minutes=5)


class ApiToken(TenantOwned, db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # shown: "al_3fA9c2"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def may_write(self) -> bool:
        return self.scope == "write"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(session: Session, actor: User, *, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token of the actor's vendor and its secret (show it once; it is not stored)."""
    errors = {}
    name = clean_name(name or "")
    if not name:
        errors["name"] = N_("Give the token a name (what will use it).")
    if scope not in SCOPES:
        errors["scope"] = N_("Choose read or write.")
    if errors:
        raise FieldErrors(errors)
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        tenant_id=actor.tenant_id,
        name=name[:100],
        prefix=raw[:10],
        token_hash=_hash(raw),
        scope=scope,
        created_by_id=actor.id,
    )
    session.add(token)
    session.flush()
    audit.record(session, actor.tenant_id, actor.id, "api_token.created", f"api_token:{token.id}")
    return token, raw


def list_tokens(session: Session) -> list[ApiToken]:
    """The scoped vendor's tokens, newest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor.tenant_id, actor.id, "api_token.revoked", f"api_token:{token.id}")


def authenticate(session: Session, raw: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown or revoked)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    with unscoped(session, "an API call names its vendor by its token"):
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(raw)))
        if token is None or token.revoked_at is not None:
            return None
        now = utcnow()
        last = token.last_used_at
        if last is None or now - as_utc(last) > USED_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
            session.commit()
        return token

"""People: users, their membership (role, and account for client users), sign-up and sign-in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenants import audit
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors, Message
from tenants.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from tenants.roles import Role
from tenants.rules import MIN_PASSWORD_LENGTH, PASSWORD_TOO_SHORT
from tenants.scoping import MaybeAccountOwned, Scope, TenantOwned, unscoped
from tenants.tenant import Tenant, unique_slug
from tenants.text import clean_name


class User(TenantOwned, db.Model):
    """A person who signs in. Emails are unique across AdoptLoop so sign-in needs no tenant picker."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when vendor staff deactivated the person: only vendor staff may then undo it, not a client admin.
    deactivated_by_vendor: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Part of the session identifier: bumping it signs the user out everywhere (sessions and remember-me).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    tenant: Mapped[Tenant] = relationship()
    membership: Mapped[Membership] = relationship(
        back_populates="user", uselist=False, lazy="joined", cascade="all, delete-orphan"
    )

    # Flask-Login's protocol, spelled out so this package needs no web import.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    # The cookie id of the sign-in this object was loaded for or is starting (see tenants.sessions).
    sign_in_id = None

    def get_id(self) -> str:
        return self.sign_in_id or f"{self.id}:{self.session_version}:"

    def sign_out_everywhere(self) -> None:
        """Invalidate every session and remember-me cookie of this user (password change, deactivation)."""
        self.session_version += 1

    @classmethod
    def visible_to_accounts(cls, account_ids):
        """Client users see the people of their own accounts and those accounts' CSMs, nobody else."""
        return or_(
            cls.id.in_(select(Membership.user_id).where(Membership.account_id.in_(account_ids))),
            cls.id.in_(select(Account.csm_id).where(Account.id.in_(account_ids))),
        )

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    @property
    def account_id(self) -> int | None:
        return self.membership.account_id

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(MaybeAccountOwned, db.Model):
    """A user's role: vendor-wide (owner, csm; no account) or within one client account."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="membership")
    account: Mapped[Account | None] = relationship()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def scope_for(user: User) -> Scope:
    """The scope a signed-in user's requests run under."""
    role = user.role
    if role.is_vendor:
        return Scope(tenant_id=user.tenant_id)
    return Scope(tenant_id=user.tenant_id, account_ids=frozenset({user.account_id}))


def email_taken(session: Session, email: str) -> bool:
    """True if any tenant already has a user with ``email`` (emails are global)."""
    with unscoped(session, "emails are unique across tenants"):
        return session.scalar(select(User.id).where(User.email == normalize_email(email))) is not None


def check_password_rules(password: str, field: str = "password") -> None:
    """Raise :class:`FieldErrors` for a password shorter than the minimum."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldErrors({field: Message(PASSWORD_TOO_SHORT, n=MIN_PASSWORD_LENGTH)})


def add_user(
    session: Session,
    tenant: Tenant,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    account_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Create a user with one membership; raises :class:`FieldErrors` for a taken email or weak password."""
    if email_taken(session, email):
        raise FieldErrors({"email": N_("An account with this email already exists.")})
    check_password_rules(password)
    if role.is_vendor and account_id is not None:
        raise ValueError("vendor roles are tenant-wide")
    if not role.is_vendor and account_id is None:
        raise ValueError("client roles need an account")
    user = User(
        tenant_id=tenant.id,
        email=normalize_email(email),
        name=clean_name(name),
        password_hash=hash_password(password),
        locale=locale,
    )
    user.membership = Membership(tenant_id=tenant.id, account_id=account_id, role=role.value)
    session.add(user)
    return user


def sign_up_vendor(
    session: Session,
    *,
    vendor_name: str,
    name: str,
    email: str,
    password: str,
    locale: str = "ja",
    verified: bool = True,
) -> User:
    """Create a new tenant and its first owner. Commits nothing; the caller owns the transaction.

    ``verified=False`` (self sign-up on the web) leaves the vendor unable to invite until the owner opens
    the link mailed to them (:mod:`tenants.login_links`); the CLI and the demo vouch for the address.
    """
    with unscoped(session, "sign-up creates a new tenant"):
        tenant = Tenant(
            name=clean_name(vendor_name),
            slug=unique_slug(session, vendor_name),
            default_locale=locale,
            verified_at=utcnow() if verified else None,
        )
        session.add(tenant)
        session.flush()
        user = add_user(
            session, tenant, email=email, name=name, password=password, role=Role.OWNER, locale=locale
        )
        session.flush()
        audit.record(session, tenant.id, user.id, "tenant.created", f"tenant:{tenant.id}")
        session.flush()
        return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Takes the same time for unknown emails."""
    with unscoped(session, "sign-in looks a user up by email before any tenant is known"):
        user = session.scalar(select(User).where(User.email == normalize_email(email)))
        if user is None:
            verify_dummy(password)
            return None
        if not verify_password(user.password_hash, password) or not user.active:
            return None
        if needs_rehash(user.password_hash):
            # Hashes from before the cost changed are upgraded while the password is at hand.
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        session.flush()
        return user

"""People and their memberships: who signs in (a :class:`Person`), who they are inside one vendor (a
:class:`User` with its :class:`Membership`), sign-up and sign-in.

A person has one email and one password across AdoptLoop. A consultant working for two vendors, or a client
employee whose company buys from two AI vendors, is one person with one ``User`` per vendor; each ``User``
is tenant data like any other and is what a request runs as, so scoping is the same as with one login.
"""

from __future__ import annotations

from dataclasses import dataclass
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


class Person(db.Model):
    """Someone who signs in: one email, one password, whatever vendors they belong to.

    Not tenant data: only sign-in, password links and the membership switcher read it, each for the person
    themselves.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Part of the session identifier: bumping it signs the person out everywhere (sessions and remember-me).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(TenantOwned, db.Model):
    """One person's membership of one vendor: their name, role and account there. Requests run as a User."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"), UniqueConstraint("person_id", "tenant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The person's email, kept beside the membership so tenant pages list and search people without a join.
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when vendor staff deactivated the person: only vendor staff may then undo it, not a client admin.
    deactivated_by_vendor: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Last sign-in into this membership: the one a person with several lands in first.
    last_login_at: Mapped[datetime | None]

    tenant: Mapped[Tenant] = relationship()
    person: Mapped[Person] = relationship(lazy="joined")
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

    # Credentials belong to the person: a new password or "sign out everywhere" holds for every membership.
    @property
    def password_hash(self) -> str:
        return self.person.password_hash

    @password_hash.setter
    def password_hash(self, value: str) -> None:
        self.person.password_hash = value

    @property
    def session_version(self) -> int:
        return self.person.session_version

    def sign_out_everywhere(self) -> None:
        """Invalidate every session and remember-me cookie of this person, in every membership."""
        self.person.session_version += 1

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


def find_person(session: Session, email: str) -> Person | None:
    """The person with this address, if any (people are global: no scope applies)."""
    return session.scalar(select(Person).where(Person.email == normalize_email(email)))


def email_taken(session: Session, email: str) -> bool:
    """True if a person with ``email`` already signs in to AdoptLoop (emails are unique per person)."""
    return find_person(session, email) is not None


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
    """Create a new person with their first membership; raises :class:`FieldErrors` for a taken email or a
    weak password. A person who already signs in joins another vendor through :func:`add_membership`."""
    if email_taken(session, email):
        raise FieldErrors({"email": N_("An account with this email already exists.")})
    check_password_rules(password)
    person = Person(email=normalize_email(email), password_hash=hash_password(password))
    session.add(person)
    return add_membership(session, tenant, person, name=name, role=role, account_id=account_id, locale=locale)


def add_membership(
    session: Session,
    tenant: Tenant,
    person: Person,
    *,
    name: str,
    role: Role,
    account_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Make ``person`` a user of ``tenant`` with ``role``. One membership per person and vendor: raises
    :class:`FieldErrors` when they already have one there."""
    if role.is_vendor and account_id is not None:
        raise ValueError("vendor roles are tenant-wide")
    if not role.is_vendor and account_id is None:
        raise ValueError("client roles need an account")
    if person.id is not None:
        with unscoped(session, "a person's memberships span vendors; this checks the one being joined"):
            exists = session.scalar(
                select(User.id).where(User.person_id == person.id, User.tenant_id == tenant.id)
            )
        if exists is not None:
            raise FieldErrors({"email": N_("You are already a member of this vendor's AdoptLoop.")})
    user = User(tenant_id=tenant.id, person=person, email=person.email, name=clean_name(name), locale=locale)
    user.membership = Membership(tenant_id=tenant.id, account_id=account_id, role=role.value)
    session.add(user)
    return user


def memberships_of(session: Session, person_id: int, *, active_only: bool = True) -> list[User]:
    """Every user (membership) of one person across vendors, the most recently used first.

    Only for the person themselves (sign-in, the switcher): it crosses tenants by design.
    """
    with unscoped(session, "a person sees their own memberships at every vendor"):
        query = select(User).where(User.person_id == person_id)
        if active_only:
            query = query.where(User.active.is_(True))
        users = list(session.scalars(query.order_by(User.last_login_at.desc().nulls_last(), User.id)))
        for user in users:
            # Loaded while unscoped, so the switcher can name each vendor and account.
            _ = user.tenant.name, user.membership.account
        return users


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


@dataclass(frozen=True)
class MembershipChoice:
    """One line of the membership switcher: enough to name it, no tenant objects."""

    user_id: int
    vendor: str
    role: Role
    account: str | None


def membership_choices(session: Session, person_id: int) -> list[MembershipChoice]:
    """The person's active memberships as plain values, most recently used first.

    Plain values rather than ORM objects, so another vendor's rows never enter a scoped session's identity
    map; only the person themselves is shown them.
    """
    with unscoped(session, "a person sees their own memberships at every vendor"):
        rows = session.execute(
            select(User.id, Tenant.name, Membership.role, Account.name)
            .join(Tenant, Tenant.id == User.tenant_id)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(Account, Account.id == Membership.account_id)
            .where(User.person_id == person_id, User.active.is_(True))
            .order_by(User.last_login_at.desc().nulls_last(), User.id)
        )
        return [MembershipChoice(uid, vendor, Role(role), account) for uid, vendor, role, account in rows]


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The membership a person signs in to with this email and password (their most recently used active
    one), or None. Takes the same time for unknown emails."""
    person = find_person(session, email)
    if person is None:
        verify_dummy(password)
        return None
    if not verify_password(person.password_hash, password):
        return None
    users = memberships_of(session, person.id)
    if not users:
        return None
    if needs_rehash(person.password_hash):
        # Hashes from before the cost changed are upgraded while the password is at hand.
        person.password_hash = hash_password(password)
    user = users[0]
    with unscoped(session, "sign-in records the time before the person's scope is bound"):
        user.last_login_at = utcnow()
        session.flush()
        return user

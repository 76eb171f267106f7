"""Invitations: an expiring, single-use link that lets a person join a tenant (and maybe an account).

Only a SHA-256 of the token is stored, so a database leak does not leak usable links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenants import permissions
from tenants.accounts import Account
from tenants.db import as_utc, db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.passwords import verify_password
from tenants.roles import Role
from tenants.scoping import MaybeAccountOwned, unscoped
from tenants.tenant import Tenant
from tenants.users import User, add_membership, add_user, find_person, normalize_email

NOT_VERIFIED = N_(
    "Confirm your email address first (open the link we mailed you); then you can invite people."
)
INVITATION_TTL = timedelta(days=7)


class Invitation(MaybeAccountOwned, db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The language the inviter chose for the invitee: the mail, the acceptance page and the new profile.
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    tenant: Mapped[Tenant] = relationship()
    account: Mapped[Account | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def status(self, now: datetime | None = None) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if as_utc(self.expires_at) <= (now or utcnow()) else "pending"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    session: Session,
    tenant: Tenant,
    *,
    inviter: User | None,
    email: str,
    role: Role,
    account: Account | None = None,
    locale: str | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and return it with the raw token (shown once, never stored).

    Raises :class:`FieldErrors` when the address is already a member of this vendor or the inviter may not
    grant ``role``.
    """
    if tenant.verified_at is None:
        raise FieldErrors({"email": NOT_VERIFIED})
    if inviter is not None and not permissions.may_grant(inviter, role):
        raise FieldErrors({"role": N_("You cannot invite someone with this role.")})
    if role.is_vendor and account is not None:
        raise ValueError("vendor roles are tenant-wide")
    if not role.is_vendor and account is None:
        raise FieldErrors({"account": N_("Choose the client account this person belongs to.")})
    if role.is_vendor:
        from tenants.billing.state import check_limit, staff_seat_count

        check_limit(tenant, "csm_seats", staff_seat_count(session))
    # Whether the address has a login at another vendor is not checked: telling the inviter would let any
    # vendor probe who uses AdoptLoop. Their own members they may know about.
    if session.scalar(select(User.id).where(User.email == normalize_email(email))) is not None:
        raise FieldErrors({"email": N_("This person is already a member here.")})
    # One live link per person: a new invitation replaces the pending ones its inviter could revoke anyway.
    _revoke_other_pending(session, normalize_email(email), inviter, keep=None, now=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        tenant_id=tenant.id,
        email=normalize_email(email),
        role=role.value,
        account_id=account.id if account else None,
        token_hash=hash_token(token),
        invited_by_id=inviter.id if inviter else None,
        locale=locale or tenant.default_locale,
        expires_at=(now or utcnow()) + INVITATION_TTL,
    )
    session.add(invitation)
    return invitation, token


def reissue(
    session: Session, invitation: Invitation, actor: User | None = None, now: datetime | None = None
) -> str:
    """Give a pending or expired invitation a new token and a fresh expiry; the old link stops working,
    and so do other pending invitations to the same address that ``actor`` may manage."""
    if invitation.accepted_at or invitation.revoked_at:
        raise FieldErrors({"invitation": N_("This invitation is no longer open.")})
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = (now or utcnow()) + INVITATION_TTL
    _revoke_other_pending(session, invitation.email, actor, keep=invitation, now=now)
    return token


def _revoke_other_pending(
    session: Session, email: str, actor: User | None, keep: Invitation | None, now: datetime | None
) -> None:
    for other in session.scalars(select(Invitation).where(Invitation.email == email)):
        if other is keep or other.status(now) != "pending":
            continue
        if actor is None or permissions.may_manage_invitation(actor, other):
            revoke(other, now)


def revoke(invitation: Invitation, now: datetime | None = None) -> None:
    """Make an open invitation's link useless."""
    if not invitation.accepted_at:
        invitation.revoked_at = now or utcnow()


def get_invitation(session: Session, invitation_id: int) -> Invitation | None:
    """The invitation with this id if the session's scope reaches it."""
    return session.scalar(select(Invitation).where(Invitation.id == invitation_id))


def find_pending(session: Session, token: str, now: datetime | None = None) -> Invitation | None:
    """The pending invitation for ``token``, or None if unknown, used, revoked or expired."""
    with unscoped(session, "an invitee has no tenant until the token names one"):
        invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
        if invitation is None or invitation.status(now) != "pending":
            return None
        return invitation


def accept(session: Session, invitation: Invitation, *, name: str, password: str, locale: str | None) -> User:
    """Turn a pending invitation into a user.

    A new address becomes a new person with ``password`` as their password. An address that already signs
    in (someone working with another vendor too) joins as a second membership of that person, and
    ``password`` must be their existing one: the mailed link proves the mailbox, the password proves the
    person. Raises :class:`FieldErrors` for a weak or wrong password, or a second membership at one vendor.
    """
    with unscoped(session, "accepting an invitation creates the invitee's user in the inviting tenant"):
        person = find_person(session, invitation.email)
        if person is None:
            user = add_user(
                session,
                invitation.tenant,
                email=invitation.email,
                name=name,
                password=password,
                role=invitation.role_enum,
                account_id=invitation.account_id,
                locale=locale,
            )
        else:
            if not verify_password(person.password_hash, password):
                raise FieldErrors({"password": N_("The password is not correct.")})
            user = add_membership(
                session,
                invitation.tenant,
                person,
                name=name,
                role=invitation.role_enum,
                account_id=invitation.account_id,
                locale=locale,
            )
        invitation.accepted_at = utcnow()
        session.flush()
        return user


def invitee_has_login(session: Session, invitation: Invitation) -> bool:
    """Whether the invited address already signs in (the page then asks for that password). Shown only to
    whoever holds the mailed link."""
    with unscoped(session, "people are global; the link's holder owns the address"):
        return find_person(session, invitation.email) is not None


def list_invitations(session: Session, account: Account | None = None) -> list[Invitation]:
    """Invitations in scope, newest first; only those of ``account`` when given, else vendor-level ones."""
    query = select(Invitation).order_by(Invitation.created_at.desc())
    if account is None:
        query = query.where(Invitation.account_id.is_(None))
    else:
        query = query.where(Invitation.account_id == account.id)
    return list(session.scalars(query))

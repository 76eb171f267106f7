"""Looking after people once they have joined: profile, password, deactivation (offboarding)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants import audit, permissions, sessions
from tenants.errors import N_, FieldErrors
from tenants.invitations import Invitation, revoke
from tenants.passwords import hash_password, verify_password
from tenants.text import clean_name
from tenants.users import User, check_password_rules


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id if the session's scope reaches them."""
    return session.scalar(select(User).where(User.id == user_id))


def set_active(session: Session, actor: User, target: User, active: bool) -> None:
    """Deactivate (every sign-in into this membership ends, no more sign-in) or reactivate ``target``.

    Raises PermissionError when ``actor`` may not manage ``target``.
    """
    allowed = permissions.may_reactivate_user if active else permissions.may_manage_user
    if not allowed(actor, target):
        raise PermissionError("actor may not manage this user")
    if target.active == active:
        return
    target.active = active
    target.deactivated_by_vendor = not active and actor.role.is_vendor
    if not active:
        # Only this vendor's membership ends; the person may still work for another vendor.
        sessions.end_all_for(session, target)
        # Links they sent die with their access: an ex-CSM's invitation must not let anyone in later.
        for invitation in session.scalars(
            select(Invitation).where(Invitation.invited_by_id == target.id, Invitation.accepted_at.is_(None))
        ):
            revoke(invitation)
    action = "user.reactivated" if active else "user.deactivated"
    audit.record(session, target.tenant_id, actor.id, action, f"user:{target.id}", target.account_id)


def update_profile(user: User, *, name: str, locale: str | None) -> None:
    """Change what a person may change about themselves."""
    user.name = clean_name(name)
    user.locale = locale


def change_password(user: User, *, current: str, new: str) -> User:
    """Set a new password after checking the current one; every other session of the user ends.

    Raises :class:`FieldErrors` for a wrong current password or a weak new one.
    """
    if not verify_password(user.password_hash, current):
        raise FieldErrors({"current_password": N_("The current password is not correct.")})
    check_password_rules(new, field="new_password")
    user.password_hash = hash_password(new)
    user.sign_out_everywhere()
    return user

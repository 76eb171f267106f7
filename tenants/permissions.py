"""Object-level rules: may this actor act on this object? One module, in the manner of Redash's
``redash/permissions.py``.

Route rules (which roles reach a URL) stay in ``app/access.py``; tenant scoping decides which rows a session
can see at all. What is left, and lives here, are the rules that depend on the object itself: may this owner
manage that user, may this client admin revoke that invitation, and, as the loop's records arrive, may this
member edit that use case, tick that task or read that report. Views, jobs, the CLI and templates all ask
here, so a rule is written once.

Functions take the actor and the object and read attributes only, so this module imports no other domain
package (tenants imports nothing to its right).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenants.roles import CLIENT_ROLES, VENDOR_ROLES, Role

if TYPE_CHECKING:
    from tenants.invitations import Invitation
    from tenants.users import User

# Who may invite whom: vendor owners invite owners, CSMs and client users; CSMs invite client users;
# client admins invite the people of their own account.
INVITABLE_BY: dict[Role, frozenset[Role]] = {
    Role.OWNER: frozenset({Role.OWNER, Role.CSM}) | CLIENT_ROLES,
    Role.CSM: CLIENT_ROLES,
    Role.CLIENT_ADMIN: CLIENT_ROLES,
}


def invitable_roles(actor: User) -> frozenset[Role]:
    """Roles ``actor`` may grant by invitation."""
    return INVITABLE_BY.get(actor.role, frozenset())


def may_grant(actor: User, role: Role) -> bool:
    """Whether ``actor`` may invite someone into ``role``."""
    return role in invitable_roles(actor)


def may_invite_vendor_staff(actor: User) -> bool:
    """Only owners bring new owners and CSMs into the vendor."""
    return bool(invitable_roles(actor) & VENDOR_ROLES)


def may_manage_invitation(actor: User, invitation: Invitation) -> bool:
    """Whether ``actor`` may reissue or revoke ``invitation`` (the same rule as creating it)."""
    return may_grant(actor, invitation.role_enum)


def may_manage_user(actor: User, target: User) -> bool:
    """Owners manage everyone but themselves, CSMs manage client users, client admins their own account's."""
    if actor.id == target.id:
        return False
    # Under a client scope, vendor staff load without their (vendor-level) membership.
    target_is_vendor = target.membership is None or target.role.is_vendor
    if actor.role == Role.OWNER:
        return True
    if actor.role == Role.CSM:
        return not target_is_vendor
    if actor.role == Role.CLIENT_ADMIN:
        return not target_is_vendor and target.account_id == actor.account_id
    return False


def may_reactivate_user(actor: User, target: User) -> bool:
    """Like :func:`may_manage_user`, but a deactivation by vendor staff is undone only by vendor staff."""
    return may_manage_user(actor, target) and (actor.role.is_vendor or not target.deactivated_by_vendor)


def may_see_contract_money(actor: User, account: object = None) -> bool:
    """The contract price and the hourly labor cost are for vendor staff, the client admin and procurement,
    not for champions and members."""
    return actor.role not in {Role.CHAMPION, Role.MEMBER}


def may_read_audit(actor: User) -> bool:
    """The vendor-wide audit trail is the owner's."""
    return actor.role == Role.OWNER


def default_csm_for(actor: User) -> int | None:
    """A CSM onboarding a client is its responsible CSM unless they pick someone else."""
    return actor.id if actor.role == Role.CSM else None

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


def may_read_report(actor: User, report) -> bool:
    """Vendor staff read every report of their accounts, also while it renders; the client's readers (the
    route rule names them) read finished ones of their own account, which scoping already guarantees."""
    return actor.role.is_vendor or report.status == "done"


def may_share_report(actor: User, report) -> bool:
    """Share links go out from the vendor, for finished reports only."""
    return actor.role.is_vendor and report.status == "done"
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


# ---------------------------------------------------------------- the use-case library
# Members and champions post and comment; authors edit their drafts; champions and client admins promote
# stages and archive; CSMs see every account's library of their vendor; procurement reads production cases.
# (Which accounts a person sees at all is scoping's job; these rules are about the case itself.)

USE_CASE_POSTERS = frozenset({Role.CLIENT_ADMIN, Role.CHAMPION, Role.MEMBER})
USE_CASE_CURATORS = frozenset({Role.CLIENT_ADMIN, Role.CHAMPION})
USE_CASE_COMMENTERS = USE_CASE_POSTERS | VENDOR_ROLES


# Raw chat notes (issue 18): the account's curators and its vendor staff read and import them; the curators
# promote one to a use case (a use case is written by the client's own people).
NOTE_READERS = USE_CASE_CURATORS | VENDOR_ROLES
NOTE_PROMOTERS = USE_CASE_CURATORS


def may_post_use_case(actor: User) -> bool:
    """Client people (not procurement) write up their wins."""
    return actor.role in USE_CASE_POSTERS


def library_stages(actor: User) -> frozenset[str] | None:
    """Stages of published cases ``actor`` may read (None: all); procurement reads production cases."""
    return frozenset({"production"}) if actor.role == Role.PROCUREMENT else None


def may_read_use_case(actor: User, use_case) -> bool:
    """Drafts are their author's; published cases everyone's in scope, procurement's only in production."""
    if use_case.published_at is None:
        return use_case.author_id == actor.id
    stages = library_stages(actor)
    return stages is None or use_case.stage in stages


def may_curate_use_case(actor: User, use_case) -> bool:
    """Champions and client admins of the case's account promote stages, archive, fix tags and teams."""
    return actor.role in USE_CASE_CURATORS and actor.account_id == use_case.account_id


def may_edit_use_case(actor: User, use_case) -> bool:
    """The author (a client poster) or a curator of the account; see :func:`may_edit_use_case_body`."""
    if may_curate_use_case(actor, use_case):
        return True
    return actor.role in USE_CASE_POSTERS and use_case.author_id == actor.id


def may_edit_use_case_body(actor: User, use_case) -> bool:
    """The body (title, Problem, Prompt, Result, model, date) is frozen once published: only the author's
    draft can change; after that, discussion goes to the comments."""
    return use_case.published_at is None and use_case.author_id == actor.id


def may_comment_on_use_case(actor: User, use_case) -> bool:
    """Client posters and vendor staff discuss published cases (procurement reads)."""
    return actor.role in USE_CASE_COMMENTERS and use_case.published_at is not None


def may_link_use_cases(actor: User, use_case) -> bool:
    """Whoever may post may say 'this is a variation of that' (keeping both is everyone's job)."""
    return actor.role in USE_CASE_POSTERS and use_case.published_at is not None


def may_tick_task(actor: User, task) -> bool:
    """Vendor staff tick any task of their tenant's accounts; a client admin the client-side tasks (client
    admin and champion) of their own account; a champion the champion tasks of their account and tasks
    assigned to them. The CSM's own tasks stay the vendor's; members and procurement read."""
    if actor.role in VENDOR_ROLES:
        return True
    if actor.account_id != task.account_id:
        return False
    if actor.role == Role.CLIENT_ADMIN:
        return task.owner_role != Role.CSM.value or task.assignee_id == actor.id
    if actor.role != Role.CHAMPION:
        return False
    return task.owner_role == Role.CHAMPION.value or task.assignee_id == actor.id

"""The guided account form's business rules: onboarding a client account in one step (the account, its teams
and the client admin's invitation), and editing it afterwards."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from tenants import audit
from tenants.accounts import INDUSTRIES, Account, Team, account_name_taken
from tenants.billing.state import account_count, check_limit
from tenants.errors import N_, FieldErrors
from tenants.invitations import Invitation, invite
from tenants.people import vendor_staff
from tenants.roles import Role
from tenants.rules import ACCOUNT_BOUNDS, check_bounds
from tenants.tenant import Tenant
from tenants.text import clean_name, name_key
from tenants.users import User


@dataclass
class TeamDraft:
    name: str
    headcount: int
    id: int | None = None  # set when editing an existing team


@dataclass
class AccountDraft:
    """What a CSM types into the onboarding form, already parsed into Python types."""

    name: str
    industry: str
    licensed_seats: int
    monthly_spend_yen: int
    hourly_labor_cost_yen: int
    kickoff_date: date
    admin_email: str | None = None  # required when onboarding, absent when editing
    admin_locale: str | None = None  # the language of the admin's invitation (default: the vendor's)
    csm_id: int | None = None
    teams: list[TeamDraft] = field(default_factory=list)


@dataclass
class Onboarded:
    account: Account
    invitation: Invitation
    token: str


def validate(session: Session, draft: AccountDraft, account: Account | None = None) -> None:
    """Business rules the form cannot check on its own; raises :class:`FieldErrors` listing all of them.

    ``account`` is the account being edited (None when onboarding a new one).
    """
    errors = _fact_errors(session, draft, account)
    if team_error := _team_error(draft.teams):
        errors["teams"] = team_error
    if account is not None:
        if edit_error := _edit_team_error(account, draft.teams):
            errors["teams"] = edit_error
    elif not draft.admin_email:
        errors["admin_email"] = N_("Enter the client admin's email.")
    if errors:
        raise FieldErrors(errors)


def _fact_errors(session: Session, draft: AccountDraft, account: Account | None) -> dict[str, str]:
    """The account's own facts: name, industry, the bounded amounts and the responsible CSM."""
    errors: dict[str, str] = {}
    if not clean_name(draft.name):
        errors["name"] = N_("Enter the client's name.")
    elif account_name_taken(session, draft.name, except_id=account.id if account else None):
        errors["name"] = N_("An account with this name already exists.")
    if draft.industry not in INDUSTRIES:
        errors["industry"] = N_("Choose an industry from the list.")
    errors |= check_bounds(
        ACCOUNT_BOUNDS,
        {
            "licensed_seats": draft.licensed_seats,
            "monthly_spend_yen": draft.monthly_spend_yen,
            "hourly_labor_cost_yen": draft.hourly_labor_cost_yen,
        },
    )
    if draft.csm_id is not None and draft.csm_id not in {
        u.id for u in vendor_staff(session, active_only=True)
    }:
        errors["csm_id"] = N_("Choose a CSM of your company.")
    return errors


def _team_error(teams: list[TeamDraft]) -> str | None:
    """The first thing wrong with the team rows, or None."""
    if not teams:
        return N_("Add at least one department or team.")
    names = [name_key(t.name) for t in teams]
    if any(not n for n in names):
        return N_("Every team needs a name.")
    if len(set(names)) != len(names):
        return N_("Team names must be different.")
    for team in teams:
        if message := ACCOUNT_BOUNDS["headcount"].message_for(team.headcount):
            return message
    return None


def _edit_team_error(account: Account, teams: list[TeamDraft]) -> str | None:
    """Edits may rename and add teams of this account, never remove or borrow one."""
    known = {t.id for t in account.teams}
    if any(t.id is not None and t.id not in known for t in teams):
        return N_("A team does not belong to this account.")
    ids = [t.id for t in teams if t.id is not None]
    if len(ids) != len(set(ids)):
        return N_("A team appears twice; reload the page and try again.")
    if known - set(ids):
        return N_("Teams cannot be removed, so their history stays; rename them instead.")
    return None


def onboard_account(session: Session, tenant: Tenant, actor: User, draft: AccountDraft) -> Onboarded:
    """Create the account, its teams and the client admin invitation in the caller's transaction.

    Validates first, so on :class:`FieldErrors` nothing has been added to the session.
    """
    validate(session, draft)
    check_limit(tenant, "accounts", account_count(session))
    account = Account(
        tenant_id=tenant.id,
        name=clean_name(draft.name),
        industry=draft.industry,
        licensed_seats=draft.licensed_seats,
        monthly_spend_yen=draft.monthly_spend_yen,
        hourly_labor_cost_yen=draft.hourly_labor_cost_yen,
        kickoff_date=draft.kickoff_date,
        csm_id=draft.csm_id or actor.id,
        teams=[
            Team(tenant_id=tenant.id, name=clean_name(t.name), headcount=t.headcount) for t in draft.teams
        ],
    )
    session.add(account)
    session.flush()
    invitation, token = invite(
        session,
        tenant,
        inviter=actor,
        email=draft.admin_email,
        role=Role.CLIENT_ADMIN,
        account=account,
        locale=draft.admin_locale,
    )
    audit.record(
        session,
        tenant.id,
        actor.id,
        "account.onboarded",
        f"account:{account.id}",
        account.id,
        name=account.name,
    )
    session.flush()
    return Onboarded(account=account, invitation=invitation, token=token)


def update_account(session: Session, account: Account, actor: User, draft: AccountDraft) -> Account:
    """Apply an edited form to ``account``: facts, CSM, renamed/resized teams and new teams.

    Validates first, so on :class:`FieldErrors` nothing has changed.
    """
    validate(session, draft, account)
    before = {
        "licensed_seats": account.licensed_seats,
        "monthly_spend_yen": account.monthly_spend_yen,
        "hourly_labor_cost_yen": account.hourly_labor_cost_yen,
    }
    account.name = clean_name(draft.name)
    account.industry = draft.industry
    account.licensed_seats = draft.licensed_seats
    account.monthly_spend_yen = draft.monthly_spend_yen
    account.hourly_labor_cost_yen = draft.hourly_labor_cost_yen
    account.kickoff_date = draft.kickoff_date
    account.csm_id = draft.csm_id or account.csm_id
    existing = {t.id: t for t in account.teams}
    renamed = [
        row for row in draft.teams if row.id is not None and existing[row.id].name != clean_name(row.name)
    ]
    if len(renamed) > 1:
        # Names are unique per account: a swap (A→B, B→A) passes through placeholder names first.
        for row in renamed:
            existing[row.id].name = f"renaming-{row.id}-{secrets.token_hex(4)}"
        session.flush()
    for row in draft.teams:
        if row.id is None:
            account.teams.append(
                Team(tenant_id=account.tenant_id, name=clean_name(row.name), headcount=row.headcount)
            )
        else:
            existing[row.id].name, existing[row.id].headcount = clean_name(row.name), row.headcount
    changed = {k: [v, getattr(account, k)] for k, v in before.items() if getattr(account, k) != v}
    audit.record(
        session,
        account.tenant_id,
        actor.id,
        "account.updated",
        f"account:{account.id}",
        account.id,
        **changed,
    )
    session.flush()
    return account

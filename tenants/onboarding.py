"""The guided account form's business rules: onboarding a client account in one step (the account, its teams
and the client admin's invitation), and editing it afterwards."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from tenants import audit
from tenants.accounts import (
    INDUSTRIES,
    MAX_HEADCOUNT,
    MAX_HOURLY_LABOR_COST_YEN,
    MAX_MONTHLY_SPEND_YEN,
    MAX_SEATS,
    Account,
    Team,
    account_name_taken,
)
from tenants.errors import N_, FieldErrors
from tenants.invitations import Invitation, invite
from tenants.people import vendor_staff
from tenants.roles import Role
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
    errors: dict[str, str] = {}
    if not clean_name(draft.name):
        errors["name"] = N_("Enter the client's name.")
    elif account_name_taken(session, draft.name, except_id=account.id if account else None):
        errors["name"] = N_("An account with this name already exists.")
    if draft.industry not in INDUSTRIES:
        errors["industry"] = N_("Choose an industry from the list.")
    if draft.licensed_seats <= 0:
        errors["licensed_seats"] = N_("Licensed seats must be at least 1.")
    elif draft.licensed_seats > MAX_SEATS:
        errors["licensed_seats"] = N_("That is more than AdoptLoop accepts; check for an extra digit.")
    if draft.monthly_spend_yen < 0:
        errors["monthly_spend_yen"] = N_("Monthly spend cannot be negative.")
    elif draft.monthly_spend_yen > MAX_MONTHLY_SPEND_YEN:
        errors["monthly_spend_yen"] = N_("That is more than AdoptLoop accepts; check for an extra digit.")
    if draft.hourly_labor_cost_yen <= 0:
        errors["hourly_labor_cost_yen"] = N_("Hourly labor cost must be more than ¥0.")
    elif draft.hourly_labor_cost_yen > MAX_HOURLY_LABOR_COST_YEN:
        errors["hourly_labor_cost_yen"] = N_("That is more than AdoptLoop accepts; check for an extra digit.")
    if not draft.teams:
        errors["teams"] = N_("Add at least one department or team.")
    else:
        names = [name_key(t.name) for t in draft.teams]
        if any(not n for n in names):
            errors["teams"] = N_("Every team needs a name.")
        elif len(set(names)) != len(names):
            errors["teams"] = N_("Team names must be different.")
        elif any(t.headcount < 0 for t in draft.teams):
            errors["teams"] = N_("Headcount cannot be negative.")
        elif any(t.headcount > MAX_HEADCOUNT for t in draft.teams):
            errors["teams"] = N_("That is more than AdoptLoop accepts; check for an extra digit.")
    if draft.csm_id is not None and draft.csm_id not in {
        u.id for u in vendor_staff(session, active_only=True)
    }:
        errors["csm_id"] = N_("Choose a CSM of your company.")
    if account is not None:
        known = {t.id for t in account.teams}
        if any(t.id is not None and t.id not in known for t in draft.teams):
            errors["teams"] = N_("A team does not belong to this account.")
        ids = [t.id for t in draft.teams if t.id is not None]
        if len(ids) != len(set(ids)):
            errors["teams"] = N_("A team appears twice; reload the page and try again.")
        elif known - set(ids):
            errors["teams"] = N_("Teams cannot be removed, so their history stays; rename them instead.")
    elif not draft.admin_email:
        errors["admin_email"] = N_("Enter the client admin's email.")
    if errors:
        raise FieldErrors(errors)


def onboard_account(session: Session, tenant: Tenant, actor: User, draft: AccountDraft) -> Onboarded:
    """Create the account, its teams and the client admin invitation in the caller's transaction.

    Validates first, so on :class:`FieldErrors` nothing has been added to the session.
    """
    validate(session, draft)
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

"""Builders for test data, going through the same domain functions the app uses."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from reports.account_reports import ReportRequest, request_report
from reports.models import DONE
from reports.sharing import create_share_link
from tenants.accounts import get_account
from tenants.db import db
from tenants.invitations import Invitation, invite
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account
from tenants.roles import CLIENT_ROLES, Role
from tenants.scoping import Scope, scoped
from tenants.users import User, add_user, sign_up_vendor

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


@dataclass
class World:
    """One vendor with a user of every role, two client accounts and an open invitation in each."""

    tenant_id: int
    name: str
    emails_by_role: dict[str, str] = field(default_factory=dict)  # role value -> email (clients: account 0)
    account_ids: list[int] = field(default_factory=list)
    account_names: list[str] = field(default_factory=list)
    invitation_ids: list[int] = field(default_factory=list)  # one per account, then one vendor-level
    emails: list[str] = field(default_factory=list)
    user_ids: dict[str, int] = field(default_factory=dict)  # role value -> id; "other_member" is in account 1
    report_ids: list[int] = field(default_factory=list)  # one finished report per account
    share_link_ids: list[int] = field(default_factory=list)  # one live share link per report
    # Production use cases: one per account, then a second of account 0 linked to the first as a variation.
    use_case_ids: list[int] = field(default_factory=list)
    use_case_titles: list[str] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    # The AI Champion playbook runs in both accounts; one champion-owned task per account.
    run_ids: list[int] = field(default_factory=list)
    task_ids: list[int] = field(default_factory=list)
    # Per account: a hackathon (event_ids) with one entry (entry_ids).
    event_ids: list[int] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)
    # Per account: one failed usage import (its retry route is in the access matrix).
    import_ids: list[int] = field(default_factory=list)
    token_ids: list[int] = field(default_factory=list)  # one API token of the vendor
    note_ids: list[int] = field(default_factory=list)  # per account: one raw chat note (flagged)
    # Per account: one sent wins newsletter (October 2026), frozen, with its delivery rows.
    newsletter_issue_ids: list[int] = field(default_factory=list)

    def email(self, role: str) -> str:
        return self.emails_by_role[role]


def draft(name: str, admin_email: str, **overrides) -> AccountDraft:
    values = dict(
        name=name,
        industry="manufacturing",
        licensed_seats=100,
        monthly_spend_yen=300_000,
        hourly_labor_cost_yen=5_000,
        kickoff_date=date(2026, 10, 1),
        admin_email=admin_email,
        teams=[TeamDraft("Sales", 40), TeamDraft("Ops", 60)],
    )
    values.update(overrides)
    return AccountDraft(**values)


def make_world(app, label: str, use_cases: bool = False) -> World:
    """Build and commit a complete vendor; names carry ``label`` so leaks are easy to spot in HTML.

    Runs in its own app context: a test must not hold one across client requests, or the requests would
    share its ``g`` and database session.
    """
    with app.app_context():
        world = _build_world(label, use_cases)
        db.session.remove()
    return world


def _build_world(label: str, use_cases: bool = False) -> World:
    n = next(_seq)
    session = db.session
    owner = sign_up_vendor(
        session,
        vendor_name=f"Vendor {label}",
        name=f"Owner {label}",
        email=f"owner{n}@{label}.example.com",
        password=PASSWORD,
        locale="en",
    )
    world = World(tenant_id=owner.tenant_id, name=f"Vendor {label}")
    users: dict[str, User] = {"owner": owner}
    tenant = owner.tenant
    with scoped(session, Scope(tenant_id=tenant.id)):

        def person(key: str, email: str, role: Role, account_id: int | None = None) -> User:
            users[key] = add_user(
                session,
                tenant,
                email=f"{email}{n}@{label}.example.com",
                name=f"{key} {label}",
                password=PASSWORD,
                role=role,
                account_id=account_id,
                locale="en",
            )
            return users[key]

        person("csm", "csm", Role.CSM)
        session.flush()
        for i in range(2):
            result = onboard_account(
                session,
                tenant,
                users["csm"],
                draft(f"Client {label}{i} 株式会社", f"pending-admin{n}-{i}@{label}.example.com"),
            )
            world.account_ids.append(result.account.id)
            world.account_names.append(result.account.name)
            world.invitation_ids.append(result.invitation.id)
        for role in sorted(CLIENT_ROLES):
            person(role.value, role.value, role, world.account_ids[0])
        person("other_member", "other-member", Role.MEMBER, world.account_ids[1])
        vendor_invite, _ = invite(
            session, tenant, inviter=owner, email=f"newcsm{n}@{label}.example.com", role=Role.CSM
        )
        session.flush()
        world.invitation_ids.append(vendor_invite.id)
        for account_id in world.account_ids:
            report, link = _finished_report(session, account_id, users["csm"], label)
            world.report_ids.append(report.id)
            world.share_link_ids.append(link.id)
        if use_cases:  # opt-in, so other tests' counts of use cases (ROI, density) stay their own
            _add_use_cases(session, world, users, label)
        _start_playbooks(session, world, users)
        from tenants.api_tokens import create_token

        api_token, _ = create_token(session, owner, name=f"token {label}", scope="read")
        session.flush()
        world.token_ids.append(api_token.id)
    world.emails_by_role = {role: u.email for role, u in users.items()}
    world.user_ids = {role: u.id for role, u in users.items()}
    world.emails = list(world.emails_by_role.values())
    session.commit()
    return world


def _finished_report(session, account_id: int, csm: User, label: str):
    """A report issued through the domain, marked finished with a one-page PDF that names its account (so a
    leak is easy to spot) without paying for a real render in every test world."""
    account = get_account(session, account_id)
    report, _ = request_report(
        session,
        account,
        csm,
        ReportRequest(date(2026, 10, 1), date(2026, 10, 31), "en", request_key=f"world-{label}-{account_id}"),
    )
    report.status, report.pdf, report.pages = DONE, f"%PDF-1.4 {account.name}".encode(), 1
    link, _token = create_share_link(session, report, csm)
    session.flush()
    return report, link


def _add_use_cases(session, world: World, users: dict, label: str) -> None:
    from playbooks.usecase_links import link_use_cases
    from playbooks.usecases import create_use_case
    from tenants.accounts import get_account

    authors = [users["member"], users["other_member"], users["member"]]
    accounts = [world.account_ids[0], world.account_ids[1], world.account_ids[0]]
    for i, (author, account_id) in enumerate(zip(authors, accounts, strict=True)):
        title = f"Case {label}{i} 週報"
        case = create_use_case(
            session,
            get_account(session, account_id),
            author,
            title=title,
            model_name="GPT-4o",
            used_on=date(2026, 10, 1),
            problem=f"Weekly status digest of {label}",
            stage="production",
            tags=["context:sales"],
        )
        world.use_case_ids.append(case.id)
        world.use_case_titles.append(title)
    session.flush()
    link = link_use_cases(
        session,
        case_a := session.get(type(case), world.use_case_ids[0]),
        world.use_case_ids[2],
        users["member"],
        "variation",
        f"Context {label}",
    )
    assert case_a is not None
    world.link_ids.append(link.id)


def _start_playbooks(session, world: World, users: dict) -> None:
    from playbooks.checklists import Task, start_playbook
    from playbooks.definitions import shipped
    from playbooks.events import add_entry, create_event
    from playbooks.recurrence import tokyo_today

    for account_id in world.account_ids:
        run = start_playbook(
            session, get_account(session, account_id), users["csm"], shipped()["ai_champion"], tokyo_today()
        )
        world.run_ids.append(run.id)
        task = session.scalar(
            db.select(Task).where(Task.run_id == run.id, Task.task_key == "open_use_case_channel")
        )
        world.task_ids.append(task.id)
        account = get_account(session, account_id)
        hackathon = create_event(session, account, users["csm"], "hackathon", "Hackathon", date(2027, 4, 1))
        entry = add_entry(session, hackathon, team_name="Team", problem="Quotes take a day")
        world.event_ids.append(hackathon.id)
        world.entry_ids.append(entry.id)
        from reports.usage import UsageImport

        failed = UsageImport(
            tenant_id=account.tenant_id,
            account_id=account_id,
            filename="world.csv",
            sha256="0" * 64,
            format="generic",
            status="failed",
            error="world: a failed import",
        )
        session.add(failed)
        session.flush()
        world.import_ids.append(failed.id)
        from playbooks.notes import Note

        note = Note(
            tenant_id=account.tenant_id,
            account_id=account_id,
            source="slack",
            external_id=f"slack:C1:{account_id}.0",
            channel="ai-use-cases",
            posted_at=datetime(2026, 11, 4, 1, 0, tzinfo=UTC),
            raw=f"{world.name} note: 30分→5分",
            text=f"{world.name} note: 30分→5分",
            search_text=f"{world.name} note: 30分→5分",
            reasons=[{"kind": "before_after", "text": "30分→5分"}],
            flagged=True,
        )
        session.add(note)
        session.flush()
        world.note_ids.append(note.id)
        world.newsletter_issue_ids.append(_sent_newsletter(session, account, users["csm"]).id)


def _sent_newsletter(session, account, actor: User):
    """An October 2026 newsletter started through the domain and marked sent (no mail leaves in fixtures)."""
    from playbooks.newsletter import start_issue

    issue = start_issue(session, account, actor, date(2026, 10, 1), "World intro", confirm=False)
    issue.status = "sent"
    for delivery in issue.deliveries:
        delivery.status = "sent"
    session.flush()
    return issue


def invitation_status(app, invitation_id: int) -> str:
    from tenants.scoping import unscoped

    with app.app_context(), unscoped(db.session, "test inspects an invitation directly"):
        return db.session.get(Invitation, invitation_id).status()


def add_use_case(app, world: World, title: str, *, account_index: int = 0, **fields) -> int:
    """Publish a use case in one of the world's accounts (production unless ``stage`` says otherwise) and
    return its id; ``fields`` override the defaults (model, date, minutes, runs, people)."""
    from playbooks.usecases import Stage, create_use_case

    values = dict(
        model_name="GPT-4o",
        used_on=date(2026, 10, 5),
        minutes_saved_per_run=30,
        runs_per_month=4,
        people=10,
        stage=Stage.PRODUCTION,
    )
    values.update(fields)
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        case = create_use_case(
            db.session, get_account(db.session, world.account_ids[account_index]), None, title=title, **values
        )
        db.session.commit()
        return case.id

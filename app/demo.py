"""Demo data for a newcomer's first look: one vendor, its staff and three client accounts of different sizes,
and a second vendor serving the first client, where the demo champion is a member too.

Seeding is idempotent: running it twice finds the demo vendor and changes nothing.
"""

from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from playbooks import note_samples
from playbooks.notes import import_notes
from tenants.db import utcnow
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account
from tenants.roles import Role
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import add_membership, add_user, find_person, sign_up_vendor

DEMO_PASSWORD = "adoptloop-demo"
DEMO_SLUG = "demo-ai"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str = DEMO_PASSWORD


ACCOUNTS = [
    AccountDraft(
        name="株式会社さくら製作所",
        industry="manufacturing",
        licensed_seats=1200,
        monthly_spend_yen=3_600_000,
        hourly_labor_cost_yen=5_200,
        kickoff_date=date(2026, 9, 1),
        admin_email="admin@sakura-mfg.example.jp",
        teams=[
            TeamDraft("生産技術部", 320),
            TeamDraft("品質保証部", 180),
            TeamDraft("営業本部", 260),
            TeamDraft("経営企画部", 40),
            TeamDraft("情報システム部", 60),
        ],
    ),
    AccountDraft(
        name="Northwind Logistics KK",
        industry="logistics",
        licensed_seats=300,
        monthly_spend_yen=900_000,
        hourly_labor_cost_yen=4_300,
        kickoff_date=date(2026, 10, 1),
        admin_email="it-lead@northwind.example.com",
        teams=[TeamDraft("Operations", 140), TeamDraft("Customer Service", 90), TeamDraft("Finance", 25)],
    ),
    AccountDraft(
        name="みどり会計事務所",
        industry="finance",
        licensed_seats=40,
        monthly_spend_yen=120_000,
        hourly_labor_cost_yen=6_000,
        kickoff_date=date(2026, 11, 2),
        admin_email="office@midori-tax.example.jp",
        teams=[TeamDraft("監査チーム", 18), TeamDraft("税務チーム", 15)],
    ),
]


def seed(session: Session) -> list[DemoLogin]:
    """Create the demo vendor unless it exists; return the demo logins either way."""
    logins = [
        DemoLogin("owner", "owner@demo-ai.example.com"),
        DemoLogin("csm", "csm@demo-ai.example.com"),
        DemoLogin("client_admin", ACCOUNTS[0].admin_email),
        DemoLogin("champion", "champion@sakura-mfg.example.jp"),
        DemoLogin("procurement", "procurement@sakura-mfg.example.jp"),
    ]
    with unscoped(session, "seeding looks for the demo tenant"):
        if session.scalar(select(Tenant.id).where(Tenant.slug == DEMO_SLUG)) is not None:
            return logins
    owner = sign_up_vendor(
        session,
        vendor_name="Demo AI 株式会社",
        name="Demo Owner",
        email=logins[0].email,
        password=DEMO_PASSWORD,
    )
    tenant = owner.tenant
    tenant.slug = DEMO_SLUG
    with scoped(session, Scope(tenant_id=tenant.id)):
        csm = add_user(
            session,
            tenant,
            email=logins[1].email,
            name="佐藤 美咲",
            password=DEMO_PASSWORD,
            role=Role.CSM,
        )
        session.flush()
        accounts = []
        for draft in ACCOUNTS:
            accounts.append(onboard_account(session, tenant, csm, replace(draft, csm_id=csm.id)))
        first = accounts[0].account
        # The client admin of the first account has accepted; the others are still pending invitations.
        for login, role, name in (
            (logins[2], Role.CLIENT_ADMIN, "山田 太郎"),
            (logins[3], Role.CHAMPION, "鈴木 花子"),
            (logins[4], Role.PROCUREMENT, "田中 一郎"),
        ):
            add_user(
                session,
                tenant,
                email=login.email,
                name=name,
                password=DEMO_PASSWORD,
                role=role,
                account_id=first.id,
            )
        accounts[0].invitation.accepted_at = utcnow()
        session.flush()
        # The first client's #ai-use-cases channel, so the notes page has wins to promote.
        filename, export = note_samples.sample("slack")
        import_notes(session, first, None, export, filename=filename, secret=current_app.config["SECRET_KEY"])
        session.flush()
    _second_vendor(session, champion=logins[3].email)
    return logins


def _second_vendor(session: Session, champion: str) -> None:
    """A second AI vendor serving the same client: the champion's one login belongs to both (the header's
    switcher shows it)."""
    owner = sign_up_vendor(
        session,
        vendor_name="Partner LLM 合同会社",
        name="Partner Owner",
        email="owner@partner-llm.example.com",
        password=DEMO_PASSWORD,
    )
    tenant = owner.tenant
    with scoped(session, Scope(tenant_id=tenant.id)):
        draft = replace(ACCOUNTS[0], licensed_seats=200, monthly_spend_yen=400_000)
        result = onboard_account(session, tenant, owner, draft)
        session.flush()
        add_membership(
            session,
            tenant,
            find_person(session, champion),
            name="鈴木 花子",
            role=Role.MEMBER,
            account_id=result.account.id,
        )
        session.flush()

"""Pages that list accounts issue a fixed number of SQL statements, whether a vendor has 10 or 200
accounts (aggregates in SQL, no query per row)."""

from datetime import date

from sqlalchemy import event

from tenants.db import db
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account
from tenants.scoping import Scope, scoped
from tenants.users import sign_up_vendor
from tests.helpers import login

PASSWORD = "long-enough-password"


def _vendor(app, label: str, accounts: int) -> tuple[str, int]:
    with app.app_context():
        owner = sign_up_vendor(
            db.session,
            vendor_name=f"V {label}",
            name="Owner",
            email=f"o@{label}.example.com",
            password=PASSWORD,
        )
        with scoped(db.session, Scope(owner.tenant_id)):
            first = None
            for i in range(accounts):
                result = onboard_account(
                    db.session,
                    owner.tenant,
                    owner,
                    AccountDraft(
                        name=f"Client {label} {i:03d}",
                        industry="other",
                        licensed_seats=100,
                        monthly_spend_yen=300_000,
                        hourly_labor_cost_yen=5_000,
                        kickoff_date=date(2026, 10, 1),
                        admin_email=f"a{i}@{label}.example.jp",
                        teams=[TeamDraft("Sales", 10), TeamDraft("Ops", 5)],
                    ),
                )
                first = first or result.account.id
            db.session.commit()
        email = owner.email
        db.session.remove()
    return email, first


def _statements(app, client, path: str) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    client.get(path)  # warm: caches, the session row
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_portfolio_and_account_pages_cost_the_same_at_10_and_200_accounts(app):
    counts = {}
    for label, n in (("small", 10), ("large", 200)):
        email, first = _vendor(app, label, n)
        client = app.test_client()
        login(client, email, PASSWORD)
        pages = ("/accounts", "/accounts?sort=density&page=2", "/accounts/{id}", "/accounts/{id}/metrics")
        counts[n] = {page: _statements(app, client, page.format(id=first)) for page in pages}
    assert counts[10] == counts[200], counts

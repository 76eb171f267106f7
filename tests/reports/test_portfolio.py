"""The portfolio read model: density, coverage and health per account, in a constant number of queries."""

from datetime import date

from sqlalchemy import event

from reports.portfolio import portfolio_rows
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import add_use_case, make_world


def _queries(app, tenant_id):
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    with app.app_context(), scoped(db.session, Scope(tenant_id)):
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            rows = portfolio_rows(db.session)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return rows, count


def test_density_coverage_and_health_come_from_the_cases_of_the_last_30_days(app):
    world = make_world(app, "pf")  # accounts of 100 seats, two teams each
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        team = get_account(db.session, world.account_ids[0]).teams[0].id
    for i in range(3):
        add_use_case(app, world, f"ケース{i}", team_id=team, used_on=date(2026, 11, 1))
    rows, _ = _queries(app, world.tenant_id)
    row = next(r for r in rows if r.account.id == world.account_ids[0])
    assert row.cases_shared == 3 and row.use_case_density == 3.0  # 3 per 100 seats this month
    assert row.team_coverage == 0.5  # one of two teams shared
    assert row.health.score == round(100 * (3 / 5 + 0.5) / 2) and row.health.band == "watch"
    quiet = next(r for r in rows if r.account.id == world.account_ids[1])
    assert quiet.use_case_density == 0 and quiet.health.band == "at_risk"


def test_the_number_of_queries_does_not_grow_with_accounts(app):
    small = make_world(app, "pf-small")
    _, few = _queries(app, small.tenant_id)
    big = make_world(app, "pf-big")
    with app.app_context(), scoped(db.session, Scope(big.tenant_id)):
        from tenants.onboarding import onboard_account
        from tenants.tenant import Tenant
        from tenants.users import User
        from tests.factories import draft

        tenant = db.session.get(Tenant, big.tenant_id)
        csm = db.session.get(User, big.user_ids["csm"])
        for i in range(20):
            onboard_account(db.session, tenant, csm, draft(f"追加{i}", f"a{i}@pf-big.example.jp"))
        db.session.commit()
    rows, many = _queries(app, big.tenant_id)
    assert len(rows) == 22 and many == few


def test_pages_sort_by_health_and_filter_by_name(app):
    from reports.portfolio import portfolio_page

    world = make_world(app, "pf-page")
    add_use_case(app, world, "活発なケース", account_index=1, used_on=date(2026, 11, 1))
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        first = portfolio_page(db.session, sort="health", page_size=1)
        assert first.total == 2 and first.pages == 2 and first.rows[0].account.id == world.account_ids[0]
        second = portfolio_page(db.session, sort="health", page=2, page_size=1)
        assert second.rows[0].account.id == world.account_ids[1]  # the healthier one comes last
        only = portfolio_page(db.session, query="pf-page1")
        assert [r.account.id for r in only.rows] == [world.account_ids[1]] and only.seats == 100
        assert portfolio_page(db.session, page=99).page == 1  # out of range: the last page there is

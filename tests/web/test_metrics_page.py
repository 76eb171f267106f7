"""The account's adoption page: figures with health parts and targets, a monthly trend, teams only, charts
whose numbers are also a table; and the same figures from the functions behind it."""

import json
import re
from datetime import date

from playbooks.events import create_event
from reports.account_metrics import account_metrics, lt_cadence, month_starts, monthly_trend, team_table
from reports.usage import import_usage
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import login

SHEET = (
    "日付,ユーザー,部署,利用回数,削減時間(分)\n"
    "2026/9/1,taro@x.jp,Sales,10,30\n2026/9/2,hana@x.jp,Ops,5,15\n"
    "2026/10/1,taro@x.jp,Sales,4,60\n2026/10/2,jiro@x.jp,Sales,3,30\n2026/10/3,hana@x.jp,Ops,2,30\n"
)


def _seed(app, label: str):
    world = make_world(app, label)
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        record = import_usage(db.session, account, None, SHEET.encode("utf-8"), filename="u.csv", secret="s")
        assert record.status == "done"
        db.session.commit()
    return world


def test_trend_and_team_table_count_teams_and_months(app):
    world = _seed(app, "mtrend")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        trend = monthly_trend(db.session, account, date(2026, 10, 31), months=3)
        assert [r["month"] for r in trend] == ["2026-08", "2026-09", "2026-10"]
        assert [r["active_users"] for r in trend] == [0, 2, 3]
        assert [r["minutes_saved"] for r in trend] == [0.0, 45.0, 120.0]
        assert trend[0]["breadth"] is None and trend[2]["breadth"] == 3 / account.licensed_seats
        teams = {t["team"]: t for t in team_table(db.session, account, date(2026, 10, 1), date(2026, 10, 31))}
        assert teams["Sales"]["active_users"] == 2 and teams["Sales"]["minutes_saved"] == 90.0
        assert teams["Ops"]["active_users"] == 1 and teams["Ops"]["reach"] == 1 / 60
        assert set(teams["Sales"]) == {
            "team",
            "headcount",
            "active_users",
            "reach",
            "minutes_saved",
            "use_cases_shared",
            "champion",
        }  # teams only: nothing names a person


def test_lt_cadence_counts_months_with_a_talk_day_since_kickoff(app):
    world = make_world(app, "mcadence")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])  # kickoff 2026-10-01
        before = lt_cadence(db.session, account, date(2026, 12, 31))
        from tenants.users import User

        csm = db.session.scalar(db.select(User).where(User.email == world.email("csm")))
        create_event(db.session, account, csm, "lt_day", "10月LT", date(2026, 10, 20))
        create_event(db.session, account, csm, "lt_day", "10月LT その2", date(2026, 10, 27))
        db.session.flush()
        assert lt_cadence(db.session, account, date(2026, 12, 31)) == before + 1 / 3  # one month of three
        assert lt_cadence(db.session, account, date(2026, 9, 30)) is None  # before kickoff
        figures = account_metrics(db.session, account, date(2026, 10, 1), date(2026, 12, 31))
        assert figures["health"]["parts"]["lt_cadence"]["value"] == figures["lt_cadence"]


def test_month_starts_cross_the_year():
    assert month_starts(date(2026, 2, 10), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_the_page_shows_figures_parts_targets_and_a_table_for_every_chart(app, client):
    world = _seed(app, "mpage")
    add_use_case(app, world, "議事録<script>alert(1)</script>", minutes_saved_per_run=30, runs_per_month=8)
    login(client, world.email("client_admin"), PASSWORD)
    page = client.get(f"/accounts/{world.account_ids[0]}/metrics?from=2026-10-01&to=2026-10-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in (
        "Use-case density",
        "Team coverage",
        "Champion coverage",
        "LT cadence",
        "Breadth",
        "Frequency",
        "Stickiness",
        "Production cases per quarter",
    ):
        assert label in html
    assert "60%" in html  # breadth's target, shown next to the part
    assert 'data-testid="team-table"' in html and "Sales" in html
    figures = re.findall(r'<script type="application/json" id="fig-([\w-]+)">(.*?)</script>', html, re.S)
    assert {name for name, _ in figures} == {"usage-trend", "cases-trend", "team-reach"}
    usage = json.loads(dict(figures)["usage-trend"])
    assert usage["data"][0]["type"] == "bar" and list(usage["data"][0]["y"])[-1] == 2.0  # 120 min in October
    assert "/vendor/plotly.min.js?v=" in html
    assert "<script>alert(1)</script>" not in html


def test_team_names_cannot_close_the_figure_script(app, client):
    world = make_world(app, "mscript")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        account.teams[0].name = "</script><script>alert(1)</script>"
        db.session.commit()
    login(client, world.email("csm"), PASSWORD)
    html = client.get(f"/accounts/{world.account_ids[0]}/metrics").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert html.count("</script>") == html.count("<script")


def test_bad_periods_say_what_is_wrong(app, client):
    world = make_world(app, "mbad")
    login(client, world.email("csm"), PASSWORD)
    url = f"/accounts/{world.account_ids[0]}/metrics"
    bad = client.get(url + "?from=2026-13-01")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)
    reversed_ = client.get(url + "?from=2026-10-31&to=2026-10-01")
    assert "after its end" in reversed_.get_data(as_text=True)
    assert "at most 366 days" in client.get(url + "?from=2020-01-01&to=2026-10-01").get_data(as_text=True)


def test_plotly_js_is_served_by_the_app_and_cached(app, client):
    response = client.get("/vendor/plotly.min.js?v=1")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"plotly" in response.data[:2000].lower() and len(response.data) > 1_000_000
    assert "max-age=31536000" in response.headers["Cache-Control"]

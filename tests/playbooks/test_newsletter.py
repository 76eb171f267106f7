"""The wins newsletter's domain: what a month's issue is composed of, freezing, confirmation, opt-outs, the
webhook guard and the monthly auto-send's choice of accounts."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from playbooks import newsletter as nl
from playbooks.champions import appoint, nominate_self
from playbooks.events import create_event, record_talk
from playbooks.usecases import Source, create_use_case
from tenants.accounts import get_account
from tenants.db import db
from tenants.errors import FieldErrors
from tenants.scoping import Scope, scoped
from tenants.users import User
from tests.factories import make_world

NOVEMBER = date(2026, 11, 1)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)  # noon in Tokyo


@dataclass
class Loop:
    tenant_id: int
    account_id: int
    user_ids: dict


def case(session, account, author, title, team, published, **fields):
    uc = create_use_case(
        session,
        account,
        author,
        title=title,
        model_name="GPT-4o",
        used_on=date(2026, 10, 5),
        minutes_saved_per_run=fields.pop("minutes", 10),
        runs_per_month=fields.pop("runs", 2),
        people=1,
        team_id=team.id if team else None,
        **fields,
    )
    uc.published_at = published
    return uc


@pytest.fixture
def loop(app):
    """Account 0 of a world in November 2026: an LT with one talk, cases of two teams (one promoted from a
    chat note), a case of October and a draft that must not count, two active champions, a December event."""
    world = make_world(app, "nl")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        s = db.session
        account = get_account(s, world.account_ids[0])
        teams = {t.name: t for t in account.teams}
        users = {k: s.get(User, v) for k, v in world.user_ids.items()}
        lt = create_event(s, account, users["csm"], "lt_day", "November LT", date(2026, 11, 20))
        talk = record_talk(
            s,
            lt,
            users["csm"],
            title="議事録の自動要約",
            problem="会議の議事録に毎回1時間かかる\n二行目は載らない",
            prompt="要約して",
            result="5分で終わる",
            minutes_saved_per_run=30,
            runs_per_month=4,
            people=2,
            model_name="GPT-4o",
            team_id=teams["Sales"].id,
            speaker_id=users["member"].id,
        )
        talk.use_case.published_at = at(11, 20)
        case(s, account, users["member"], "見積書のドラフト", teams["Sales"], at(11, 3), minutes=15, runs=10)
        case(
            s, account, users["champion"], "Chat note: FAQ bot", teams["Ops"], at(11, 28), source=Source.NOTE
        )
        case(s, account, users["member"], "October case", teams["Ops"], at(10, 30))
        draft = case(s, account, users["member"], "Draft case", teams["Ops"], None)
        draft.published_at = None
        for key, team in (("champion", "Sales"), ("member", "Ops")):
            champion = nominate_self(s, account, users[key], teams[team].id)
            appoint(s, account, users["client_admin"], champion.id, date(2026, 10, 10))
        create_event(s, account, users["csm"], "study_session", "December study", date(2026, 12, 10))
        s.commit()
        return Loop(world.tenant_id, world.account_ids[0], world.user_ids)


@pytest.fixture
def account(app, loop):
    with app.app_context(), scoped(db.session, Scope(loop.tenant_id)):
        yield get_account(db.session, loop.account_id)


def test_compose_gathers_the_months_sections(loop, account):
    content = nl.compose(db.session, account, date(2026, 11, 17))
    assert content["month"] == "2026-11-01" and content["next_month"] == "2026-12-01"
    [talk] = content["talks"]
    assert talk["title"] == "議事録の自動要約" and talk["problem"] == "会議の議事録に毎回1時間かかる"
    assert talk["minutes_saved_per_month"] == 30 * 4 * 2 and talk["team"] == "Sales"
    assert talk["speaker"].startswith("member ")
    titles = [c["title"] for c in content["new_cases"]]
    assert titles == [
        "見積書のドラフト",
        "議事録の自動要約",
        "Chat note: FAQ bot",
    ]  # October and the draft left out
    assert [c["from_note"] for c in content["new_cases"]] == [False, False, True]
    assert content["top_team"] == {"name": "Sales", "names": ["Sales"], "count": 2}
    assert content["totals"] == {"talks": 1, "cases": 3, "minutes_saved_per_month": 150 + 240 + 20}


def test_the_spotlight_rotates_over_active_champions_by_month(loop, account):
    november = nl.compose(db.session, account, NOVEMBER)["spotlight"]
    december = nl.compose(db.session, account, date(2026, 12, 1))["spotlight"]
    # (2026*12 + 11) % 2 == 1: the second champion by id (the member, Ops); December the first (Sales).
    assert november["name"].startswith("member ") and november["team"] == "Ops"
    assert november["latest_case"] == "見積書のドラフト"  # the member's latest published case, not the draft
    assert nl.compose(db.session, account, date(2026, 10, 1))["spotlight"]["latest_case"] is None
    assert december["name"].startswith("champion ") and december["team"] == "Sales"
    assert december["latest_case"] == "Chat note: FAQ bot"


def test_next_months_dates_hold_events_and_playbook_tasks_in_both_languages(loop, account):
    dates = nl.compose(db.session, account, NOVEMBER)["next_dates"]
    assert dates == sorted(dates, key=lambda d: d["date"])
    assert all("2026-12-01" <= d["date"] <= "2026-12-31" for d in dates)
    assert {
        "date": "2026-12-10",
        "kind": "study_session",
        "title": {"ja": "December study", "en": "December study"},
    } in dates
    tasks = [d for d in dates if d["kind"] == "task"]
    assert tasks, "the AI Champion playbook has tasks due in December"
    assert all(t["title"]["ja"] and t["title"]["en"] and t["title"]["ja"] != t["title"]["en"] for t in tasks)


def test_a_team_tie_names_every_tied_team_and_no_case_means_no_top_team(loop, account):
    assert nl.compose(db.session, account, date(2026, 9, 1))["top_team"] is None
    teams = {t.name: t for t in account.teams}
    case(db.session, account, None, "Another ops case", teams["Ops"], at(11, 29))
    assert nl.compose(db.session, account, NOVEMBER)["top_team"]["names"] == ["Ops", "Sales"]


def test_start_issue_freezes_the_content_and_skips_people_who_unsubscribed(loop, account):
    nl.opt_out(db.session, account.id, account.tenant_id, loop.user_ids["member"])
    nl.save_intro(db.session, account, "draft intro")
    issue = nl.start_issue(
        db.session, account, None, date(2026, 11, 15), "  今月もありがとう  ", confirm=False
    )
    db.session.commit()
    assert issue.month == NOVEMBER and issue.intro == "今月もありがとう" and issue.status == "queued"
    assert issue.slack_status == "none"
    assert nl.get_settings(db.session, account).intro_draft == ""
    recipients = {d.user_id for d in issue.deliveries}
    assert loop.user_ids["member"] not in recipients
    assert {loop.user_ids["client_admin"], loop.user_ids["champion"]} <= recipients
    assert loop.user_ids["csm"] not in recipients  # vendor staff read it in the app
    frozen = dict(issue.content)
    case(db.session, account, None, "Late case", None, at(11, 30))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(nl.NewsletterIssue, issue.id).content == frozen
    assert nl.compose(db.session, account, NOVEMBER)["totals"]["cases"] == 4


def test_a_second_issue_in_a_month_needs_a_confirmation(loop, account):
    nl.start_issue(db.session, account, None, NOVEMBER, "", confirm=False)
    with pytest.raises(FieldErrors) as refused:
        nl.start_issue(db.session, account, None, NOVEMBER, "", confirm=False)
    assert "confirm" in refused.value.errors
    assert nl.start_issue(db.session, account, None, NOVEMBER, "", confirm=True).id
    assert nl.start_issue(db.session, account, None, date(2026, 12, 1), "", confirm=False).id


def test_opt_out_and_back_in(loop, account):
    member = loop.user_ids["member"]
    nl.opt_out(db.session, account.id, account.tenant_id, member)
    nl.opt_out(db.session, account.id, account.tenant_id, member)  # twice is harmless
    assert member not in {u.id for u in nl.recipients(db.session, account)}
    nl.opt_in(db.session, account.id, member)
    assert member in {u.id for u in nl.recipients(db.session, account)}


def test_the_webhook_url_must_start_with_an_allowed_prefix(loop, account):
    slack = ("https://hooks.slack.com/",)
    assert nl.check_webhook_url(" https://hooks.slack.com/services/T/B/x ", slack).endswith("/x")
    assert nl.check_webhook_url("", slack) == ""
    for bad in (
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest",
        "https://hooks.slack.com.evil.example/x",
        "https://hooks.slack.com/x\nHost: evil",
        "file:///etc/passwd",
    ):
        with pytest.raises(FieldErrors):
            nl.check_webhook_url(bad, slack)
    nl.save_settings(
        db.session,
        account,
        slack_webhook_url="http://127.0.0.1:9/hook",
        auto_send=True,
        allowed_prefixes=(*slack, "http://127.0.0.1:"),
    )
    issue = nl.start_issue(db.session, account, None, NOVEMBER, "", confirm=False)
    assert issue.slack_status == "pending"


def test_monthly_due_lists_auto_send_accounts_without_last_months_issue(loop, account):
    assert nl.monthly_due(db.session, date(2026, 12, 1)) == []
    nl.save_settings(db.session, account, slack_webhook_url="", auto_send=True)
    db.session.commit()
    assert nl.monthly_due(db.session, date(2026, 12, 1)) == [(account.tenant_id, account.id)]
    # October already has the world's issue.
    assert nl.monthly_due(db.session, date(2026, 11, 1)) == []
    nl.start_issue(db.session, account, None, NOVEMBER, "", confirm=False)
    db.session.commit()
    assert nl.monthly_due(db.session, date(2026, 12, 1)) == []

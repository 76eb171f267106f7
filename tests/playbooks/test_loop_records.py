"""The loop's records on PostgreSQL: champions, talks -> one use case, hackathon scores, uploads, .ics."""

from datetime import UTC, date, datetime

import pytest
import yaml
from icalendar import Calendar
from sqlalchemy import func, select

from playbooks import calendar_feed, champions
from playbooks import events as ev
from playbooks.checklists import PlaybookRun, Task, available_playbooks, start_playbook
from playbooks.custom_playbooks import PlaybookDefinition, upload_playbook
from playbooks.definitions import PlaybookFileError, shipped
from playbooks.usecases import UseCase
from tenants.accounts import get_account
from tenants.db import db
from tenants.errors import FieldErrors
from tenants.scoping import Scope, scoped
from tenants.users import User
from tests.factories import make_world


@pytest.fixture
def world(app):
    return make_world(app, "loop", use_cases=True)


@pytest.fixture
def ctx(app, world):
    with app.app_context(), scoped(db.session, Scope(tenant_id=world.tenant_id)):
        yield world, get_account(db.session, world.account_ids[0])


def _user(world, role) -> User:
    return db.session.get(User, world.user_ids[role])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_only_self_nominated_people_can_be_appointed(ctx):
    world, account = ctx
    admin, member = _user(world, "client_admin"), _user(world, "member")
    team = account.teams[0]
    appointed_without = champions.Champion(
        tenant_id=account.tenant_id, account_id=account.id, user_id=member.id, team_id=team.id
    )
    db.session.add(appointed_without)
    db.session.flush()
    with pytest.raises(FieldErrors) as info:
        champions.appoint(db.session, account, admin, appointed_without.id, date(2026, 11, 1))
    assert info.value.errors["champion_id"] == "Only people who nominated themselves can be appointed."
    assert appointed_without.active is False
    nominee = champions.nominate_self(db.session, account, _user(world, "champion"), team.id)
    with pytest.raises(FieldErrors) as info:
        champions.appoint(db.session, account, admin, nominee.id, date(2026, 9, 1))  # before kickoff
    assert "appointed_on" in info.value.errors and nominee.active is False
    champions.appoint(db.session, account, admin, nominee.id, date(2026, 11, 1))
    teams, share = champions.coverage(db.session, account)
    assert share == 0.5  # Sales has an active champion, Ops none
    assert [c.user_id for c in teams[0].champions] == [world.user_ids["champion"]]


def test_a_talk_creates_exactly_one_use_case_or_links_one(ctx):
    world, account = ctx
    admin = _user(world, "client_admin")
    lt = ev.create_event(db.session, account, admin, "lt_day", "LT November", date(2026, 11, 20))
    before = _count(UseCase)
    with pytest.raises(FieldErrors) as info:
        ev.record_talk(
            db.session, lt, admin, problem="Minutes", prompt="", result="Done", model_name="GPT-4o"
        )
    assert set(info.value.errors) == {"prompt", "minutes_saved_per_run"}
    assert _count(UseCase) == before and _count(ev.Talk) == 0
    talk = ev.record_talk(
        db.session,
        lt,
        admin,
        title="Meeting notes in 5 minutes",
        problem="Minutes take an hour",
        prompt="Summarise this transcript",
        result="A draft in five minutes",
        minutes_saved_per_run=55,
        runs_per_month=8,
        people=12,
        model_name="GPT-4o",
    )
    assert _count(UseCase) == before + 1
    case = talk.use_case
    assert (case.source, case.used_on, case.minutes_saved_per_month) == (
        "lt",
        date(2026, 11, 20),
        55 * 8 * 12,
    )
    linked = ev.record_talk(db.session, lt, admin, use_case_id=world.use_case_ids[0])
    assert linked.use_case_id == world.use_case_ids[0] and _count(UseCase) == before + 1
    with pytest.raises(FieldErrors) as info:
        ev.record_talk(db.session, lt, admin, use_case_id=world.use_case_ids[0])
    assert info.value.errors == {"use_case_id": "This use case already has a talk."}
    with pytest.raises(FieldErrors):  # another account's case
        ev.record_talk(db.session, lt, admin, use_case_id=world.use_case_ids[1])
    with pytest.raises(FieldErrors) as info:
        ev.create_event(db.session, account, admin, "lt_day", "Too early", date(2026, 9, 30))
    assert info.value.errors == {"held_on": "The date cannot be before the account's kickoff date."}


def test_judges_score_once_and_a_production_candidate_becomes_a_pilot(ctx):
    world, account = ctx
    csm, admin = _user(world, "csm"), _user(world, "client_admin")
    hackathon = db.session.get(ev.Event, world.event_ids[0])
    entry = ev.add_entry(
        db.session, hackathon, team_name="Ops", problem="Shift plans", use_case_id=world.use_case_ids[2]
    )
    db.session.get(UseCase, world.use_case_ids[2]).stage = "shared"
    good = dict(impact=5, feasibility=4, reusability=4, presentation=3)
    ev.score_entry(db.session, entry, csm, good)
    ev.score_entry(db.session, entry, admin, dict(good, impact=3))
    with pytest.raises(FieldErrors) as info:
        ev.score_entry(db.session, entry, csm, good)
    assert info.value.errors == {"judge": "You have already scored this entry."}
    with pytest.raises(FieldErrors) as info:
        ev.score_entry(db.session, entry, _user(world, "champion"), dict(good, impact=9))
    assert set(info.value.errors) == {"impact"}
    ranked = ev.ranking(hackathon.entries)
    assert ranked[0][0] is entry and ranked[0][1:] == (15.0, 2)
    first = db.session.get(ev.HackathonEntry, world.entry_ids[0])
    with pytest.raises(FieldErrors):
        ev.mark_entry(db.session, first, csm, winner=False, production_candidate=True)  # no use case linked
    ev.mark_entry(db.session, entry, csm, winner=True, production_candidate=True)
    assert db.session.get(UseCase, world.use_case_ids[2]).stage == "pilot"
    with pytest.raises(FieldErrors) as info:
        ev.add_entry(db.session, hackathon, team_name="", problem="", demo_url="javascript:alert(1)")
    assert set(info.value.errors) == {"team_name", "problem", "demo_url"}


def test_an_uploaded_version_applies_to_new_runs_only(ctx):
    world, account = ctx
    owner = _user(world, "owner")
    data = shipped()["ai_champion"].model_dump(mode="json")
    data["version"] = 2
    data["phases"][0]["tasks"][0]["title"]["en"] = "Call for volunteers (v2)"
    with pytest.raises(PlaybookFileError) as info:
        upload_playbook(
            db.session, world.tenant_id, owner, yaml.safe_dump(dict(data, version=1)).encode(), "v.yaml"
        )
    assert str(info.value) == "v.yaml: version: version 1 must be greater than 1, the current one"
    bad = yaml.safe_dump(
        {
            **data,
            "phases": [{**data["phases"][0], "tasks": [dict(data["phases"][0]["tasks"][0], owner="cto")]}],
        }
    )
    with pytest.raises(PlaybookFileError) as info:
        upload_playbook(db.session, world.tenant_id, owner, bad.encode(), "bad.yaml")
    assert [p.path for p in info.value.problems] == ["phases.0.tasks.0.owner"]
    assert _count(PlaybookDefinition) == 0
    upload_playbook(db.session, world.tenant_id, owner, yaml.safe_dump(data).encode(), "v2.yaml")
    assert available_playbooks(db.session)["ai_champion"].version == 2
    old_run = db.session.get(PlaybookRun, world.run_ids[0])
    assert (
        old_run.version == 1
        and old_run.playbook.task("call_for_nominations").title.en
        != data["phases"][0]["tasks"][0]["title"]["en"]
    )
    other = get_account(db.session, world.account_ids[1])
    db.session.delete(db.session.get(PlaybookRun, world.run_ids[1]))
    db.session.flush()
    run = start_playbook(
        db.session, other, owner, available_playbooks(db.session)["ai_champion"], date(2026, 11, 24)
    )
    task = db.session.scalar(
        select(Task).where(Task.run_id == run.id, Task.task_key == "call_for_nominations")
    )
    assert run.version == 2 and task.spec().title.en == "Call for volunteers (v2)"


def test_ics_feed_parses_back_with_dates_uids_and_stamps(ctx):
    world, account = ctx
    admin = _user(world, "client_admin")
    feed, token = calendar_feed.create_feed(db.session, account, admin)
    assert calendar_feed.feed_for_token(db.session, token).id == feed.id
    body = calendar_feed.build_ics(db.session, account, "ja", now=datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    cal = Calendar.from_ical(body)
    assert cal["x-wr-timezone"] == "Asia/Tokyo" and cal["version"] == "2.0"
    items = cal.walk("VEVENT")
    tasks = db.session.scalars(select(Task).where(Task.account_id == account.id, Task.status == "todo")).all()
    assert len(items) == len(tasks) + 1  # every open task and the hackathon
    uids = [str(i["uid"]) for i in items]
    assert len(set(uids)) == len(uids)
    for item in items:
        start = item.decoded("dtstart")
        assert type(start) is date  # all-day DATE, not a DATE-TIME
        assert item.decoded("dtstamp") == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert body.count(b"DTSTART;VALUE=DATE:") == len(items) and body.count(
        b"DTSTAMP:20261124T030000Z"
    ) == len(items)
    first = next(i for i in items if str(i["uid"]) == f"task-{tasks[0].id}@adoptloop")
    assert first.decoded("dtstart") == tasks[0].due_on
    assert "自薦" in str(first["summary"]) or "チャンピオン" in str(first["summary"])
    # A new link revokes the old one.
    _, token2 = calendar_feed.create_feed(db.session, account, admin)
    assert calendar_feed.feed_for_token(db.session, token) is None
    assert calendar_feed.feed_for_token(db.session, token2) is not None
    assert calendar_feed.revoke_feeds(db.session, account) == 1
    assert calendar_feed.feed_for_token(db.session, token2) is None

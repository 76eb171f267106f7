"""Checklists on PostgreSQL: starting a playbook, ticking, the daily pass (idempotent, one digest a day)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from playbooks.checklists import (
    PlaybookRun,
    Task,
    account_checklist,
    generate_tasks,
    set_status,
    start_playbook,
)
from playbooks.definitions import parse, shipped
from playbooks.reminders import DigestSent, run_daily_pass
from tenants.accounts import get_account
from tenants.db import db
from tenants.errors import FieldErrors
from tenants.scoping import Scope, scoped
from tenants.users import User
from tests.factories import make_world


@pytest.fixture
def world(app):
    return make_world(app, "pb")


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def test_start_creates_dated_tasks_from_kickoff(app, world):
    with app.app_context(), scoped(db.session, Scope(tenant_id=world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])  # kickoff 2026-10-01
        csm = db.session.get(User, world.user_ids["csm"])
        run = start_playbook(db.session, account, csm, shipped()["hackathon"], today=date(2026, 10, 1))
        tasks = {(t.task_key, t.occurrence): t for t in run.tasks}
        # Six months in on 1 April 2027; the horizon (3 months from 1 Oct) holds no hackathon task yet.
        assert tasks == {}
        assert run.generated_until == date(2027, 1, 1)
        # On 5 Jan the horizon reaches 5 April: month 5's three preparation tasks, the day and the judging.
        assert generate_tasks(db.session, run, today=date(2027, 1, 5)) == 5
        assert generate_tasks(db.session, run, today=date(2027, 1, 5)) == 0
        dues = {t.task_key: t.due_on for t in db.session.scalars(select(Task).where(Task.run_id == run.id))}
        assert dues["run_hackathon"] == date(2027, 4, 1)
        assert dues["judge_and_award"] == date(2027, 4, 4)
        assert dues["agree_date_and_budget"] == date(2027, 3, 1)


def test_monthly_lt_tasks_follow_month_ends_and_a_second_start_is_refused(app, world):
    with app.app_context(), scoped(db.session, Scope(tenant_id=world.tenant_id)):
        account = get_account(db.session, world.account_ids[1])
        account.kickoff_date = date(2027, 12, 31)
        csm = db.session.get(User, world.user_ids["csm"])
        run = start_playbook(db.session, account, csm, shipped()["monthly_lt"], today=date(2027, 12, 31))
        held = sorted(t.due_on for t in run.tasks if t.task_key == "hold_lt_day")
        # First LT 30 days after kickoff, then monthly from kickoff + 1 month + 30 days (leap February).
        assert held == [date(2028, 1, 30), date(2028, 3, 1), date(2028, 3, 30)]  # 29 Feb + 30 days
        with pytest.raises(FieldErrors) as info:
            start_playbook(db.session, account, csm, shipped()["monthly_lt"], today=date(2028, 1, 1))
        assert set(info.value.errors) == {"playbook"}
        before = _count(PlaybookRun)
        with pytest.raises(FieldErrors) as info:
            start_playbook(
                db.session,
                account,
                csm,
                shipped()["hackathon"],
                today=date(2028, 1, 1),
                kickoff=date(2027, 1, 1),
            )
        assert "kickoff" in info.value.errors
        assert _count(PlaybookRun) == before


def test_a_new_version_never_rewrites_a_started_run(app, world):
    with app.app_context(), scoped(db.session, Scope(tenant_id=world.tenant_id)):
        run = db.session.get(PlaybookRun, world.run_ids[0])
        before = _count(Task, run_id=run.id)
        data = shipped()["ai_champion"].model_dump(mode="json")
        data["version"] = 2
        data["phases"][0]["tasks"][0]["title"]["en"] = "Changed title"
        new_version = parse(__import__("yaml").safe_dump(data))
        assert new_version.version == 2
        assert run.playbook.task("call_for_nominations").title.en == "Call for champion self-nominations"
        generate_tasks(db.session, run, today=date(2026, 11, 24))
        assert _count(Task, run_id=run.id) == before


def test_ticking_records_who_when_and_skips_need_a_reason(app, world):
    with app.app_context(), scoped(db.session, Scope(tenant_id=world.tenant_id)):
        task = db.session.get(Task, world.task_ids[0])
        admin = db.session.get(User, world.user_ids["client_admin"])
        set_status(db.session, task, admin, "done")
        assert (task.status, task.done_by_id) == ("done", admin.id) and task.done_at is not None
        with pytest.raises(FieldErrors) as info:
            set_status(db.session, task, admin, "skipped", "  ")
        assert set(info.value.errors) == {"note"}
        with pytest.raises(FieldErrors):
            set_status(db.session, task, admin, "finished")
        set_status(db.session, task, admin, "todo")
        assert task.done_by_id is None and task.done_at is None
        views = account_checklist(
            db.session, get_account(db.session, world.account_ids[0]), date(2026, 11, 24)
        )
        (view,) = views
        assert [phase.key for phase, _, _ in view.phases] == ["launch", "run", "roll_out"]
        assert view.progress.total == _count(Task, run_id=world.run_ids[0])


def test_daily_pass_is_idempotent_and_mails_once_a_day(app, world):
    sent = []
    today = date(2026, 12, 20)
    with app.app_context():
        first = run_daily_pass(db.session, today, lambda *mail: sent.append(mail))
        second = run_daily_pass(db.session, today, lambda *mail: sent.append(mail))
        assert first.tasks_generated > 0 and second.tasks_generated == 0
        assert len(first.digests) == len(sent) > 0 and second.digests == []
        recipients = [to for to, _, _ in sent]
        assert len(recipients) == len(set(recipients))  # one digest per person
        assert world.email("client_admin") in recipients and world.email("csm") in recipients
        admin_mail = next(m for m in sent if m[0] == world.email("client_admin"))
        assert "overdue" in admin_mail[1] and "Appoint the first 2-3 champions" in admin_mail[2]
        # The next day mails again (tasks are still overdue), once.
        third = run_daily_pass(db.session, today + timedelta(days=1), lambda *mail: sent.append(mail))
        assert {d.to for d in third.digests} == set(recipients)
        from tenants.scoping import unscoped

        with unscoped(db.session, "test counts digests"):
            assert _count(DigestSent, day=today) == len(recipients)

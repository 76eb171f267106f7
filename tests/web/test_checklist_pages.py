"""Checklist and loop pages: the client admin's landing page, ticking with and without JavaScript, the CSM's
due list, talks, the calendar feed, playbook uploads and ``flask playbooks tick``."""

import json
import re
from email import message_from_bytes

import pytest
import yaml
from icalendar import Calendar

from app.extensions import db
from playbooks.checklists import Task
from playbooks.definitions import shipped
from playbooks.usecases import UseCase
from tenants.scoping import unscoped
from tests.factories import PASSWORD, make_world
from tests.helpers import login, post


@pytest.fixture
def world(app):
    return make_world(app, "ck")


def _as(client, world, role):
    login(client, world.email(role), PASSWORD)
    return client


def _task(app, task_id):
    with app.app_context(), unscoped(db.session, "test reads a task"):
        task = db.session.get(Task, task_id)
        return task.status, task.done_by_id, task.note


def _task_id(app, world, key, account=0):
    with app.app_context(), unscoped(db.session, "test finds a task"):
        return db.session.scalar(
            db.select(Task.id).where(Task.run_id == world.run_ids[account], Task.task_key == key)
        )


def test_client_admin_lands_on_the_checklist_and_ticks_with_fetch_and_without(app, client, world):
    _as(client, world, "client_admin")
    response = client.get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"/accounts/{world.account_ids[0]}/checklist" in response.request.path
    assert "Overdue and due this week" in html and "Appoint the first 2-3 champions" in html
    assert "AI Champion program" in html
    first = _task_id(app, world, "call_for_nominations")
    response = post(
        client, f"/tasks/{first}/status", {"status": "done"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200 and response.json["status"] == "done"
    assert _task(app, first)[:2] == ("done", world.user_ids["client_admin"])
    second = _task_id(app, world, "appoint_first_champions")
    response = post(client, f"/tasks/{second}/status", {"status": "done"})
    assert response.status_code == 302 and response.location.endswith(f"#task-{second}")
    assert _task(app, second)[0] == "done"
    response = post(
        client, f"/tasks/{second}/status", {"status": "skipped"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 422 and response.json["errors"] == {"note": "Say why the task is skipped."}
    assert _task(app, second)[0] == "done"
    html = client.get(f"/accounts/{world.account_ids[0]}/checklist").get_data(as_text=True)
    assert "2 of" in html


def test_champions_tick_champion_tasks_only_and_members_none(app, client, world):
    _as(client, world, "champion")
    admin_task = _task_id(app, world, "call_for_nominations")
    assert post(client, f"/tasks/{admin_task}/status", {"status": "done"}).status_code == 403
    assert post(client, f"/tasks/{world.task_ids[0]}/status", {"status": "done"}).status_code == 302
    assert post(client, f"/tasks/{world.task_ids[1]}/status", {"status": "done"}).status_code == 404
    assert _task(app, admin_task)[0] == "todo" and _task(app, world.task_ids[1])[0] == "todo"


def test_csm_due_list_filters_by_account_and_starts_playbooks(app, client, world):
    _as(client, world, "csm")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="home-due"' in home and "Open the use-case channel" in home
    assert f'<span class="tag">{world.account_names[1]}</span>' in home
    html = client.get("/checklists/due").get_data(as_text=True)
    assert world.account_names[0] in html and world.account_names[1] in html
    html = client.get(f"/checklists/due?account_id={world.account_ids[1]}").get_data(as_text=True)
    assert html.count('class="tag"') > 0
    assert f'<span class="tag">{world.account_names[0]}</span>' not in html
    assert f'<span class="tag">{world.account_names[1]}</span>' in html
    response = post(client, f"/accounts/{world.account_ids[0]}/playbooks", {"playbook": "monthly_lt"})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Monthly use-case lightning talks" in html and "Hold the LT day and record the talks" in html
    post(client, f"/accounts/{world.account_ids[0]}/playbooks", {"playbook": "ai_champion"})
    html = client.get(f"/accounts/{world.account_ids[0]}/checklist").get_data(as_text=True)
    assert "This playbook is already running for the account." in html


def test_recording_a_talk_needs_the_template_and_creates_one_use_case(app, client, world):
    _as(client, world, "client_admin")
    response = post(
        client,
        f"/accounts/{world.account_ids[0]}/events",
        {"kind": "lt_day", "title": "LT 11月", "held_on": "2026-11-20"},
    )
    assert response.status_code == 302
    event_url = response.location
    talk = {
        "title": "議事録",
        "problem": "Minutes take an hour",
        "prompt": "",
        "result": "Five minutes",
        "minutes_saved_per_run": "55",
        "model_name": "GPT-4o",
    }
    with app.app_context(), unscoped(db.session, "count"):
        before = db.session.scalar(db.select(db.func.count()).select_from(UseCase))
    response = post(client, f"{event_url}/talks", talk)
    assert response.status_code == 422
    assert "A talk needs every template field" in response.get_data(as_text=True)
    response = post(client, f"{event_url}/talks", dict(talk, prompt="Summarise the transcript"))
    assert response.status_code == 302
    html = client.get(event_url).get_data(as_text=True)
    assert "議事録" in html and "55 minutes per run" in html
    with app.app_context(), unscoped(db.session, "count"):
        assert db.session.scalar(db.select(db.func.count()).select_from(UseCase)) == before + 1


def test_calendar_feed_link_works_until_revoked(app, client, world):
    _as(client, world, "client_admin")
    html = post(client, f"/accounts/{world.account_ids[0]}/calendar").get_data(as_text=True)
    url = re.search(r'value="([^"]+\.ics)"', html).group(1)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) > 5
    post(client, f"/accounts/{world.account_ids[0]}/calendar/revoke")
    assert anonymous.get(url).status_code == 404


def test_owner_upload_shows_errors_per_key(app, client, world):
    _as(client, world, "owner")
    data = shipped()["monthly_lt"].model_dump(mode="json")
    data["phases"][0]["tasks"][0]["owner"] = "manager"
    data["phases"][0]["tasks"][1]["offset_days"] = -3
    response = post(
        client,
        "/playbooks",
        {"file": (__import__("io").BytesIO(yaml.safe_dump(data).encode()), "lt.yaml")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "phases.0.tasks.0.owner" in html and "unknown owner role" in html
    assert "phases.0.tasks.1.offset_days" in html
    data = shipped()["monthly_lt"].model_dump(mode="json")
    data["version"] = 2
    response = post(
        client,
        "/playbooks",
        {"file": (__import__("io").BytesIO(yaml.safe_dump(data).encode()), "lt2.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "monthly_lt v2" in client.get("/playbooks").get_data(as_text=True)


def test_tick_command_prints_json_and_mails_once_a_day(app, world, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_URL", f"file:{tmp_path}")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["playbooks", "tick", "--today", "2026-12-20"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert result["day"] == "2026-12-20" and result["tasks_generated"] > 0 and result["digests_sent"] > 0
    mails = list(tmp_path.glob("*.eml"))
    assert len(mails) == result["digests_sent"]
    recipients = {message_from_bytes(m.read_bytes())["To"] for m in mails}
    assert world.email("client_admin") in recipients
    again = json.loads(runner.invoke(args=["playbooks", "tick", "--today", "2026-12-20"]).output)
    assert again == {"day": "2026-12-20", "tasks_generated": 0, "digests_sent": 0}
    assert len(list(tmp_path.glob("*.eml"))) == len(mails)


def test_tick_command_names_a_bad_date_without_a_traceback(app):
    result = app.test_cli_runner().invoke(args=["playbooks", "tick", "--today", "2026-02-30"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": "--today: '2026-02-30' is not a date like 2026-12-20"}
    assert "Traceback" not in result.output


def test_client_admin_names_a_person_for_a_task(app, client, world):
    _as(client, world, "client_admin")
    task_id = world.task_ids[0]  # "Open the use-case channel", a champion task
    response = post(client, f"/tasks/{task_id}/assignee", {"assignee_id": world.user_ids["champion"]})
    assert response.status_code == 302
    with app.app_context(), unscoped(db.session, "test reads a task"):
        assert db.session.get(Task, task_id).assignee_id == world.user_ids["champion"]
    html = client.get(f"/accounts/{world.account_ids[0]}/checklist").get_data(as_text=True)
    assert '<span class="owner">AI champion · champion ck</span>' in html
    # Someone of the other account cannot be named.
    response = post(client, f"/tasks/{task_id}/assignee", {"assignee_id": world.user_ids["other_member"]})
    assert "Choose a person of this account." in client.get(response.location).get_data(as_text=True)
    with app.app_context(), unscoped(db.session, "test reads a task"):
        assert db.session.get(Task, task_id).assignee_id == world.user_ids["champion"]

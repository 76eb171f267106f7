"""Report rendering in a real rq worker process: the web request only enqueues; a worker killed in the middle
of a render leaves one report that can be retried, never two."""

import os
import signal
import subprocess
import time
from datetime import timedelta

from app import create_app
from reports.models import Report
from tenants.db import db, utcnow
from tenants.jobs import queue
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import (
    ROOT,
    WORKER_COMMAND,
    app_config,
    login,
    post,
    report_form,
    run_worker_burst,
    worker_env,
)

WORKER = [*WORKER_COMMAND, "--queue", "reports"]


def _issue_report(rq_app, label: str):
    world = make_world(rq_app, label)
    add_use_case(rq_app, world, "議事録の要約", minutes_saved_per_run=30, runs_per_month=8, people=40)
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    data = report_form(client, world.account_ids[0])
    response = post(client, f"/accounts/{world.account_ids[0]}/reports", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert post(client, f"/accounts/{world.account_ids[0]}/reports", data).status_code == 302  # double click
    return world, client


def _reports(rq_app, world) -> list[Report]:
    with rq_app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        rows = list(
            db.session.scalars(
                db.select(Report).where(
                    Report.account_id == world.account_ids[0], Report.request_key.not_like("world-%")
                )
            )
        )
        db.session.expunge_all()
        return rows


def test_a_worker_process_renders_the_report_once(app):
    rq_app = create_app(app_config(JOBS_BACKEND="rq"))
    world, _ = _issue_report(rq_app, "rq-ok")
    with rq_app.app_context():
        assert queue("reports").count == 1  # the double click found the first report and its job
    run_worker_burst("reports")
    [report] = _reports(rq_app, world)
    assert report.status == "done" and report.pages >= 3 and report.attempts == 1


def test_a_killed_worker_leaves_one_retryable_report(app):
    rq_app = create_app(app_config(JOBS_BACKEND="rq"))
    world, client = _issue_report(rq_app, "rq-kill")
    worker = subprocess.Popen(
        WORKER,
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _reports(rq_app, world)[0].status != "running":
            time.sleep(0.05)
        assert _reports(rq_app, world)[0].status == "running"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and the browser it started for the charts
        worker.wait(10)
    [report] = _reports(rq_app, world)
    assert report.status == "running" and report.pdf_sha256 is None
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Retry" not in page  # within the job timeout it may still be working

    with rq_app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        stuck = db.session.get(Report, report.id)
        stuck.started_at = utcnow() - timedelta(minutes=10)  # the job timeout has passed since
        db.session.commit()
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Stalled" in page and "Retry" in page
    assert post(client, f"/reports/{report.id}/retry").status_code == 302
    run_worker_burst("reports")
    [report] = _reports(rq_app, world)
    assert report.status == "done" and report.attempts == 2 and report.pdf_sha256

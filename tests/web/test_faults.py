"""Faults, each with the real part failing: Redis going away and coming back, PostgreSQL dropping every
connection under load, and WeasyPrint failing inside a real rq worker."""

import os
import shutil
import socket
import subprocess
import threading
import time

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from reports.models import Report
from tenants import jobs
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import ROOT, TEST_DATABASE_URL, app_config, login, post, report_form, run_worker_burst

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Redis:
    """A Redis server of the test's own, so it can be stopped without touching anyone else's."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis():
    server = _Redis()
    server.start()
    yield server
    server.stop()
    jobs.recheck()


def _report(app, world) -> Report:
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        [row] = db.session.scalars(
            db.select(Report).where(
                Report.account_id == world.account_ids[0], Report.request_key.not_like("world-%")
            )
        )
        db.session.expunge(row)
        return row


def test_redis_down_pages_say_paused_and_the_queued_report_is_not_lost(app, own_redis):
    rq_app = create_app(
        app_config(JOBS_BACKEND="rq", REDIS_URL=own_redis.url, RATELIMIT_STORAGE_URI=own_redis.url)
    )
    world = make_world(rq_app, "redisdown")
    add_use_case(rq_app, world, "議事録の要約", minutes_saved_per_run=30, runs_per_month=8, people=40)
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    account = f"/accounts/{world.account_ids[0]}"
    assert "Background work is paused" not in client.get(account).get_data(as_text=True)

    own_redis.stop()
    jobs.recheck()
    page = client.get(account)
    assert page.status_code == 200 and "Background work is paused" in page.get_data(as_text=True)
    assert client.get("/accounts").status_code == 200
    requested = post(client, f"{account}/reports", report_form(client, world.account_ids[0]))
    assert requested.status_code == 302  # the request is taken, not a 500
    assert _report(rq_app, world).status == "queued"

    own_redis.start()  # an empty Redis, as after a restart: the job itself was never stored
    jobs.recheck()
    assert "Background work is paused" not in client.get(account).get_data(as_text=True)
    with rq_app.app_context():
        assert jobs.queue("reports").count == 1  # swept in when Redis answered again
    run_worker_burst("reports", REDIS_URL=own_redis.url)
    report = _report(rq_app, world)
    assert report.status == "done" and report.attempts == 1


def test_a_worker_started_after_an_outage_sweeps_waiting_reports(app, own_redis):
    rq_app = create_app(
        app_config(JOBS_BACKEND="rq", REDIS_URL=own_redis.url, RATELIMIT_STORAGE_URI=own_redis.url)
    )
    world = make_world(rq_app, "sweepstart")
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    own_redis.stop()
    jobs.recheck()
    assert (
        post(
            client, f"/accounts/{world.account_ids[0]}/reports", report_form(client, world.account_ids[0])
        ).status_code
        == 302
    )
    own_redis.start()
    # No page is opened in between: the worker's own start-up sweep finds the waiting report.
    run_worker_burst("reports", REDIS_URL=own_redis.url)
    assert _report(rq_app, world).status == "done"


def _kill_connections(url: str) -> int:
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        dbname=parsed.database,
        autocommit=True,
    ) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return len(rows)


def test_requests_recover_after_postgresql_drops_every_connection_under_load(app):
    """What a PostgreSQL restart does to the app: every pooled connection dies. The app is not restarted."""
    served = create_app(app_config(PROPAGATE_EXCEPTIONS=False))  # errors become 500 pages, as in production
    world = make_world(served, "pgrestart")
    clients = []
    for _ in range(4):
        c = served.test_client()
        login(c, world.email("csm"), PASSWORD)
        clients.append(c)
    url = f"/accounts/{world.account_ids[0]}"
    results: list[tuple[float, int]] = []
    stop = threading.Event()

    def hammer(client):
        while not stop.is_set():
            status = client.get(url).status_code
            results.append((time.monotonic(), status))

    threads = [threading.Thread(target=hammer, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    killed = 0
    for _ in range(3):
        time.sleep(0.7)
        killed += _kill_connections(TEST_DATABASE_URL)
    last_kill = time.monotonic()
    # Keep the load on until twenty requests have been answered since the last drop (a busy CI machine
    # may take a while), then stop.
    deadline = last_kill + 20
    while time.monotonic() < deadline and sum(1 for at, _ in results if at > last_kill) < 20:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(30)
    assert killed >= 1
    after = [status for at, status in results if at > last_kill]
    assert len(after) >= 20, f"too few answers after the drop: {after}"
    # Requests caught mid-query by a drop may fail; once the pool has reconnected, every request is served.
    assert set(after[-16:]) == {200}, f"not recovered: {after}"


def test_a_weasyprint_failure_marks_the_report_failed_with_its_reason_and_retry_renders_it(app):
    rq_app = create_app(app_config(JOBS_BACKEND="rq"))
    world = make_world(rq_app, "pdffail")
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    assert (
        post(
            client, f"/accounts/{world.account_ids[0]}/reports", report_form(client, world.account_ids[0])
        ).status_code
        == 302
    )
    faults = str(ROOT / "tests" / "faults")
    broken = {"FAULT_WEASYPRINT": "1", "PYTHONPATH": os.pathsep.join([faults, str(ROOT)])}
    run_worker_burst("reports", **broken)
    report = _report(rq_app, world)
    assert report.status == "failed" and "injected fault" in report.error and report.pdf_sha256 is None
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Failed" in page and "injected fault" in page and "Retry" in page

    assert post(client, f"/reports/{report.id}/retry").status_code == 302
    run_worker_burst("reports")
    report = _report(rq_app, world)
    assert report.status == "done" and report.attempts == 2 and report.pdf_sha256

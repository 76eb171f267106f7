"""The daily pass as an rq job on a real worker process, scheduled by rq's cron; twice a day mails once."""

from pathlib import Path

from rq import Queue
from rq.cron import CronScheduler

from app import create_app
from app.playbook_jobs import DAILY_CRON, daily_tick
from tenants.jobs import enqueue, redis_connection
from tests.factories import make_world
from tests.helpers import app_config, run_worker_burst

ROOT = Path(__file__).resolve().parents[2]


def _work(outbox: Path) -> None:
    run_worker_burst(MAIL_URL=f"file:{outbox}")


def test_daily_tick_job_runs_on_a_worker_and_mails_once_a_day(app, tmp_path):
    outbox = tmp_path / "outbox"
    rq_app = create_app(app_config(JOBS_BACKEND="rq", MAIL_URL=f"file:{outbox}"))
    world = make_world(rq_app, "cron")
    with rq_app.app_context():
        enqueue(daily_tick, job_id="playbooks-tick-1")
        assert Queue("default", connection=redis_connection()).count == 1
    _work(outbox)  # runs the pass, which queues the digests on "mail"; the same burst delivers them
    first = sorted(outbox.glob("*.eml"))
    assert first, "the pass sent no digest"
    assert any(world.email("client_admin") in p.read_text() for p in first)
    with rq_app.app_context():
        enqueue(daily_tick, job_id="playbooks-tick-2")
    _work(outbox)
    assert sorted(outbox.glob("*.eml")) == first  # the second run of the day mails nobody


def test_cron_config_schedules_the_daily_tick_at_six_in_tokyo(app):
    with app.app_context():
        scheduler = CronScheduler(connection=redis_connection())
        scheduler.load_config_from_file("app.cron_config")
        (cron_job,) = scheduler.get_jobs()
    assert cron_job.func is daily_tick and cron_job.cron == DAILY_CRON == "0 21 * * *"
    assert cron_job.queue_name == "default"

"""Background jobs on a real rq worker process: the invitation mail leaves the web request."""

from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

from rq import Queue

from app import create_app
from tenants.jobs import redis_connection
from tests.factories import PASSWORD, make_world
from tests.helpers import app_config, login, onboarding_form, post, run_worker_burst

ROOT = Path(__file__).resolve().parents[2]


def test_invitation_mail_is_delivered_by_an_rq_worker(app, tmp_path):
    outbox = tmp_path / "outbox"
    rq_app = create_app(app_config(JOBS_BACKEND="rq", MAIL_BACKEND=f"file:{outbox}"))
    world = make_world(rq_app, "jobs")
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    assert (
        post(client, "/accounts/new", onboarding_form(admin_email="queued@jobs.example.com")).status_code
        == 302
    )

    with rq_app.app_context():
        assert Queue("mail", connection=redis_connection()).count == 1
    assert not outbox.exists()  # the web request only enqueued it

    run_worker_burst(MAIL_URL=f"file:{outbox}")

    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    mail = message_from_bytes(files[0].read_bytes(), policy=email_policy)
    assert mail["To"] == "queued@jobs.example.com"
    assert "株式会社テスト商事" in mail["Subject"]
    assert "/invite/" in mail.get_content()
    with rq_app.app_context():
        assert Queue("mail", connection=redis_connection()).count == 0

"""The wins newsletter in the app: preview and intro, sending mail (text + HTML) and the Slack post to a local
HTTP server, confirmation of a second send, failures shown and retried without mailing anyone twice,
unsubscribe from the mail's link, who may send, and the whole path through a real rq worker process."""

import json
import re
import threading
from collections import Counter
from datetime import date
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app import create_app
from playbooks import newsletter as nl
from playbooks.newsletter import NewsletterIssue
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped, unscoped
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import app_config, csrf_token, login, post, run_worker_burst

INTRO = '<script>alert("x")</script> 今月も AI の成果をお届けします'
TEST_PREFIXES = ("https://hooks.slack.com/", "http://127.0.0.1:")


class Webhook:
    """A local HTTP server standing in for Slack's incoming webhook: records POST bodies, answers ``code``."""

    def __init__(self):
        self.posts: list[dict] = []
        self.code = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.posts.append(
                    {"path": self.path, "json": json.loads(body), "type": self.headers["Content-Type"]}
                )
                self.send_response(hook.code)
                self.end_headers()
                self.wfile.write(b"ok" if hook.code < 300 else b"server_error")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    box = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "MAIL_URL", f"file:{box}")
    monkeypatch.setitem(app.config, "NEWSLETTER_WEBHOOK_PREFIXES", TEST_PREFIXES)
    return box


@pytest.fixture
def world(app):
    world = make_world(app, "nlw")
    add_use_case(app, world, "請求書チェックの自動化", team_id=None)  # published now: this month's issue
    return world


def signed_in(app, world, role="client_admin"):
    client = app.test_client()
    login(client, world.email(role), PASSWORD)
    return client


def mails(box: Path) -> list:
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(box.glob("*.eml"))]


def send(client, account_id: int, **data):
    return post(client, f"/accounts/{account_id}/newsletter/send", {"intro": "", **data})


def issue_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return int(re.search(r"/newsletters/(\d+)$", response.location).group(1))


def client_people(world) -> set[str]:
    return {world.email(r) for r in ("client_admin", "champion", "member", "procurement")}


def test_preview_intro_and_send_mail_text_and_html(app, world, outbox):
    admin = signed_in(app, world)
    account_id = world.account_ids[0]
    page = admin.get(f"/accounts/{account_id}/newsletter")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "請求書チェックの自動化" in html and 'data-testid="nl-archive"' in html
    saved = post(admin, f"/accounts/{account_id}/newsletter/intro", {"intro": INTRO})
    assert saved.status_code == 302
    html = admin.get(f"/accounts/{account_id}/newsletter").get_data(as_text=True)
    assert (
        "&lt;script&gt;" in html and "<script>alert" not in html
    )  # the draft, in the editor and the preview

    issue_id = issue_of(send(admin, account_id, intro=INTRO))
    got = mails(outbox)
    assert {m["To"] for m in got} == client_people(
        world
    )  # the account's people; vendor staff read in the app
    mail = got[0]
    assert "AI wins of" in mail["Subject"] and world.account_names[0] in mail["Subject"]
    assert (
        mail["List-Unsubscribe"].startswith("<http")
        and "/newsletter/unsubscribe/" in mail["List-Unsubscribe"]
    )
    text = mail.get_body(("plain",)).get_content()
    body = mail.get_body(("html",)).get_content()
    assert INTRO in text and "請求書チェックの自動化" in text and "/newsletter/unsubscribe/" in text
    assert "&lt;script&gt;" in body and "<script>" not in body and "請求書チェックの自動化" in body
    assert "<style" not in body and "class=" not in body  # inline styles only
    issue_page = admin.get(f"/newsletters/{issue_id}").get_data(as_text=True)
    assert 'data-testid="nl-status"' in issue_page and "Sent" in issue_page and "&lt;script&gt;" in issue_page
    # The draft was used up by the send.
    assert INTRO.split()[1] not in admin.get(f"/accounts/{account_id}/newsletter").get_data(as_text=True)


def test_the_mail_is_in_each_persons_language(app, world, outbox):
    from tenants.users import User

    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        db.session.get(User, world.user_ids["member"]).locale = "ja"
        db.session.commit()
    send(signed_in(app, world), world.account_ids[0])
    by_person = {m["To"]: m for m in mails(outbox)}
    ja, en = by_person[world.email("member")], by_person[world.email("champion")]
    # Month names and numbers follow the person's language (the words come with the Japanese catalogue).
    assert re.search(r"20\d\d年\d+月", ja["Subject"]) and not re.search(r"年", en["Subject"])
    assert re.search(r"20\d\d年\d+月", ja.get_body(("html",)).get_content())
    assert 'lang="ja"' in ja.get_body(("html",)).get_content()
    assert 'lang="en"' in en.get_body(("html",)).get_content()


def test_a_second_send_in_a_month_needs_a_confirmation(app, world, outbox):
    admin = signed_in(app, world)
    account_id = world.account_ids[0]
    issue_of(send(admin, account_id))
    page = admin.get(f"/accounts/{account_id}/newsletter").get_data(as_text=True)
    assert 'data-testid="already-sent"' in page and 'name="confirm"' in page
    refused = send(admin, account_id)
    assert refused.status_code == 422 and "Tick the confirmation" in refused.get_data(as_text=True)
    assert len(mails(outbox)) == 4
    issue_of(send(admin, account_id, confirm="y"))
    assert len(mails(outbox)) == 8


def test_unsubscribe_from_the_mails_link_and_the_next_issue_skips_that_person(app, world, outbox):
    admin = signed_in(app, world)
    account_id = world.account_ids[0]
    issue_of(send(admin, account_id))
    [mail] = [m for m in mails(outbox) if m["To"] == world.email("member")]
    link = mail["List-Unsubscribe"].strip("<>")
    path = urlsplit(link).path
    assert link in mail.get_body(("plain",)).get_content()
    visitor = app.test_client()  # the link works signed out
    asked = visitor.get(path)
    assert asked.status_code == 200 and 'value="unsubscribe"' in asked.get_data(as_text=True)
    done = visitor.post(path, data={"csrf_token": csrf_token(visitor), "action": "unsubscribe"})
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.get_data(as_text=True)
    assert 'value="subscribe"' in done.get_data(as_text=True)  # and may come back
    for p in outbox.glob("*.eml"):
        p.unlink()
    issue_of(send(admin, account_id, confirm="y"))
    assert {m["To"] for m in mails(outbox)} == client_people(world) - {world.email("member")}
    forged = visitor.get(path[:-3] + "xyz")
    assert forged.status_code == 404 and 'data-testid="invalid-link"' in forged.get_data(as_text=True)
    assert visitor.get("/newsletter/unsubscribe/nonsense").status_code == 404
    back = visitor.post(path, data={"csrf_token": csrf_token(visitor), "action": "subscribe"})
    assert 'data-testid="subscribed"' in back.get_data(as_text=True)


def test_members_read_issues_but_cannot_send_and_other_tenants_issues_are_missing(app, world, outbox):
    other = make_world(app, "nlx")
    member = signed_in(app, world, "member")
    assert send(member, world.account_ids[0]).status_code == 403
    assert member.get(f"/accounts/{world.account_ids[0]}/newsletter").status_code == 403
    assert member.get(f"/newsletters/{world.newsletter_issue_ids[0]}").status_code == 200
    assert (
        member.get(f"/newsletters/{world.newsletter_issue_ids[1]}").status_code == 404
    )  # the other account's
    admin = signed_in(app, world)
    assert admin.get(f"/newsletters/{other.newsletter_issue_ids[0]}").status_code == 404
    assert post(admin, f"/newsletters/{other.newsletter_issue_ids[0]}/retry").status_code == 404
    assert send(admin, other.account_ids[0]).status_code == 404
    assert mails(outbox) == []
    loop = member.get(f"/accounts/{world.account_ids[0]}/loop").get_data(as_text=True)
    assert f"/newsletters/{world.newsletter_issue_ids[0]}" in loop  # the archive, for everyone of the account


def test_the_settings_refuse_a_webhook_outside_the_allowed_prefixes(app, world, outbox):
    admin = signed_in(app, world)
    url = f"/accounts/{world.account_ids[0]}/newsletter/settings"
    refused = post(admin, url, {"slack_webhook_url": "http://10.0.0.5/internal"})
    assert refused.status_code == 422 and "Slack incoming-webhook URL" in refused.get_data(as_text=True)
    assert (
        post(admin, url, {"slack_webhook_url": "https://hooks.slack.com/services/T/B/x"}).status_code == 302
    )
    champion = signed_in(app, world, "champion")
    assert post(champion, url, {"slack_webhook_url": ""}).status_code == 403


def test_slack_post_reaches_the_local_webhook(app, world, outbox):
    admin = signed_in(app, world)
    account_id = world.account_ids[0]
    with Webhook() as hook:
        saved = post(admin, f"/accounts/{account_id}/newsletter/settings", {"slack_webhook_url": hook.url})
        assert saved.status_code == 302
        issue_id = issue_of(send(admin, account_id, intro="Thanks <all> & welcome"))
    [got] = hook.posts
    assert got["path"] == "/hook" and got["type"].startswith("application/json")
    text = got["json"]["text"]
    assert world.account_names[0] in text and "New use cases: 1" in text
    assert "Thanks &lt;all&gt; &amp; welcome" in text  # Slack's mrkdwn escaping: no forged links or mentions
    assert f"/newsletters/{issue_id}|" in text
    page = admin.get(f"/newsletters/{issue_id}").get_data(as_text=True)
    assert "posted" in page and len(mails(outbox)) == 4


def test_failures_are_shown_and_a_retry_sends_only_what_failed(app, world, outbox, monkeypatch):
    admin = signed_in(app, world)
    account_id = world.account_ids[0]
    with Webhook() as hook:
        post(admin, f"/accounts/{account_id}/newsletter/settings", {"slack_webhook_url": hook.url})
        hook.code = 500
        issue_id = issue_of(send(admin, account_id))
        page = admin.get(f"/newsletters/{issue_id}").get_data(as_text=True)
        assert "Failed" in page and "HTTP 500" in page and 'data-testid="retry"' in page
        assert len(mails(outbox)) == 4  # the mail went out; only Slack failed

        # Now the mail server refuses too: nothing listens on port 9.
        monkeypatch.setitem(app.config, "MAIL_URL", "smtp://127.0.0.1:9")
        with app.app_context(), unscoped(db.session, "test marks two deliveries failed"):
            issue = db.session.get(NewsletterIssue, issue_id)
            for d in issue.deliveries[:2]:
                d.status = "failed"
            db.session.commit()
        assert post(admin, f"/newsletters/{issue_id}/retry").status_code == 302
        page = admin.get(f"/newsletters/{issue_id}").get_data(as_text=True)
        assert 'data-testid="nl-failures"' in page and "ConnectionRefusedError" in page
        assert len(hook.posts) == 2 and "HTTP 500" in page

        # Both fixed: the retry mails the two that failed, posts once, and nobody gets a second mail.
        hook.code = 200
        monkeypatch.setitem(app.config, "MAIL_URL", f"file:{outbox}")
        for p in outbox.glob("*.eml"):
            p.unlink()
        assert post(admin, f"/newsletters/{issue_id}/retry").status_code == 302
        assert len(hook.posts) == 3 and hook.posts[-1]["json"]["text"]
    got = Counter(m["To"] for m in mails(outbox))
    assert len(got) == 2 and set(got.values()) == {1}
    page = admin.get(f"/newsletters/{issue_id}").get_data(as_text=True)
    assert "nl-failures" not in page and 'data-testid="retry"' not in page and "posted" in page
    # A sent issue is not retried again.
    post(admin, f"/newsletters/{issue_id}/retry")
    assert len(hook.posts) == 3


def test_a_real_rq_worker_mails_the_newsletter_and_posts_to_slack(app, tmp_path):
    box = tmp_path / "rq-outbox"
    rq_app = create_app(
        app_config(JOBS_BACKEND="rq", MAIL_URL=f"file:{box}", NEWSLETTER_WEBHOOK_PREFIXES=TEST_PREFIXES)
    )
    world = make_world(rq_app, "nlrq")
    admin = rq_app.test_client()
    login(admin, world.email("client_admin"), PASSWORD)
    account_id = world.account_ids[0]
    with Webhook() as hook:
        post(admin, f"/accounts/{account_id}/newsletter/settings", {"slack_webhook_url": hook.url})
        issue_id = issue_of(send(admin, account_id, intro="Worker intro"))
        assert mails(box) == [] and hook.posts == []  # queued, not sent by the web process
        run_worker_burst(
            "mail",
            MAIL_URL=f"file:{box}",
            PUBLIC_URL="http://adoptloop.test",
            NEWSLETTER_WEBHOOK_PREFIXES=",".join(TEST_PREFIXES),
        )
    got = mails(box)
    assert {m["To"] for m in got} == client_people(world)
    assert all("Worker intro" in m.get_body(("plain",)).get_content() for m in got)
    assert all(
        m["List-Unsubscribe"].startswith("<http://adoptloop.test/newsletter/unsubscribe/") for m in got
    )
    [slack] = hook.posts
    assert (
        "Worker intro" in slack["json"]["text"]
        and f"http://adoptloop.test/newsletters/{issue_id}" in slack["json"]["text"]
    )
    page = admin.get(f"/newsletters/{issue_id}").get_data(as_text=True)
    assert "Sent" in page and "posted" in page

    # An issue committed while Redis was away (never enqueued) is not lost: the worker's start sweeps it.
    with rq_app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, account_id)
        nl.save_settings(db.session, account, slack_webhook_url="", auto_send=False)
        waiting = nl.start_issue(db.session, account, None, date(2026, 11, 1), "Swept intro", confirm=False)
        db.session.commit()
        waiting_id = waiting.id
    run_worker_burst("mail", MAIL_URL=f"file:{box}", PUBLIC_URL="http://adoptloop.test")
    swept = [m for m in mails(box) if "Swept intro" in m.get_body(("plain",)).get_content()]
    assert {m["To"] for m in swept} == client_people(world)
    with rq_app.app_context(), unscoped(db.session, "test reads the swept issue"):
        assert db.session.get(NewsletterIssue, waiting_id).status == "sent"


def test_the_daily_tick_on_the_first_sends_last_months_issue_for_auto_send_accounts(app, world, outbox):
    admin = signed_in(app, world)
    settings = f"/accounts/{world.account_ids[0]}/newsletter/settings"
    assert post(admin, settings, {"slack_webhook_url": "", "auto_send": "y"}).status_code == 302
    runner = app.test_cli_runner()
    first = runner.invoke(args=["playbooks", "tick", "--today", "2026-12-01"])
    assert json.loads(first.output)["newsletters_started"] == 1, first.output
    got = [m for m in mails(outbox) if "AI wins" in m["Subject"]]  # the pass also mails task digests
    assert {m["To"] for m in got} == client_people(world) and "November 2026" in got[0]["Subject"]
    again = runner.invoke(args=["playbooks", "tick", "--today", "2026-12-01"])
    assert json.loads(again.output)["newsletters_started"] == 0  # twice a day mails once
    assert len([m for m in mails(outbox) if "AI wins" in m["Subject"]]) == 4
    other_day = runner.invoke(args=["playbooks", "tick", "--today", "2026-12-02"])
    assert "newsletters_started" not in json.loads(other_day.output)


def test_who_unsubscribes_while_an_issue_waits_is_skipped(app, world, outbox):
    from app.newsletter_jobs import send_issue

    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        nl.save_settings(
            db.session, account, slack_webhook_url="https://hooks.slack.com/services/T/B/x", auto_send=False
        )
        issue = nl.start_issue(db.session, account, None, date(2026, 11, 1), "", confirm=False)
        assert issue.slack_status == "pending"
        nl.opt_out(db.session, account.id, account.tenant_id, world.user_ids["member"])
        nl.save_settings(
            db.session, account, slack_webhook_url="", auto_send=False
        )  # and Slack is turned off
        db.session.commit()
        issue_id = issue.id
    with app.app_context():
        assert send_issue(issue_id, world.tenant_id) == "sent"
        assert send_issue(issue_id, world.tenant_id) is None  # a second run finds nothing to do
    assert {m["To"] for m in mails(outbox)} == client_people(world) - {world.email("member")}
    with app.app_context(), unscoped(db.session, "test reads the issue"):
        issue = db.session.get(NewsletterIssue, issue_id)
        assert issue.counts() == {"queued": 0, "sent": 3, "failed": 0, "skipped": 1}
        assert issue.slack_status == "none"

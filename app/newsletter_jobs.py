"""Sending the wins newsletter: the mail to each person (plain text + HTML, in their language) through the
mail backends, and the Slack incoming-webhook post; plus the monthly auto-send and the sweeper.

The issue and its delivery rows exist before :func:`send_issue` is enqueued (``playbooks.newsletter
.start_issue``). The job sends only what is not sent yet and records every failure with its reason on its
row, committing after each, so a retry (the button, or the sweeper after an outage) never mails anyone twice
and never loses the issue.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from babel.dates import format_date, format_skeleton
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.extensions import db
from app.invites import public_link
from app.mail import deliver, fold_header
from playbooks import newsletter as nl
from tenants.accounts import get_account
from tenants.db import utcnow
from tenants.errors import FieldErrors
from tenants.jobs import enqueue, job, setting, sweeper
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import User

log = logging.getLogger("adoptloop.newsletter")

SLACK_TIMEOUT = 10  # seconds
UNSUBSCRIBE_SALT = "newsletter-unsubscribe"
MAX_ERROR = 1000


# --- links and tokens -------------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, account_id: int, tenant_id: int) -> str:
    return _serializer().dumps({"u": user_id, "a": account_id, "t": tenant_id})


def read_unsubscribe_token(token: str) -> dict | None:
    """{"u", "a", "t"} of a token this app signed, else None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("u", "a", "t")):
        return None
    return data


@contextmanager
def _links() -> Iterator[None]:
    """A request context for building absolute links when the job runs in a worker (PUBLIC_URL's host)."""
    if has_request_context():
        yield
        return
    base = current_app.config.get("PUBLIC_URL") or "http://localhost"
    with current_app.test_request_context("/", base_url=base):
        yield


# --- wording ----------------------------------------------------------------------------------------------


def month_label(iso: str | date) -> str:
    """ "December 2026" / "2026年12月" in the current locale."""
    day = date.fromisoformat(iso) if isinstance(iso, str) else iso
    return format_skeleton("yMMMM", day, locale=str(get_locale() or "en"))


def day_label(iso: str | date) -> str:
    day = date.fromisoformat(iso) if isinstance(iso, str) else iso
    return format_date(day, "medium", locale=str(get_locale() or "en"))


def language_of(user: User | None, tenant_default: str | None) -> str:
    locale = (user.locale if user else None) or tenant_default or "ja"
    return "ja" if locale == "ja" else "en"


def subject(issue: nl.NewsletterIssue) -> str:
    return _(
        "%(account)s · AI wins of %(month)s",
        account=issue.content.get("account", ""),
        month=month_label(issue.month),
    )


def render_mail(issue: nl.NewsletterIssue, user: User) -> dict:
    """The queued-mail dict for one person: text and HTML in their language, with their unsubscribe link."""
    lang = language_of(user, user.tenant.default_locale)
    with _links(), force_locale(lang):
        unsubscribe = public_link(
            "newsletter.unsubscribe", token=unsubscribe_token(user.id, issue.account_id, issue.tenant_id)
        )
        values = dict(
            issue=issue,
            content=issue.content,
            lang=lang,
            issue_url=public_link("newsletter.issue", issue_id=issue.id),
            unsubscribe_url=unsubscribe,
            recipient=user,
        )
        return {
            "to": fold_header(user.email),
            "from": fold_header(current_app.config["MAIL_FROM"]),
            "subject": fold_header(subject(issue)),
            "body": render_template("newsletter/mail.txt", **values),
            "html": render_template("newsletter/mail.html", **values),
            "list_unsubscribe": unsubscribe,
        }


def _slack_escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(issue: nl.NewsletterIssue) -> str:
    """The mrkdwn summary posted to Slack, in the vendor's default language, with a link to the issue."""
    content = issue.content
    tenant = db.session.get(Tenant, issue.tenant_id)
    with _links(), force_locale(language_of(None, tenant.default_locale if tenant else None)):
        totals = content.get("totals", {})
        lines = [f"*{_slack_escape(subject(issue))}*"]
        if issue.intro:
            intro = issue.intro if len(issue.intro) <= 500 else issue.intro[:499] + "…"
            lines.append(_slack_escape(intro))
        lines.append(
            "• "
            + _slack_escape(
                _(
                    "Lightning talks: %(talks)s · New use cases: %(cases)s · "
                    "Minutes saved a month: %(minutes)s",
                    talks=totals.get("talks", 0),
                    cases=totals.get("cases", 0),
                    minutes=f"{totals.get('minutes_saved_per_month', 0):,}",
                )
            )
        )
        if top := content.get("top_team"):
            names = " / ".join(top.get("names") or [top["name"]])
            lines.append("• " + _slack_escape(_("Team that shared most: %(team)s", team=names)))
        if spot := content.get("spotlight"):
            lines.append(
                "• "
                + _slack_escape(
                    _("Champion spotlight: %(name)s (%(team)s)", name=spot["name"], team=spot["team"])
                )
            )
        link = public_link("newsletter.issue", issue_id=issue.id)
        lines.append(f"<{link}|{_slack_escape(_('Read the newsletter'))}>")
    return "\n".join(lines)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answering with a redirect is refused: the post must not wander to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect refused ({code})", headers, fp)


def post_to_slack(url: str, text: str) -> None:
    """POST {"text": ...} to an incoming webhook; raises on a non-2xx answer or no answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "AdoptLoop newsletter"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirects)
    with opener.open(request, timeout=SLACK_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise RuntimeError(f"HTTP {response.status}")


def _reason(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        text = f"HTTP {error.code} {error.reason}"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:MAX_ERROR]


# --- the job ----------------------------------------------------------------------------------------------


def job_key(issue_id: int) -> str:
    return f"newsletter-{issue_id}"


def start_sending(issue: nl.NewsletterIssue) -> None:
    """Enqueue the sending of a committed, queued issue (idempotent by its job id)."""
    enqueue(send_issue, issue.id, issue.tenant_id, job_id=job_key(issue.id))


@job("mail", timeout=600, retries=2)
def send_issue(issue_id: int, tenant_id: int) -> str | None:
    """Job: mail every delivery not sent yet, post to Slack if pending, then mark the issue sent or failed."""
    session = db.session
    with scoped(session, Scope(tenant_id=tenant_id)):
        issue = session.get(nl.NewsletterIssue, issue_id)
        if issue is None or issue.status == nl.IssueStatus.SENT:
            return None
        issue.status = nl.IssueStatus.SENDING.value
        session.commit()
        opted_out = nl.opted_out_ids(session, issue.account_id)
        for delivery in list(issue.deliveries):
            if delivery.status in (nl.DeliveryStatus.SENT, nl.DeliveryStatus.SKIPPED):
                continue
            user = delivery.user
            if user is None or not user.active or user.id in opted_out or user.account_id != issue.account_id:
                delivery.status, delivery.error = nl.DeliveryStatus.SKIPPED.value, ""
                session.commit()
                continue
            try:
                deliver(render_mail(issue, user))
            except Exception as error:  # any backend refusal: recorded on the row, tried again on a retry
                log.warning("newsletter %s to user %s failed: %s", issue.id, user.id, _reason(error))
                delivery.status, delivery.error = nl.DeliveryStatus.FAILED.value, _reason(error)
            else:
                delivery.status, delivery.error, delivery.sent_at = nl.DeliveryStatus.SENT.value, "", utcnow()
            session.commit()
        if issue.slack_status in (nl.SlackStatus.PENDING, nl.SlackStatus.FAILED):
            _post(session, issue)
        failed = issue.slack_status == nl.SlackStatus.FAILED or any(
            d.status == nl.DeliveryStatus.FAILED for d in issue.deliveries
        )
        issue.status = (nl.IssueStatus.FAILED if failed else nl.IssueStatus.SENT).value
        issue.sent_at = issue.sent_at or utcnow()
        session.commit()
        return issue.status


def _post(session, issue: nl.NewsletterIssue) -> None:
    settings = nl.get_settings(session, issue.account)
    url = settings.slack_webhook_url
    if not url:  # the webhook was removed after the issue was started
        issue.slack_status, issue.slack_error = nl.SlackStatus.NONE.value, ""
        session.commit()
        return
    try:
        nl.check_webhook_url(url, webhook_prefixes())
        post_to_slack(url, slack_text(issue))
    except Exception as error:
        log.warning("newsletter %s: Slack post failed: %s", issue.id, _reason(error))
        reason = _reason(error) if not isinstance(error, FieldErrors) else "webhook URL not allowed"
        issue.slack_status, issue.slack_error = nl.SlackStatus.FAILED.value, reason
    else:
        issue.slack_status, issue.slack_error = nl.SlackStatus.SENT.value, ""
    session.commit()


def webhook_prefixes() -> tuple[str, ...]:
    configured = setting("NEWSLETTER_WEBHOOK_PREFIXES")
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(p.strip() for p in configured if p and p.strip())


@sweeper
def requeue_newsletters() -> int:
    """Enqueue issues still waiting (started while Redis was away, or lost with a worker)."""
    with unscoped(db.session, "the sweeper re-enqueues waiting newsletters of every tenant"):
        waiting = list(
            db.session.execute(
                select(nl.NewsletterIssue.id, nl.NewsletterIssue.tenant_id).where(
                    nl.NewsletterIssue.status.in_([nl.IssueStatus.QUEUED.value, nl.IssueStatus.SENDING.value])
                )
            )
        )
    for issue_id, tenant_id in waiting:
        enqueue(send_issue, issue_id, tenant_id, job_id=job_key(issue_id))
    return len(waiting)


def send_monthly(session, today: date) -> int:
    """On the first of the month: start and enqueue last month's issue for every account with auto-send on
    that has none yet. Returns how many were started."""
    started = 0
    month = nl.previous_month(today)
    for tenant_id, account_id in nl.monthly_due(session, today):
        with scoped(session, Scope(tenant_id=tenant_id)):
            account = get_account(session, account_id)
            if account is None:
                continue
            settings = nl.get_settings(session, account)
            try:
                issue = nl.start_issue(session, account, None, month, settings.intro_draft, confirm=False)
            except FieldErrors as errors:  # an issue appeared meanwhile, or a draft that cannot be sent
                session.rollback()
                log.warning("monthly newsletter of account %s not started: %s", account_id, errors)
                continue
            session.commit()
            start_sending(issue)
            started += 1
    return started

"""The wins newsletter: once a month per account (and on demand), what the loop produced, told to everyone.

:func:`compose` gathers a month's lightning talks, newly published and promoted use cases, the team that
shared most (teams, never ranked people), a champion spotlight chosen by rotation and next month's dates,
as language-neutral JSON. :func:`start_issue` freezes that composition with the intro into a
:class:`NewsletterIssue` and one :class:`NewsletterDelivery` row per recipient *before* anything is sent, so
the sending job (``app/newsletter_jobs.py``) can be retried without losing the issue or mailing anyone twice.

No Flask here: the web shell renders the content and hands it to the mail backends and Slack.
"""

from __future__ import annotations

import enum
from collections import Counter
from datetime import UTC, date, datetime, time

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks.champions import Champion
from playbooks.checklists import Status, Task
from playbooks.events import Event, Kind, Talk
from playbooks.recurrence import TOKYO, add_months
from playbooks.usecases import Source, Stage, UseCase
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned, unscoped
from tenants.text import text_problem
from tenants.users import Membership, User

MAX_INTRO = 5_000
MAX_WEBHOOK_URL = 500
MAX_NEXT_DATES = 30
DEFAULT_WEBHOOK_PREFIXES = ("https://hooks.slack.com/",)


class IssueStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # a delivery or the Slack post failed: shown with the reason and a retry


class SlackStatus(enum.StrEnum):
    NONE = "none"  # no webhook configured
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the person unsubscribed (or left) after the issue was started


class NewsletterSettings(AccountOwned, db.Model):
    """Per account: the intro being drafted, the Slack incoming webhook and whether the monthly issue goes
    out by itself."""

    __tablename__ = "newsletter_settings"
    __table_args__ = (UniqueConstraint("account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intro_draft: Mapped[str] = mapped_column(Text, default="")
    slack_webhook_url: Mapped[str] = mapped_column(String(MAX_WEBHOOK_URL), default="")
    auto_send: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NewsletterIssue(AccountOwned, db.Model):
    """One issue: its content frozen when it was started, then archived as it was sent."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (Index("ix_newsletter_issues_account_month", "account_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # the first day of the month it tells
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    intro: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=IssueStatus.QUEUED.value)
    slack_status: Mapped[str] = mapped_column(String(10), default=SlackStatus.NONE.value)
    slack_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()
    created_by: Mapped[User | None] = relationship()
    deliveries: Mapped[list[NewsletterDelivery]] = relationship(
        back_populates="issue", order_by="NewsletterDelivery.id", cascade="all, delete-orphan"
    )

    def counts(self) -> dict[str, int]:
        """Deliveries by status (queued, sent, failed, skipped)."""
        found = Counter(d.status for d in self.deliveries)
        return {s.value: found.get(s.value, 0) for s in DeliveryStatus}


class NewsletterDelivery(AccountOwned, db.Model):
    """The issue's mail to one person: unique per (issue, person), so a retry never mails anyone twice."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (UniqueConstraint("issue_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.QUEUED.value)
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]

    issue: Mapped[NewsletterIssue] = relationship(back_populates="deliveries")
    user: Mapped[User] = relationship()


class NewsletterOptOut(AccountOwned, db.Model):
    """A person who unsubscribed from their account's newsletter."""

    __tablename__ = "newsletter_optouts"
    __table_args__ = (UniqueConstraint("account_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- months -----------------------------------------------------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as UTC instants from Tokyo midnight to Tokyo midnight (publication times are instants)."""
    start = datetime.combine(first_of_month(month), time(), tzinfo=TOKYO)
    end = datetime.combine(add_months(first_of_month(month), 1), time(), tzinfo=TOKYO)
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_month(text: str | None) -> date | None:
    """``2026-10`` -> 2026-10-01; None for anything else."""
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


# --- composing --------------------------------------------------------------------------------------------


def _first_line(text: str, limit: int = 200) -> str:
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _talks(session: Session, account: Account, month: date, end: date) -> list[dict]:
    rows = session.scalars(
        select(Talk)
        .join(Event, Talk.event_id == Event.id)
        .where(
            Event.account_id == account.id,
            Event.kind == Kind.LT_DAY.value,
            Event.held_on >= month,
            Event.held_on < end,
        )
        .order_by(Event.held_on, Talk.id)
    )
    talks = []
    for talk in rows:
        case = talk.use_case
        talks.append(
            {
                "held_on": talk.event.held_on.isoformat(),
                "event": talk.event.title,
                "use_case_id": case.id,
                "title": case.title,
                "problem": _first_line(case.problem),
                "minutes_saved_per_month": case.minutes_saved_per_month,
                "team": case.team.name if case.team else None,
                "speaker": talk.speaker.name if talk.speaker else None,
                "featured": bool(talk.featured),
            }
        )
    return talks


def _published_in(session: Session, account: Account, month: date) -> list[UseCase]:
    start, end = month_bounds(month)
    return list(
        session.scalars(
            select(UseCase)
            .where(
                UseCase.account_id == account.id,
                UseCase.published_at >= start,
                UseCase.published_at < end,
                UseCase.stage != Stage.ARCHIVED.value,
            )
            .order_by(UseCase.published_at, UseCase.id)
        )
    )


def _top_team(cases: list[UseCase]) -> dict | None:
    """The team with most use cases published in the month; teams tied at the top are all named."""
    counts = Counter(c.team.name for c in cases if c.team is not None)
    if not counts:
        return None
    best = max(counts.values())
    names = sorted(name for name, n in counts.items() if n == best)
    return {"name": names[0], "names": names, "count": best}


def _spotlight(session: Session, account: Account, month: date) -> dict | None:
    """One active champion, by rotation over the champions sorted by id: fair, never a ranking."""
    active = list(
        session.scalars(
            select(Champion)
            .where(Champion.account_id == account.id, Champion.active.is_(True))
            .order_by(Champion.id)
        )
    )
    if not active:
        return None
    champion = active[(month.year * 12 + month.month) % len(active)]
    latest = session.scalar(
        select(UseCase.title)
        .where(
            UseCase.account_id == account.id,
            UseCase.author_id == champion.user_id,
            UseCase.published_at < month_bounds(month)[1],  # as of the month told, not of today
            UseCase.stage != Stage.ARCHIVED.value,
        )
        .order_by(UseCase.published_at.desc(), UseCase.id.desc())
        .limit(1)
    )
    return {"name": champion.user.name, "team": champion.team.name, "latest_case": latest}


def _next_dates(session: Session, account: Account, start: date, end: date) -> list[dict]:
    """Events held and playbook tasks due in [start, end), by date; titles as {"ja", "en"}."""
    items = []
    for event in session.scalars(
        select(Event).where(Event.account_id == account.id, Event.held_on >= start, Event.held_on < end)
    ):
        items.append(
            {
                "date": event.held_on.isoformat(),
                "kind": event.kind,
                "title": {"ja": event.title, "en": event.title},
            }
        )
    for task in session.scalars(
        select(Task).where(
            Task.account_id == account.id,
            Task.status == Status.TODO.value,
            Task.due_on >= start,
            Task.due_on < end,
        )
    ):
        spec = task.spec()
        title = (
            {"ja": spec.title.ja, "en": spec.title.en} if spec else {"ja": task.task_key, "en": task.task_key}
        )
        items.append({"date": task.due_on.isoformat(), "kind": "task", "title": title})
    items.sort(key=lambda item: (item["date"], item["kind"], item["title"]["en"]))
    return items[:MAX_NEXT_DATES]


def compose(session: Session, account: Account, month: date) -> dict:
    """The month's newsletter as JSON-serialisable, language-neutral data (the templates word it)."""
    month = first_of_month(month)
    following = add_months(month, 1)
    cases = _published_in(session, account, month)
    new_cases = [
        {
            "use_case_id": c.id,
            "title": c.title,
            "problem": _first_line(c.problem),
            "team": c.team.name if c.team else None,
            "source": c.source,
            "from_note": c.source == Source.NOTE.value,
            "minutes_saved_per_month": c.minutes_saved_per_month,
        }
        for c in cases
    ]
    talks = _talks(session, account, month, following)
    return {
        "account": account.name,
        "month": month.isoformat(),
        "talks": talks,
        "new_cases": new_cases,
        "top_team": _top_team(cases),
        "spotlight": _spotlight(session, account, month),
        "next_month": following.isoformat(),
        "next_dates": _next_dates(session, account, following, add_months(following, 1)),
        "totals": {
            "talks": len(talks),
            "cases": len(new_cases),
            "minutes_saved_per_month": sum(c["minutes_saved_per_month"] for c in new_cases),
        },
    }


# --- settings, recipients, opt-outs ---------------------------------------------------------------------


def find_settings(session: Session, account: Account) -> NewsletterSettings | None:
    """The account's settings row, if any was saved (pages read this; nothing is written on a GET)."""
    return session.scalar(select(NewsletterSettings).where(NewsletterSettings.account_id == account.id))


def get_settings(session: Session, account: Account) -> NewsletterSettings:
    """The account's settings row (made on first use)."""
    found = find_settings(session, account)
    if found is None:
        found = NewsletterSettings(
            tenant_id=account.tenant_id, account_id=account.id, intro_draft="", slack_webhook_url=""
        )
        session.add(found)
        session.flush()
    return found


def _check_intro(intro: str) -> str:
    intro = (intro or "").replace("\r\n", "\n").strip()
    if len(intro) > MAX_INTRO:
        raise FieldErrors({"intro": N_("Keep the intro under 5,000 characters.")})
    if problem := text_problem(intro, multiline=True):
        raise FieldErrors({"intro": problem})
    return intro


def save_intro(session: Session, account: Account, intro: str) -> NewsletterSettings:
    settings = get_settings(session, account)
    settings.intro_draft = _check_intro(intro)
    session.flush()
    return settings


def check_webhook_url(url: str, allowed_prefixes: tuple[str, ...] | list[str]) -> str:
    """The webhook URL, trimmed, if it starts with an allowed prefix (empty turns the post off); else a field
    error. Only known hosts are allowed, so the app never posts to an address of the internal network."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_WEBHOOK_URL:
        raise FieldErrors({"slack_webhook_url": N_("Keep the webhook URL under 500 characters.")})
    if any(ch.isspace() or not ch.isprintable() for ch in url) or not any(
        p and url.startswith(p) for p in allowed_prefixes
    ):
        raise FieldErrors(
            {"slack_webhook_url": N_("Enter a Slack incoming-webhook URL (https://hooks.slack.com/…).")}
        )
    return url


def save_settings(
    session: Session,
    account: Account,
    *,
    slack_webhook_url: str,
    auto_send: bool,
    allowed_prefixes: tuple[str, ...] | list[str] = DEFAULT_WEBHOOK_PREFIXES,
) -> NewsletterSettings:
    url = check_webhook_url(slack_webhook_url, allowed_prefixes)
    settings = get_settings(session, account)
    settings.slack_webhook_url, settings.auto_send = url, bool(auto_send)
    session.flush()
    return settings


def opted_out_ids(session: Session, account: Account | int) -> set[int]:
    account_id = account if isinstance(account, int) else account.id
    return set(
        session.scalars(select(NewsletterOptOut.user_id).where(NewsletterOptOut.account_id == account_id))
    )


def recipients(session: Session, account: Account) -> list[User]:
    """Active people of the account who have not unsubscribed."""
    people = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == account.id, User.active.is_(True))
        .order_by(User.id)
    )
    out = opted_out_ids(session, account)
    return [u for u in people if u.id not in out]


def is_opted_out(session: Session, account_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            select(NewsletterOptOut.id).where(
                NewsletterOptOut.account_id == account_id, NewsletterOptOut.user_id == user_id
            )
        )
        is not None
    )


def opt_out(session: Session, account_id: int, tenant_id: int, user_id: int) -> None:
    """Unsubscribe a person (idempotent)."""
    if not is_opted_out(session, account_id, user_id):
        session.add(NewsletterOptOut(tenant_id=tenant_id, account_id=account_id, user_id=user_id))
        session.flush()


def opt_in(session: Session, account_id: int, user_id: int) -> None:
    """Subscribe a person again (idempotent)."""
    for row in session.scalars(
        select(NewsletterOptOut).where(
            NewsletterOptOut.account_id == account_id, NewsletterOptOut.user_id == user_id
        )
    ):
        session.delete(row)
    session.flush()


# --- issues -----------------------------------------------------------------------------------------------


def issues_of(session: Session, account: Account) -> list[NewsletterIssue]:
    """The account's issues, newest first."""
    return list(
        session.scalars(
            select(NewsletterIssue)
            .where(NewsletterIssue.account_id == account.id)
            .order_by(NewsletterIssue.created_at.desc(), NewsletterIssue.id.desc())
        )
    )


def archived(session: Session, account: Account, limit: int | None = None) -> list[NewsletterIssue]:
    """Issues whose sending has finished (sent, or failed in part), newest first: what everyone may read."""
    return list(
        session.scalars(
            select(NewsletterIssue)
            .where(
                NewsletterIssue.account_id == account.id,
                NewsletterIssue.status.in_((IssueStatus.SENT.value, IssueStatus.FAILED.value)),
            )
            .order_by(NewsletterIssue.created_at.desc(), NewsletterIssue.id.desc())
            .limit(limit)
        )
    )


def already_issued(session: Session, account: Account, month: date) -> bool:
    """Whether an issue for ``month`` was started already (whatever became of its sending)."""
    return (
        session.scalar(
            select(NewsletterIssue.id).where(
                NewsletterIssue.account_id == account.id, NewsletterIssue.month == first_of_month(month)
            )
        )
        is not None
    )


def start_issue(
    session: Session, account: Account, actor: User | None, month: date, intro: str, confirm: bool
) -> NewsletterIssue:
    """Freeze the month's composition and the intro into a queued issue with one delivery row per recipient.

    A second issue for the same month needs ``confirm``. The settings' draft intro is cleared. The caller
    commits, then enqueues the sending job.
    """
    month = first_of_month(month)
    intro = _check_intro(intro)
    if already_issued(session, account, month) and not confirm:
        raise FieldErrors(
            {
                "confirm": N_(
                    "A newsletter for this month was already sent. Tick the confirmation to send another one."
                )
            }
        )
    settings = get_settings(session, account)
    issue = NewsletterIssue(
        tenant_id=account.tenant_id,
        account_id=account.id,
        month=month,
        created_by_id=actor.id if actor else None,
        intro=intro,
        content=compose(session, account, month),
        status=IssueStatus.QUEUED.value,
        slack_status=(SlackStatus.PENDING if settings.slack_webhook_url else SlackStatus.NONE).value,
        slack_error="",
    )
    session.add(issue)
    session.flush()
    for person in recipients(session, account):
        session.add(
            NewsletterDelivery(
                tenant_id=account.tenant_id,
                account_id=account.id,
                issue_id=issue.id,
                user_id=person.id,
                email=person.email,
                status=DeliveryStatus.QUEUED.value,
                error="",
            )
        )
    settings.intro_draft = ""
    session.flush()
    return issue


def may_retry(issue: NewsletterIssue) -> bool:
    return issue.status == IssueStatus.FAILED


def reset_for_retry(session: Session, issue: NewsletterIssue) -> None:
    """Queue a failed issue again: failed deliveries and a failed Slack post are tried once more; what was
    sent stays sent."""
    if not may_retry(issue):
        raise FieldErrors({"issue": N_("Only an issue that failed can be retried.")})
    for delivery in issue.deliveries:
        if delivery.status == DeliveryStatus.FAILED:
            delivery.status, delivery.error = DeliveryStatus.QUEUED.value, ""
    if issue.slack_status == SlackStatus.FAILED:
        issue.slack_status, issue.slack_error = SlackStatus.PENDING.value, ""
    issue.status = IssueStatus.QUEUED.value
    session.flush()


def previous_month(today: date) -> date:
    return add_months(first_of_month(today), -1)


def monthly_due(session: Session, today: date) -> list[tuple[int, int]]:
    """(tenant id, account id) of accounts with auto-send on and no issue yet for the month before ``today``
    (for the daily pass on the first of the month)."""
    month = previous_month(today)
    with unscoped(session, "the monthly newsletter pass visits every tenant's accounts"):
        issued = select(NewsletterIssue.account_id).where(NewsletterIssue.month == month)
        rows = session.execute(
            select(NewsletterSettings.tenant_id, NewsletterSettings.account_id)
            .where(NewsletterSettings.auto_send.is_(True), NewsletterSettings.account_id.not_in(issued))
            .order_by(NewsletterSettings.account_id)
        )
        return [(tenant_id, account_id) for tenant_id, account_id in rows]

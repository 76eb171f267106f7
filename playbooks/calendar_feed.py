"""An account's calendar (.ics): task due dates and loop events, behind an unguessable, revocable token URL.

Built with the icalendar library, which enforces RFC 5545's rules: every VEVENT has a stable UID and a
DTSTAMP; due dates and event days are all-day DATE values (a due date is a day in Tokyo, not an instant),
and the calendar names Asia/Tokyo as its zone so Google Calendar and Outlook show them on the right day.
Only a hash of the token is stored; revoking a feed makes its URL answer 404 at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, vText
from icalendar import Event as VEvent
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from playbooks.checklists import Status, Task
from playbooks.events import Event
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.scoping import AccountOwned, unscoped
from tenants.users import User

PRODID = "-//AdoptLoop//Playbook checklist//EN"


class CalendarFeed(AccountOwned, db.Model):
    """A subscription URL for one account's calendar."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(session: Session, account: Account, actor: User) -> tuple[CalendarFeed, str]:
    """A new feed; returns it and the token (shown once: only its hash is kept). Older feeds are revoked."""
    for old in active_feeds(session, account):
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        tenant_id=account.tenant_id, account_id=account.id, token_hash=_hash(token), created_by_id=actor.id
    )
    session.add(feed)
    session.flush()
    return feed, token


def active_feeds(session: Session, account: Account) -> list[CalendarFeed]:
    query = select(CalendarFeed).where(
        CalendarFeed.account_id == account.id, CalendarFeed.revoked_at.is_(None)
    )
    return list(session.scalars(query))


def revoke_feeds(session: Session, account: Account) -> int:
    """Revoke every live feed of the account; returns how many."""
    feeds = active_feeds(session, account)
    for feed in feeds:
        feed.revoked_at = utcnow()
    session.flush()
    return len(feeds)


def feed_for_token(session: Session, token: str) -> CalendarFeed | None:
    """The live feed a token opens (calendar apps fetch without signing in, so this crosses tenants)."""
    if not token or len(token) > 100:
        return None
    with unscoped(session, "a calendar token names its own account"):
        return session.scalar(
            select(CalendarFeed).where(
                CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None)
            )
        )


def build_ics(session: Session, account: Account, locale: str, now: datetime | None = None) -> bytes:
    """The account's tasks still to do and its events as an RFC 5545 calendar."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # An X- property is not escaped as text unless told: a line break in the name would be a 500.
    cal.add("x-wr-calname", vText(account.name))
    cal.add("x-wr-timezone", "Asia/Tokyo")
    tasks = session.scalars(
        select(Task)
        .where(Task.account_id == account.id, Task.status == Status.TODO.value)
        .order_by(Task.due_on)
    )
    for task in tasks:
        spec = task.spec()
        title = spec.title.get(locale) if spec else task.task_key
        cal.add_component(
            _all_day(
                f"task-{task.id}@adoptloop",
                task.due_on,
                title,
                spec.description.get(locale) if spec else "",
                stamp,
            )
        )
    for event in session.scalars(select(Event).where(Event.account_id == account.id)):
        cal.add_component(_all_day(f"event-{event.id}@adoptloop", event.held_on, event.title, "", stamp))
    return cal.to_ical()


def _all_day(uid: str, day: date, summary: str, description: str, stamp: datetime) -> VEvent:
    item = VEvent()
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("dtstart", day)  # a date, so icalendar writes VALUE=DATE
    item.add("dtend", day + timedelta(days=1))
    item.add("summary", summary)
    if description:
        item.add("description", description)
    item.add("transp", "TRANSPARENT")
    return item

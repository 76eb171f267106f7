"""The daily pass: generate recurring tasks up to the horizon, then one digest mail per person per day.

Run by ``flask playbooks tick`` (cron on the embedded default) or as a job when REDIS_URL is set. Both call
:func:`daily_pass`; a second pass on the same Tokyo day generates nothing and mails nobody, because tasks are
unique per (run, key, occurrence) and a DigestSent row per (person, day) is written before the mail goes out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from playbooks.checklists import PlaybookRun, Status, Task, generate_tasks
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.scoping import TenantOwned, unscoped
from tenants.users import Membership, User

DUE_SOON_DAYS = 3

_TEXT = {
    "ja": {
        "subject": "AdoptLoop: 期限切れ {overdue} 件、まもなく期限 {soon} 件",
        "overdue": "期限切れ",
        "soon": "まもなく期限",
        "due": "期限",
    },
    "en": {
        "subject": "AdoptLoop: {overdue} overdue, {soon} due soon",
        "overdue": "Overdue",
        "soon": "Due soon",
        "due": "due",
    },
}


class DigestSent(TenantOwned, db.Model):
    """A digest mailed to one person for one (Tokyo) day: the row that stops a second one."""

    __tablename__ = "playbook_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Digest:
    """One mail to send."""

    to: str
    subject: str
    body: str


@dataclass
class PassResult:
    """What a daily pass did."""

    tasks_generated: int
    digests: list[Digest]


def daily_pass(session: Session, today: date) -> PassResult:
    """Generate recurring tasks for every run and compose today's digests (recorded as sent).

    The caller commits, then sends the returned digests (see :func:`run_daily_pass`).
    """
    with unscoped(session, "the daily pass visits every tenant's runs and reminds their people"):
        generated = sum(generate_tasks(session, run, today) for run in session.scalars(select(PlaybookRun)))
        due = session.scalars(
            select(Task)
            .where(Task.status == Status.TODO.value, Task.due_on <= today + timedelta(days=DUE_SOON_DAYS))
            .order_by(Task.due_on, Task.id)
        ).all()
        per_person: dict[int, list[Task]] = defaultdict(list)
        for task in due:
            for user_id in _recipients(session, task):
                per_person[user_id].append(task)
        already = set(session.scalars(select(DigestSent.user_id).where(DigestSent.day == today)))
        digests = []
        for user_id, tasks in per_person.items():
            if user_id in already:
                continue
            user = session.get(User, user_id)
            if user is None or not user.active:
                continue
            session.add(DigestSent(tenant_id=user.tenant_id, user_id=user.id, day=today))
            digests.append(_compose(user, tasks, today))
        session.flush()
    return PassResult(generated, digests)


def run_daily_pass(session: Session, today: date, send: Callable[[str, str, str], None]) -> PassResult:
    """The whole pass: compose, commit (so the DigestSent rows exist), then hand each mail to ``send``."""
    result = daily_pass(session, today)
    session.commit()
    for digest in result.digests:
        send(digest.to, digest.subject, digest.body)
    return result


def _recipients(session: Session, task: Task) -> list[int]:
    """The named assignee, else everyone holding the owner role in the account (the CSM for csm tasks)."""
    if task.assignee_id is not None:
        return [task.assignee_id]
    if task.owner_role == "csm":
        csm_id = session.scalar(select(Account.csm_id).where(Account.id == task.account_id))
        return [csm_id] if csm_id else []
    return list(
        session.scalars(
            select(Membership.user_id).where(
                Membership.account_id == task.account_id, Membership.role == task.owner_role
            )
        )
    )


def _compose(user: User, tasks: list[Task], today: date) -> Digest:
    lang = "ja" if (user.locale or user.tenant.default_locale) == "ja" else "en"
    text = _TEXT[lang]
    overdue = [t for t in tasks if t.due_on < today]
    soon = [t for t in tasks if t.due_on >= today]
    lines = []
    for label, group in ((text["overdue"], overdue), (text["soon"], soon)):
        if group:
            lines.append(f"{label}:")
            for t in group:
                spec = t.spec()
                title = spec.title.get(lang) if spec else t.task_key
                lines.append(f"- [{t.account.name}] {title} ({text['due']} {t.due_on.isoformat()})")
            lines.append("")
    subject = text["subject"].format(overdue=len(overdue), soon=len(soon))
    return Digest(user.email, subject, "\n".join(lines))

"""Checklists: a playbook started for an account becomes dated tasks (PlaybookRun, Task).

A run freezes the playbook file it was started from (its key, version and full text), so a new version of a
playbook never rewrites a run already under way. One-off tasks are created when the run starts; recurring
tasks (the monthly LT, the half-yearly hackathon) are generated for a rolling horizon by the daily pass. A
task is unique per (run, task key, occurrence), so generating the same window twice adds nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks.definitions import PlaybookSpec
from playbooks.recurrence import horizon_end, occurrences
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User

HORIZON_MONTHS = 3
MAX_NOTE = 2000


class Status(enum.StrEnum):
    """Where a task stands."""

    TODO = "todo"
    DONE = "done"
    SKIPPED = "skipped"


class PlaybookRun(AccountOwned, db.Model):
    """One playbook version started for one account from a kickoff date."""

    __tablename__ = "playbook_runs"
    __table_args__ = (UniqueConstraint("account_id", "playbook_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_key: Mapped[str] = mapped_column(String(63))
    version: Mapped[int]
    spec: Mapped[dict] = mapped_column(JSON)  # the playbook as it was when the run started
    kickoff_on: Mapped[date]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_until: Mapped[date]

    tasks: Mapped[list[Task]] = relationship(back_populates="run", cascade="all, delete-orphan")

    @property
    def playbook(self) -> PlaybookSpec:
        """The frozen playbook this run follows (validated once per loaded row: every task row asks)."""
        cached = self.__dict__.get("_playbook")
        if cached is None:
            cached = self.__dict__["_playbook"] = PlaybookSpec.model_validate(self.spec)
        return cached


class Task(AccountOwned, db.Model):
    """One dated task of a run: who owns it, when it is due, whether it is done (and by whom, when, why)."""

    __tablename__ = "playbook_tasks"
    __table_args__ = (
        UniqueConstraint("run_id", "task_key", "occurrence"),
        CheckConstraint("status in ('todo', 'done', 'skipped')", name="status_known"),
        Index("ix_playbook_tasks_account_due", "account_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("playbook_runs.id", ondelete="CASCADE"), index=True)
    phase_key: Mapped[str] = mapped_column(String(63))
    task_key: Mapped[str] = mapped_column(String(63))
    occurrence: Mapped[int] = mapped_column(default=0)
    owner_role: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=Status.TODO.value)
    note: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None]

    run: Mapped[PlaybookRun] = relationship(back_populates="tasks")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    account: Mapped[Account] = relationship()

    def is_overdue(self, today: date) -> bool:
        """Still to do and due before today."""
        return self.status == Status.TODO and self.due_on < today

    def spec(self):
        """The task's definition (title, description, artefacts) in the run's frozen playbook."""
        return self.run.playbook.task(self.task_key)


def start_playbook(
    session: Session,
    account: Account,
    actor: User,
    playbook: PlaybookSpec,
    today: date,
    kickoff: date | None = None,
) -> PlaybookRun:
    """Start ``playbook`` for ``account``: dated one-off tasks, and recurring ones up to the horizon.

    Raises :class:`FieldErrors` when the playbook already runs for the account or the kickoff is unusable.
    """
    kickoff = kickoff or account.kickoff_date
    errors: dict[str, str] = {}
    if kickoff < account.kickoff_date:
        errors["kickoff"] = N_("The start date cannot be before the account's kickoff date.")
    existing = session.scalar(
        select(PlaybookRun.id).where(
            PlaybookRun.account_id == account.id, PlaybookRun.playbook_key == playbook.key
        )
    )
    if existing is not None:
        errors["playbook"] = N_("This playbook is already running for the account.")
    if errors:
        raise FieldErrors(errors)
    run = PlaybookRun(
        tenant_id=account.tenant_id,
        account_id=account.id,
        playbook_key=playbook.key,
        version=playbook.version,
        spec=playbook.model_dump(mode="json"),
        kickoff_on=kickoff,
        started_by_id=actor.id if actor else None,
        generated_until=kickoff - timedelta(days=1),
    )
    session.add(run)
    session.flush()
    generate_tasks(session, run, today)
    return run


def generate_tasks(session: Session, run: PlaybookRun, today: date) -> int:
    """Create the run's tasks due up to the rolling horizon that do not exist yet; returns how many.

    Idempotent: existing (task key, occurrence) pairs are skipped, so a second pass the same day adds none.
    """
    until = horizon_end(today, HORIZON_MONTHS)
    have = set(session.execute(select(Task.task_key, Task.occurrence).where(Task.run_id == run.id)).all())
    added = 0
    for phase, spec in run.playbook.tasks():
        # One-off tasks are created whatever their date, so the checklist shows the whole playbook at once.
        window = date.max if spec.recurrence == "once" else until
        dates = occurrences(spec.recurrence, run.kickoff_on, window, spec.offset_days, spec.offset_months)
        for index, due in dates:
            if (spec.key, index) in have:
                continue
            session.add(
                Task(
                    tenant_id=run.tenant_id,
                    account_id=run.account_id,
                    run=run,
                    phase_key=phase.key,
                    task_key=spec.key,
                    occurrence=index,
                    owner_role=spec.owner,
                    due_on=due,
                    status=Status.TODO.value,
                )
            )
            added += 1
    run.generated_until = max(run.generated_until, until)
    session.flush()
    return added


def available_playbooks(session: Session) -> dict[str, PlaybookSpec]:
    """Playbooks a CSM can start: shipped ones, or the tenant's newer uploaded versions."""
    from playbooks.custom_playbooks import available_playbooks as newest

    return newest(session)


def set_status(session: Session, task: Task, actor: User, status: str, note: str = "") -> Task:
    """Mark ``task`` done, skipped or back to do, recording who and when. The caller checks may_tick_task."""
    if status not in {s.value for s in Status}:
        raise FieldErrors({"status": N_("Choose done, skipped or to do.")})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise FieldErrors({"note": N_("The note is too long.")})
    if status == Status.SKIPPED and not note:
        raise FieldErrors({"note": N_("Say why the task is skipped.")})
    task.status = status
    task.note = note
    if status == Status.TODO:
        task.done_by_id, task.done_at = None, None
    else:
        task.done_by_id, task.done_at = actor.id, utcnow()
    session.flush()
    return task


def assign(session: Session, task: Task, assignee_id: int | None) -> Task:
    """Name the person who does ``task`` (None: back to everyone holding the owner role). The person must
    belong to the task's account, or be the account's CSM for a CSM task."""
    if assignee_id is not None:
        person = session.get(User, assignee_id)
        in_account = person is not None and person.account_id == task.account_id
        is_csm = person is not None and task.owner_role == "csm" and task.account.csm_id == person.id
        if not (in_account or is_csm):
            raise FieldErrors({"assignee_id": N_("Choose a person of this account.")})
    task.assignee_id = assignee_id
    session.flush()
    return task


@dataclass
class Progress:
    """Done (or skipped) out of all tasks due so far plus the one-off ones."""

    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class RunView:
    """A run as the checklist shows it: its tasks grouped by phase, with progress per phase and overall."""

    run: PlaybookRun
    playbook: PlaybookSpec
    phases: list[tuple[object, list[Task], Progress]] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)


def account_checklist(session: Session, account: Account, today: date) -> list[RunView]:
    """Every run of ``account`` with its tasks by phase (upcoming recurring ones stop at the horizon)."""
    runs = session.scalars(
        select(PlaybookRun).where(PlaybookRun.account_id == account.id).order_by(PlaybookRun.id)
    ).all()
    views = []
    for run in runs:
        view = RunView(run=run, playbook=run.playbook)
        tasks = session.scalars(
            select(Task).where(Task.run_id == run.id).order_by(Task.due_on, Task.id)
        ).all()
        for phase in view.playbook.phases:
            in_phase = [t for t in tasks if t.phase_key == phase.key]
            progress = Progress(sum(t.status != Status.TODO for t in in_phase), len(in_phase))
            view.phases.append((phase, in_phase, progress))
            view.progress.done += progress.done
            view.progress.total += progress.total
        views.append(view)
    return views


def open_tasks(session: Session, today: date, account_id: int | None = None, days: int = 7) -> list[Task]:
    """Tasks still to do that are overdue or due within ``days`` (this week), across the scope's accounts."""
    query = select(Task).where(Task.status == Status.TODO.value, Task.due_on <= today + timedelta(days=days))
    if account_id is not None:
        query = query.where(Task.account_id == account_id)
    return list(session.scalars(query.order_by(Task.due_on, Task.account_id, Task.id)))

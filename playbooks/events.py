"""The loop's events: study sessions (with attendance), lightning-talk days (with talks), hackathons (with
entries, judges' rubric scores, winners and production candidates).

A talk is recorded in the mandatory template Problem -> Prompt -> Result -> Time saved and creates exactly one
use case (through :func:`playbooks.usecases.create_use_case`, source ``lt``) or links an existing one, so the
use-case library and the ROI model find it. A hackathon entry considered for production moves its use case
to stage pilot.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks.usecase_history import record_revision
from playbooks.usecases import Source, Stage, UseCase, create_use_case
from tenants.accounts import Account, Team
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User

MAX_TITLE = 200
RUBRIC = ("impact", "feasibility", "reusability", "presentation")  # each scored 1-5 by every judge
TEMPLATE_FIELDS = ("problem", "prompt", "result", "minutes_saved_per_run")


class Kind(enum.StrEnum):
    STUDY_SESSION = "study_session"
    LT_DAY = "lt_day"
    HACKATHON = "hackathon"


class Event(AccountOwned, db.Model):
    """A dated event of the loop in one account."""

    __tablename__ = "loop_events"
    __table_args__ = (CheckConstraint("kind in ('study_session', 'lt_day', 'hackathon')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    held_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()
    talks: Mapped[list[Talk]] = relationship(back_populates="event", order_by="Talk.id")
    entries: Mapped[list[HackathonEntry]] = relationship(back_populates="event", order_by="HackathonEntry.id")


class Attendance(AccountOwned, db.Model):
    """Who came to a study session."""

    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("loop_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class Talk(AccountOwned, db.Model):
    """One lightning talk; its use case carries the template fields and the time saved."""

    __tablename__ = "lt_talks"
    __table_args__ = (UniqueConstraint("use_case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("loop_events.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"))
    featured: Mapped[bool] = mapped_column(default=False)  # the month's "win"

    event: Mapped[Event] = relationship(back_populates="talks")
    use_case: Mapped[UseCase] = relationship()
    speaker: Mapped[User | None] = relationship()


class HackathonEntry(AccountOwned, db.Model):
    """A team's prototype at a hackathon."""

    __tablename__ = "hackathon_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("loop_events.id", ondelete="CASCADE"), index=True)
    team_name: Mapped[str] = mapped_column(String(MAX_TITLE))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    problem: Mapped[str] = mapped_column(Text)
    prototype: Mapped[str] = mapped_column(Text, default="")
    demo_url: Mapped[str] = mapped_column(String(500), default="")
    use_case_id: Mapped[int | None] = mapped_column(ForeignKey("use_cases.id", ondelete="SET NULL"))
    winner: Mapped[bool] = mapped_column(default=False)
    production_candidate: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="entries")
    scores: Mapped[list[Score]] = relationship(back_populates="entry")
    use_case: Mapped[UseCase | None] = relationship()


class Score(AccountOwned, db.Model):
    """One judge's rubric scores for one entry (a judge scores an entry once)."""

    __tablename__ = "hackathon_scores"
    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hackathon_entries.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    impact: Mapped[int]
    feasibility: Mapped[int]
    reusability: Mapped[int]
    presentation: Mapped[int]

    entry: Mapped[HackathonEntry] = relationship(back_populates="scores")

    @property
    def total(self) -> int:
        return sum(getattr(self, c) for c in RUBRIC)


def create_event(
    session: Session, account: Account, actor: User, kind: str, title: str, held_on: date | None
) -> Event:
    """A study session, LT day or hackathon on a date on or after the account's kickoff."""
    errors = {}
    if kind not in set(Kind):
        errors["kind"] = N_("Choose the kind of event.")
    title = (title or "").strip()
    if not title:
        errors["title"] = N_("Give the event a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = N_("Keep the title under 200 characters.")
    if held_on is None:
        errors["held_on"] = N_("Enter the date.")
    elif held_on < account.kickoff_date:
        errors["held_on"] = N_("The date cannot be before the account's kickoff date.")
    if errors:
        raise FieldErrors(errors)
    event = Event(
        tenant_id=account.tenant_id,
        account_id=account.id,
        kind=kind,
        title=title,
        held_on=held_on,
        created_by_id=actor.id,
    )
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, account: Account, kind: str | None = None) -> list[Event]:
    """The account's events, newest first."""
    query = select(Event).where(Event.account_id == account.id)
    if kind:
        query = query.where(Event.kind == kind)
    return list(session.scalars(query.order_by(Event.held_on.desc(), Event.id.desc())))


def record_attendance(session: Session, event: Event, user_ids: list[int]) -> int:
    """Mark people of the account as present at a study session; returns how many were added."""
    if event.kind != Kind.STUDY_SESSION:
        raise FieldErrors({"kind": N_("Attendance is recorded for study sessions.")})
    have = set(session.scalars(select(Attendance.user_id).where(Attendance.event_id == event.id)))
    people = {
        u.id
        for u in session.scalars(select(User).where(User.id.in_(user_ids)))
        if u.account_id == event.account_id
    }
    if set(user_ids) - people:
        raise FieldErrors({"user_ids": N_("Choose people of this account.")})
    for user_id in people - have:
        session.add(
            Attendance(
                tenant_id=event.tenant_id, account_id=event.account_id, event_id=event.id, user_id=user_id
            )
        )
    session.flush()
    return len(people - have)


def attendance_count(session: Session, event: Event) -> int:
    return len(session.scalars(select(Attendance.id).where(Attendance.event_id == event.id)).all())


def record_talk(
    session: Session,
    event: Event,
    actor: User,
    *,
    title: str = "",
    problem: str = "",
    prompt: str = "",
    result: str = "",
    minutes_saved_per_run: int | None = None,
    runs_per_month: int = 0,
    people: int = 1,
    model_name: str = "",
    team_id: int | None = None,
    speaker_id: int | None = None,
    use_case_id: int | None = None,
) -> Talk:
    """Record a talk of an LT day: either link an existing use case of the account, or create exactly one
    from the mandatory template (every template field is required). Nothing is added on error."""
    if event.kind != Kind.LT_DAY:
        raise FieldErrors({"event": N_("Talks are recorded on lightning-talk days.")})
    account = event.account
    if speaker_id is not None:
        speaker = session.get(User, speaker_id)
        if speaker is None or speaker.account_id != event.account_id:
            raise FieldErrors({"speaker_id": N_("Choose a person of this account.")})
    if use_case_id:
        use_case = session.get(UseCase, use_case_id)
        if use_case is None or use_case.account_id != event.account_id:
            raise FieldErrors({"use_case_id": N_("Choose a use case of this account.")})
        if session.scalar(select(Talk.id).where(Talk.use_case_id == use_case.id)) is not None:
            raise FieldErrors({"use_case_id": N_("This use case already has a talk.")})
    else:
        errors = {}
        for name, value in (("problem", problem), ("prompt", prompt), ("result", result)):
            if not (value or "").strip():
                errors[name] = N_(
                    "A talk needs every template field: Problem, Prompt, Result and Time saved."
                )
        if minutes_saved_per_run is None:
            errors["minutes_saved_per_run"] = N_(
                "A talk needs every template field: Problem, Prompt, Result and Time saved."
            )
        if errors:
            raise FieldErrors(errors)
        use_case = create_use_case(
            session,
            account,
            actor,
            title=title or problem.strip().splitlines()[0][:MAX_TITLE],
            model_name=model_name,
            used_on=event.held_on,
            problem=problem,
            prompt=prompt,
            result=result,
            minutes_saved_per_run=minutes_saved_per_run,
            runs_per_month=runs_per_month,
            people=people,
            team_id=team_id,
            source=Source.LT,
        )
    talk = Talk(
        tenant_id=event.tenant_id,
        account_id=event.account_id,
        event=event,
        use_case_id=use_case.id,
        speaker_id=speaker_id,
    )
    session.add(talk)
    session.flush()
    return talk


def add_entry(
    session: Session,
    event: Event,
    *,
    team_name: str,
    problem: str,
    prototype: str = "",
    demo_url: str = "",
    team_id: int | None = None,
    use_case_id: int | None = None,
) -> HackathonEntry:
    """A team's entry at a hackathon (optionally linked to the use case it produced)."""
    errors = {}
    if event.kind != Kind.HACKATHON:
        errors["event"] = N_("Entries belong to hackathons.")
    if not (team_name or "").strip():
        errors["team_name"] = N_("Name the team.")
    if not (problem or "").strip():
        errors["problem"] = N_("Describe the work problem the prototype solves.")
    if demo_url and not demo_url.startswith(("https://", "http://")):
        errors["demo_url"] = N_("Enter a web address starting with https://.")
    if team_id is not None and team_id not in {t.id for t in event.account.teams}:
        errors["team_id"] = N_("Choose a team of this account.")
    if use_case_id is not None:
        use_case = session.get(UseCase, use_case_id)
        if use_case is None or use_case.account_id != event.account_id:
            errors["use_case_id"] = N_("Choose a use case of this account.")
    if errors:
        raise FieldErrors(errors)
    entry = HackathonEntry(
        tenant_id=event.tenant_id,
        account_id=event.account_id,
        event=event,
        team_name=team_name.strip(),
        team_id=team_id,
        problem=problem.strip(),
        prototype=(prototype or "").strip(),
        demo_url=demo_url or "",
        use_case_id=use_case_id,
    )
    session.add(entry)
    session.flush()
    return entry


def score_entry(session: Session, entry: HackathonEntry, judge: User, scores: dict[str, int | None]) -> Score:
    """A judge's rubric scores (1-5 per criterion); a judge scores an entry once."""
    errors = {}
    for criterion in RUBRIC:
        value = scores.get(criterion)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[criterion] = N_("Score each criterion from 1 to 5.")
    already = session.scalar(select(Score.id).where(Score.entry_id == entry.id, Score.judge_id == judge.id))
    if already is not None:
        errors["judge"] = N_("You have already scored this entry.")
    if errors:
        raise FieldErrors(errors)
    score = Score(
        tenant_id=entry.tenant_id,
        account_id=entry.account_id,
        entry=entry,
        judge_id=judge.id,
        **{c: scores[c] for c in RUBRIC},
    )
    session.add(score)
    session.flush()
    return score


def ranking(entry_list: list[HackathonEntry]) -> list[tuple[HackathonEntry, float | None, int]]:
    """Entries with their average rubric total and number of judges, best first."""
    rows = []
    for entry in entry_list:
        totals = [s.total for s in entry.scores]
        rows.append((entry, sum(totals) / len(totals) if totals else None, len(totals)))
    return sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0].id))


def mark_entry(
    session: Session, entry: HackathonEntry, actor: User, *, winner: bool, production_candidate: bool
) -> None:
    """Name a winner and/or a production candidate; a candidate's use case moves to stage pilot."""
    if production_candidate and entry.use_case_id is None:
        raise FieldErrors({"production_candidate": N_("Link the entry to its use case first.")})
    entry.winner = winner
    entry.production_candidate = production_candidate
    use_case = entry.use_case
    if production_candidate and use_case is not None and use_case.stage == Stage.SHARED:
        use_case.stage = Stage.PILOT.value
        record_revision(session, use_case, actor, {"stage": (Stage.SHARED.value, Stage.PILOT.value)})
    session.flush()


def teams_of(account: Account) -> list[Team]:
    return list(account.teams)

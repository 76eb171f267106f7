"""Use cases: the unit of the adoption loop. A person's AI win written as Problem -> Prompt -> Result -> Time
saved, with the model and the date it was used on (both required: a prompt is only reproducible with them).

Lightning talks, hackathon entries, posts, imports and the API all create use cases through
:func:`create_use_case`, so every source is held to the same rules. Density, coverage and the ROI model read
them (reports/ imports this module; this module imports nothing from reports/).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenants.accounts import Account, Team
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.rules import Bound, check_bounds
from tenants.scoping import AccountOwned
from tenants.users import User


class Stage(enum.StrEnum):
    """How far a use case has travelled: shared by one person, piloted by a team, in production."""

    SHARED = "shared"
    PILOT = "pilot"
    PRODUCTION = "production"
    ARCHIVED = "archived"


class Source(enum.StrEnum):
    """Where a use case came from."""

    LT = "lt"
    HACKATHON = "hackathon"
    POST = "post"
    IMPORT = "import"
    API = "api"
    NOTE = "note"


MAX_TITLE = 200
MAX_MODEL_NAME = 120
MAX_BODY = 20_000  # per text field; a whole page of prompt, far less than a pasted log
MAX_TAGS = 20
MAX_TAG = 50

USE_CASE_BOUNDS: dict[str, Bound] = {
    "minutes_saved_per_run": Bound(
        0, 24 * 60, N_("Minutes saved cannot be negative."), N_("A run saves at most a day (1,440 minutes).")
    ),
    "runs_per_month": Bound(0, 100_000, N_("Runs per month cannot be negative.")),
    "people": Bound(0, 10_000_000, N_("The number of people cannot be negative.")),
}


class UseCase(AccountOwned, db.Model):
    """One AI win of a client account. The body is frozen once published (discussion goes to comments)."""

    __tablename__ = "use_cases"
    __table_args__ = (
        CheckConstraint("minutes_saved_per_run >= 0", name="minutes_not_negative"),
        CheckConstraint("runs_per_month >= 0", name="runs_not_negative"),
        CheckConstraint("people >= 0", name="people_not_negative"),
        Index("ix_use_cases_account_published", "account_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    problem: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    model_name: Mapped[str] = mapped_column(String(MAX_MODEL_NAME))
    used_on: Mapped[date]
    minutes_saved_per_run: Mapped[int] = mapped_column(default=0)
    runs_per_month: Mapped[int] = mapped_column(default=0)
    people: Mapped[int] = mapped_column(default=1)
    stage: Mapped[str] = mapped_column(String(20), default=Stage.SHARED.value)
    source: Mapped[str] = mapped_column(String(20), default=Source.POST.value)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]  # None while a draft

    account: Mapped[Account] = relationship()
    team: Mapped[Team | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def minutes_saved_per_month(self) -> int:
        """Minutes per run x runs per month x people using it: the ROI model's gross time saved."""
        return self.minutes_saved_per_run * self.runs_per_month * self.people

    def __repr__(self) -> str:
        return f"<UseCase {self.id} {self.title!r}>"


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Tags are hints, not a taxonomy: trimmed, lower-cased, de-duplicated, order kept."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(str(tag).split()).lower()[:MAX_TAG]
        if cleaned:
            seen[cleaned] = None
    return list(seen)[:MAX_TAGS]


def validate_use_case(fields: dict, account: Account) -> dict[str, str]:
    """Messages keyed by field for everything wrong with ``fields`` (the keyword arguments of
    :func:`create_use_case`)."""
    return (
        _required_errors(fields)
        | _body_errors(fields)
        | check_bounds(USE_CASE_BOUNDS, {k: fields.get(k) for k in USE_CASE_BOUNDS})
        | _choice_errors(fields, account)
    )


def _required_errors(fields: dict) -> dict[str, str]:
    """Title, model name and date: without the last two a prompt cannot be reproduced."""
    errors = {}
    for name, limit, missing, too_long in (
        ("title", MAX_TITLE, N_("Give the use case a title."), N_("Keep the title under 200 characters.")),
        (
            "model_name",
            MAX_MODEL_NAME,
            N_("Name the AI model used (e.g. GPT-4o, Claude, Copilot)."),
            N_("Keep the model name under 120 characters."),
        ),
    ):
        value = (fields.get(name) or "").strip()
        if not value:
            errors[name] = missing
        elif len(value) > limit:
            errors[name] = too_long
    if not isinstance(fields.get("used_on"), date):
        errors["used_on"] = N_("Enter the date the AI was used.")
    return errors


def _body_errors(fields: dict) -> dict[str, str]:
    """Problem, prompt and result: long text is welcome, a pasted log or a NUL byte is not."""
    errors = {}
    for name in ("problem", "prompt", "result"):
        text = fields.get(name) or ""
        if len(text) > MAX_BODY:
            errors[name] = N_("This text is too long (at most 20,000 characters).")
        elif "\x00" in text:
            errors[name] = N_("This text contains a NUL character; paste it again as plain text.")
    return errors


def _choice_errors(fields: dict, account: Account) -> dict[str, str]:
    """Stage, source and team must be ones that exist (the team: of this account)."""
    errors = {}
    if fields.get("stage", Stage.SHARED) not in set(Stage):
        errors["stage"] = N_("Choose a stage from the list.")
    if fields.get("source", Source.POST) not in set(Source):
        errors["source"] = N_("Unknown source.")
    team_id = fields.get("team_id")
    if team_id is not None and team_id not in {t.id for t in account.teams}:
        errors["team_id"] = N_("Choose a team of this account.")
    return errors


def create_use_case(
    session: Session,
    account: Account,
    actor: User | None,
    *,
    title: str,
    model_name: str,
    used_on: date,
    problem: str = "",
    prompt: str = "",
    result: str = "",
    minutes_saved_per_run: int = 0,
    runs_per_month: int = 0,
    people: int = 1,
    team_id: int | None = None,
    tags: Iterable[str] = (),
    source: str = Source.POST,
    stage: str = Stage.SHARED,
    publish: bool = True,
) -> UseCase:
    """Add a use case to ``account`` (published unless ``publish`` is False); raises :class:`FieldErrors`
    listing every problem, in which case nothing is added."""
    fields = dict(
        title=title,
        model_name=model_name,
        used_on=used_on,
        problem=problem,
        prompt=prompt,
        result=result,
        minutes_saved_per_run=minutes_saved_per_run,
        runs_per_month=runs_per_month,
        people=people,
        team_id=team_id,
        source=source,
        stage=stage,
    )
    if errors := validate_use_case(fields, account):
        raise FieldErrors(errors)
    use_case = UseCase(
        tenant_id=account.tenant_id,
        account_id=account.id,
        author_id=actor.id if actor else None,
        title=title.strip(),
        model_name=model_name.strip(),
        used_on=used_on,
        problem=problem or "",
        prompt=prompt or "",
        result=result or "",
        minutes_saved_per_run=minutes_saved_per_run,
        runs_per_month=runs_per_month,
        people=people,
        team_id=team_id,
        tags=normalize_tags(tags),
        source=str(source),
        stage=str(stage),
        published_at=utcnow() if publish else None,
    )
    session.add(use_case)
    session.flush()
    return use_case

"""Editing a use case: every edit is a revision with its changes, so history and diffs are visible.

The body (title, Problem, Prompt, Result, model name, date) is frozen once the case is published: edit wars
on the main entry are hostile, so discussion goes to the comments. Before publishing, the author edits the
draft freely; after it, curators (and the author) may still change the context around it: team, tags, the
time-saved figures. Stage moves are recorded the same way (see :mod:`playbooks.library`).
"""

from __future__ import annotations

import difflib
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks.usecases import UseCase, normalize_tags, validate_use_case
from tenants import permissions
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User

BODY_FIELDS = ("title", "problem", "prompt", "result", "model_name", "used_on")
CONTEXT_FIELDS = ("team_id", "tags", "minutes_saved_per_run", "runs_per_month", "people")
EDITABLE_FIELDS = BODY_FIELDS + CONTEXT_FIELDS


class UseCaseRevision(AccountOwned, db.Model):
    """One edit: who, when, and each changed field's old and new value."""

    __tablename__ = "use_case_revisions"
    __table_args__ = (UniqueConstraint("use_case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict] = mapped_column(JSON)  # field -> [old, new] (dates as ISO text)

    editor: Mapped[User | None] = relationship()


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def record_revision(
    session: Session, use_case: UseCase, actor: User | None, changes: dict
) -> UseCaseRevision:
    """Store ``changes`` (field -> (old, new)) as the next revision of ``use_case``."""
    last = session.scalar(
        select(func.max(UseCaseRevision.number)).where(UseCaseRevision.use_case_id == use_case.id)
    )
    revision = UseCaseRevision(
        tenant_id=use_case.tenant_id,
        account_id=use_case.account_id,
        use_case_id=use_case.id,
        number=(last or 0) + 1,
        editor_id=actor.id if actor else None,
        changes={k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()},
    )
    session.add(revision)
    session.flush()
    return revision


def edit_use_case(session: Session, use_case: UseCase, actor: User, **values) -> UseCaseRevision | None:
    """Apply the given fields (names from EDITABLE_FIELDS); returns the revision, or None if nothing changed.

    Raises PermissionError when ``actor`` may not edit, FieldErrors for rule violations (a frozen body, a
    missing model or date, a too-long text, a team of another account); nothing is changed then.
    """
    if not permissions.may_edit_use_case(actor, use_case):
        raise PermissionError("not allowed to edit this use case")
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "tags" in values:
        values["tags"] = normalize_tags(values["tags"] or [])
    for name in ("title", "model_name"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    changes = {k: (getattr(use_case, k), v) for k, v in values.items() if getattr(use_case, k) != v}
    if not changes:
        return None
    frozen = [k for k in changes if k in BODY_FIELDS]
    if frozen and not permissions.may_edit_use_case_body(actor, use_case):
        message = (
            N_("The body is frozen once published; discuss changes in the comments.")
            if use_case.published_at is not None
            else N_("Only the author edits a draft.")
        )
        raise FieldErrors({k: message for k in frozen})
    merged = {k: getattr(use_case, k) for k in EDITABLE_FIELDS} | values
    merged |= {"stage": use_case.stage, "source": use_case.source}
    errors = validate_use_case(merged, use_case.account)
    errors = {k: v for k, v in errors.items() if k in changes or k in BODY_FIELDS}
    if errors:
        raise FieldErrors(errors)
    for name, (_old, new) in changes.items():
        setattr(use_case, name, new)
    return record_revision(session, use_case, actor, changes)


def publish_use_case(session: Session, use_case: UseCase, actor: User) -> None:
    """The author publishes a draft; from now on its body is frozen."""
    if use_case.published_at is not None:
        return
    if use_case.author_id != actor.id:
        raise PermissionError("only the author publishes a draft")
    use_case.published_at = utcnow()
    record_revision(session, use_case, actor, {"published_at": (None, use_case.published_at.isoformat())})


def history(session: Session, use_case: UseCase) -> list[UseCaseRevision]:
    """Revisions, newest first."""
    return list(
        session.scalars(
            select(UseCaseRevision)
            .where(UseCaseRevision.use_case_id == use_case.id)
            .order_by(UseCaseRevision.number.desc())
        )
    )


def line_diff(old, new) -> list[tuple[str, str]]:
    """A line diff of two values as (mark, line) pairs: '-' removed, '+' added, ' ' kept (long unchanged
    stretches are shortened to a '…' line)."""
    old_lines = str(old if old is not None else "").splitlines() or [""]
    new_lines = str(new if new is not None else "").splitlines() or [""]
    out: list[tuple[str, str]] = []
    for group in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_grouped_opcodes(2):
        if out:
            out.append((" ", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [(" ", line) for line in old_lines[i1:i2]]
            if tag in ("replace", "delete"):
                out += [("-", line) for line in old_lines[i1:i2]]
            if tag in ("replace", "insert"):
                out += [("+", line) for line in new_lines[j1:j2]]
    return out

"""Usage rows imported from the exports clients already have, stored per account, day, user and app.

People are stored as a keyed hash, never as an email: the key is per tenant (HMAC of the tenant id with the
installation's secret), so the same person hashes differently at two vendors and nobody can reverse a hash
by hashing a list of addresses. A re-imported file, or an overlapping period, replaces the rows it covers
(one row per account, day, user and app), so nothing is ever counted twice.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from reports.importers import Problem, read
from reports.importers.text import strip_control
from tenants.accounts import Account, Team
from tenants.db import db, utcnow
from tenants.pseudonyms import hash_user  # noqa: F401 - re-exported: the usage importers' name for it
from tenants.scoping import AccountOwned
from tenants.users import User

AGGREGATE = "*"  # the user of rows that count many people at once (GitHub's legacy daily totals)
APP_MAX, TEAM_MAX = 64, 120  # the lengths of UsageRow.app and Team.name


class UsageImport(AccountOwned, db.Model):
    """One uploaded file and what came of it."""

    __tablename__ = "usage_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(32))
    encoding: Mapped[str | None] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    replaced: Mapped[int] = mapped_column(default=0)  # rows that were already stored (re-import, overlap)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)  # header -> field chosen for this file
    # done / refused; a large file imported by a job is first queued, then running, and failed if it broke.
    status: Mapped[str] = mapped_column(String(16), default="done")
    rows_done: Mapped[int] = mapped_column(default=0, server_default="0")  # progress of a job
    error: Mapped[str | None] = mapped_column(Text)  # why a job failed (shown, with a retry)
    # fmt, only_valid and create_teams of an import run by a job
    options: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    stored_file: Mapped[str | None] = mapped_column(String(255))  # the upload a job reads, until done
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UsageRow(AccountOwned, db.Model):
    """Activity of one (hashed) person in one app on one day."""

    __tablename__ = "usage_rows"
    __table_args__ = (
        UniqueConstraint("account_id", "day", "user_hash", "app"),
        Index("ix_usage_rows_account_day", "account_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    user_hash: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    app: Mapped[str] = mapped_column(String(64))
    active: Mapped[int] = mapped_column(default=1)  # 1 for a person; a count for aggregate rows
    actions: Mapped[float] = mapped_column(default=0)
    minutes_saved: Mapped[float] = mapped_column(default=0)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("usage_imports.id", ondelete="SET NULL"))


def remembered_mapping(session: Session, account: Account) -> dict[str, str]:
    """The column mapping of the account's last import that had one: the next sheet is usually the same."""
    mapping = session.scalar(
        select(UsageImport.mapping)
        .where(UsageImport.account_id == account.id, UsageImport.status == "done")
        .order_by(UsageImport.id.desc())
        .limit(1)
    )
    return dict(mapping or {})


def import_usage(
    session: Session,
    account: Account,
    actor: User | None,
    data: bytes,
    *,
    filename: str,
    secret: str,
    fmt: str = "auto",
    mapping: dict[str, str] | None = None,
    only_valid: bool = False,
    create_teams: bool = False,
) -> UsageImport:
    """Read, check and store one export. A file with problems stores nothing unless ``only_valid``; rows
    naming a team the account lacks are problems unless ``create_teams``. ValueError: unreadable file."""
    result = read(data, fmt, mapping)
    problems = list(result.problems)
    teams = {t.name: t for t in account.teams}
    # Cut names to what their columns hold *before* they become keys: two apps (or teams) that differ only
    # after the cut are the same stored row, and a re-import must find the rows it replaces.
    frame = result.frame.assign(
        app=result.frame.app.map(lambda a: a[:APP_MAX]),
        team=result.frame.team.map(lambda t: t[:TEAM_MAX].strip() or None if isinstance(t, str) else None),
    )
    unknown = sorted({t for t in frame.team.dropna() if t not in teams})
    if unknown and create_teams:
        for name in unknown:
            team = Team(tenant_id=account.tenant_id, name=name, headcount=0)
            account.teams.append(team)
            teams[name] = team
        session.flush()
    elif unknown:
        problems += [Problem(0, "team", f"the account has no team {name!r}") for name in unknown]
        frame = frame[~frame.team.isin(unknown)]
    record = UsageImport(
        tenant_id=account.tenant_id,
        account_id=account.id,
        filename=strip_control(filename)[:255],  # a browser sends whatever name the file had
        sha256=hashlib.sha256(data).hexdigest(),
        format=result.format,
        encoding=result.encoding,
        rows=result.rows,
        errors=[p.__dict__ for p in problems[:1000]],
        mapping=dict(mapping or {}),
        created_by_id=actor.id if actor else None,
    )
    session.add(record)
    session.flush()
    if problems and not only_valid:
        record.status = "refused"
        session.flush()
        return record
    record.imported, record.replaced = store(session, account, record.id, frame, secret)
    session.flush()
    return record


def store(
    session: Session, account: Account, import_id: int, frame, secret: str, hasher=None
) -> tuple[int, int]:
    """Write checked rows of import ``import_id``: new ones added, rows of the same day, person and app
    replaced, never counted twice. Returns (rows written, of which replaced)."""
    from reports.usage_store import Hasher, count_rows, rows_frame, upsert

    team_ids = {t.name: t.id for t in account.teams}
    rows = rows_frame(frame, account, import_id, hasher or Hasher(secret, account.tenant_id), team_ids)
    before = count_rows(session, account)
    upsert(session, rows)
    added = count_rows(session, account) - before
    return len(rows), len(rows) - added

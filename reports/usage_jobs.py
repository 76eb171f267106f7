"""Large usage exports import as a background job: read in chunks (memory stays flat on a million rows),
progress written as it goes, all or nothing like a small import, and a failure shown with a retry.

The upload is kept as a file next to the instance until the job is done, and a ``UsageImport`` row in
"queued" exists before the job is enqueued (docs/conventions.md), so a retry or a sweep after a Redis outage
finds the same row and the same file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reports.importers import Problem, read
from reports.importers.base import detect
from reports.importers.generic import CHUNK_ROWS, GenericSheet
from reports.usage import UsageImport, store
from reports.usage_store import Hasher
from tenants.accounts import Account, Team
from tenants.db import db
from tenants.jobs import enqueue, job, setting, sweeper
from tenants.scoping import Scope, scoped, unscoped
from tenants.users import User

INLINE_MAX_ROWS = 50_000  # above this an import runs as a job (USAGE_INLINE_MAX_ROWS)


class Refused(Exception):
    """The file has problems and the user did not choose to import only the valid rows."""


def count_lines(data: bytes) -> int:
    """A cheap upper bound of a text export's rows (an .xlsx counts as small: Excel stops at 1,048,576)."""
    return 0 if data[:2] == b"PK" else data.count(b"\n")


def queue_import(
    session: Session,
    account: Account,
    actor: User | None,
    data: bytes,
    *,
    folder: Path,
    filename: str,
    fmt: str,
    mapping: dict[str, str] | None,
    only_valid: bool,
    create_teams: bool,
) -> UsageImport:
    """Keep the upload and record a queued import (the caller commits, then calls :func:`start`)."""
    record = UsageImport(
        tenant_id=account.tenant_id,
        account_id=account.id,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt if fmt != "auto" else "generic",
        rows=count_lines(data),
        mapping=dict(mapping or {}),
        status="queued",
        options={"fmt": fmt, "only_valid": only_valid, "create_teams": create_teams},
        created_by_id=actor.id if actor else None,
    )
    session.add(record)
    session.flush()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"usage-{account.tenant_id}-{record.id}"
    path.write_bytes(data)
    record.stored_file = str(path)
    return record


PREVIEW_ROWS = 10_000


def preview_large(data: bytes, fmt: str, mapping: dict | None):
    """The preview of a large file: its first rows checked (the job checks the rest, all or nothing)."""
    import io

    with io.BytesIO(data) as stream:
        first = next(_results_of(stream, fmt, mapping, PREVIEW_ROWS))
    return first


def job_key(record: UsageImport) -> str:
    return f"usage-import-{record.id}"


def start(record: UsageImport) -> None:
    """Enqueue the job of a queued import (in-process on the embedded default)."""
    enqueue(run_usage_import, record.id, record.tenant_id, job_id=job_key(record))


def may_retry(record: UsageImport) -> bool:
    return record.status == "failed"


def reset_for_retry(record: UsageImport) -> None:
    record.status, record.error, record.rows_done = "queued", None, 0


@job("imports", timeout=3600, retries=0)
def run_usage_import(import_id: int, tenant_id: int) -> str:
    """Job: import a queued file. Returns the import's status."""
    session = db.session
    secret = setting("SECRET_KEY")
    with scoped(session, Scope(tenant_id=tenant_id)):
        record = session.get(UsageImport, import_id)
        if record is None or record.status in ("done", "refused"):
            return "missing" if record is None else record.status  # a re-delivered job changes nothing
        record.status, record.error, record.rows_done = "running", None, 0
        record.imported = record.replaced = 0
        session.commit()
        try:
            outcome = _import_file(session, record, secret)
        except Refused as refused:
            session.rollback()
            record = session.get(UsageImport, import_id)
            record.status, record.errors, record.rows = "refused", refused.args[0], refused.args[1]
            session.commit()
            return "refused"
        except Exception as error:
            session.rollback()
            record = session.get(UsageImport, import_id)
            record.status, record.error = "failed", f"{type(error).__name__}: {error}"[:1000]
            session.commit()
            raise
        record.status, record.errors = "done", outcome["errors"]
        record.rows, record.imported, record.replaced = (
            outcome["rows"],
            outcome["imported"],
            outcome["replaced"],
        )
        record.format, record.encoding = outcome["format"], outcome["encoding"]
        if record.stored_file:
            Path(record.stored_file).unlink(missing_ok=True)
            record.stored_file = None
        session.commit()
        return "done"


def _import_file(session: Session, record: UsageImport, secret: str) -> dict:
    """Read the stored file chunk by chunk and store the valid rows; returns the counts, the format and the
    problems found (at most 1,000). Raises Refused when there are problems and only-valid was not chosen
    (the caller rolls back).

    ``record`` is only read here: its row is updated by the progress connection while this transaction
    runs, and a change to it in this transaction would lock that row against the progress update.
    """
    account = session.get(Account, record.account_id)
    options = record.options or {}
    path = Path(record.stored_file or "")
    if not path.is_file():
        raise FileNotFoundError("the uploaded file is no longer there; upload it again")
    problems: list[Problem] = []
    hasher = Hasher(secret, account.tenant_id)
    teams = {t.name for t in account.teams}
    unknown: set[str] = set()
    rows = imported = replaced = 0
    fmt = encoding = None
    for result in _results(path, options.get("fmt", "auto"), record.mapping or None):
        problems += result.problems
        frame = result.frame
        new = {t for t in frame.team.dropna() if t not in teams}
        if new and options.get("create_teams"):
            for name in sorted(new):
                account.teams.append(Team(tenant_id=account.tenant_id, name=name[:120], headcount=0))
                teams.add(name)
            session.flush()
        elif new:
            unknown |= new
        frame = frame[~frame.team.isin(unknown)]
        fmt, encoding = result.format, result.encoding
        written, again = store(session, account, record.id, frame, secret, hasher)
        imported, replaced, rows = imported + written, replaced + again, rows + result.rows
        _progress(session, record.id, rows)
    problems += [Problem(0, "team", f"the account has no team {name!r}") for name in sorted(unknown)]
    found = [p.__dict__ for p in problems[:1000]]
    if problems and not options.get("only_valid"):
        raise Refused(found, rows)
    return {
        "errors": found,
        "rows": rows,
        "imported": imported,
        "replaced": replaced,
        "format": fmt or record.format,
        "encoding": encoding,
    }


def _results(path: Path, fmt: str, mapping: dict | None):
    with path.open("rb") as stream:
        yield from _results_of(stream, fmt, mapping, CHUNK_ROWS)


def _results_of(stream, fmt: str, mapping: dict | None, chunk_rows: int):
    """A CSV export chunk by chunk; any other format (small by nature) in one piece."""
    head = stream.read(4096)
    stream.seek(0)
    chosen = detect(head) if fmt == "auto" else None
    if head[:2] != b"PK" and (fmt == "generic" or chosen is GenericSheet):
        yield from GenericSheet().read_chunks(stream, mapping, chunk_rows)
        return
    yield read(stream.read(), fmt, mapping)


def _progress(session: Session, import_id: int, rows_done: int) -> None:
    """Show how far the job is while its rows are still uncommitted: a separate short transaction on
    PostgreSQL (SQLite allows one writer, and there the job runs inline while the person waits anyway)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    with bind.begin() as connection:
        # By primary key, on the row this job was given; Core statements bypass the ORM scope by design.
        connection.execute(
            update(UsageImport.__table__)
            .where(UsageImport.__table__.c.id == import_id)
            .values(rows_done=rows_done)
        )


@sweeper
def requeue_usage_imports() -> int:
    """Enqueue imports still waiting in "queued" (asked for while Redis was away, or lost by a restart)."""
    with unscoped(db.session, "the sweeper re-enqueues queued imports of every tenant"):
        waiting = list(db.session.scalars(select(UsageImport).where(UsageImport.status == "queued")))
        for record in waiting:
            start(record)
    return len(waiting)

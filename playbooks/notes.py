"""The second brain: raw notes from chat exports and note folders, kept raw, flagged, promoted to use cases.

Collect first, organise later. A champion imports the channel where people already talk about their AI wins
(see :mod:`playbooks.note_formats` for the formats); every message is stored as it came (the author as a keyed
hash, see :mod:`tenants.pseudonyms`), never rewritten. Re-importing an overlapping export adds only the
messages not stored yet (one row per account, source and message id). Notes that look like a win are flagged
with the reasons of :mod:`playbooks.win_rules`; a champion turns one into a use-case draft in a minute
(:func:`draft_from_note`), and the note keeps a link to the case it became.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks import library
from playbooks.note_formats import ParsedExport, RawNote, parse_export
from playbooks.recurrence import tokyo_date
from playbooks.search.index import _like_pattern
from playbooks.search.lexical import score_document
from playbooks.search.terms import normalize, parse_query
from playbooks.usecases import Source, UseCase
from playbooks.win_rules import model_mentioned, split_prompt, win_reasons
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.pseudonyms import hash_user
from tenants.scoping import AccountOwned
from tenants.users import User

PAGE_SIZE = 50
SEARCH_CANDIDATES = 2_000  # newest matching notes ranked per search
INSERT_BATCH = 1_000


class NoteImport(AccountOwned, db.Model):
    """One imported export and what came of it."""

    __tablename__ = "note_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # slack / teams / markdown
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    notes_in_file: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)  # new notes stored
    already_there: Mapped[int] = mapped_column(default=0)  # notes an earlier import stored
    skipped: Mapped[int] = mapped_column(default=0)  # joins, bot posts, files that are not notes
    flagged: Mapped[int] = mapped_column(default=0)  # of the added notes
    channels: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()


class Note(AccountOwned, db.Model):
    """One chat message or note, as it came."""

    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("account_id", "source", "external_id"),
        Index("ix_notes_account_posted", "account_id", "posted_at"),
        # A search's LIKE terms use this on PostgreSQL; SQLite scans the account's notes.
        Index(
            "ix_notes_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("note_imports.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(120))
    thread: Mapped[str | None] = mapped_column(String(120))
    author_hash: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    title: Mapped[str] = mapped_column(String(200), default="")
    raw: Mapped[str] = mapped_column(Text)  # exactly as exported
    text: Mapped[str] = mapped_column(Text)  # readable plain text of it
    search_text: Mapped[str] = mapped_column(Text)  # normalised title + text
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"kind", "text"}] from the win rules
    flagged: Mapped[bool] = mapped_column(default=False, index=True)
    use_case_id: Mapped[int | None] = mapped_column(ForeignKey("use_cases.id", ondelete="SET NULL"))
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    promoted_at: Mapped[datetime | None]

    use_case: Mapped[UseCase | None] = relationship()
    account: Mapped[Account] = relationship()

    @property
    def author_label(self) -> str:
        """How the page names the author: a short, stable pseudonym (the hash is all that is stored)."""
        return f"#{self.author_hash[:6]}" if self.author_hash else "—"

    @property
    def posted_day(self) -> date:
        return tokyo_date(self.posted_at)


# --- import -----------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    record: NoteImport
    parsed: ParsedExport


def _row(note: RawNote, account: Account, import_id: int, source: str, secret: str) -> dict:
    reasons = win_reasons(f"{note.title}\n{note.text}")
    return dict(
        tenant_id=account.tenant_id,
        account_id=account.id,
        import_id=import_id,
        source=source,
        external_id=note.external_id,
        channel=note.channel,
        thread=(note.thread or None) and note.thread[:120],
        author_hash=hash_user(secret, account.tenant_id, note.author) if note.author else None,
        posted_at=note.posted_at,
        edited_at=note.edited_at,
        title=note.title,
        raw=note.raw,
        text=note.text,
        search_text=normalize(f"{note.title}\n{note.text}"),
        attachments=note.attachments,
        meta=note.meta,
        reasons=[{"kind": r.kind, "text": r.text[:200]} for r in reasons],
        flagged=bool(reasons),
    )


_JSON_COLUMNS = ("attachments", "meta", "reasons")


def _insert(session: Session, rows: list[dict]) -> None:
    """Store new notes: by COPY on PostgreSQL (a 100,000-message export: about 3x faster than batched
    INSERTs), in batches elsewhere. The keys were checked first, so nothing conflicts."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        for start in range(0, len(rows), INSERT_BATCH):
            session.execute(insert(Note), rows[start : start + INSERT_BATCH])
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection  # psycopg 3, inside the session's transaction
    with raw.cursor().copy(f"COPY notes ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c], ensure_ascii=False) if c in _JSON_COLUMNS else row[c] for c in columns]
            )


def _stored_ids(session: Session, account: Account, source: str) -> set[str]:
    """The keys of the notes ``account`` already holds from ``source``: one query, whatever the export's size
    (an IN list per thousand keys was planned as a scan per chunk on a freshly filled table)."""
    return set(
        session.scalars(select(Note.external_id).where(Note.account_id == account.id, Note.source == source))
    )


def import_notes(
    session: Session, account: Account, actor: User | None, data: bytes, *, filename: str, secret: str
) -> ImportOutcome:
    """Read ``data`` (any supported format) and store the notes ``account`` does not have yet.

    NoteFormatError (nothing stored) when the file cannot be read as a whole. The caller commits.
    """
    parsed = parse_export(data, filename)
    record = NoteImport(
        tenant_id=account.tenant_id,
        account_id=account.id,
        source=parsed.source,
        filename=(filename or "upload")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        notes_in_file=len(parsed.notes),
        skipped=parsed.skipped,
        channels=parsed.channels[:200],
        created_by_id=actor.id if actor else None,
    )
    session.add(record)
    session.flush()
    stored = _stored_ids(session, account, parsed.source)
    rows = [
        _row(n, account, record.id, parsed.source, secret)
        for n in parsed.notes
        if n.external_id not in stored
    ]
    _insert(session, rows)
    record.added = len(rows)
    record.already_there = len(parsed.notes) - len(rows)
    record.flagged = sum(1 for r in rows if r["flagged"])
    return ImportOutcome(record, parsed)


def imports_of(session: Session, account: Account, limit: int = 20) -> list[NoteImport]:
    return list(
        session.scalars(
            select(NoteImport)
            .where(NoteImport.account_id == account.id)
            .order_by(NoteImport.id.desc())
            .limit(limit)
        )
    )


# --- finding notes ----------------------------------------------------------------------------------------


@dataclass
class NoteFilters:
    query: str = ""
    flagged_only: bool = False
    channel: str | None = None
    promoted: bool | None = None  # True: promoted only; False: not yet promoted


@dataclass
class NotePage:
    notes: list[Note]
    total: int
    page: int
    pages: int
    terms: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)  # all / flagged / promoted, before the filters


def _filtered(account_id: int, filters: NoteFilters):
    query = select(Note).where(Note.account_id == account_id)
    if filters.flagged_only:
        query = query.where(Note.flagged.is_(True))
    if filters.channel:
        query = query.where(Note.channel == filters.channel)
    if filters.promoted is True:
        query = query.where(Note.use_case_id.is_not(None))
    elif filters.promoted is False:
        query = query.where(Note.use_case_id.is_(None))
    return query


def note_counts(session: Session, account_id: int) -> dict[str, int]:
    """How many notes the account holds, how many the rules flag, how many became use cases."""
    total, flagged, promoted = session.execute(
        select(
            func.count(Note.id),
            func.count(Note.id).filter(Note.flagged.is_(True)),
            func.count(Note.use_case_id),
        ).where(Note.account_id == account_id)
    ).one()
    return {"all": total, "flagged": flagged, "promoted": promoted}


def channels_of(session: Session, account_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Note.channel).where(Note.account_id == account_id).distinct().order_by(Note.channel)
        )
    )


def find_notes(session: Session, account_id: int, filters: NoteFilters, page: int = 1) -> NotePage:
    """A page of the account's notes, newest first, or ranked like the use-case search when there is a query
    (the same terms and scoring: Japanese matches anywhere, English at word starts)."""
    page = max(page, 1)
    counts = note_counts(session, account_id)
    parsed = parse_query(filters.query)
    query = _filtered(account_id, filters)
    if not parsed.terms:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        notes = session.scalars(
            query.order_by(Note.posted_at.desc(), Note.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return NotePage(list(notes), total, page, max(1, -(-total // PAGE_SIZE)), counts=counts)
    matching = or_(*(Note.search_text.like(_like_pattern(t), escape="\\") for t in parsed.terms))
    candidates = session.execute(
        query.with_only_columns(Note.id, Note.title, Note.search_text)
        .where(matching)
        .order_by(Note.posted_at.desc())
        .limit(SEARCH_CANDIDATES)
    ).all()
    hits = [
        hit
        for note_id, title, text in candidates
        if (hit := score_document(note_id, {"title": normalize(title), "problem": text}, parsed.terms))
    ]
    hits.sort(key=lambda h: (-h.score, -h.doc_id))
    chosen = [h.doc_id for h in hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    by_id = {n.id: n for n in session.scalars(select(Note).where(Note.id.in_(chosen)))} if chosen else {}
    return NotePage(
        [by_id[i] for i in chosen if i in by_id],
        len(hits),
        page,
        max(1, -(-len(hits) // PAGE_SIZE)),
        terms=parsed.terms,
        counts=counts,
    )


def thread_of(session: Session, note: Note, limit: int = 50) -> list[Note]:
    """The other messages of the note's thread, in order (context for the champion)."""
    if not note.thread:
        return []
    return list(
        session.scalars(
            select(Note)
            .where(
                Note.account_id == note.account_id,
                Note.source == note.source,
                Note.channel == note.channel,
                Note.thread == note.thread,
                Note.id != note.id,
            )
            .order_by(Note.posted_at)
            .limit(limit)
        )
    )


# --- promoting --------------------------------------------------------------------------------------------


def _first_line(text: str, limit: int = 80) -> str:
    line = next((ln.strip(" #-*>") for ln in text.splitlines() if ln.strip(" #-*>`")), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def draft_from_note(note: Note) -> dict:
    """Use-case fields prefilled from a note: title, problem, prompt, result, minutes before/after where the
    note states them, the model it names and the day it was posted. The champion edits before publishing."""
    reasons = win_reasons(f"{note.title}\n{note.text}")
    problem, prompt = split_prompt(note.text)
    timed = next((r for r in reasons if r.minutes_before is not None), None)
    said = [r.text for r in reasons if r.kind in ("before_after", "helped")]
    return {
        "title": note.title or _first_line(problem or note.text),
        "problem": problem[:4000],
        "prompt": prompt[:4000],
        "result": " / ".join(dict.fromkeys(said))[:1000],
        "model_name": model_mentioned(note.text) or "",
        "used_on": note.posted_day,
        "minutes_saved_per_run": int(timed.minutes_before - timed.minutes_after) if timed else None,
        "minutes_before": timed.minutes_before if timed else None,
        "minutes_after": timed.minutes_after if timed else None,
    }


class AlreadyPromoted(ValueError):
    """The note already became a use case (its id is ``use_case_id``)."""

    def __init__(self, use_case_id: int):
        super().__init__(f"note already promoted to use case {use_case_id}")
        self.use_case_id = use_case_id


def promote_note(session: Session, note: Note, actor: User, *, publish: bool, **fields) -> UseCase:
    """Write the use case the note describes (through the library, so it is indexed and held to the same
    rules) and link the note to it. FieldErrors: nothing is written."""
    if note.use_case_id is not None:
        raise AlreadyPromoted(note.use_case_id)
    case = library.post_use_case(session, note.account, actor, source=Source.NOTE, publish=publish, **fields)
    note.use_case_id = case.id
    note.promoted_by_id = actor.id
    note.promoted_at = utcnow()
    return case

"""The library's search indexes in the database, kept in step with the use cases.

* ``use_case_search``: one row per use case with its normalised text (``body``) and the distinct two-character
  runs of its Japanese text (``bigrams``). Written by mapper events whenever a use case is inserted or
  updated, so every path that creates a use case (talks, hackathons, the API, imports) is indexed.
* Lexical lookups. PostgreSQL: a pg_trgm GIN index on ``body`` answers ``LIKE '%term%'`` for terms of three
  or more characters; ``bigrams`` is a tsvector (built from the list, no text-search parser involved, so the
  locale does not matter) with a GIN index for one- and two-character terms. SQLite: an FTS5 trigram table
  and an FTS5 table over the bigram list (migration 0005 creates both; they are not ORM models, so they are
  named ``fts_*``, which Alembic's comparison skips).
* ``use_case_embeddings``: one vector per use case and embedder version, as float32 bytes, computed on
  save (in a job for bulk imports, and lazily for any case a search finds without one).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime

import numpy as np
from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    cast,
    delete,
    event,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from playbooks.search.embedders import Embedder, embedding_text
from playbooks.search.lexical import search_text
from playbooks.search.terms import ParsedQuery, bigrams, is_cjk, is_short
from playbooks.usecases import UseCase
from tenants.db import db, utcnow
from tenants.scoping import AccountOwned

log = logging.getLogger(__name__)

FTS_TRIGRAM = "fts_use_cases_trigram"
FTS_BIGRAM = "fts_use_cases_bigram"
CANDIDATE_LIMIT = 300


class UseCaseSearch(AccountOwned, db.Model):
    """The normalised text of one use case, for the lexical indexes."""

    __tablename__ = "use_case_search"
    __table_args__ = (
        Index(
            "ix_use_case_search_body_trgm",
            "body",
            postgresql_using="gin",
            postgresql_ops={"body": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        Index("ix_use_case_search_bigrams", "bigrams", postgresql_using="gin").ddl_if(dialect="postgresql"),
        Index("ix_use_case_search_needs_vector", "needs_vector", "account_id"),
    )

    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    # PostgreSQL: a tsvector of the bigrams; SQLite: the same list as text (the FTS5 table indexes it).
    bigrams: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    embed_hash: Mapped[str] = mapped_column(String(40))  # sha1 of the embedded text: stale vectors show
    # The embedded text changed and no vector of the default embedder was stored since: a search finds
    # these through an index instead of comparing every row with its vector.
    needs_vector: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class UseCaseVectorStamp(AccountOwned, db.Model):
    """A counter per account and embedder version, raised whenever vectors are stored: a process compares it
    with the one its in-memory matrix was built at, instead of counting 100,000 rows on every search."""

    __tablename__ = "use_case_vector_stamps"
    __table_args__ = (UniqueConstraint("account_id", "model_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_version: Mapped[str] = mapped_column(String(120))
    generation: Mapped[int] = mapped_column(default=0)
    # Random per stamp row: a matrix built from an earlier row with the same ids (a restored or emptied
    # database) is never mistaken for current.
    epoch: Mapped[str] = mapped_column(String(32))


class UseCaseEmbedding(AccountOwned, db.Model):
    """One use case's vector under one embedder version."""

    __tablename__ = "use_case_embeddings"

    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(120), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    text_hash: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def _fields(use_case: UseCase) -> dict:
    return {
        "title": use_case.title,
        "problem": use_case.problem,
        "prompt": use_case.prompt,
        "result": use_case.result,
        "tags": list(use_case.tags or []),
        "model_name": use_case.model_name,
    }


def _tsvector_literal(pairs: list[str]) -> str:
    """A tsvector in its input syntax: each lexeme quoted, so no parser or locale is involved."""
    return " ".join("'" + p.replace("\\", "\\\\").replace("'", "''") + "'" for p in pairs)


def embed_hash(use_case: UseCase) -> str:
    return hashlib.sha1(embedding_text(_fields(use_case)).encode("utf-8")).hexdigest()


def _write_index(connection, use_case: UseCase) -> None:
    fields = _fields(use_case)
    body = search_text(fields)
    pairs = bigrams("\n".join(str(v) for v in fields.values()))
    table = UseCaseSearch.__table__
    digest = embed_hash(use_case)
    previous = connection.execute(
        select(table.c.embed_hash, table.c.needs_vector).where(table.c.use_case_id == use_case.id)
    ).first()
    needs_vector = previous is None or previous.needs_vector or previous.embed_hash != digest
    connection.execute(delete(table).where(table.c.use_case_id == use_case.id))
    connection.execute(
        table.insert().values(
            use_case_id=use_case.id,
            tenant_id=use_case.tenant_id,
            account_id=use_case.account_id,
            body=body,
            bigrams=_tsvector_literal(pairs) if connection.dialect.name == "postgresql" else " ".join(pairs),
            embed_hash=digest,
            needs_vector=needs_vector,
            updated_at=utcnow(),
        )
    )
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DELETE FROM {FTS_TRIGRAM} WHERE rowid = :id"), {"id": use_case.id})
        connection.execute(text(f"DELETE FROM {FTS_BIGRAM} WHERE rowid = :id"), {"id": use_case.id})
        connection.execute(
            text(f"INSERT INTO {FTS_TRIGRAM} (rowid, body) VALUES (:id, :body)"),
            {"id": use_case.id, "body": body},
        )
        connection.execute(
            text(f"INSERT INTO {FTS_BIGRAM} (rowid, bigrams) VALUES (:id, :b)"),
            {"id": use_case.id, "b": " ".join(pairs)},
        )


@event.listens_for(UseCase, "after_insert")
@event.listens_for(UseCase, "after_update")
def _index_on_save(mapper, connection, use_case: UseCase) -> None:
    _write_index(connection, use_case)


@event.listens_for(UseCase, "after_delete")
def _unindex_on_delete(mapper, connection, use_case: UseCase) -> None:
    if connection.dialect.name == "sqlite":
        for table in (FTS_TRIGRAM, FTS_BIGRAM):
            connection.execute(text(f"DELETE FROM {table} WHERE rowid = :id"), {"id": use_case.id})


# ---------------------------------------------------------------- lexical candidates


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _bigram_term(term: str) -> bool:
    """Two characters with Japanese in them: indexed in the bigram list (see :func:`terms.bigrams`)."""
    return len(term) == 2 and is_cjk(term)


def lexical_candidates(session: Session, parsed: ParsedQuery, restrict) -> list[int]:
    """Ids of use cases containing at least one query term, newest first, at most CANDIDATE_LIMIT.

    ``restrict`` is a list of extra WHERE clauses on UseCase (accounts, filters); the session's scope applies
    as always. Ranking is left to :mod:`playbooks.search.lexical`.
    """
    if not parsed.terms:
        return []
    dialect = session.get_bind().dialect.name
    search = UseCaseSearch
    conditions = []
    if dialect == "postgresql":
        for term in parsed.terms:
            if _bigram_term(term):
                conditions.append(search.bigrams.op("@@")(cast(_tsvector_literal([term]), TSQUERY)))
            else:
                conditions.append(search.body.like(_like_pattern(term), escape="\\"))
    else:
        long_terms = [t for t in parsed.terms if not is_short(t)]
        pair_terms = [t for t in parsed.terms if _bigram_term(t)]
        other = [t for t in parsed.terms if is_short(t) and t not in pair_terms]
        for table, column, terms in ((FTS_TRIGRAM, "tri", long_terms), (FTS_BIGRAM, "bi", pair_terms)):
            if terms:
                match = text(f"SELECT rowid FROM {table} WHERE {table} MATCH :{column}").bindparams(
                    **{column: " OR ".join(_fts_phrase(t) for t in terms)}
                )
                conditions.append(search.use_case_id.in_(match))
        # One Latin letter or two, or a single kanji: below both indexes; a LIKE over the account's rows.
        conditions += [search.body.like(_like_pattern(t), escape="\\") for t in other]
    statement = (
        select(search.use_case_id)
        .join(UseCase, UseCase.id == search.use_case_id)
        .where(or_(*conditions), *restrict)
        .order_by(search.use_case_id.desc())
        .limit(CANDIDATE_LIMIT)
    )
    return list(session.scalars(statement))


# ---------------------------------------------------------------- embeddings


def store_embeddings(session: Session, use_cases: list[UseCase], embedder: Embedder) -> int:
    """Compute and store the vectors of ``use_cases`` under ``embedder``; returns how many were written."""
    if embedder.dim == 0 or not use_cases:
        return 0
    vectors = embedder.encode([embedding_text(_fields(u)) for u in use_cases])
    ids = [u.id for u in use_cases]
    session.execute(
        delete(UseCaseEmbedding).where(
            UseCaseEmbedding.use_case_id.in_(ids), UseCaseEmbedding.model_version == embedder.version
        )
    )
    for use_case, vector in zip(use_cases, vectors, strict=True):
        session.add(
            UseCaseEmbedding(
                tenant_id=use_case.tenant_id,
                account_id=use_case.account_id,
                use_case_id=use_case.id,
                model_version=embedder.version,
                vector=np.asarray(vector, dtype=np.float32).tobytes(),
                text_hash=embed_hash(use_case),
            )
        )
    session.flush()
    session.execute(
        update(UseCaseSearch)
        .where(UseCaseSearch.use_case_id.in_(ids))
        .values(needs_vector=False)
        .execution_options(synchronize_session=False)
    )
    for account_id, tenant_id in {(u.account_id, u.tenant_id) for u in use_cases}:
        bump_stamp(session, tenant_id, account_id, embedder.version)
    return len(use_cases)


def bump_stamp(session: Session, tenant_id: int, account_id: int, version: str) -> None:
    """Raise the account's vector generation (an upsert: two processes storing at once both count)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = UseCaseVectorStamp.__table__
    statement = insert(table).values(
        tenant_id=tenant_id,
        account_id=account_id,
        model_version=version,
        generation=1,
        epoch=uuid.uuid4().hex,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "model_version"], set_={"generation": table.c.generation + 1}
        )
    )


def flagged_for_vectors(session: Session, account_ids, limit: int) -> list[UseCase]:
    """Use cases whose text changed since their last vector (the cheap, indexed check searches use)."""
    flagged = select(UseCaseSearch.use_case_id).where(
        UseCaseSearch.needs_vector.is_(True), UseCaseSearch.account_id.in_(list(account_ids))
    )
    ids = list(session.scalars(flagged.limit(limit)))
    if not ids:
        return []
    return list(session.scalars(select(UseCase).where(UseCase.id.in_(ids)).order_by(UseCase.id)))


def pending_embeddings(session: Session, account_ids, embedder: Embedder, limit: int) -> list[UseCase]:
    """Use cases of the accounts whose vector under ``embedder`` is missing or out of date."""
    if embedder.dim == 0:
        return []
    statement = (
        select(UseCase)
        .join(UseCaseSearch, UseCaseSearch.use_case_id == UseCase.id)
        .outerjoin(
            UseCaseEmbedding,
            and_(
                UseCaseEmbedding.use_case_id == UseCase.id,
                UseCaseEmbedding.model_version == embedder.version,
            ),
        )
        .where(
            UseCase.account_id.in_(list(account_ids)),
            or_(
                UseCaseEmbedding.use_case_id.is_(None),
                UseCaseEmbedding.text_hash != UseCaseSearch.embed_hash,
            ),
        )
        .order_by(UseCase.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def check_database_locale(engine) -> str | None:
    """A warning when PostgreSQL's lc_ctype is C/POSIX: pg_trgm then sees no letters in Japanese text and
    builds no trigrams for it, so Japanese lexical search finds nothing."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        ctype = conn.execute(
            text("SELECT datctype FROM pg_database WHERE datname = current_database()")
        ).scalar()
    if ctype and ctype.upper() in ("C", "POSIX"):
        return (
            f"database lc_ctype is {ctype}: pg_trgm builds no trigrams for Japanese text, so Japanese "
            "lexical search of the use-case library finds nothing; create the database with a UTF-8 locale "
            "(e.g. C.UTF-8 or ja_JP.UTF-8)"
        )
    return None

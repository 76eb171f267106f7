"""``search_use_cases``: the one entry point the library page, the API and the CLI call.

Lexical candidates come from the database indexes (see :mod:`playbooks.search.index`) and are ranked by
:mod:`playbooks.search.lexical`; semantic neighbours come from an in-process vector matrix per account and
embedder version, rebuilt when that account's vectors change; :func:`playbooks.search.fusion.hybrid_rank`
fuses both. Results carry why they matched: highlighted words, or "similar meaning".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from playbooks.search import fusion, lexical
from playbooks.search.embedders import Embedder, embedder_for
from playbooks.search.index import (
    UseCaseEmbedding,
    UseCaseSearch,
    UseCaseVectorStamp,
    flagged_for_vectors,
    lexical_candidates,
    store_embeddings,
)
from playbooks.search.terms import MAX_QUERY_CHARS, highlight, normalize, parse_query, snippet
from playbooks.search.vectors import VectorMatrix, merge
from playbooks.usecases import Stage, UseCase
from tenants.errors import N_, Message

# Vectors computed inside a search request for cases saved without one (others go to a job).
INLINE_EMBED_LIMIT = 64
# Semantic neighbours fetched before the (cheap) filter check when no filter narrows the set.
SEMANTIC_PREFETCH = 50


def default_embedder() -> Embedder:
    """The embedder named by USECASE_EMBEDDER ('use' by default, 'none', or 'st:/path')."""
    return embedder_for(os.environ.get("USECASE_EMBEDDER", "use"))


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing a search or a listing: all optional."""

    team_id: int | None = None
    stage: str | None = None  # None: every stage but archived
    model: str | None = None  # substring of the model name, case-insensitive
    date_from: date | None = None
    date_to: date | None = None
    tag: str | None = None
    stages: frozenset[str] | None = None  # what the reader may see at all (procurement: production)

    def clauses(self, drafts_of: int | None = None) -> list:
        """WHERE clauses on UseCase: published cases only (plus the drafts of user ``drafts_of``)."""
        published = UseCase.published_at.is_not(None)
        clauses = [or_(published, UseCase.author_id == drafts_of) if drafts_of else published]
        if self.stage:
            clauses.append(UseCase.stage == self.stage)
        else:
            clauses.append(UseCase.stage != Stage.ARCHIVED.value)
        if self.stages is not None:
            clauses.append(UseCase.stage.in_(sorted(self.stages)))
        if self.team_id:
            clauses.append(UseCase.team_id == self.team_id)
        if self.model:
            clauses.append(
                func.lower(UseCase.model_name).contains(self.model.strip().lower(), autoescape=True)
            )
        if self.date_from:
            clauses.append(UseCase.used_on >= self.date_from)
        if self.date_to:
            clauses.append(UseCase.used_on <= self.date_to)
        if self.tag:
            # Narrowed by text here, checked exactly on the loaded rows (tags are a JSON list).
            clauses.append(
                UseCase.id.in_(
                    select(UseCaseSearch.use_case_id).where(
                        UseCaseSearch.body.contains(normalize(self.tag), autoescape=True)
                    )
                )
            )
        return clauses

    @property
    def narrows(self) -> bool:
        return any(
            (self.team_id, self.stage, self.model, self.date_from, self.date_to, self.tag, self.stages)
        )

    def admits(self, use_case: UseCase) -> bool:
        return not self.tag or normalize(self.tag) in [normalize(t) for t in use_case.tags or []]


@dataclass
class SearchHit:
    """One result with what to show: highlighted title and snippet pieces, and why it matched."""

    use_case: UseCase
    score: float
    matched_terms: tuple[str, ...]
    similar_meaning: bool
    title_pieces: list[tuple[str, bool]]
    snippet_pieces: list[tuple[str, bool]]

    def as_dict(self) -> dict:
        return {"id": self.use_case.id, "title": self.use_case.title, "score": round(self.score, 5)}


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    notice: str | None = None  # a message for the person (query shortened, nothing to search for)
    semantic: bool = True


# ---------------------------------------------------------------- the vector matrix cache


@dataclass
class _Cached:
    generation: tuple[str, int]  # (epoch, generation) of the account's stamp
    loaded_until: datetime | None  # newest vector row read so far
    matrix: VectorMatrix


_matrices: dict[tuple[str, int, str], _Cached] = {}  # (database, account, embedder version)
_matrices_lock = threading.Lock()


def _matrix(session: Session, account_ids: list[int], embedder: Embedder) -> VectorMatrix:
    """One matrix over the accounts' vectors. Each account's part is kept in this process and brought up to
    date only when the account's vector generation moved, by reading the rows stored since (deleted cases may
    linger in the matrix; the filter check drops them from results)."""
    database = str(session.get_bind().url)
    stamps = select(
        UseCaseVectorStamp.account_id, UseCaseVectorStamp.epoch, UseCaseVectorStamp.generation
    ).where(
        UseCaseVectorStamp.account_id.in_(account_ids), UseCaseVectorStamp.model_version == embedder.version
    )
    generations = {account_id: (epoch, n) for account_id, epoch, n in session.execute(stamps)}
    parts = []
    for account_id in account_ids:
        generation = generations.get(account_id)
        if generation is None:
            continue
        key = (database, account_id, embedder.version)
        with _matrices_lock:
            cached = _matrices.get(key)
        if cached is None or cached.generation != generation:
            query = select(
                UseCaseEmbedding.use_case_id, UseCaseEmbedding.vector, UseCaseEmbedding.updated_at
            ).where(
                UseCaseEmbedding.account_id == account_id, UseCaseEmbedding.model_version == embedder.version
            )
            if cached is not None and cached.loaded_until is not None:
                query = query.where(UseCaseEmbedding.updated_at >= cached.loaded_until)
            rows = session.execute(query).all()
            # Copy on write: another thread may be searching the cached matrix right now.
            matrix = cached.matrix.copy() if cached is not None else VectorMatrix(embedder.dim)
            matrix.upsert_many((doc_id, vector) for doc_id, vector, _ in rows)
            newest = max((r[2] for r in rows), default=cached.loaded_until if cached else None)
            cached = _Cached(generation=generation, loaded_until=newest, matrix=matrix)
            with _matrices_lock:
                _matrices[key] = cached
        parts.append(cached.matrix)
    return parts[0] if len(parts) == 1 else merge(parts, embedder.dim)


def refresh_embeddings(session: Session, account_ids: Iterable[int], embedder: Embedder, limit: int) -> int:
    """Embed up to ``limit`` cases of the accounts that have no current vector; returns how many remain
    unknown (> 0 means a job should finish the rest)."""
    account_ids = list(account_ids)
    pending = flagged_for_vectors(session, account_ids, limit + 1)
    store_embeddings(session, pending[:limit], embedder)
    return max(0, len(pending) - limit)


# ---------------------------------------------------------------- search


def search_use_cases(
    session: Session,
    account_ids: Iterable[int],
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    *,
    embedder: Embedder | None = None,
) -> SearchResults:
    """Hybrid search of the published use cases of ``account_ids`` (also restricted by the session's scope).

    Never raises on any query text: an empty or punctuation-only query returns no hits with a notice, a
    query longer than MAX_QUERY_CHARS is shortened with a notice.
    """
    filters = filters or SearchFilters()
    embedder = embedder or default_embedder()
    account_ids = sorted(set(account_ids))
    limit = max(1, min(int(limit), 100))
    parsed = parse_query(query)
    results = SearchResults(query=query or "", semantic=embedder.dim != 0)
    if parsed.truncated:
        results.notice = Message(
            N_("The query was shortened to its first %(n)d characters."), n=MAX_QUERY_CHARS
        )
    if parsed.empty or not account_ids:
        if not parsed.terms:
            results.notice = N_("Type a few words to search for (letters or numbers, not only punctuation).")
        return results
    restrict = [UseCase.account_id.in_(account_ids), *filters.clauses()]

    candidates = lexical_candidates(session, parsed, restrict)
    rows = _load(session, candidates)
    docs = {uc.id: lexical.searchable_fields(_fields(uc)) for uc in rows.values() if filters.admits(uc)}
    lexical_hits = lexical.rank(docs, parsed.terms, limit=fusion.SEMANTIC_DEPTH * 2)

    matrix, query_vector, neighbours = None, None, None
    if embedder.dim and parsed.text:
        if refresh_embeddings(session, account_ids, embedder, INLINE_EMBED_LIMIT):
            from playbooks.search.jobs import enqueue_embedding

            enqueue_embedding(session, account_ids)
        matrix = _matrix(session, account_ids, embedder)
        query_vector = embedder.encode([parsed.text])[0]
        if filters.narrows:
            allowed = set(session.scalars(select(UseCase.id).where(*restrict)))
            neighbours = fusion.matrix_neighbours(matrix, allowed)
        else:
            neighbours = _checked_neighbours(session, matrix, restrict)
    ranked = fusion.hybrid_rank(lexical_hits, matrix, query_vector, limit * 2, neighbours=neighbours)

    rows.update(_load(session, [r.doc_id for r in ranked if r.doc_id not in rows]))
    for item in ranked:
        use_case = rows.get(item.doc_id)
        if use_case is None or not filters.admits(use_case):
            continue
        terms = item.matched_terms
        body = use_case.problem or use_case.result or use_case.prompt
        results.hits.append(
            SearchHit(
                use_case=use_case,
                score=item.score,
                matched_terms=terms,
                similar_meaning=item.similar_meaning and not terms,
                title_pieces=highlight(use_case.title, terms),
                snippet_pieces=highlight(snippet(_first_matching(use_case, terms) or body, terms), terms),
            )
        )
        if len(results.hits) >= limit:
            break
    return results


def _checked_neighbours(session: Session, matrix: VectorMatrix, restrict: list) -> fusion.Neighbours:
    """Neighbours from the whole matrix, then one query keeps those that pass ``restrict`` (published, not
    archived, in the accounts): cheaper than building an allowed-id mask of 100,000 ids for every search."""

    def find(vectors):
        found = matrix.search_many(vectors, SEMANTIC_PREFETCH, None, fusion.MIN_SIMILARITY)
        ids = {d for row in found for d, _ in row}
        ok = set(session.scalars(select(UseCase.id).where(UseCase.id.in_(ids), *restrict))) if ids else set()
        return [[(d, s) for d, s in row if d in ok][: fusion.SEMANTIC_DEPTH] for row in found]

    return find


def similar_use_cases(
    session: Session,
    account_ids: Iterable[int],
    text_: str,
    exclude: Iterable[int] = (),
    limit: int = 5,
    *,
    embedder: Embedder | None = None,
) -> list[SearchHit]:
    """Cases like the one being written (title + problem), to suggest linking instead of duplicating."""
    exclude = set(exclude)
    found = search_use_cases(
        session, account_ids, text_[:MAX_QUERY_CHARS], None, limit + len(exclude), embedder=embedder
    )
    return [h for h in found.hits if h.use_case.id not in exclude][:limit]


def _fields(use_case: UseCase) -> dict:
    return {
        "title": use_case.title,
        "problem": use_case.problem,
        "prompt": use_case.prompt,
        "result": use_case.result,
        "tags": list(use_case.tags or []),
        "model_name": use_case.model_name,
    }


def _first_matching(use_case: UseCase, terms: tuple[str, ...]) -> str | None:
    for text_ in (use_case.problem, use_case.result, use_case.prompt):
        folded = normalize(text_ or "")
        if any(t in folded for t in terms):
            return text_
    return None


def _load(session: Session, ids: list[int]) -> dict[int, UseCase]:
    if not ids:
        return {}
    return {uc.id: uc for uc in session.scalars(select(UseCase).where(UseCase.id.in_(ids)))}

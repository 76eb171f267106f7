"""Lexical scoring: which query terms a use case contains, and where.

The database indexes (FTS5 trigram + bigram side table on SQLite, pg_trgm + bigrams on PostgreSQL) only
*find* candidates that contain a term; this module ranks them the same way on both databases, so results do
not depend on the engine: more matched terms first, then where they matched (a title beats a prompt), then
longer terms (a four-character Japanese compound says more than a two-character one).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from playbooks.search.terms import is_cjk, normalize

# How much a match in each field counts; the fields are those of a use case.
FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 3.0,
    "tags": 2.0,
    "problem": 1.5,
    "result": 1.2,
    "prompt": 1.0,
    "model_name": 1.0,
}


@dataclass(frozen=True)
class LexicalHit:
    """One document's lexical match: its score and the terms it contains."""

    doc_id: int
    score: float
    matched: tuple[str, ...]


def searchable_fields(fields: Mapping[str, object]) -> dict[str, str]:
    """The normalised text of each weighted field (tags joined by spaces)."""
    out = {}
    for name in FIELD_WEIGHTS:
        value = fields.get(name)
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        out[name] = normalize(str(value or ""))
    return out


def search_text(fields: Mapping[str, object]) -> str:
    """All searchable fields in one normalised string, as stored in the index tables."""
    return "\n".join(searchable_fields(fields).values())


def _contains(text: str, term: str) -> bool:
    """Japanese terms match anywhere; Latin terms only at the start of a word ('line' is not in 'outline',
    'request' is in 'requests')."""
    if term not in text:
        return False
    if is_cjk(term[0]):
        return True
    return re.search(r"(?<![0-9a-z])" + re.escape(term), text) is not None


def minimum_should_match(n_terms: int) -> int:
    """Terms a document must contain: one of one or two (documents with both rank first), half of longer
    queries (a sentence typed as a query has words no case needs to share, but one common word is noise)."""
    return min(n_terms, 1) if n_terms <= 2 else (n_terms + 1) // 2


def score_document(doc_id: int, fields: Mapping[str, str], terms: Iterable[str]) -> LexicalHit | None:
    """Score one document whose ``fields`` are already normalised (see :func:`searchable_fields`)."""
    terms = tuple(terms)
    matched: list[str] = []
    score = 0.0
    for term in terms:
        weights = (w for name, w in FIELD_WEIGHTS.items() if _contains(fields.get(name, ""), term))
        best = max(weights, default=0.0)
        if best:
            matched.append(term)
            score += best * (1.0 + math.log(len(term)))
    if not matched or len(matched) < minimum_should_match(len(terms)):
        return None
    # Coordination: a document with every term outranks one that repeats a single term in a heavier field.
    return LexicalHit(doc_id=doc_id, score=len(matched) * 100.0 + score, matched=tuple(matched))


def rank(
    docs: Mapping[int, Mapping[str, str]], terms: Iterable[str], limit: int | None = None
) -> list[LexicalHit]:
    """Rank normalised documents by :func:`score_document`, best first (ties: newer id first)."""
    terms = tuple(terms)
    hits = [h for doc_id, f in docs.items() if (h := score_document(doc_id, f, terms)) is not None]
    hits.sort(key=lambda h: (-h.score, -h.doc_id))
    return hits[:limit] if limit is not None else hits

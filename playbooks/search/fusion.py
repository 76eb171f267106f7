"""Reciprocal rank fusion of the lexical and semantic rankings, with the reason each result matched.

RRF (Cormack et al. 2009) adds 1 / (k + rank) over the rankings a document appears in. It needs no score
calibration between a term count and a cosine, which is why it is the usual way to fuse the two.

A third ranking is pseudo-relevance feedback: the query vector is moved towards the vectors of the two
best first-pass results and searched again. Short Japanese keyword queries (「稟議書 下書き」) embed poorly on
their own, but once the lexical side has found the Japanese write-up that contains 下書き, its vector finds
the English "Drafting approval requests" beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from playbooks.search.lexical import LexicalHit
from playbooks.search.vectors import VectorMatrix

RRF_K = 60
# Cosine below which the bundled model's neighbours are noise (measured on the relevance set: unrelated
# ja/en pairs score 0.2-0.4, reworded matches 0.45 and up).
MIN_SIMILARITY = 0.10
SEMANTIC_DEPTH = 10
FEEDBACK_DOCS = 2
FEEDBACK_WEIGHT = 1.0


# Given query vectors (rows), the nearest admissible ids of each: [(id, cosine), ...] per row, best first.
Neighbours = Callable[[np.ndarray], list[list[tuple[int, float]]]]


def matrix_neighbours(matrix: VectorMatrix, allowed: Iterable[int] | None = None) -> Neighbours:
    """Neighbours straight from the matrix, restricted to ``allowed`` ids when given."""
    allowed_ids = None if allowed is None else list(allowed)

    def find(vectors: np.ndarray) -> list[list[tuple[int, float]]]:
        return matrix.search_many(vectors, SEMANTIC_DEPTH, allowed_ids, MIN_SIMILARITY)

    return find


@dataclass
class Ranked:
    """One fused result: its id, fused score and why it matched."""

    doc_id: int
    score: float
    matched_terms: tuple[str, ...] = ()
    similar_meaning: bool = False
    similarity: float | None = None
    sources: list[str] = field(default_factory=list)


def rrf(rankings: dict[str, Sequence[int]], weights: dict[str, float] | None = None, k: int = RRF_K):
    """Fused score per id: sum of weight / (k + rank) over the named rankings (rank starts at 1)."""
    scores: dict[int, float] = {}
    sources: dict[int, list[str]] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, doc_id in enumerate(ids, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
            sources.setdefault(doc_id, []).append(name)
    order = sorted(scores, key=lambda d: (-scores[d], -d))
    return [(d, scores[d], sources[d]) for d in order]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def hybrid_rank(
    lexical: Sequence[LexicalHit],
    matrix: VectorMatrix | None,
    query_vector: np.ndarray | None,
    limit: int,
    allowed: Iterable[int] | None = None,
    use_lexical: bool = True,
    use_semantic: bool = True,
    neighbours: Neighbours | None = None,
) -> list[Ranked]:
    """Fuse a lexical ranking with semantic neighbours of the query (and of its best first results).

    ``allowed`` restricts the semantic side to the ids that pass the caller's filters and scope (or the
    caller supplies ``neighbours``, which finds and checks them itself); the lexical hits are already
    restricted by the query that found them. Either side may be switched off (the relevance tests measure
    each alone).
    """
    lexical = list(lexical) if use_lexical else []
    semantic_on = use_semantic and matrix is not None and query_vector is not None and matrix.dim > 0
    semantic: list[tuple[int, float]] = []
    if semantic_on:
        find = neighbours or matrix_neighbours(matrix, allowed)
        semantic = find(np.asarray(query_vector)[None, :])[0]
    rankings = {"lexical": [h.doc_id for h in lexical], "semantic": [d for d, _ in semantic]}
    first = rrf(rankings)
    similarity = dict(semantic)
    if semantic_on and first:
        # Seeds: results both sides agree on (a semantic-only guess is not trusted enough); their nearest
        # neighbours form the feedback ranking, interleaved so each seed contributes its closest case first.
        agreed = [d for d, _, sources in first if len(sources) > 1][:FEEDBACK_DOCS]
        seeds = [v for v in (matrix.vector_of(d) for d in agreed) if v is not None]
        lists = (
            [[(d, s) for d, s in found if d not in agreed] for found in find(np.vstack(seeds))]
            if seeds
            else []
        )
        feedback: list[int] = []
        for row in zip(*lists, strict=False) if lists else ():
            for d, _s in row:
                if d not in feedback:
                    feedback.append(d)
        rankings["feedback"] = feedback
    fused = rrf(rankings, weights={"feedback": FEEDBACK_WEIGHT})
    terms = {h.doc_id: h.matched for h in lexical}
    out = []
    for doc_id, score, sources in fused[:limit]:
        meaning = "semantic" in sources or "feedback" in sources
        out.append(
            Ranked(
                doc_id=doc_id,
                score=score,
                matched_terms=terms.get(doc_id, ()),
                similar_meaning=meaning,
                similarity=similarity.get(doc_id),
                sources=sources,
            )
        )
    return out

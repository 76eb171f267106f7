"""An in-process vector matrix: cosine search over one account's (or one tenant's) use cases.

pgvector is not available on every server, and a client account holds thousands of cases, not millions:
a float32 matrix of 100,000 x 512 is 200 MB and one matrix-vector product takes milliseconds. The database
layer keeps one :class:`VectorMatrix` per (account, model version) and rebuilds it when its rows change.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class VectorMatrix:
    """Unit vectors keyed by document id; search returns the most similar ids."""

    def __init__(self, dim: int):
        self.dim = dim
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @classmethod
    def from_rows(cls, dim: int, rows: Iterable[tuple[int, np.ndarray | bytes]]) -> VectorMatrix:
        """Build from (id, vector) pairs; vectors may be float32 bytes as stored in the database."""
        index = cls(dim)
        ids, vecs = [], []
        for doc_id, vec in rows:
            if isinstance(vec, bytes | bytearray | memoryview):
                vec = np.frombuffer(bytes(vec), dtype=np.float32)
            if vec.shape != (dim,):
                continue  # a vector of another model or a corrupt row: ignore it, never crash the search
            ids.append(doc_id)
            vecs.append(vec)
        if ids:
            index.ids = np.asarray(ids, dtype=np.int64)
            index.matrix = np.vstack(vecs).astype(np.float32, copy=False)
        return index

    def upsert(self, doc_id: int, vector: np.ndarray) -> None:
        """Add or replace one document's vector."""
        vector = np.asarray(vector, dtype=np.float32).reshape(1, self.dim)
        where = np.flatnonzero(self.ids == doc_id)
        if where.size:
            self.matrix[where[0]] = vector[0]
        else:
            self.ids = np.append(self.ids, np.int64(doc_id))
            self.matrix = np.vstack([self.matrix, vector])

    def copy(self) -> VectorMatrix:
        twin = VectorMatrix(self.dim)
        twin.ids, twin.matrix = self.ids.copy(), self.matrix.copy()
        return twin

    def upsert_many(self, rows: Iterable[tuple[int, np.ndarray | bytes]]) -> None:
        """Add or replace many vectors at once (one copy of the matrix, not one per row)."""
        update = VectorMatrix.from_rows(self.dim, rows)
        if not len(update):
            return
        position = {int(d): i for i, d in enumerate(self.ids)}
        fresh = []
        for i, doc_id in enumerate(update.ids):
            where = position.get(int(doc_id))
            if where is None:
                fresh.append(i)
            else:
                self.matrix[where] = update.matrix[i]
        if fresh:
            self.ids = np.concatenate([self.ids, update.ids[fresh]])
            self.matrix = np.vstack([self.matrix, update.matrix[fresh]])

    def remove(self, doc_id: int) -> None:
        keep = self.ids != doc_id
        self.ids, self.matrix = self.ids[keep], self.matrix[keep]

    def vector_of(self, doc_id: int) -> np.ndarray | None:
        where = np.flatnonzero(self.ids == doc_id)
        return self.matrix[where[0]] if where.size else None

    def search_many(
        self, queries: np.ndarray, limit: int, allowed: Iterable[int] | None = None, min_score: float = -1.0
    ) -> list[list[tuple[int, float]]]:
        """:meth:`search` for several query vectors (rows of ``queries``) in one pass over the matrix: at
        100,000 rows the product is bound by reading the matrix, so k queries cost about one."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if not len(self) or self.dim == 0 or limit <= 0:
            return [[] for _ in range(len(queries))]
        scores = self.matrix @ queries.T  # (rows, k)
        if allowed is not None:
            mask = np.isin(self.ids, np.fromiter(allowed, dtype=np.int64))
            scores[~mask] = -np.inf
        limit = min(limit, len(self))
        out = []
        for column in scores.T:
            top = np.argpartition(-column, limit - 1)[:limit]
            top = top[np.argsort(-column[top], kind="stable")]
            keep = [i for i in top if np.isfinite(column[i]) and column[i] >= min_score]
            out.append([(int(self.ids[i]), float(column[i])) for i in keep])
        return out

    def search(
        self, query: np.ndarray, limit: int, allowed: Iterable[int] | None = None, min_score: float = -1.0
    ) -> list[tuple[int, float]]:
        """The ``limit`` most similar (id, cosine) pairs, restricted to ``allowed`` ids when given."""
        if not len(self) or self.dim == 0 or limit <= 0:
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32)
        if allowed is not None:
            mask = np.isin(self.ids, np.fromiter(allowed, dtype=np.int64))
            scores = np.where(mask, scores, -np.inf)
        limit = min(limit, len(self))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        keep = [i for i in top if np.isfinite(scores[i]) and scores[i] >= min_score]
        return [(int(self.ids[i]), float(scores[i])) for i in keep]


def merge(matrices: Iterable[VectorMatrix], dim: int) -> VectorMatrix:
    """One matrix over several accounts (a CSM searching every account of the vendor)."""
    merged = VectorMatrix(dim)
    parts = [m for m in matrices if len(m)]
    if parts:
        merged.ids = np.concatenate([m.ids for m in parts])
        merged.matrix = np.vstack([m.matrix for m in parts])
    return merged

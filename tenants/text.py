"""Rules for text people type: what can be stored, what is invisible, and when two names are the same.

Pure functions (no Flask, no database), used by the forms of the web shell and by the domain before it stores
or compares a name.
"""

import csv
import io
import itertools
import unicodedata
from collections.abc import Callable

from tenants.errors import N_

# Invisible characters that only make two equal-looking names differ: dropped from names.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
# Bidi embeddings, overrides and isolates reorder how text around them is shown ("gpj.exe"): refused.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that end a line somewhere (mail headers, logs, CSV readers).
LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")

UNSTORABLE = N_("This text contains a control character (such as a NUL byte) that cannot be saved.")
LINE_BREAK = N_("Use a single line here.")
BIDI = N_("This text contains invisible direction-changing characters; type it again without them.")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as typed (a message marked for translation), or None.

    NUL and other control characters are refused everywhere (PostgreSQL refuses NUL in text); line breaks
    only in single-line fields; bidi controls everywhere.
    """
    for ch in value:
        if ch in LINE_BREAKS:
            if multiline and ch in "\r\n":
                continue
            return LINE_BREAK if ch not in "\x1c\x1d\x1e" else UNSTORABLE
        if ch in BIDI_CONTROLS:
            return BIDI
        if ch == "\t":
            continue
        if unicodedata.category(ch) == "Cc":
            return UNSTORABLE
    return None


def strip_invisible(value: str) -> str:
    """``value`` without zero-width characters, and with surrounding whitespace removed."""
    if any(ch in ZERO_WIDTH for ch in value):
        value = "".join(ch for ch in value if ch not in ZERO_WIDTH)
    return value.strip()


def clean_name(value: str) -> str:
    """A name as stored: NFC-composed, invisible characters dropped, inner whitespace runs made one space."""
    return " ".join(unicodedata.normalize("NFC", strip_invisible(value)).split())


def name_key(value: str) -> str:
    """What makes two names the same: width, case and accents' encoding folded (ÄBC = äbc = ＡＢＣ → abc…)."""
    return unicodedata.normalize("NFKC", clean_name(value)).casefold()


SHEET_DELIMITERS = ",\t;|"


def csv_delimiter(text: str, is_header: Callable[[str], bool]) -> str:
    """The delimiter of CSV ``text`` (comma, tab, semicolon or |): the one that splits the first rows into the
    most cells ``is_header`` recognises, else what csv.Sniffer guesses, else a comma.

    The sniffer alone is fooled by the very cells a hostile or formula-laden sheet holds (=cmd|' /C calc'!A0
    makes | and ' look like the delimiter and the quote); the header row is what the person meant.
    """
    head = text[:8192]
    scores = {}
    for delimiter in SHEET_DELIMITERS:
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), 10))
        except csv.Error:
            continue
        scores[delimiter] = max((sum(1 for c in row if is_header(c)) for row in rows), default=0)
    best = max(scores, key=scores.get, default=",")
    if scores.get(best):
        return best
    try:
        return csv.Sniffer().sniff(head[:4096], delimiters=SHEET_DELIMITERS).delimiter
    except csv.Error:  # one column, or nothing that looks like a delimiter
        return ","

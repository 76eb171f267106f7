"""Reading helpers: encodings, Japanese/English headers, dates and numbers as spreadsheets write them."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from datetime import date

from tenants.text import SHEET_DELIMITERS, csv_delimiter

ENCODINGS = ("utf-8-sig", "utf-8", "cp932")
DELIMITERS = SHEET_DELIMITERS
# Characters that cannot be stored in a PostgreSQL text column (NUL) or that only a damaged or hostile file
# holds in a name (other C0 controls). Tab, newline and carriage return inside a quoted cell are kept.
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(CONTROL)

# Header -> field, for the headers people actually use (compared after NFKC, lower case, no spaces).
HEADER_ALIASES = {
    "day": ("日付", "date", "day", "利用日"),
    "user": ("ユーザー", "ユーザ", "user", "利用者", "email", "メールアドレス", "社員番号"),
    "team": ("部署", "team", "department", "部門", "チーム"),
    "actions": ("利用回数", "actions", "回数", "uses", "count"),
    "minutes_saved": ("削減時間(分)", "minutessaved", "削減時間", "minutes", "削減分数"),
    "app": ("アプリ", "app", "tool", "ツール"),
}


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in (UTF-8 with or without BOM, UTF-16 with its BOM as Excel's
    "Unicode text" writes it, else CP932/Shift_JIS). ValueError for anything else."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ValueError("the file starts like UTF-16 text but is not") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is neither UTF-8 nor Shift_JIS (CP932) text")


def csv_rows(text: str, dialect=None) -> list[list[str]]:
    """All rows of CSV ``text``, the delimiter sniffed (comma, tab, semicolon or |) unless ``dialect`` is
    given. ValueError (with the line) for what the csv module refuses, e.g. a cell over 128 KB."""
    if dialect is None:
        # Only the delimiter is guessed (from the header row); the quote is '"' as every spreadsheet writes
        # it (a sniffed "'" would eat the apostrophes of a cell like =cmd|' /C calc'!A0).
        delimiter = csv_delimiter(text, is_header)
        dialect = type("Sheet", (csv.excel,), {"delimiter": delimiter})
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(reader)
    except csv.Error as error:
        raise ValueError(f"line {reader.line_num}: {error}") from None


def is_header(cell: str) -> bool:
    """Whether ``cell`` is one of the headers recognised without help."""
    return normalise_header(cell) in _KNOWN_HEADERS


def has_control(text: str) -> bool:
    """True when ``text`` holds a NUL or another control character no name or id contains."""
    return bool(_CONTROL.search(text))


def parse_text(value, *, required: bool = False) -> str:
    """A name or id cell (user, team, app): trimmed text without a NUL or control character. ValueError
    otherwise, and for an empty cell when ``required``. Every importer and the API read names through it."""
    text = "" if value is None else (value if isinstance(value, str) else str(value)).strip()
    if has_control(text):
        raise ValueError("contains a NUL or control character")
    if required and not text:
        raise ValueError("is empty")
    return text


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text)


def normalise_header(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).lower()


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """header -> field for every header recognised without help."""
    known = {normalise_header(alias): field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
    return {h: known[normalise_header(h)] for h in headers if normalise_header(h) in known}


def parse_day(value) -> date:
    """2026-09-01, 2026/9/1, 2026年9月1日, or a spreadsheet date."""
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:[ T].*)?", text)
    if not match:
        raise ValueError(f"not a date: {text[:30]!r} (use 2026-09-01 or 2026/9/1)")
    return date(int(match[1]), int(match[2]), int(match[3]))


def parse_number(value) -> float:
    """1,181 / "1,181" / full-width digits / blank (0)."""
    if value is None or (isinstance(value, float) and value != value):
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any float (JSON allows them)
            raise ValueError("too large a number") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"not a number of 0 or more: {value!r}")
        return value
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if text == "":
        return 0.0
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"not a number: {text[:30]!r}") from None
    if not math.isfinite(number):  # "nan", "inf", 1e999: would poison every sum they enter
        raise ValueError(f"not a number: {text[:30]!r}")
    if number < 0:
        raise ValueError("cannot be negative")
    return number


def parse_count(value) -> int:
    """A whole number of 0 or more (the ``active`` count of people)."""
    number = parse_number(value)
    if not number.is_integer():
        raise ValueError(f"not a whole number: {str(value)[:30]!r}")
    return int(number)


_KNOWN_HEADERS = {normalise_header(a) for aliases in HEADER_ALIASES.values() for a in aliases}

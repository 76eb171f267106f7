"""Reading helpers: encodings, Japanese/English headers, dates and numbers as spreadsheets write them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

ENCODINGS = ("utf-8-sig", "utf-8", "cp932")

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
    """The text and the encoding it was in (UTF-8 with or without BOM, else CP932/Shift_JIS)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is neither UTF-8 nor Shift_JIS (CP932) text")


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
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if text == "":
        return 0.0
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"not a number: {text[:30]!r}") from None
    if number < 0:
        raise ValueError("cannot be negative")
    return number

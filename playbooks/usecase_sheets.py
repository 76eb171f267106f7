"""Use cases in spreadsheets: read a CSV or .xlsx sheet people already keep, write one back.

Reading is pure (bytes in, typed rows and row errors out); saving the valid rows is the library's job.
Sheets come from Japanese companies' Excel as often as from English tools, so:

* CSV may be UTF-8 (with or without the BOM Excel writes), UTF-16 with its BOM or CP932 (Shift_JIS);
  the delimiter is a comma, tab, semicolon or |;
* headers may be Japanese or English, in any order, with any width of characters; unknown columns are
  ignored (an export's id/author columns read back without complaint);
* every problem is reported as (row, column, reason) with the sheet's own row number (header = row 1) and
  the header as written, so a person can find the cell; valid rows are imported, invalid ones are not.

Writing neutralises cells starting with = + - @ (and tab / carriage return) by prefixing an apostrophe, so
a spreadsheet never runs a formula someone typed into a use case (CSV injection); reading strips that
apostrophe again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from tenants.errors import N_, Message
from tenants.text import csv_delimiter

MAX_ROWS = 5000
STAGES = ("shared", "pilot", "production", "archived")

# Canonical field -> (English header written on export, Japanese header written on export, other aliases).
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "title": ("Title", "タイトル", ("件名", "ユースケース", "ユースケース名", "題名", "名前", "name")),
    "problem": ("Problem", "課題", ("問題", "困りごと", "背景")),
    "prompt": ("Prompt", "プロンプト", ()),
    "result": ("Result", "結果", ("成果", "効果")),
    "model_name": ("Model", "モデル", ("model name", "モデル名", "ai model", "使用モデル")),
    "used_on": ("Date", "日付", ("used on", "実施日", "利用日", "作成日", "date used")),
    "minutes_saved_per_run": (
        "Minutes saved per run",
        "削減時間(分/回)",
        ("minutes saved", "削減時間(分)", "削減時間", "1回あたり削減時間(分)", "削減分数"),
    ),
    "runs_per_month": (
        "Runs per month",
        "月間実行回数",
        ("runs", "回数/月", "月あたり回数", "利用回数/月", "月間回数"),
    ),
    "people": ("People", "利用人数", ("people using it", "users", "人数", "利用者数")),
    "team": ("Team", "チーム", ("部署", "部門", "department")),
    "tags": ("Tags", "タグ", ("context", "コンテキスト")),
    "stage": ("Stage", "ステージ", ("段階", "状態", "status")),
}
REQUIRED = ("title", "model_name", "used_on")
INTEGER_FIELDS = ("minutes_saved_per_run", "runs_per_month", "people")
STAGE_ALIASES = {
    "shared": "shared",
    "共有": "shared",
    "pilot": "pilot",
    "試行": "pilot",
    "パイロット": "pilot",
    "production": "production",
    "本番": "production",
    "本番運用": "production",
    "archived": "archived",
    "アーカイブ": "archived",
}
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def plain(message: str) -> str:
    """A message in English with its parameters filled in (for the CLI's JSON and logs)."""
    params = getattr(message, "params", None)
    return str(message) % params if params else str(message)


class SheetError(ValueError):
    """The file as a whole cannot be read (encoding, no header, missing required columns, too many rows).

    ``message`` is the translatable text (a :class:`Message` when it has parameters); ``str()`` is English.
    """

    def __init__(self, message: str):
        super().__init__(plain(message))
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the sheet's row number, the column header as written, and why."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": plain(self.reason)}


@dataclass
class SheetRow:
    """One valid row: the sheet row number and the values ready for ``create_use_case`` (plus team name)."""

    row: int
    values: dict


@dataclass
class ParsedSheet:
    rows: list[SheetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # canonical field -> header as written
    ignored_columns: list[str] = field(default_factory=list)
    invalid_rows: list[SheetRow] = field(default_factory=list)  # what could be read of rows with errors

    def header_of(self, field_name: str) -> str:
        return self.headers.get(field_name, COLUMNS[field_name][0] if field_name in COLUMNS else field_name)


def _key(text: object) -> str:
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s_\-・]+", " ", folded).strip()


_ALIASES = {
    _key(alias): name
    for name, (en, ja, others) in COLUMNS.items()
    for alias in (name, name.replace("_", " "), en, ja, *others)
}


def decode_csv(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (BOM or not), UTF-16 (BOM) or CP932; SheetError when it is neither."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict")
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" (UTF-16 with its BOM)
            return data.decode("utf-16")
        for encoding in ("utf-8", "cp932"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    except UnicodeDecodeError:  # a BOM followed by bytes of another encoding
        pass
    raise SheetError(
        N_("The file is neither UTF-8 nor Shift_JIS (CP932) text; save it as CSV UTF-8 or .xlsx.")
    )


def _is_xlsx(data: bytes, filename: str | None) -> bool:
    return data[:4] == b"PK\x03\x04" or (filename or "").lower().endswith(".xlsx")


def read_cells(data: bytes, filename: str | None = None) -> list[list[object]]:
    """All rows of the first sheet (xlsx) or of the CSV, as lists of cell values."""
    if not data:
        raise SheetError(N_("The file is empty."))
    if _is_xlsx(data, filename):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged or renamed file
            raise SheetError(N_("The .xlsx file could not be opened.")) from error
        try:
            sheet = book.worksheets[0]
            return [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as error:  # a workbook whose sheet XML is damaged opens, then fails here
            raise SheetError(N_("The .xlsx file could not be opened.")) from error
        finally:
            book.close()
    text = decode_csv(data)
    # Only the delimiter is guessed (from the header row); the quote is always '"' as spreadsheets write it.
    delimiter = csv_delimiter(text, lambda cell: _key(cell) in _ALIASES)
    dialect = type("Sheet", (csv.excel,), {"delimiter": delimiter})
    # newline="": a carriage return inside a quoted cell is text, not a broken line.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(reader)
    except csv.Error as error:  # e.g. a cell over 128 KB, or a stray quote the dialect cannot place
        raise SheetError(
            Message(
                N_("Row %(row)d cannot be read as CSV: %(reason)s."), row=reader.line_num, reason=str(error)
            )
        ) from None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).lstrip(" ")
    # Undo the export's formula neutralisation so a round trip is exact (an apostrophe the text itself
    # started with was doubled by the export). Before stripping: the export may have protected a tab.
    if len(text) > 1 and text[0] == "'" and text[1] in (*_DANGEROUS_START, "'"):
        text = text[1:]
    return text.strip()


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t].*)?$")


def parse_date(value: object) -> date:
    """A date from an Excel cell or text (2026-09-01, 2026/9/1, 2026年9月1日); ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(unicodedata.normalize("NFKC", str(value)).strip().lower())
    if not match:
        raise ValueError("not a date")
    return date(int(match[1]), int(match[2]), int(match[3]))


def parse_count(value: object) -> int:
    """A whole number >= 0 from a cell: '1,200', '３０', '30分' and 30.0 all read; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not whole")
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().lower().replace(",", "")
        text = re.sub(r"\s*(分|回|人|名|mins?|minutes|times|people)$", "", text)
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError("not whole")
        number = int(text)
    if number < 0:
        raise ValueError("negative")
    return number


def parse_tags(value: object) -> list[str]:
    """Tags split on commas (also Japanese 、), semicolons or spaces; duplicates dropped, order kept."""
    tags: list[str] = []
    for tag in re.split(r"[,、;；\s]+", _text(value)):
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _find_header(cells: list[list[object]]) -> int:
    """Index of the header row: the first row that names a known column (title rows above are skipped)."""
    for i, row in enumerate(cells[:10]):
        if any(_key(v) in _ALIASES for v in row if not _blank(v)):
            return i
    raise SheetError(N_("No header row found: the first row should name columns such as Title, Model, Date."))


def parse_sheet(data: bytes, filename: str | None = None) -> ParsedSheet:
    """Read a sheet of use cases: valid rows with typed values, and a RowError for every bad cell."""
    cells = read_cells(data, filename)
    if not cells:
        raise SheetError(N_("The file is empty."))
    header_index = _find_header(cells)
    sheet = ParsedSheet()
    positions: dict[str, int] = {}
    for position, header in enumerate(cells[header_index]):
        if _blank(header):
            continue
        name = _ALIASES.get(_key(header))
        if name and name not in positions:
            positions[name] = position
            sheet.headers[name] = str(header).strip()
        else:
            sheet.ignored_columns.append(str(header).strip())
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in positions]
    if missing:
        raise SheetError(
            Message(N_("Required columns are missing: %(columns)s."), columns=", ".join(missing))
        )
    body = cells[header_index + 1 :]
    if sum(1 for row in body if not all(_blank(v) for v in row)) > MAX_ROWS:
        raise SheetError(
            Message(N_("The file has more than %(max)d rows; split it into smaller files."), max=MAX_ROWS)
        )
    for offset, row in enumerate(body):
        if all(_blank(v) for v in row):
            continue  # blank lines between blocks are common in hand-kept sheets
        row_number = header_index + offset + 2
        values, errors = _parse_row(row, positions, sheet, row_number)
        if errors:
            sheet.errors.extend(errors)
            sheet.invalid_rows.append(SheetRow(row=row_number, values=values))
        else:
            sheet.rows.append(SheetRow(row=row_number, values=values))
    return sheet


def _parse_row(row, positions, sheet: ParsedSheet, row_number: int) -> tuple[dict, list[RowError]]:
    def cell(name):
        position = positions.get(name)
        return row[position] if position is not None and position < len(row) else None

    values: dict = {"source": "import"}
    errors: list[RowError] = []

    def fail(name, reason):
        errors.append(RowError(row_number, sheet.header_of(name), reason))

    for name in ("title", "problem", "prompt", "result", "model_name", "team"):
        values[name] = _text(cell(name))
    for name in REQUIRED:
        if name != "used_on" and not values[name]:
            fail(name, N_("This field is required."))
    raw_date = cell("used_on")
    if _blank(raw_date):
        fail("used_on", N_("This field is required."))
    else:
        try:
            values["used_on"] = parse_date(raw_date)
        except ValueError:
            fail("used_on", N_("Not a date; write it as 2026-09-01."))
    for name in INTEGER_FIELDS:
        raw = cell(name)
        try:
            values[name] = 0 if _blank(raw) else parse_count(raw)
        except ValueError:
            fail(name, N_("Not a whole number of 0 or more."))
    values["tags"] = parse_tags(cell("tags"))
    raw_stage = _key(cell("stage"))
    if not raw_stage:
        values["stage"] = "shared"
    elif raw_stage in STAGE_ALIASES:
        values["stage"] = STAGE_ALIASES[raw_stage]
    else:
        fail("stage", N_("Unknown stage; use shared, pilot, production or archived."))
    return values, errors


# ---------------------------------------------------------------- export


def neutralise(value: object) -> object:
    """Make a cell safe to open in a spreadsheet: text starting with = + - @ (or tab/CR) gets a leading
    apostrophe so it is shown as text, never evaluated. Text that itself starts with an apostrophe gets one
    too, so that reading the sheet back (which drops one) gives the text as it was. Numbers and dates pass
    unchanged."""
    if isinstance(value, str) and value.startswith((*_DANGEROUS_START, "'")):
        return "'" + value
    return value


EXPORT_FIELDS = tuple(COLUMNS)


def export_headers(locale: str = "en") -> list[str]:
    """Column headers in the reader's language (either imports back)."""
    pick = 1 if locale == "ja" else 0
    return [COLUMNS[name][pick] for name in EXPORT_FIELDS] + (
        ["ID", "作成者", "出典"] if locale == "ja" else ["ID", "Author", "Source"]
    )


def export_row(case: Mapping[str, object]) -> list[object]:
    """One use case (a mapping of the canonical fields plus id/author/source) as neutralised cells."""
    cells: list[object] = []
    for name in (*EXPORT_FIELDS, "id", "author", "source"):
        value = case.get(name)
        if name == "tags":
            value = ", ".join(value or [])
        elif name == "used_on" and isinstance(value, date):
            value = value.isoformat()
        elif value is None:
            value = ""
        cells.append(neutralise(value))
    return cells


def to_csv(cases: Iterable[Mapping[str, object]], locale: str = "en") -> bytes:
    """UTF-8 CSV with a BOM (so Excel on Windows shows Japanese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export_headers(locale))
    for case in cases:
        writer.writerow(export_row(case))
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def to_xlsx(cases: Iterable[Mapping[str, object]], locale: str = "en") -> bytes:
    """An .xlsx workbook with one sheet of use cases; every text cell is stored as text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Use cases" if locale != "ja" else "ユースケース")
    sheet.append(export_headers(locale))
    for case in cases:
        row = []
        for value in export_row(case):
            if isinstance(value, str):  # a workbook cannot hold control characters; openpyxl would raise
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would otherwise store a leading '=' as a formula
            row.append(cell)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

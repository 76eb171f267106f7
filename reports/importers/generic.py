"""A generic sheet from a company's Excel: CSV (UTF-8, BOM or CP932) or .xlsx, with a header row.

Cells are checked column by column with pandas (a million-row export is read in chunks, so memory stays
flat); the rules are those of :mod:`reports.importers.text`, and a problem names the file's line and the
header of its column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pandas as pd
from openpyxl import load_workbook

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import auto_mapping, decode

REQUIRED = ("day", "user")
CHUNK_ROWS = 100_000
_DAY = r"^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:[ T].*)?$"


def _rows_of(data: bytes) -> tuple[list[list], str | None]:
    """Every row of a small file as cells (the header first)."""
    if data[:2] == b"PK":  # an .xlsx is a zip
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)], None
    text, encoding = decode(data)
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",\t;") if text.strip() else csv.excel
    return list(csv.reader(io.StringIO(text), dialect)), encoding


def _text(value) -> str:
    """A cell as text: spreadsheet dates as ISO dates, numbers without a trailing .0."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _nfkc(s: pd.Series) -> pd.Series:
    """NFKC only where a cell has non-ASCII characters (full-width digits, 年月日): the rest is left as is."""
    wide = s.str.contains(r"[^\x00-\x7f]", regex=True, na=False)
    if wide.any():
        s = s.copy()
        s[wide] = s[wide].str.normalize("NFKC")
    return s


def _shown(value: str) -> str:
    return repr(value[:30])


def parse_frame(
    raw: pd.DataFrame, headers: list[str], fields: dict[str, str], first_line: int
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and convert the cells of ``raw`` (text, one column per header; row ``i`` is line
    ``first_line + i`` of the file) into the common columns; blank rows are skipped."""
    raw = raw.fillna("").astype(str)
    lines = pd.Series(range(first_line, first_line + len(raw)), index=raw.index)
    # Blank lines (every cell empty) are skipped; comparing with "" is C-fast where stripping is not.
    blank = raw.eq("").all(axis=1) if len(raw.columns) else lines == lines
    raw, lines = raw[~blank], lines[~blank]
    out = pd.DataFrame(index=raw.index)
    out["team"], out["app"], out["active"] = None, "generic", 1
    out["actions"], out["minutes_saved"] = 0.0, 0.0
    bad = pd.Series(False, index=raw.index)
    problems: list[tuple[int, str, str]] = []

    def flag(mask: pd.Series, header: str, reasons: pd.Series) -> None:
        nonlocal bad
        for line, reason in zip(lines[mask], reasons[mask], strict=True):
            problems.append((int(line), header, reason))
        bad |= mask

    for header, field in fields.items():
        if header not in headers:
            continue
        cells = raw.iloc[:, headers.index(header)].str.strip()
        if field == "day":
            # The common spellings by the fast parser; the rest (9月1日, full-width, times) by the rule.
            day = pd.to_datetime(cells, format="%Y/%m/%d", errors="coerce")
            if day.isna().any():
                day = day.fillna(pd.to_datetime(cells, format="%Y-%m-%d", errors="coerce"))
            if day.isna().any():
                rest = day.isna()
                parts = _nfkc(cells[rest]).str.extract(_DAY)
                day[rest] = pd.to_datetime(
                    pd.DataFrame({"year": parts[0], "month": parts[1], "day": parts[2]}).astype("float"),
                    errors="coerce",
                )
            flag(day.isna(), header, "not a date: " + cells.map(_shown) + " (use 2026-09-01 or 2026/9/1)")
            out["day"] = day.dt.date
        elif field in ("actions", "minutes_saved"):
            text = _nfkc(cells).str.replace(",", "", regex=False).str.strip()
            number = pd.to_numeric(text.mask(text == "", "0"), errors="coerce")
            flag(number.isna(), header, "not a number: " + text.map(_shown))
            flag(number < 0, header, pd.Series("cannot be negative", index=raw.index))
            out[field] = number.astype(float)
        else:
            out[field] = cells.mask(cells == "", None)
    if "user" in fields.values():
        user_header = next(h for h, f in fields.items() if f == "user" and h in headers)
        flag(out["user"].isna() & ~bad, user_header, pd.Series("the user is empty", index=raw.index))
    out["app"] = out["app"].fillna("generic")
    problems.sort(key=lambda p: p[0])
    return out.loc[~bad, COLUMNS].reset_index(drop=True), [Problem(*p) for p in problems]


def _fields(headers: list[str], mapping: dict[str, str] | None) -> tuple[dict[str, str], list[Problem]]:
    fields = {**auto_mapping(headers), **(mapping or {})}
    missing = [f for f in REQUIRED if f not in fields.values()]
    return fields, [Problem(1, f, "no column is mapped to this field") for f in missing]


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:2048], delimiters=",\t;").delimiter if text.strip() else ","
    except csv.Error:
        return ","


@register
class GenericSheet(Importer):
    name = "generic"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        return head[:2] == b"PK" or b"," in head or b"\t" in head

    def read(self, data: bytes, mapping: dict[str, str] | None = None) -> Result:
        rows, encoding = _rows_of(data)
        # Blank lines are skipped but keep their place, so a problem names the line the person sees.
        numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(str(c or "").strip() for c in r)]
        if not numbered:
            return Result(
                self.name, encoding, pd.DataFrame(columns=COLUMNS), [Problem(1, "", "the file is empty")]
            )
        header_line, header_row = numbered[0]
        headers = [str(h).strip() if h is not None else "" for h in header_row]
        fields, missing = _fields(headers, mapping)
        body = numbered[1:]
        if missing:
            return Result(self.name, encoding, pd.DataFrame(columns=COLUMNS), missing, len(body))
        width = len(headers)
        cells = [[_text(c) for c in (r + [None] * width)[:width]] for _, r in body]
        frame = pd.DataFrame(cells, columns=range(width), dtype=object)
        frame.index = [n for n, _ in body]
        out, problems = self._check(frame, headers, fields)
        return Result(self.name, encoding, out, problems, len(body))

    @staticmethod
    def _check(frame: pd.DataFrame, headers: list[str], fields: dict[str, str]):
        # Rows keep their own line numbers (the index); parse_frame counts lines from the first row.
        if frame.empty:
            return pd.DataFrame(columns=COLUMNS), []
        lines = list(frame.index)
        contiguous = lines == list(range(lines[0], lines[0] + len(lines)))
        if contiguous:
            return parse_frame(frame.reset_index(drop=True), headers, fields, lines[0])
        out, problems = parse_frame(frame.reset_index(drop=True), headers, fields, 0)
        return out, [Problem(lines[p.row], p.column, p.reason) for p in problems]

    def read_chunks(
        self, stream, mapping: dict[str, str] | None = None, chunk_rows: int = CHUNK_ROWS
    ) -> Iterator[Result]:
        """Read a large CSV from a binary ``stream`` chunk by chunk; each Result holds one chunk's rows and
        problems (problem lines count from the file's first line). Line numbers assume no cell holds a line
        break, as usage exports do not."""
        head = stream.read(65536)
        stream.seek(0)
        cut = head[: head.rfind(b"\n") + 1] or head
        _, encoding = decode(cut)
        delimiter = _sniff(cut.decode(encoding, errors="replace"))
        reader = pd.read_csv(
            stream,
            encoding=encoding,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
            chunksize=chunk_rows,
            on_bad_lines="skip",
            engine="c",
        )
        headers: list[str] | None = None
        fields: dict[str, str] = {}
        line = 1
        for chunk in reader:
            if headers is None:
                # The first non-blank line is the header.
                nonblank = ~chunk.eq("").all(axis=1)
                if not nonblank.any():
                    line += len(chunk)
                    continue
                first = int(nonblank.to_numpy().argmax())
                headers = [str(h).strip() for h in chunk.iloc[first]]
                fields, missing = _fields(headers, mapping)
                if missing:
                    yield Result(self.name, encoding, pd.DataFrame(columns=COLUMNS), missing, 0)
                    return
                line += first + 1
                chunk = chunk.iloc[first + 1 :]
            out, problems = parse_frame(chunk.reset_index(drop=True), headers, fields, line)
            line += len(chunk)
            yield Result(self.name, encoding, out, problems, int((~chunk.eq("").all(axis=1)).sum()))
        if headers is None:
            empty = [Problem(1, "", "the file is empty")]
            yield Result(self.name, encoding, pd.DataFrame(columns=COLUMNS), empty)


"""A generic sheet from a company's Excel: CSV (UTF-8, BOM, UTF-16 or CP932) or .xlsx, with a header row.

Small files are checked row by row (:meth:`GenericSheet.read`); a large CSV, imported by a job, is read in
chunks and checked column by column with pandas (:meth:`GenericSheet.read_chunks`, memory stays flat on a
million rows). Both apply the rules of :mod:`reports.importers.text` and name a problem's line and header;
tests/reports/test_importers_hypothesis.py holds both to the same answers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import (
    CONTROL,
    DELIMITERS,
    auto_mapping,
    csv_rows,
    decode,
    is_header,
    parse_count,
    parse_day,
    parse_number,
    parse_text,
)
from tenants.text import csv_delimiter

REQUIRED = ("day", "user")
CHUNK_ROWS = 100_000
WIDTH = 256  # cells a row of a large CSV may have
_DAY = r"^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:[ T].*)?$"


def _rows_of(data: bytes) -> tuple[list[list], str | None]:
    """Every row of the sheet; ValueError for a file that is neither a workbook nor CSV text."""
    if data[:2] == b"PK":  # an .xlsx is a zip
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises a dozen kinds (BadZipFile, KeyError, ...) for a damaged file
            raise ValueError("the .xlsx file could not be opened (damaged, or not a workbook)") from None
        try:
            return [list(r) for r in book.active.iter_rows(values_only=True)], None
        except Exception:
            raise ValueError("the .xlsx file could not be read (damaged sheet)") from None
        finally:
            book.close()
    text, encoding = decode(data)
    return csv_rows(text), encoding


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
    raw: pd.DataFrame,
    headers: list[str],
    fields: dict[str, str],
    first_line: int,
    blank: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and convert the cells of ``raw`` (text, one column per header; row ``i`` is line
    ``first_line + i`` of the file) into the common columns; blank rows are skipped."""
    raw = raw.fillna("").astype(str)
    lines = pd.Series(range(first_line, first_line + len(raw)), index=raw.index)
    # Blank lines (every cell empty) are skipped; comparing with "" is C-fast where stripping is not.
    if blank is None:
        blank = raw.eq("").all(axis=1) if len(raw.columns) else lines == lines
    blank = pd.Series(blank.to_numpy(), index=raw.index)
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

    # One column per field; when two headers name the same field the later one counts, as in read().
    by_field = {f: h for h, f in fields.items() if h in headers}
    for field, header in by_field.items():
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
            # "nan", "inf" and 1e999 parse as floats; they would poison every sum they enter.
            number = number.where(np.isfinite(number))
            flag(number.isna(), header, "not a number: " + text.map(_shown))
            flag(number < 0, header, pd.Series("cannot be negative", index=raw.index))
            out[field] = number.astype(float)
        elif field == "active":
            number = pd.to_numeric(cells.mask(cells == "", "1"), errors="coerce")
            whole = number.where(np.isfinite(number) & (number >= 0) & (number == number.round()))
            flag(whole.isna(), header, "not a whole number: " + cells.map(_shown))
            out[field] = whole.fillna(0).astype(int)
        else:
            flag(
                cells.str.contains(CONTROL, regex=True),
                header,
                pd.Series("contains a NUL or control character", index=raw.index),
            )
            out[field] = cells.mask(cells == "", None)
    if "user" in by_field:
        user_header = by_field["user"]
        flag(out["user"].isna() & ~bad, user_header, pd.Series("the user is empty", index=raw.index))
    out["app"] = out["app"].fillna("generic")
    problems.sort(key=lambda p: p[0])
    return out.loc[~bad, COLUMNS].reset_index(drop=True), [Problem(*p) for p in problems]


def _fields(headers: list[str], mapping: dict[str, str] | None) -> tuple[dict[str, str], list[Problem]]:
    """header -> field: recognised headers, then the chosen mapping (known fields, headers the file has)."""
    chosen = {h: f for h, f in (mapping or {}).items() if f in COLUMNS}
    fields = {h: f for h, f in {**auto_mapping(headers), **chosen}.items() if h in headers}
    missing = [f for f in REQUIRED if f not in fields.values()]
    return fields, [Problem(1, f, "no column is mapped to this field") for f in missing]


@register
class GenericSheet(Importer):
    name = "generic"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 text: look at the characters, not the bytes
            head = head.decode("utf-16", errors="ignore").encode()
        return head[:2] == b"PK" or any(d.encode() in head for d in DELIMITERS)

    def read(self, data: bytes, mapping: dict[str, str] | None = None) -> Result:
        rows, encoding = _rows_of(data)
        # Blank lines are skipped but keep their place, so a problem names the line the person sees.
        numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(str(c or "").strip() for c in r)]
        if not numbered:
            return Result(
                self.name, encoding, pd.DataFrame(columns=COLUMNS), [Problem(1, "", "the file is empty")]
            )
        rows = [r for _, r in numbered]
        headers = [str(h).strip() if h is not None else "" for h in rows[0]]
        # A chosen mapping may name only the known fields; anything else from a form is ignored.
        chosen = {h: f for h, f in (mapping or {}).items() if f in COLUMNS}
        fields = {**auto_mapping(headers), **chosen}
        # Only headers the file really has count: a remembered or chosen mapping may name another sheet's.
        fields = {h: f for h, f in fields.items() if h in headers}
        missing = [f for f in REQUIRED if f not in fields.values()]
        if missing:
            return Result(
                self.name,
                encoding,
                pd.DataFrame(columns=COLUMNS),
                [Problem(1, f, "no column is mapped to this field") for f in missing],
                len(rows) - 1,
            )
        index = {field: headers.index(h) for h, field in fields.items()}
        out, problems = [], []
        for line, row in numbered[1:]:
            record, ok = (
                {"team": None, "app": "generic", "active": 1, "actions": 0.0, "minutes_saved": 0.0},
                True,
            )
            for field, col in index.items():
                value = row[col] if col < len(row) else None
                try:
                    if field == "day":
                        record[field] = parse_day(value)
                    elif field in ("actions", "minutes_saved"):
                        record[field] = parse_number(value)
                    elif field == "active":
                        record[field] = parse_count(value)
                    else:
                        text = parse_text(value)
                        record[field] = text or ("generic" if field == "app" else None)
                except ValueError as error:
                    problems.append(Problem(line, headers[col], str(error)))
                    ok = False
            if ok and not record.get("user"):
                problems.append(Problem(line, headers[index["user"]], "the user is empty"))
                ok = False
            if ok:
                out.append(record)
        return Result(self.name, encoding, pd.DataFrame(out, columns=COLUMNS), problems, len(rows) - 1)

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
        delimiter = csv_delimiter(cut.decode(encoding, errors="replace"), is_header)
        reader = pd.read_csv(
            stream,
            encoding=encoding,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
            # Rows may be ragged (a trailing comma, a missing cell): room for up to WIDTH cells, short rows
            # padded; a row wider than that refuses the file rather than being dropped unseen.
            names=range(WIDTH),
            chunksize=chunk_rows,
            on_bad_lines="error",
            engine="c",
        )
        headers: list[str] | None = None
        fields: dict[str, str] = {}
        line = 1
        for chunk in _chunks(reader):
            if headers is None:
                # The first non-blank line is the header.
                nonblank = ~chunk.eq("").all(axis=1)
                if not nonblank.any():
                    line += len(chunk)
                    continue
                first = int(nonblank.to_numpy().argmax())
                headers = [str(h).strip() for h in chunk.iloc[first]]
                while headers and not headers[-1]:
                    headers.pop()  # the padding past the last header
                fields, missing = _fields(headers, mapping)
                if missing:
                    yield Result(self.name, encoding, pd.DataFrame(columns=COLUMNS), missing, 0)
                    return
                line += first + 1
                chunk = chunk.iloc[first + 1 :]
            chunk = chunk.reset_index(drop=True)
            # A line is blank when every cell is, also those past the header (which are otherwise unread).
            blank = chunk.eq("").all(axis=1)
            width = max(len(headers), 1)
            out, problems = parse_frame(chunk.iloc[:, :width], headers, fields, line, blank)
            line += len(chunk)
            yield Result(self.name, encoding, out, problems, int((~blank).sum()))
        if headers is None:
            empty = [Problem(1, "", "the file is empty")]
            yield Result(self.name, encoding, pd.DataFrame(columns=COLUMNS), empty)


def _chunks(reader) -> Iterator[pd.DataFrame]:
    """pandas' chunks, with its parser errors as the ValueError every reader raises for a bad file."""
    try:
        for chunk in reader:
            # Columns past the header's last named cell carry nothing the import reads.
            yield chunk.fillna("")
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(f"the file could not be read as CSV: {str(error)[:200]}") from None

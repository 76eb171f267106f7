"""A generic sheet from a company's Excel: CSV (UTF-8, BOM or CP932) or .xlsx, with a header row."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import (
    DELIMITERS,
    auto_mapping,
    csv_rows,
    decode,
    has_control,
    parse_count,
    parse_day,
    parse_number,
)

REQUIRED = ("day", "user")


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
                        text = str(value).strip() if value is not None else ""
                        if has_control(text):
                            raise ValueError("contains a NUL or control character")
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

"""A generic sheet from a company's Excel: CSV (UTF-8, BOM or CP932) or .xlsx, with a header row."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import load_workbook

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import auto_mapping, decode, parse_day, parse_number

REQUIRED = ("day", "user")


def _rows_of(data: bytes) -> tuple[list[list], str | None]:
    if data[:2] == b"PK":  # an .xlsx is a zip
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)], None
    text, encoding = decode(data)
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",\t;") if text.strip() else csv.excel
    return list(csv.reader(io.StringIO(text), dialect)), encoding


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
        rows = [r for _, r in numbered]
        headers = [str(h).strip() if h is not None else "" for h in rows[0]]
        fields = {**auto_mapping(headers), **(mapping or {})}
        missing = [f for f in REQUIRED if f not in fields.values()]
        if missing:
            return Result(
                self.name,
                encoding,
                pd.DataFrame(columns=COLUMNS),
                [Problem(1, f, "no column is mapped to this field") for f in missing],
                len(rows) - 1,
            )
        index = {field: headers.index(h) for h, field in fields.items() if h in headers}
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
                    else:
                        record[field] = (str(value).strip() if value is not None else "") or None
                except ValueError as error:
                    problems.append(Problem(line, headers[col], str(error)))
                    ok = False
            if ok and not record.get("user"):
                problems.append(Problem(line, headers[index["user"]], "the user is empty"))
                ok = False
            if ok:
                out.append(record)
        return Result(self.name, encoding, pd.DataFrame(out, columns=COLUMNS), problems, len(rows) - 1)

"""A report's figures as CSV and .xlsx, for procurement's own spreadsheets.

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return) are
prefixed with an apostrophe, so a use-case title can never become a formula (CSV injection)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reports.models import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def figure_rows(report: Report) -> list[tuple]:
    """(figure, value[, use case]) rows: the headline figures, then each use case's contribution."""
    roi = report.results["roi"]
    rows: list[tuple] = [
        ("report_id", report.id),
        ("account", report.results["account"]["name"]),
        ("period_start", report.period_start.isoformat()),
        ("period_end", report.period_end.isoformat()),
        ("inputs_sha256", report.inputs_sha256),
    ]
    for key in (
        "gross_hours_per_month",
        "gross_hours_per_year",
        "realized_hours_per_month",
        "realized_hours_per_year",
        "realized_value_per_month",
        "realized_value_per_year",
        "cost_per_month",
        "net_benefit_per_month",
        "net_benefit_per_year",
        "npv",
        "roi_pct",
        "payback_months",
        "cost_per_hour_saved",
    ):
        rows.append((key, roi[key]))
    for key, value in roi["assumptions"].items():
        rows.append((f"assumption.{key}", value))
    for case in roi["use_cases"]:
        rows.append(("use_case.gross_hours_per_month", case["gross_hours_per_month"], case["title"]))
    return rows


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "value", "use_case"])
    for row in figure_rows(report):
        writer.writerow([neutralise("" if cell is None else cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")  # BOM: Excel in Japan opens UTF-8 CSV correctly only with it


def _xlsx_text(value):
    """A workbook cannot hold control characters (openpyxl raises): a title typed with one loses it."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "figures"
    sheet.append(["figure", "value", "use_case"])
    for row in figure_rows(report):
        sheet.append([_xlsx_text(neutralise(cell)) for cell in row])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["C"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

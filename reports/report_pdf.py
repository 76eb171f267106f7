"""The account ROI report as a PDF, rendered from a report's frozen inputs and results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date

from reports import charts
from reports.estimate_pdf import svg_data_uri
from reports.models import Report
from reports.pdf import html_to_pdf
from reports.render import render, translations
from reports.roi import ASSUMPTION_SOURCES


def _charts(report: Report) -> dict[str, str]:
    _ = translations(report.locale).gettext
    roi, measures = report.results["roi"], report.results["measures"]
    assumptions = roi["assumptions"]
    keep = Decimal(str(assumptions["realization_rate"])) * (1 - Decimal(str(assumptions["risk_adjustment"])))
    months = [
        format_date(date.fromisoformat(m["month"]), "yMMM", locale=report.locale) for m in measures["trend"]
    ]
    value = [
        float(Decimal(str(m["gross_hours"])) * keep * assumptions["hourly_labor_cost"])
        for m in measures["trend"]
    ]
    out = {
        "value_vs_cost": svg_data_uri(
            charts.to_svg(
                charts.value_vs_cost_figure(
                    months,
                    value,
                    [roi["cost_per_month"]] * len(months),
                    title=_("Labor value against cost by month"),
                    value_name=_("Labor value"),
                    cost_name=_("Cost"),
                )
            )
        ),
        "density": svg_data_uri(
            charts.to_svg(
                charts.trend_figure(
                    months,
                    {_("Use cases shared per 100 seats"): [m["density"] for m in measures["trend"]]},
                    title=_("Use-case density by month"),
                ),
                height=240,
            )
        ),
    }
    cases = roi["use_cases"][:8]
    if cases:
        out["hours_by_use_case"] = svg_data_uri(
            charts.to_svg(
                charts.hours_by_use_case_figure(
                    [c["title"] for c in cases],
                    [c["gross_hours_per_month"] for c in cases],
                    title=_("Hours saved per month by use case"),
                ),
                height=60 + 32 * len(cases),
            )
        )
    return out


def account_report_html(report: Report) -> str:
    """The report as self-contained HTML (charts inlined), ready for WeasyPrint."""
    return render(
        "account_report.html",
        report.locale,
        report=report,
        r=report.results["roi"],
        m=report.results["measures"],
        account=report.results["account"],
        charts=_charts(report),
        sources=ASSUMPTION_SOURCES,
        report_id=report.id,
        inputs_sha256=report.inputs_sha256,
    )


def render_account_report_pdf(report: Report) -> tuple[bytes, int]:
    """PDF bytes and page count of ``report`` (A4, in the report's language)."""
    rendered = html_to_pdf(account_report_html(report))
    return rendered.pdf, rendered.pages

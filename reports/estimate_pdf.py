"""The ROI estimate PDF: a CSM's pre-sales figures for a prospect, from the ROI model's inputs alone."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date

from reports import charts
from reports.pdf import html_to_pdf
from reports.render import render, translations
from reports.roi import ASSUMPTION_SOURCES, ROIResult, to_json


def inputs_digest(result: ROIResult) -> str:
    """sha256 of the inputs as canonical JSON, printed in the footer: a figure traces back to its inputs."""
    i = result.inputs
    canonical = {
        "assumptions": to_json(result)["assumptions"],
        "adoption_ramp": [str(v) for v in i.adoption_ramp],
        "licensed_seats": i.licensed_seats,
        "use_cases": [
            [u.title, str(u.minutes_per_run), str(u.runs_per_month), str(u.people)] for u in i.use_cases
        ],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def estimate_charts(figures: dict, locale: str) -> dict[str, str]:
    """The estimate's two charts as data URIs."""
    _ = translations(locale).gettext
    years = [_("Year %(n)s") % {"n": y["year"]} for y in figures["yearly"]]
    value_vs_cost = charts.value_vs_cost_figure(
        years,
        [y["benefit"] for y in figures["yearly"]],
        [y["cost"] for y in figures["yearly"]],
        title=_("Labor value against cost by year"),
        value_name=_("Labor value"),
        cost_name=_("Cost"),
    )
    out = {"value_vs_cost": svg_data_uri(charts.to_svg(value_vs_cost))}
    cases = figures["use_cases"][:8]
    if cases:
        hours = charts.hours_by_use_case_figure(
            [c["title"] for c in cases],
            [c["gross_hours_per_month"] for c in cases],
            title=_("Hours saved per month by use case"),
        )
        out["hours_by_use_case"] = svg_data_uri(charts.to_svg(hours, height=60 + 32 * len(cases)))
    return out


def render_estimate_pdf(
    result: ROIResult,
    *,
    locale: str = "ja",
    title: str | None = None,
    today: date | None = None,
    with_charts: bool = True,
) -> bytes:
    """The estimate as PDF bytes (A4, ``locale`` ja or en)."""
    figures = to_json(result)
    digest = inputs_digest(result)
    default_title = translations(locale).gettext("ROI estimate")
    html = render(
        "estimate.html",
        locale,
        r=figures,
        title=(title or "").strip()[:200] or default_title,
        charts=estimate_charts(figures, locale) if with_charts else {},
        sources=ASSUMPTION_SOURCES,
        generated_on=today or date.today(),
        report_id=f"estimate-{digest[:8]}",
        inputs_sha256=digest,
    )
    return html_to_pdf(html).pdf

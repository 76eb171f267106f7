"""An account's adoption page: the figures for a period with the health parts and their targets, a monthly
trend and a per-team table, drawn as plotly charts with a table beside each."""

from datetime import date, timedelta
from pathlib import Path

import plotly
from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _
from jinja2.utils import htmlsafe_json_dumps

from app.access import EVERYONE_SIGNED_IN, account_or_404, allow, public
from app.extensions import db
from playbooks.recurrence import tokyo_today
from reports.account_metrics import account_metrics, monthly_trend, team_table
from reports.metric_charts import cases_trend_figure, team_reach_figure, usage_trend_figure
from reports.metrics import GOOD, PART_LABELS, TARGETS, WATCH

bp = Blueprint("metrics", __name__)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
MAX_DAYS = 366


def _period() -> tuple[date, date, list[str]]:
    """The period asked for in the query string (default: the last 30 days), and what was wrong with it."""
    today = tokyo_today()
    errors = []

    def parse(name: str, default: date) -> date:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors.append(_("%(value)s is not a date (YYYY-MM-DD).", value=raw[:20]))
            return default

    end = parse("to", today)
    start = parse("from", end - timedelta(days=29))
    if start > end:
        errors.append(_("The start of the period is after its end."))
        start = end - timedelta(days=29)
    if (end - start).days >= MAX_DAYS:
        errors.append(_("Choose a period of at most %(n)s days.", n=MAX_DAYS))
        start = end - timedelta(days=MAX_DAYS - 1)
    return start, end, errors


def _json(fig) -> str:
    """Figure JSON safe inside a <script> element (team names are user text and could hold "</script>"),
    escaped the way Jinja's tojson filter escapes, with plotly's own encoder."""
    return htmlsafe_json_dumps(fig, dumps=lambda figure, **_: figure.to_json())


def _charts(trend: list[dict], teams: list[dict]) -> list[dict]:
    """Each chart as plotly JSON with the rows of its table."""
    months = [row["month"] for row in trend]
    usage = usage_trend_figure(
        months,
        [round(row["minutes_saved"] / 60, 1) for row in trend],
        [row["active_users"] for row in trend],
        names={
            "title": _("Hours saved and active people, by month"),
            "hours": _("Hours saved"),
            "users": _("Active people"),
        },
    )
    cases = cases_trend_figure(
        months,
        [row["use_cases_shared"] for row in trend],
        [round(row["use_case_density"], 2) if row["use_case_density"] is not None else None for row in trend],
        names={
            "title": _("Use cases shared, by month"),
            "shared": _("Use cases shared"),
            "density": _("Density (per 100 seats)"),
        },
    )
    charts = [
        {"id": "usage-trend", "json": _json(usage), "kind": "trend"},
        {"id": "cases-trend", "json": _json(cases), "kind": "cases"},
    ]
    if teams:
        reach = team_reach_figure(
            [t["team"] for t in teams],
            [round(100 * (t["reach"] or 0), 1) for t in teams],
            title=_("Share of each team active in the period"),
        )
        charts.append({"id": "team-reach", "json": _json(reach), "kind": "teams"})
    return charts


@bp.get("/accounts/<int:account_id>/metrics")
@allow(EVERYONE_SIGNED_IN)
def account(account_id: int):
    acct = account_or_404(account_id)
    start, end, errors = _period()
    figures = account_metrics(db.session, acct, start, end)
    trend = monthly_trend(db.session, acct, end)
    teams = team_table(db.session, acct, start, end)
    return render_template(
        "metrics/account.html",
        account=acct,
        start=start,
        end=end,
        errors=errors,
        m=figures,
        trend=trend,
        teams=teams,
        charts=_charts(trend, teams),
        part_labels=PART_LABELS,
        targets=TARGETS,
        bands=(GOOD, WATCH),
        plotly_version=plotly.__version__,
    ), (400 if errors else 200)


@bp.get("/vendor/plotly.min.js")
@public
def plotly_js():
    """plotly.js from the installed plotly package: offline, and cached for a year (the URL carries the
    package version)."""
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=365 * 24 * 3600)

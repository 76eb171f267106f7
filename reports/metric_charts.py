"""Interactive charts of an account's adoption, as plotly figures the page draws with the plotly.js that ships
inside the plotly package (served by the app, no CDN). Every chart has the same numbers as a table beside it
(reports/account_metrics.py computes them once), so the figures here only choose how they look.

Labels come in already translated: this package does not know the request's language.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

ACCENT, SECOND, MUTED = "#2f6fde", "#16a34a", "#94a3b8"


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}},
        margin={"l": 48, "r": 48, "t": 40, "b": 36},
        height=300,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.18},
        font={"family": "IPAexGothic, 'Noto Sans CJK JP', sans-serif", "size": 12},
    )
    fig.update_yaxes(gridcolor="#e2e8f0", zerolinecolor="#cbd5e0", rangemode="tozero", automargin=True)
    # On a phone the month labels turn; the margin grows with them instead of cutting them off.
    fig.update_xaxes(type="category", automargin=True)
    return fig


def usage_trend_figure(
    months: Sequence[str], hours_saved: Sequence[float], active_users: Sequence[int], *, names: dict[str, str]
) -> go.Figure:
    """Hours saved per month (bars) with active people (line, right axis)."""
    fig = go.Figure(
        [
            go.Bar(name=names["hours"], x=list(months), y=list(hours_saved), marker_color=ACCENT),
            go.Scatter(
                name=names["users"],
                x=list(months),
                y=list(active_users),
                yaxis="y2",
                mode="lines+markers",
                marker_color=SECOND,
            ),
        ]
    )
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False})
    fig.update_yaxes(tickformat=",.0f")
    return _layout(fig, names["title"])


def cases_trend_figure(
    months: Sequence[str], shared: Sequence[int], density: Sequence[float | None], *, names: dict[str, str]
) -> go.Figure:
    """Use cases shared per month (bars) and density per 100 seats (line, right axis)."""
    fig = go.Figure(
        [
            go.Bar(name=names["shared"], x=list(months), y=list(shared), marker_color=ACCENT),
            go.Scatter(
                name=names["density"],
                x=list(months),
                y=[d if d is not None else None for d in density],
                yaxis="y2",
                mode="lines+markers",
                marker_color=MUTED,
            ),
        ]
    )
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False})
    return _layout(fig, names["title"])


def team_reach_figure(teams: Sequence[str], reach_percent: Sequence[float], *, title: str) -> go.Figure:
    """Share of each team's people active (teams only, never people)."""
    fig = go.Figure(
        go.Bar(x=list(reach_percent)[::-1], y=list(teams)[::-1], orientation="h", marker_color=ACCENT)
    )
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(type="category")
    _layout(fig, title)
    fig.update_xaxes(type="linear")
    fig.update_layout(height=max(200, 60 + 36 * len(teams)))
    return fig

"""Charts for the PDF: plotly figures exported to SVG by kaleido through Debian's chromium.

One kaleido server per process, started on first use and kept warm (about 0.2 s a chart warm against 2-3 s
cold, measured here), so an rq worker pays the browser start once.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Sequence

import plotly.graph_objects as go

FONT = "IPAexGothic, IPAexゴシック, sans-serif"
INK, ACCENT, MUTED = "#1f2a37", "#2b6cb0", "#a0aec0"
_lock = threading.Lock()
# kaleido, its browser driver and WeasyPrint log every step at INFO; a report job needs none of it.
for _name in ("kaleido", "choreographer", "weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)
_started = False


def _ensure_server() -> None:
    global _started
    with _lock:
        if _started:
            return
        os.environ.setdefault("BROWSER_PATH", os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _started = True


def to_svg(fig: go.Figure, width: int = 640, height: int = 300) -> str:
    """The figure as an SVG document (text), rendered by the warm kaleido server."""
    _ensure_server()
    import kaleido

    data = kaleido.calc_fig_sync(fig, opts={"format": "svg", "width": width, "height": height})
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        font={"family": FONT, "color": INK, "size": 11},
        margin={"l": 60, "r": 20, "t": 40, "b": 40},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_yaxes(gridcolor="#e2e8f0", zerolinecolor="#cbd5e0", rangemode="tozero")
    fig.update_xaxes(type="category")  # labels arrive formatted for the report's language
    return fig


def value_vs_cost_figure(
    labels: Sequence[str],
    value: Sequence[float],
    cost: Sequence[float],
    *,
    title: str,
    value_name: str,
    cost_name: str,
) -> go.Figure:
    """Labor value saved against spend, per period (year or month)."""
    fig = go.Figure(
        [
            go.Bar(name=value_name, x=list(labels), y=list(value), marker_color=ACCENT),
            go.Bar(name=cost_name, x=list(labels), y=list(cost), marker_color=MUTED),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=",.0f", tickprefix="¥")
    return _layout(fig, title)


def hours_by_use_case_figure(titles: Sequence[str], hours: Sequence[float], *, title: str) -> go.Figure:
    """Gross hours saved per month by use case, largest on top."""
    short = [t if len(t) <= 24 else t[:23] + "…" for t in titles]
    fig = go.Figure(go.Bar(x=list(hours)[::-1], y=short[::-1], orientation="h", marker_color=ACCENT))
    fig.update_xaxes(tickformat=",.0f")
    return _layout(fig, title)


def trend_figure(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str) -> go.Figure:
    """One line per named series over the months (density, breadth...)."""
    fig = go.Figure(
        [
            go.Scatter(name=name, x=list(labels), y=list(values), mode="lines+markers")
            for name, values in series.items()
        ]
    )
    return _layout(fig, title)

"""Chart figures (Plotly JSON built on the server; static/js/indicator-chart.js draws them)."""

from indicators.analytics import constants as c
from indicators.analytics.rag import amber_tolerance
from indicators.analytics.series import FREQUENCY_KIND
from indicators.models import Indicator, Result


def chart_data(indicator: Indicator, rows: list) -> dict:
    """Plotly figure (data + layout) of approved actuals against target with the tolerance band.

    Plots the indicator's own frequency when it has at least two such results, else every result,
    so that a mixed history (annual outturns and a Q3 figure) still draws.
    """
    approved = [r for r in rows if r.status == Result.Status.APPROVED]
    own = [r for r in approved if r.period_kind == FREQUENCY_KIND.get(indicator.frequency)]
    points = sorted(own if len(own) >= 2 else approved, key=lambda r: r.end)
    x = [r.end.isoformat() for r in points]
    labels = [r.period_label for r in points]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Actual",
            "x": x,
            "y": [float(r.value) for r in points],
            "text": labels,
            "hovertemplate": "%{text}: %{y}<extra>Actual</extra>",
            "line": {"color": "#1d70b8", "width": 3},
            "marker": {"symbol": "circle", "size": 7},
        }
    ]
    with_target = [r for r in points if r.target is not None]
    if with_target and indicator.polarity != c.NEUTRAL:
        tx = [r.end.isoformat() for r in with_target]
        tol = [
            float(amber_tolerance(r.target, indicator.tolerance, indicator.tolerance_kind))
            for r in with_target
        ]
        sign = -1 if indicator.polarity == c.UP_IS_GOOD else 1
        edge = [float(r.target) + sign * t for r, t in zip(with_target, tol, strict=True)]
        traces += [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Amber tolerance",
                "x": tx,
                "y": edge,
                "line": {"width": 0},
                "hoverinfo": "skip",
                "showlegend": False,
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Target (with amber tolerance band)",
                "x": tx,
                "y": [float(r.target) for r in with_target],
                "fill": "tonexty",
                "fillcolor": "rgba(255, 191, 71, 0.3)",
                "line": {"color": "#0b0c0c", "dash": "dash", "width": 2},
                "hovertemplate": "%{y}<extra>Target</extra>",
            },
        ]
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
            "legend": {"orientation": "h", "y": -0.2},
            "yaxis": {"title": {"text": indicator.get_unit_display()}, "zeroline": True},
            "xaxis": {"type": "date"},
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"},
        },
    }

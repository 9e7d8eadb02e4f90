"""Chart figures (Plotly JSON built on the server; static/js/indicator-chart.js draws them).

Apps above the indicator core may draw series of their own on the indicator chart (a remedial
plan's trajectory, from clinics) without this module knowing them: the page sends
`chart_series_wanted`, each receiver returns a list of `ChartSeries`, and `add_series` draws them.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.dispatch import Signal

from indicators.analytics import constants as c
from indicators.analytics.rag import amber_tolerance
from indicators.analytics.series import FREQUENCY_KIND
from indicators.formatting import UNIT_AFFIXES, format_value
from indicators.models import Indicator, Result


def shown(indicator: Indicator, value) -> str:
    """A figure in a chart's hover text as the page writes it (the one formatter)."""
    return format_value(value, indicator.decimal_places, indicator.unit)


def value_axis(indicator: Indicator) -> dict:
    """The value axis' ticks with the unit's sign and thousands separators: 85% · £1,250k · 13,805."""
    before, after = UNIT_AFFIXES.get(indicator.unit, ("", ""))
    return {"tickprefix": before, "ticksuffix": after, "tickformat": ",", "separatethousands": True}


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
            "text": [
                f"{label}: {shown(indicator, r.value)}" for label, r in zip(labels, points, strict=True)
            ],
            "hovertemplate": "%{text}<extra>Actual</extra>",
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
                "text": [shown(indicator, r.target) for r in with_target],
                "fill": "tonexty",
                "fillcolor": "rgba(255, 191, 71, 0.3)",
                "line": {"color": "#0b0c0c", "dash": "dash", "width": 2},
                "hovertemplate": "%{text}<extra>Target</extra>",
            },
        ]
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
            "legend": {"orientation": "h", "y": -0.2},
            "yaxis": {
                "title": {"text": indicator.get_unit_display()},
                "zeroline": True,
                **value_axis(indicator),
            },
            "xaxis": {"type": "date"},
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"},
        },
    }


# --- Variation (XmR), annotations and the forecast -------------------------------------------------

SPECIAL_MARKERS = {
    # Shape as well as colour: a special-cause point is never told by colour alone.
    c.SPECIAL_IMPROVING: ("triangle-up", "#00703c"),
    c.SPECIAL_CONCERNING: ("triangle-down", "#d4351c"),
    c.SPECIAL_NEUTRAL: ("diamond", "#4c2c92"),
}


# A cumulative year-to-date amount is charted for variation as the amount added in each period
# (indicators.analytics.bulk), so its limits are drawn on a second panel below the results, in
# those terms: drawn over the running totals they would mean nothing.
ADDED_AXIS = "y2"
ADDED_LAYOUT = {
    "yaxis": {"domain": [0.42, 1]},
    "yaxis2": {"domain": [0, 0.3], "title": {"text": "Added in the period"}, "zeroline": True},
    "xaxis": {"anchor": "y2"},  # one date axis, at the foot of the lower panel
    "height": 520,
}


def charts_increments(indicator: Indicator) -> bool:
    """Whether the indicator's variation is of the amount added each period (additive YTD)."""
    from indicators.analytics.bulk import is_additive

    return indicator.measure_type == c.MEASURE_YTD and is_additive(
        indicator.measure_type, indicator.unit, indicator.ytd_accumulates
    )


def _increments(own: list) -> dict:
    """Per own-frequency assessment id, the amount added in its period, where known.

    As `indicators.analytics.bulk._xmr_series` works it out: the value itself for the financial
    year's first period (or a year), else the difference from the previous period of that year.
    """
    out, previous = {}, None
    for a in own:
        if a.period.kind == c.YEAR or a.period.start.month == 4:
            out[a.id] = a.value
        elif previous is not None and previous.period.financial_year == a.period.financial_year:
            step = {c.MONTH: 1, c.QUARTER: 3}.get(a.period.kind, 12)
            months_apart = (a.period.start.year - previous.period.start.year) * 12 + (
                a.period.start.month - previous.period.start.month
            )
            if months_apart == step:
                out[a.id] = a.value - previous.value
        previous = a
    return out


def variation_traces(indicator: Indicator, assessments: list, annotations: list) -> tuple[list, list, dict]:
    """(traces, layout shapes, layout changes) adding the XmR centre line, process limits,
    special-cause points, annotations and the year-end forecast to the indicator chart.

    ``assessments``: the indicator's stored assessments of its own frequency, oldest first, with
    ``period`` loaded. The forecast is drawn only where it is on the chart's scale (rates, snapshots
    and year-to-date figures); an additive count's year total is given in words beside the chart.
    A cumulative year-to-date amount gets its variation on a second panel (see ADDED_LAYOUT).
    """
    own = [a for a in assessments if a.period.kind == FREQUENCY_KIND.get(indicator.frequency)]
    charted = [a for a in own if a.centre_line is not None]
    traces, shapes, layout = [], [], {}
    # The y of each charted point: its result, or for a cumulative amount what its period added.
    plotted = {a.id: a.value for a in charted}
    axis = {}
    if charted and charts_increments(indicator):
        increments = _increments(own)
        charted = [a for a in charted if a.id in increments]
        plotted = increments
        axis = {"yaxis": ADDED_AXIS}
        layout = ADDED_LAYOUT
        if charted:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": "Added in the period",
                    "x": [a.period.end.isoformat() for a in charted],
                    "y": [float(plotted[a.id]) for a in charted],
                    "text": [f"{a.period.label}: {shown(indicator, plotted[a.id])}" for a in charted],
                    "hovertemplate": "%{text}<extra>Added in the period</extra>",
                    "line": {"color": "#003078", "width": 2},
                    "marker": {"symbol": "square", "size": 6},
                    **axis,
                }
            )
    if charted:
        x = [a.period.end.isoformat() for a in charted]
        for name, attr, dash in (
            ("Centre line (mean)", "centre_line", "solid"),
            ("Upper process limit", "upper_limit", "dot"),
            ("Lower process limit", "lower_limit", "dot"),
        ):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": name,
                    "x": x,
                    "y": [float(getattr(a, attr)) for a in charted],
                    "text": [shown(indicator, getattr(a, attr)) for a in charted],
                    "line": {"color": "#505a5f", "dash": dash, "width": 1.5, "shape": "hvh"},
                    "hovertemplate": f"%{{text}}<extra>{name}</extra>",
                    **axis,
                }
            )
        for variation, (symbol, colour) in SPECIAL_MARKERS.items():
            points = [a for a in charted if a.variation == variation]
            if points:
                label = c.VARIATION_LABELS[variation]
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "markers",
                        "name": label,
                        "x": [a.period.end.isoformat() for a in points],
                        "y": [float(plotted[a.id]) for a in points],
                        "text": [
                            f"{a.period.label}: {shown(indicator, plotted[a.id])}, "
                            f"{c.RULE_LABELS.get(a.special_cause_rule, '')}"
                            for a in points
                        ],
                        "hovertemplate": f"%{{text}}<extra>{label}</extra>",
                        "marker": {
                            "symbol": symbol,
                            "size": 13,
                            "color": colour,
                            "line": {"width": 1, "color": "#0b0c0c"},
                        },
                        **axis,
                    }
                )
    for note in annotations:
        day = note.date.isoformat()
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": day,
                "x1": day,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#0b0c0c", "dash": "dashdot", "width": 1},
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": "Annotation",
                "showlegend": False,
                "x": [day],
                "y": [None],
                "text": [note.text],
                "hoverinfo": "text",
                "textposition": "top right",
            }
        )
    latest = own[-1] if own else None
    if latest is not None and latest.forecast_value is not None and forecast_on_scale(indicator):
        year_end = datetime.date(latest.period.financial_year + 1, 3, 31).isoformat()
        low, high = latest.forecast_low, latest.forecast_high
        error = None
        if low is not None and high is not None:
            error = {
                "type": "data",
                "symmetric": False,
                "array": [0, float(high - latest.forecast_value)],
                "arrayminus": [0, float(latest.forecast_value - low)],
                "color": "#6f72af",
            }
        trace = {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Forecast (year end)",
            "x": [latest.period.end.isoformat(), year_end],
            "y": [float(latest.value), float(latest.forecast_value)],
            "text": [shown(indicator, latest.value), shown(indicator, latest.forecast_value)],
            "line": {"color": "#6f72af", "dash": "dash", "width": 2},
            "marker": {"symbol": "circle-open", "size": 9},
            "hovertemplate": "%{text}<extra>Forecast, not an actual</extra>",
        }
        if error:
            trace["error_y"] = error
        traces.append(trace)
    return traces, shapes, layout


def forecast_on_scale(indicator: Indicator) -> bool:
    """A year-end forecast can share the chart's axis unless it is the sum of an additive period measure."""
    from indicators.analytics.bulk import is_additive

    return indicator.measure_type != c.MEASURE_PERIOD or not is_additive(
        indicator.measure_type, indicator.unit, indicator.ytd_accumulates
    )


def add_insights(chart: dict, insights) -> None:
    """Draw the variation traces, annotation shapes and any layout changes (a cumulative measure's
    second panel) on the results chart, in place; a chart with no results stays empty."""
    if not chart.get("data"):
        return
    chart["data"] += insights.traces
    chart["layout"]["shapes"] = insights.shapes
    for name, value in insights.layout.items():
        before = chart["layout"].get(name)
        chart["layout"][name] = {**before, **value} if isinstance(before, dict) else value


# --- Series from the apps above (e.g. a remedial plan's trajectory) --------------------------------

# Sent by the indicator page with `indicator`, `user` (receivers show only what the user may see)
# and `actuals` ({period id: value} of the approved results on the chart). Each receiver returns
# a list of ChartSeries (or an empty one). Receivers are connected in their app's AppConfig.ready.
chart_series_wanted = Signal()


@dataclass(frozen=True)
class ChartSeries:
    """A line of expected values drawn beside the results, with the results it flags."""

    name: str  # the legend: "Remedial plan trajectory (expected)"
    points: list[tuple[datetime.date, Decimal, str]]  # (period end, value, period label), oldest first
    description: str  # one sentence for the caption, saying how it is drawn
    flagged: list[tuple[datetime.date, Decimal, str]] = field(default_factory=list)  # results marked
    flagged_name: str = ""  # the legend of the marked results: "Off trajectory"


def extra_series(indicator: Indicator, user, rows: list) -> list[ChartSeries]:
    """The series the apps above want on this indicator's chart, for this user."""
    actuals = {r.period_id: r.value for r in rows if r.status == Result.Status.APPROVED}
    found = []
    for _receiver, response in chart_series_wanted.send(
        sender=Indicator, indicator=indicator, user=user, actuals=actuals
    ):
        found.extend(response or [])
    return found


def add_series(chart: dict, series: list[ChartSeries], indicator: Indicator | None = None) -> None:
    """Draw each series on the results chart, in place: a long-dashed line with open squares, and
    its flagged results as crosses (shapes as well as colour); a chart with no results stays empty.
    With the ``indicator``, the hover text writes each figure by its unit and places."""
    if not chart.get("data"):
        return

    def text(points) -> list[str]:
        if indicator is None:
            return [label for _, _, label in points]
        return [f"{label}: {shown(indicator, value)}" for _, value, label in points]

    hover = "%{text}" if indicator is not None else "%{text}: %{y}"
    for one in series:
        chart["data"].append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": one.name,
                "x": [end.isoformat() for end, _, _ in one.points],
                "y": [float(value) for _, value, _ in one.points],
                "text": text(one.points),
                "hovertemplate": f"{hover}<extra>{one.name}</extra>",
                "line": {"color": "#f47738", "dash": "longdash", "width": 2},
                "marker": {"symbol": "square-open", "size": 8},
            }
        )
        if one.flagged:
            chart["data"].append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": one.flagged_name,
                    "x": [end.isoformat() for end, _, _ in one.flagged],
                    "y": [float(value) for _, value, _ in one.flagged],
                    "text": text(one.flagged),
                    "hovertemplate": f"{hover}<extra>{one.flagged_name}</extra>",
                    "marker": {"symbol": "x", "size": 12, "color": "#0b0c0c"},
                }
            )

"""The clinic pack's chart, drawn on the server as vector SVG (pure: numbers in, markup out).

One chart per indicator: results as a line with points, the target as a dashed line, the process
limits as dotted lines, and the year-end forecast as a hollow diamond labelled "forecast" (a
forecast is never drawn as an actual). The same SVG is inlined in the pack page and the PDF, and
each chart is followed by its data table, so nothing is told by the picture alone.
"""

from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 116, 16, 40


def _num(value) -> float | None:
    if value is None or value == "":
        return None
    return float(Decimal(str(value)))


def pack_chart_svg(title: str, rows: list[dict], forecast: dict | None = None, shown=None) -> str:
    """``rows``: the pack's rows (period, value, target, lower_limit, upper_limit), oldest first;
    ``shown``: how an axis figure is written (the indicator's formatter), else 4 significant digits."""
    values = [_num(r["value"]) for r in rows]
    targets = [_num(r.get("target")) for r in rows]
    lows = [_num(r.get("lower_limit")) for r in rows]
    highs = [_num(r.get("upper_limit")) for r in rows]
    forecast_value = _num(forecast["value"]) if forecast else None
    everything = [v for v in values + targets + lows + highs + [forecast_value] if v is not None]
    if not rows or not everything:
        return ""
    low, high = min(everything), max(everything)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(rows) + (1 if forecast_value is not None else 0)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / max(count - 1, 1))

    def y(v: float) -> float:
        return TOP + plot_h * (high - v) / (high - low)

    def path(series) -> str:
        parts, pen = [], "M"
        for i, v in enumerate(series):
            if v is None:
                pen = "M"
                continue
            parts.append(f"{pen}{x(i):.1f},{y(v):.1f}")
            pen = "L"
        return " ".join(parts)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" class="kpi-pack-chart">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#b1b4b6"/>',
    ]
    for tick in range(5):
        v = low + (high - low) * tick / 4
        out.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#505a5f">'
            f"{escape(shown(v) if shown else f'{v:.4g}')}</text>"
        )
    step = max(1, len(rows) // 8)
    for i, row in enumerate(rows):
        if i % step == 0 or i == len(rows) - 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                f'fill="#505a5f">{escape(row["period"])}</text>'
            )
    for series, label in ((lows, "lower process limit"), (highs, "upper process limit")):
        if any(v is not None for v in series):
            out.append(
                f'<path d="{path(series)}" fill="none" stroke="#505a5f" stroke-dasharray="2 3" stroke-width="1"/>'
            )
            last = next(v for v in reversed(series) if v is not None)
            out.append(
                f'<text x="{WIDTH - RIGHT + 6}" y="{y(last) + 4:.1f}" font-size="11" fill="#505a5f">{label.split()[0]} limit</text>'
            )
    if any(v is not None for v in targets):
        out.append(
            f'<path d="{path(targets)}" fill="none" stroke="#1d70b8" stroke-dasharray="6 4" stroke-width="2"/>'
        )
        last = next(v for v in reversed(targets) if v is not None)
        out.append(
            f'<text x="{WIDTH - RIGHT + 6}" y="{y(last) + 4:.1f}" font-size="11" fill="#1d70b8">target</text>'
        )
    out.append(f'<path d="{path(values)}" fill="none" stroke="#0b0c0c" stroke-width="2"/>')
    for i, v in enumerate(values):
        if v is not None:
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#0b0c0c"/>')
    if forecast_value is not None:
        fx, fy = x(count - 1), y(forecast_value)
        out.append(
            f'<path d="M{fx:.1f},{fy - 6:.1f} L{fx + 6:.1f},{fy:.1f} L{fx:.1f},{fy + 6:.1f} L{fx - 6:.1f},{fy:.1f} Z" '
            'fill="#fff" stroke="#0b0c0c" stroke-width="2"/>'
        )
        out.append(
            f'<text x="{fx + 10:.1f}" y="{fy + 4:.1f}" font-size="11" fill="#0b0c0c">forecast (year end)</text>'
        )
    out.append("</svg>")
    return "".join(out)

"""The public indicator chart: an SVG line chart with a title, both axes and the target.

Pure Python (no Django). The issue was a bare line: no axes, no target and no title. This draws
the title, a y axis with its lowest, middle and highest values (in the indicator's own format),
an x axis with the first, middle and last period, the results as a line with points, and the
targets as a dashed line with a legend, all with a text alternative for screen readers.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 40, 48


def public_chart_svg(
    values: Sequence[Number],
    labels: Sequence[str],
    targets: Sequence[Number | None],
    *,
    title: str,
    fmt: Callable[[Number], str],
) -> str:
    """The chart of `values` (oldest first) against `targets` (same length, None where none)."""
    if not values:
        return ""
    shown = [float(v) for v in values] + [float(t) for t in targets if t is not None]
    low, high = min(shown), max(shown)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(values)

    def x(i: int) -> float:
        return LEFT + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)

    def y(v: Number) -> float:
        return TOP + inner_h - (float(v) - low) / (high - low) * inner_h

    parts = [
        f'<text x="{LEFT}" y="22" class="kpi-chart__title" font-weight="bold" font-size="16">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + inner_h}" stroke="#505a5f"/>',
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{LEFT + inner_w}" y2="{TOP + inner_h}" stroke="#505a5f"/>',
    ]
    for tick in (low + pad, (low + high) / 2, high - pad):
        ty = y(tick)
        parts.append(f'<line x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT}" y2="{ty:.1f}" stroke="#505a5f"/>')
        parts.append(
            f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" font-size="12" class="kpi-chart__tick">{escape(fmt(tick))}</text>'
        )
    for i in sorted({0, count // 2, count - 1}):
        anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
        parts.append(
            f'<text x="{x(i):.1f}" y="{TOP + inner_h + 18}" text-anchor="{anchor}" font-size="12" class="kpi-chart__tick">{escape(labels[i])}</text>'
        )
    target_points = [(x(i), y(t)) for i, t in enumerate(targets) if t is not None]
    if target_points:
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in target_points)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4" class="kpi-chart__target"/>'
        )
    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(
        f'<polyline points="{coords}" fill="none" stroke="#1d70b8" stroke-width="2.5" class="kpi-chart__actual"/>'
    )
    parts.extend(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1d70b8"/>' for i, v in enumerate(values)
    )
    legend_y = HEIGHT - 10
    parts.append(
        f'<line x1="{LEFT}" y1="{legend_y - 4}" x2="{LEFT + 24}" y2="{legend_y - 4}" stroke="#1d70b8" stroke-width="2.5"/>'
    )
    parts.append(f'<text x="{LEFT + 30}" y="{legend_y}" font-size="12">Result</text>')
    if target_points:
        parts.append(
            f'<line x1="{LEFT + 100}" y1="{legend_y - 4}" x2="{LEFT + 124}" y2="{legend_y - 4}" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(f'<text x="{LEFT + 130}" y="{legend_y}" font-size="12">Target</text>')
    description = (
        f"{title}: {count} results from {fmt(values[0])} ({labels[0]}) to {fmt(values[-1])} ({labels[-1]})"
        + (
            f"; latest target {fmt(next(t for t in reversed(targets) if t is not None))}."
            if target_points
            else "; no target."
        )
    )
    label = escape(description, quote=True)
    return (
        f'<svg class="kpi-public-chart__svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{label}" focusable="false"><title>{label}</title>'
        + "".join(parts)
        + "</svg>"
    )

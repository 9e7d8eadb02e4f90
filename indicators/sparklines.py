"""Sparklines: a short series of results drawn as a small inline SVG, on the server.

Pure Python (no Django import): a scorecard of 300 rows gets 300 small strings, not 300 chart
library instances. Every sparkline carries a text alternative (what a screen reader announces
and what a print-out without graphics still says), so the trend is never only a picture.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal


def _fmt(value: Number) -> str:
    """A value for the text alternative: no trailing zeros, no exponent."""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return text


def sparkline_description(
    values: Sequence[Number], labels: Sequence[str] | None = None, shown: Callable[[Number], str] = _fmt
) -> str:
    """The sparkline in words: first and last results, how many, lowest and highest.

    ``shown``: how a figure is written (the indicator's `format_value`: "85.7%", "£3,412k")."""
    if not values:
        return "No results to chart."
    labels = list(labels or [])
    have_labels = len(labels) == len(values)

    def point(i: int) -> str:
        return f"{shown(values[i])} ({labels[i]})" if have_labels else shown(values[i])

    if len(values) == 1:
        return f"One result: {point(0)}."
    return (
        f"{len(values)} results from {point(0)} to {point(-1)}; "
        f"lowest {shown(min(values))}, highest {shown(max(values))}."
    )


def sparkline_svg(
    values: Sequence[Number],
    labels: Sequence[str] | None = None,
    *,
    width: int = 120,
    height: int = 28,
    padding: int = 3,
    title: str = "",
    description: str | None = None,
    compact: bool = False,
    shown: Callable[[Number], str] = _fmt,
) -> str:
    """An inline SVG polyline of `values` (oldest first), the last point marked with a dot.

    Returns "" for an empty series. The SVG is `role="img"` with an `aria-label` and a
    `<title>` holding `title` (if given) and the text alternative; all text is escaped, so a
    title typed by a user cannot inject markup. A flat series draws a level line mid-height.
    `description`: the text alternative if the caller already has it (`sparkline_description`
    of the same values and labels), so a scorecard row does not work it out twice.

    Plain string formatting, one pass over the points: a 1,000-row scorecard draws 1,000 of these.

    `compact` (the scorecard tables, 1,000 rows on the CMT's): whole-pixel coordinates, no
    `xmlns` (an SVG inside HTML needs none), no `width` and `height` (the stylesheet sizes it,
    `.kpi-scorecard .kpi-sparkline`; the `viewBox` keeps its shape), no `aria-label` (the `<title>` child is the image's
    accessible name, as SVG-AAM and axe-core take it), no line-join or focus attributes, and the
    stroke and fill from the stylesheet (`.kpi-sparkline polyline` and `circle` in kpi.scss): about
    half the bytes a sparkline, drawn the same at this size.
    """
    if not values:
        return ""
    floats = [float(v) for v in values]
    count = len(floats)
    low, high = min(floats), max(floats)
    span = high - low
    inner_w, inner_h = width - 2 * padding, height - 2 * padding
    # Up is up on the page whatever the polarity: the RAG and direction columns say good or bad.
    places = ".0f" if compact else ".1f"
    if count > 1:
        step = inner_w / (count - 1)
        if span == 0:
            middle = f"{padding + inner_h / 2:{places}}"
            coords = [f"{padding + i * step:{places}},{middle}" for i in range(count)]
        else:
            bottom = padding + inner_h
            coords = [
                f"{padding + i * step:{places}},{bottom - (v - low) / span * inner_h:{places}}"
                for i, v in enumerate(floats)
            ]
        if compact:  # drawn by the stylesheet (`.kpi-sparkline polyline` in kpi.scss)
            line = f'<polyline points="{" ".join(coords)}"/>'
        else:
            line = (
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="currentColor" stroke-width="1.5"'
                ' stroke-linejoin="round" stroke-linecap="round"/>'
            )
        last_x, last_y = coords[-1].split(",")
    else:
        line = ""
        last_x, last_y = f"{width / 2:{places}}", f"{padding + inner_h / 2:{places}}"
    if description is None:
        description = sparkline_description(values, labels, shown)
    label = escape(f"{title}: {description}" if title else description, quote=True)
    if compact:
        return (
            f'<svg class="kpi-sparkline" viewBox="0 0 {width} {height}" '
            f'role="img"><title>{label}</title>{line}<circle cx="{last_x}" cy="{last_y}" r="2.5"/></svg>'
        )
    return (
        f'<svg class="kpi-sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}" focusable="false">'
        f"<title>{label}</title>{line}"
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="currentColor"/></svg>'
    )

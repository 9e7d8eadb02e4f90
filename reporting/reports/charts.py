"""Charts drawn on the server as vector SVG (no JavaScript, the same in the page and the PDF).

Pure Python. Each chart is a horizontal bar per category with its count written beside it and the
category's shape before its word, so the chart never relies on colour; the report always prints
the chart's data table next to it.
"""

from html import escape

# Shapes as the rest of the portal draws status (templates/includes/rag.html).
SHAPES = {
    "Green": "●",
    "Amber": "◆",
    "Red": "▲",
    "No RAG": "○",
    "Missing": "✕",
    "Not assessed": "—",
    "Good": "▲",
    "Bad": "▼",
    "Neutral": "►",
    "Not comparable": "—",
}
FILLS = {
    "Green": "#00703c",
    "Amber": "#b25a00",
    "Red": "#b0281a",
    "No RAG": "#505a5f",
    "Missing": "#505a5f",
    "Not assessed": "#505a5f",
}


def bar_chart_svg(title: str, bars: list[dict], *, width: int = 480, bar_height: int = 18) -> str:
    """An SVG bar chart of `bars` ([{"label", "count"}]); "" when there are no bars.

    `role="img"` with the title and every bar's count as its accessible name.
    """
    if not bars:
        return ""
    label_w, count_w, gap = 130, 40, 6
    plot_w = width - label_w - count_w
    top = max((int(b["count"]) for b in bars), default=0) or 1
    height = len(bars) * (bar_height + gap) + gap
    summary = "; ".join(f"{b['label']}: {b['count']}" for b in bars)
    name = escape(f"{title}. {summary}.", quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-report-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{name}" focusable="false">',
        f"<title>{name}</title>",
    ]
    for i, bar in enumerate(bars):
        y = gap + i * (bar_height + gap)
        label = str(bar["label"])
        shape = SHAPES.get(label, "")
        bar_w = round(plot_w * int(bar["count"]) / top, 1)
        fill = FILLS.get(label, "#1d70b8")
        text_y = y + bar_height - 5
        parts.append(
            f'<text x="0" y="{text_y}" font-size="12" fill="#0b0c0c">{escape(f"{shape} {label}".strip())}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_height}" fill="{fill}"/>')
        parts.append(
            f'<text x="{label_w + bar_w + 4}" y="{text_y}" font-size="12" fill="#0b0c0c">{int(bar["count"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

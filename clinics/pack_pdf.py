"""The clinic pack as a PDF (WeasyPrint), from the same template fragment as the pack page, with
the charts as vector SVG, a title, headings and page numbers."""

from decimal import Decimal

from django.template.loader import render_to_string

from clinics.charts import pack_chart_svg
from indicators.formatting import format_value


def _axis_figure(ind: dict):
    """The pack's figures on the axis as on the page (85.3% · £3,412k · 138,050); packs built
    before they carried their unit keep the plain numbers."""
    if "unit" not in ind:
        return None
    return lambda v: format_value(Decimal(str(v)), ind.get("decimal_places") or 0, ind["unit"])


def pack_with_charts(pack: dict) -> list[dict]:
    """Each indicator of the pack with its chart's SVG (drawn from the pack's own, frozen, rows)."""
    return [
        {
            **ind,
            "svg": pack_chart_svg(
                f"Chart of {ind['reference']} results",
                ind["rows"],
                ind.get("forecast"),
                shown=_axis_figure(ind),
            ),
        }
        for ind in pack.get("indicators", [])
    ]


def pack_pdf(clinic, pack: dict) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries (Pango) on import

    html = render_to_string(
        "clinics/pack_pdf.html", {"clinic": clinic, "indicators": pack_with_charts(pack), "pack": pack}
    )
    return HTML(string=html).write_pdf()

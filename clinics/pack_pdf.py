"""The clinic pack as a PDF (WeasyPrint), from the same template fragment as the pack page, with
the charts as vector SVG, a title, headings and page numbers."""

from django.template.loader import render_to_string

from clinics.charts import pack_chart_svg


def pack_with_charts(pack: dict) -> list[dict]:
    """Each indicator of the pack with its chart's SVG (drawn from the pack's own, frozen, rows)."""
    return [
        {
            **ind,
            "svg": pack_chart_svg(f"Chart of {ind['reference']} results", ind["rows"], ind.get("forecast")),
        }
        for ind in pack.get("indicators", [])
    ]


def pack_pdf(clinic, pack: dict) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries (Pango) on import

    html = render_to_string(
        "clinics/pack_pdf.html", {"clinic": clinic, "indicators": pack_with_charts(pack), "pack": pack}
    )
    return HTML(string=html).write_pdf()

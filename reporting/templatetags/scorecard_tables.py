"""`{% scorecard_rows %}`: a scorecard table's indicator rows, written in Python.

A CMT scorecard has about 1,000 rows of 14 cells. Through the template engine (a `{% url %}` and
three `{% include %}`s per row) that was about a second of the page's time; here each row is one
string format, in compact markup (see `_ROW`): the RAG and direction tags are
`includes/rag.html` and `includes/direction.html` rendered once per distinct status per request
(not cached across requests), and every value that comes from a user (titles, officers' names,
references) is escaped as `{{ }}` would escape it.
"""

import html
import re

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeData, SafeString, mark_safe

from organisation.roles import SCORECARD_CMT

register = template.Library()

# A reference of unreserved URL characters goes into the detail URL as it is (what `reverse()`
# would give); any other is left to `reverse()`.
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9._~-]+")
_PLACEHOLDER = "REFERENCE-PLACEHOLDER"

# Compact markup (a CMT scorecard has 1,000 of these rows, and its HTML must stay under 1 MB): no
# class on a cell, a link or the row header (kpi.scss gives the scorecard's cells GOV.UK's table
# styles, its links GOV.UK's link styles, and its numeric columns, found by position, GOV.UK's
# numeric cell), `<small>` for a cell's small print, and no indentation between cells.
_ROW = (
    '<tr class="govuk-table__row" data-reference="{reference}">'
    '<th scope="row"><a href="{url}">{reference}</a></th>'
    "<td>{title}<br><small>{polarity}</small>{statutory}{clinic}</td>"
    "{directorate}{years}"
    "<td>{value}{period}{not_reported}</td>"
    "<td>{target}</td>"
    "<td>{rag}</td>"
    "<td>{direction}</td>"
    "<td>{variation}{assurance}</td>"
    "<td>{forecast}{forecast_rag}</td>"
    "<td>{sparkline}</td>"
    "<td>{officer}</td>"
    "</tr>\n"
)
_HINT = "<br><small>{}</small>"
_NUMERIC = "<td>{}</td>"
_DIRECTORATE = '<td><a href="{}">{}</a></td>'
_NOT_REPORTED = _HINT.format("Current: not reported then")
_STATUTORY = '<br><strong class="kpi-statutory govuk-!-font-size-16">Statutory / single data list</strong>'
# A held clinic and a remedial plan in progress, in words and shape (■, ⚑), never colour alone.
_CLINIC_HELD = (
    '<br><span class="kpi-clinic-mark govuk-!-font-size-16"><span aria-hidden="true">■ </span>{}</span>'
)
_CLINIC_PLAN = (
    '<br><strong class="kpi-clinic-mark govuk-!-font-size-16"><span aria-hidden="true">⚑ </span>{}</strong>'
)


def clinic_mark_html(mark) -> str:
    """The clinic mark of a scorecard row (`clinics.services.ClinicMark`), or "" without one."""
    if mark is None:
        return ""
    out = ""
    held = mark.latest_held
    if held is not None:
        out += _CLINIC_HELD.format(f"Clinic held {held[1]:%-d %b %Y}" if held[1] else "Clinic held")
    if mark.plan is not None:
        out += _CLINIC_PLAN.format(html.escape(mark.plan_label))
    return out


@register.filter
def scorecard_clinic_mark(mark):
    """The same mark for a template (the dashboard's tiles): `{{ row.clinic_mark|scorecard_clinic_mark }}`."""
    return mark_safe(clinic_mark_html(mark).removeprefix("<br>"))  # noqa: S308 - built from escaped parts


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (15,000 calls on a CMT scorecard)."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


class _Fragments(dict):
    """A status tag rendered from its include the first time it is asked for (this request only)."""

    def __init__(self, template_name: str, variable: str):
        super().__init__()
        self.template_name, self.variable = template_name, variable

    def __missing__(self, key):
        html = render_to_string(self.template_name, {self.variable: key}).strip()
        # In a scorecard table a RAG tag is styled by `kpi-rag` alone (kpi.scss: `.kpi-rag` sets
        # everything `govuk-tag` did but its margins, which `.kpi-scorecard .kpi-rag` sets): ten
        # bytes fewer, twice a row. Its shape and word are unchanged.
        self[key] = html = html.replace('class="govuk-tag kpi-rag ', 'class="kpi-rag ')
        return html


@register.simple_tag(takes_context=True)
def scorecard_rows(context, rows, kind: str) -> SafeString:
    """The `<tr>`s of one group of a scorecard table (the CMT's with a directorate column)."""
    with_directorate = kind == SCORECARD_CMT
    cache = context.render_context.setdefault("scorecard_rows", {})
    if not cache:
        cache["rag"] = _Fragments("includes/rag.html", "rag")
        cache["direction"] = _Fragments("includes/direction.html", "direction")
        cache["detail"] = reverse("indicators:detail", args=[_PLACEHOLDER]).split(_PLACEHOLDER)
        cache["directorates"] = {}
    rags, directions, directorates = cache["rag"], cache["direction"], cache["directorates"]
    detail_prefix, detail_suffix = cache["detail"]
    esc = _escape
    out = []
    for row in rows:
        reference = esc(row.reference)
        directorate = ""
        if with_directorate:
            slug = row.directorate_slug
            url = directorates.get(slug)
            if url is None:
                url = directorates[slug] = esc(reverse("scorecards:directorate", args=[slug]))
            directorate = _DIRECTORATE.format(url, esc(row.directorate_code))
        out.append(
            _ROW.format(
                reference=reference,
                url=esc(
                    detail_prefix + row.reference + detail_suffix
                    if _PLAIN_REFERENCE.fullmatch(row.reference)
                    else reverse("indicators:detail", args=[row.reference])
                ),
                title=esc(row.title),
                polarity=esc(row.polarity_label),
                statutory=_STATUTORY if row.statutory else "",
                clinic=clinic_mark_html(row.clinic_mark),
                directorate=directorate,
                years="".join(_NUMERIC.format(esc(v)) for v in row.years_display),
                value=esc(row.value_display),
                period=_HINT.format(esc(row.period_label)) if row.period_label else "",
                not_reported=_NOT_REPORTED if row.not_reported else "",
                target=esc(row.target_display),
                rag=rags[row.rag],
                direction=directions[row.direction],
                variation=esc(row.variation_label or "—"),
                assurance=_HINT.format(esc(row.assurance_label)) if row.assurance_label else "",
                forecast=esc(row.forecast_display),
                forecast_rag=("<br>" + rags[row.forecast_rag]) if row.forecast_rag else "",
                sparkline=esc(row.sparkline) if row.sparkline else "—",
                officer=esc(row.responsible_officer or "—"),
            )
        )
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped; the tags are templates' output

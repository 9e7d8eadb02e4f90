"""`{% scorecard_rows %}`: a scorecard table's indicator rows, written in Python.

A CMT scorecard has about 1,000 rows of 14 cells. Through the template engine (a `{% url %}` and
three `{% include %}`s per row) that was about a second of the page's time; here each row is one
f-string, in compact markup (see `scorecard_rows`): the RAG and direction tags are
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

from indicators.analytics.memo import Memo
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
_HINT = "<br><small>{}</small>"
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


def _hint(text) -> str:
    """A cell's small print (`_HINT`), "" for none."""
    return _HINT.format(_escape(text)) if text else ""


def _fragments(template_name: str, variable: str, **context) -> Memo:
    """A status tag rendered from its include the first time it is asked for (this request only)."""
    return Memo(lambda key: render_to_string(template_name, {variable: key, **context}).strip())


@register.simple_tag(takes_context=True)
def scorecard_rows(context, rows, kind: str) -> SafeString:
    """The `<tr>`s of one group of a scorecard table (the CMT's with a directorate column).

    Each row is one f-string with its repeating pieces escaped once per request (`Memo` of
    `_escape`, of `_hint`): about 16,000 `html.escape` calls and a 20-keyword `format` per row were most of
    this tag's time.
    """
    with_directorate = kind == SCORECARD_CMT
    cache = context.render_context.setdefault("scorecard_rows", {})
    if not cache:
        # In a scorecard table a RAG tag is styled by `kpi-rag` alone (kpi.scss: `.kpi-rag` sets
        # everything `govuk-tag` did but its margins, which `.kpi-scorecard .kpi-rag` sets): ten
        # bytes fewer, twice a row. Its shape and word are unchanged.
        cache["rag"] = _fragments("includes/rag.html", "rag", in_scorecard_row=True)
        cache["direction"] = _fragments("includes/direction.html", "direction")
        cache["detail"] = reverse("indicators:detail", args=[_PLACEHOLDER]).split(_PLACEHOLDER)
        cache["directorates"] = {}
        # Escaped once per distinct text this request: a scorecard's labels and figures repeat
        # (three polarities, a few periods, variations, officers, values such as "57.5%").
        cache["escaped"] = Memo(_escape)
        cache["hints"] = Memo(_hint)
    rags, directions, directorates = cache["rag"], cache["direction"], cache["directorates"]
    escaped, hints = cache["escaped"], cache["hints"]
    detail_prefix, detail_suffix = cache["detail"]
    esc = _escape
    plain_reference = _PLAIN_REFERENCE.fullmatch
    out = []
    for row in rows:
        reference = row.reference
        url = (
            detail_prefix + reference + detail_suffix
            if plain_reference(reference)
            else reverse("indicators:detail", args=[reference])
        )
        reference = esc(reference)
        directorate = ""
        if with_directorate:
            slug = row.directorate_slug
            directorate = directorates.get((slug, row.directorate_code))
            if directorate is None:
                link = esc(reverse("scorecards:directorate", args=[slug]))
                directorate = directorates[slug, row.directorate_code] = _DIRECTORATE.format(
                    link, esc(row.directorate_code)
                )
        years = "".join([f"<td>{escaped[v]}</td>" for v in row.years_display])
        clinic = clinic_mark_html(row.clinic_mark) if row.clinic_mark is not None else ""
        forecast_rag = ("<br>" + rags[row.forecast_rag]) if row.forecast_rag else ""
        out.append(
            f'<tr class="govuk-table__row" data-reference="{reference}">'
            f'<th scope="row"><a href="{esc(url)}">{reference}</a></th>'
            f"<td>{esc(row.title)}<br><small>{escaped[row.polarity_label]}</small>"
            f"{_STATUTORY if row.statutory else ''}{clinic}</td>"
            f"{directorate}{years}"
            f"<td>{escaped[row.value_display]}{hints[row.period_label]}"
            f"{_NOT_REPORTED if row.not_reported else ''}</td>"
            f"<td>{escaped[row.target_display]}</td>"
            f"<td>{rags[row.rag]}</td>"
            f"<td>{directions[row.direction]}</td>"
            f"<td>{escaped[row.variation_label or '—']}{hints[row.assurance_label]}</td>"
            f"<td>{escaped[row.forecast_display]}{forecast_rag}</td>"
            f"<td>{esc(row.sparkline) if row.sparkline else '—'}</td>"
            f"<td>{escaped[row.responsible_officer or '—']}</td>"
            "</tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped; the tags are templates' output

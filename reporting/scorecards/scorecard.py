"""The scorecard itself: a subject's rows as at a period, as reported or current, filtered, sorted
and grouped.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    OuterRef,
    Subquery,
)
from django.utils import timezone

from clinics.services import clinic_marks
from indicators import access
from indicators.access import visible_indicators
from indicators.analytics import constants as c
from indicators.models import Indicator, Period
from indicators.periods import canonical_period_key, financial_year_of
from organisation import roles
from organisation.calendar import reporting_date
from organisation.models import Directorate, Theme
from reporting.models import ReportedAssessment
from reporting.scorecards.filters import SORTS, clean_filters, row_matches, sort_key
from reporting.scorecards.rows import Count, ScorecardRow, Section, build_rows, group_by_category, summarise
from reporting.scorecards.subjects import KIND_TITLES, scorecard_indicators, subject_for

VIEW_REPORTED = "reported"


VIEW_CURRENT = "current"


VIEWS = {VIEW_REPORTED: "As reported", VIEW_CURRENT: "Current"}


@dataclass
class Scorecard:
    kind: str
    title: str
    subject: object | None
    period: Period | None
    periods: list[Period]
    year_labels: list[str]
    sections: list[Section]
    summary: dict[str, list[Count]]
    total: int
    shown: int
    filters: dict[str, str]
    sort: str
    show_all: bool = False
    notices: list[str] = field(default_factory=list)
    directorates: list[Directorate] = field(default_factory=list)
    view: str = VIEW_CURRENT  # what the rows show: VIEW_REPORTED or VIEW_CURRENT
    reported_on: datetime.date | None = None  # when the chosen period was reported, if it was

    @property
    def as_reported(self) -> bool:
        return self.view == VIEW_REPORTED

    @property
    def period_options(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The period selector: (kind label, [(key, label, selected)]) for years, quarters, months."""
        options = []
        for kind, label in Period.KIND_CHOICES[::-1]:
            choices = [(p.key, p.label, p == self.period) for p in self.periods if p.kind == kind]
            if choices:
                options.append((label + "s", choices))
        return options

    @property
    def rows(self) -> list[ScorecardRow]:
        """Every shown row once, in order (an indicator in two themes appears once)."""
        seen, rows = set(), []
        for section in self.sections:
            for group in section.groups:
                for row in group.rows:
                    if row.reference not in seen:
                        seen.add(row.reference)
                        rows.append(row)
        return rows


def choose_period(
    raw: str | None, periods: list[Period], as_of: datetime.date, prefer_kind: str = c.MONTH
) -> tuple[Period | None, str]:
    """The period asked for in the URL, else the latest reported period.

    The default (issue 10 item 8) is the latest period already reported (its exception list built,
    `reported_at`), on a tie of end dates the scorecard's own rhythm (``prefer_kind``: months for a
    directorate's monthly DMT, quarters for the rest); failing any, the latest period ended by the
    reporting date; failing that, the financial year of the reporting date. Never an unfinished year
    while a finished month or quarter exists. Returns (period, notice); a key that names no period
    falls back with a notice, never a 500.
    """
    by_key = {p.key: p for p in periods}
    raw = canonical_period_key(raw) or raw  # an earlier form of key, as a bookmark may hold
    reported = [p for p in periods if getattr(p, "reported_at", None) and p.end <= as_of]
    ended = [p for p in periods if p.end <= as_of]
    fy = financial_year_of(as_of)
    default = max(
        reported or ended, key=lambda p: (p.end, p.kind == prefer_kind, p.kind != c.YEAR), default=None
    )
    if default is None:
        default = next((p for p in periods if p.kind == c.YEAR and p.financial_year == fy), None)
    if default is None:
        default = next((p for p in periods if p.start <= as_of), periods[0] if periods else None)
    if not raw:
        return default, ""
    chosen = by_key.get(raw)
    if chosen is None:
        shown = default.label if default else "the latest results"
        return (
            default,
            f"There is no period called “{raw[:30]}”. Showing {shown}: choose a period from the list.",
        )
    return chosen, ""


def scorecard(
    user,
    kind: str,
    slug: str | None = None,
    *,
    period: str | None = None,
    params=None,
    show_all: bool = False,
    view: str | None = None,
) -> Scorecard:
    """A scorecard as at a period, filtered and sorted as the URL says. Six queries (seven for
    the Council Plan; one more as reported; one more for a role that sees only part of the
    council; one more, the window query, where some row's stored summary does not answer the
    period: `rows._summary_serves`) after the user's profile is loaded, whatever the number of
    indicators; one of them reads the clinic marks (`clinics.services.clinic_marks`).

    `view`: "reported" (the default where the period was reported) or "current".
    """
    params = params or {}
    subject = subject_for(user, kind, slug)
    show_all = show_all and kind == roles.SCORECARD_DIRECTORATE
    as_of = reporting_date()
    # When each period was reported (frozen), read with the periods: no query of its own.
    periods = list(
        Period.objects.annotate(
            reported_at=Subquery(
                ReportedAssessment.objects.filter(period=OuterRef("pk"))
                .order_by("-reported_at")
                .values("reported_at")[:1]
            )
        )
        # Periods up to the reporting date: a target set for a future year (allowed, on the targets
        # pages) must not put that year at the head of every scorecard's list (issue 10 item 1).
        .filter(start__lte=as_of)
        .order_by("-start", "kind")
    )
    prefer = c.MONTH if kind == roles.SCORECARD_DIRECTORATE else c.QUARTER
    chosen, notice = choose_period(period, periods, as_of, prefer)
    notices = [notice] if notice else []
    reported_on = timezone.localdate(chosen.reported_at) if chosen and chosen.reported_at else None
    if view and view not in VIEWS:
        notices.append(
            f"“{view[:30]}” is not a way to show a scorecard: choose “as reported” or “current”."
            f" Showing {_default_view_words(reported_on)}."
        )
        view = None
    if reported_on is None:
        if view == VIEW_REPORTED and chosen is not None:
            notices.append(
                f"{chosen.label} has not been reported yet (its exception list is built once its returns"
                " fall due), so this shows the current assessments."
            )
        view = VIEW_CURRENT
    view = view or VIEW_REPORTED
    filters, filter_notices = clean_filters(params)
    notices += filter_notices
    sort = params.get("sort") or "reference"
    if sort not in SORTS:
        notices.append(
            f"“{sort[:30]}” is not a way this scorecard can be sorted, so it is sorted by reference."
        )
        sort = "reference"

    indicators = scorecard_indicators(visible_indicators(user), kind, subject, show_all)
    rows, year_labels = build_rows(
        indicators, chosen, as_of, as_reported=view == VIEW_REPORTED, compact_sparklines=True
    )
    # The mark beside an indicator with a held clinic or a remedial plan in progress: one query,
    # its indicators chosen by a subquery (not 1,000 ids as parameters).
    marks = clinic_marks(indicators.order_by().values("id")) if rows else {}
    for row in rows:
        row.clinic_mark = marks.get(row.indicator.id)
    if access.scope_filter(user) is not None:  # one more query, for scoped roles only
        hidden = scorecard_indicators(Indicator.objects.all(), kind, subject, show_all).count() - len(rows)
        if hidden > 0:
            notices.append(
                f"You see {len(rows)} of this scorecard's {len(rows) + hidden} indicators: the other "
                f"{hidden} {'is' if hidden == 1 else 'are'} outside your role's scope."
            )
    summary = summarise(rows)
    shown_rows = sorted((r for r in rows if row_matches(r, filters)), key=sort_key(sort))

    directorates = []
    if kind == roles.SCORECARD_COUNCIL_PLAN:
        themes = list(Theme.objects.order_by("order", "name"))
        links = defaultdict(set)
        for indicator_id, theme_id in Indicator.themes.through.objects.filter(
            indicator_id__in=[r.indicator.id for r in rows]
        ).values_list("indicator_id", "theme_id"):
            links[theme_id].add(indicator_id)
        sections = [
            Section(
                theme.name,
                group_by_category(
                    [r for r in shown_rows if r.indicator.id in links[theme.id]], keep_empty=False
                ),
            )
            for theme in themes
        ]
    else:
        sections = [Section("", group_by_category(shown_rows))]
        if kind == roles.SCORECARD_CMT:
            directorates = list(Directorate.objects.order_by("name"))

    title = KIND_TITLES[kind]
    if subject is not None:
        title = f"{subject.name}: {title[0].lower()}{title[1:]}"
    return Scorecard(
        kind=kind,
        title=title,
        subject=subject,
        period=chosen,
        periods=periods,
        year_labels=year_labels,
        sections=sections,
        summary=summary,
        total=len(rows),
        shown=len(shown_rows),
        filters=filters,
        sort=sort,
        show_all=show_all,
        notices=notices,
        directorates=directorates,
        view=view,
        reported_on=reported_on,
    )


def _default_view_words(reported_on: datetime.date | None) -> str:
    return "what was reported" if reported_on else "the current assessments"


def cmt_scorecard(user, period: str | None = None) -> Scorecard:
    """The CMT scorecard: every directorate's included indicators plus the statutory ones.

    A plain function so `manage.py bench` can time it at 1,000 indicators.
    """
    return scorecard(user, roles.SCORECARD_CMT, period=period)

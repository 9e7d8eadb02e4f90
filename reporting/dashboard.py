"""The councillors' on-demand dashboard: a theme's or portfolio's scorecard rows, made for a phone."""

from dataclasses import dataclass

from clinics.services import clinic_marks
from indicators.access import visible_indicators
from indicators.models import Indicator
from organisation.calendar import reporting_date
from organisation.models import Portfolio, Theme
from reporting.scorecards.rows import Count, ScorecardRow, build_rows, summarise


@dataclass
class Dashboard:
    themes: list[Theme]
    portfolios: list[Portfolio]
    choice: str  # "theme:<slug>" or "portfolio:<slug>"
    subject: object | None
    rows: list[ScorecardRow]
    summary: dict[str, list[Count]]
    notice: str = ""


def dashboard(user, choice: str | None) -> Dashboard:
    """A councillor's on-demand dashboard for one theme or portfolio, in six queries (the sixth
    the rows' clinic marks, none without rows).

    Defaults to the user's own portfolio, else the first theme. Rows are narrowed by
    `visible_indicators`, so choosing someone else's portfolio shows only its published indicators.
    """
    themes = list(Theme.objects.order_by("order", "name"))
    portfolios = list(Portfolio.objects.order_by("name"))
    options = {f"theme:{t.slug}": t for t in themes} | {f"portfolio:{p.slug}": p for p in portfolios}
    profile = getattr(user, "profile", None)
    default = None
    if profile is not None and profile.portfolio_id:
        default = next(
            (k for k, v in options.items() if k.startswith("portfolio:") and v.id == profile.portfolio_id),
            None,
        )
    if default is None and themes:
        default = f"theme:{themes[0].slug}"
    notice = ""
    if choice and choice not in options:
        notice = "That theme or portfolio was not found: choose one from the list."
        choice = None
    choice = choice or default
    subject = options.get(choice) if choice else None
    indicators = visible_indicators(user).filter(is_active=True)
    if isinstance(subject, Theme):
        indicators = indicators.filter(
            id__in=Indicator.themes.through.objects.filter(theme=subject).values("indicator_id")
        )
    elif isinstance(subject, Portfolio):
        indicators = indicators.filter(portfolio=subject)
    else:
        indicators = indicators.none()
    rows, _ = build_rows(indicators, None, reporting_date(), sparkline_width=240)
    marks = clinic_marks([r.indicator.id for r in rows]) if rows else {}
    for row in rows:
        row.clinic_mark = marks.get(row.indicator.id)  # a held clinic, a remedial plan: as scorecards
    return Dashboard(themes, portfolios, choice or "", subject, rows, summarise(rows), notice)

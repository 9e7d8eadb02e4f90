"""The councillors' on-demand dashboard: a theme's or portfolio's indicators, made for a phone.

Issue 10, item 12: the page was 60 cards in reference order, 15,270 px long at 375 px. Now:

* the count tiles (RAG, worsening, special cause – concerning) are links that filter the page
  (`?rag=red`, `?direction=bad`, `?variation=special_concerning`, the scorecards' own filter
  names), so they work without JavaScript;
* indicators are grouped by Council Plan theme, each group a `<details>` whose summary gives its
  counts; an indicator serving several themes sits under the first in the plan's order, so each
  appears once;
* within a group, the indicators with most concerns (red, worsening, special cause –
  concerning) come first (`priority_key`); a group of more than `SPLIT_AT` indicators is split by
  RAG, red first, and a RAG of more than `SPLIT_AT` into runs of at most `SPLIT_AT`, so that any
  indicator is at most two taps and three phone screens away (tests/browser/test_dashboard_phone.py).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from clinics.services import clinic_marks
from indicators.access import visible_indicators
from indicators.analytics import constants as c
from indicators.models import Indicator
from organisation.calendar import reporting_date
from organisation.models import Portfolio, Theme
from reporting.scorecards.filters import clean_filters, row_matches
from reporting.scorecards.rows import NOT_ASSESSED, RAG_ORDER, Count, ScorecardRow, build_rows

SPLIT_AT = 12  # the longest list shown: about 1,600 px at 375 px wide, under three 667 px screens
NO_THEME = "No Council Plan theme"
CONCERN_LABELS = {
    "red": "Red",
    "worsening": "Worsening",
    "special_concerning": "Special cause – concerning",
}
# Tiles beside the RAG counts: (filter name, value, label).
CONCERN_TILES = [
    ("direction", c.BAD, "Worsening"),
    ("variation", c.SPECIAL_CONCERNING, "Special cause – concerning"),
]
RAG_RANK = {k: i for i, k in enumerate([*RAG_ORDER, NOT_ASSESSED])}


def concerns(row: ScorecardRow) -> list[str]:
    """What about this indicator's latest result a councillor should look at first. Pure."""
    found = []
    if row.rag == c.RED:
        found.append("red")
    if row.direction == c.BAD:
        found.append("worsening")
    if row.variation == c.SPECIAL_CONCERNING:
        found.append("special_concerning")
    return found


def priority_key(row: ScorecardRow) -> tuple:
    """Most concerns first; then red, amber, green, no RAG, missing, not assessed; then reference."""
    return (-len(concerns(row)), RAG_RANK.get(row.rag or NOT_ASSESSED, len(RAG_RANK)), row.reference)


def rag_counts(rows: list[ScorecardRow]) -> list[Count]:
    """The non-zero RAG counts, red first (a group's summary line)."""
    counts = {}
    for row in rows:
        key = row.rag or NOT_ASSESSED
        counts[key] = counts.get(key, 0) + 1
    return [
        Count(key, c.RAG_LABELS.get(key, "Not assessed"), counts[key])
        for key in sorted(counts, key=lambda k: RAG_RANK.get(k, len(RAG_RANK)))
    ]


@dataclass
class DashboardGroup:
    key: str  # an id for the page: "theme-<slug>", "theme-<slug>-red"
    label: str
    rows: list[ScorecardRow]
    counts: list[Count]
    subgroups: list["DashboardGroup"] = field(default_factory=list)


@dataclass
class Tile:
    name: str  # the filter's name in the URL: rag, direction, variation
    value: str
    label: str
    count: int
    url: str
    active: bool


@dataclass
class Dashboard:
    themes: list[Theme]
    portfolios: list[Portfolio]
    choice: str  # "theme:<slug>" or "portfolio:<slug>"
    subject: object | None
    rows: list[ScorecardRow]  # every indicator of the subject, before the filter
    tiles: list[Tile] = field(default_factory=list)
    groups: list[DashboardGroup] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    shown: int = 0  # indicators that match the filter
    notice: str = ""
    clear_url: str = ""


def _parts(key: str, count: Count, rows: list[ScorecardRow]) -> list[DashboardGroup]:
    """A RAG's rows as groups of at most SPLIT_AT, so no list is longer than three phone screens:
    "Green", or "Green, 1 to 12 of 17" and "Green, 13 to 17 of 17". Pure."""
    if len(rows) <= SPLIT_AT:
        return [DashboardGroup(key, count.label, rows, [count])]
    parts = []
    for start in range(0, len(rows), SPLIT_AT):
        chunk = rows[start : start + SPLIT_AT]
        label = f"{count.label}, {start + 1} to {start + len(chunk)} of {len(rows)}"
        parts.append(
            DashboardGroup(
                f"{key}-{start // SPLIT_AT + 1}", label, chunk, [Count(count.key, count.label, len(chunk))]
            )
        )
    return parts


def group_rows(
    rows: list[ScorecardRow], theme_of: dict[int, Theme | None], *, split: bool
) -> list[DashboardGroup]:
    """Rows by theme (plan order, "no theme" last), each group in priority order; large groups
    split by RAG when `split`. Pure."""
    by_theme: dict[int | None, list[ScorecardRow]] = {}
    themes: dict[int | None, Theme | None] = {}
    for row in rows:
        theme = theme_of.get(row.indicator.id)
        key = theme.id if theme else None
        by_theme.setdefault(key, []).append(row)
        themes[key] = theme
    order = sorted(by_theme, key=lambda k: (k is None, (themes[k].order, themes[k].name) if k else (0, "")))
    groups = []
    for key in order:
        theme = themes[key]
        members = sorted(by_theme[key], key=priority_key)
        slug = theme.slug if theme else "none"
        group = DashboardGroup(
            f"theme-{slug}", theme.name if theme else NO_THEME, members, rag_counts(members)
        )
        if split and len(members) > SPLIT_AT:
            for count in group.counts:
                part = [r for r in members if (r.rag or NOT_ASSESSED) == count.key]
                group.subgroups += _parts(f"{group.key}-{count.key}", count, part)
        groups.append(group)
    return groups


def _first_themes(indicator_ids: list[int], themes: list[Theme]) -> dict[int, Theme]:
    """{indicator id: its first theme in the plan's order}: one query."""
    rank = {t.id: i for i, t in enumerate(themes)}
    by_id = {t.id: t for t in themes}
    first: dict[int, Theme] = {}
    for indicator_id, theme_id in Indicator.themes.through.objects.filter(
        indicator_id__in=indicator_ids
    ).values_list("indicator_id", "theme_id"):
        current = first.get(indicator_id)
        if current is None or rank[theme_id] < rank[current.id]:
            first[indicator_id] = by_id[theme_id]
    return first


def _url(choice: str, **filters) -> str:
    params = {"show": choice, **{k: v for k, v in filters.items() if v}}
    return "?" + urlencode(params)


def dashboard(user, choice: str | None, params=None) -> Dashboard:
    """A councillor's on-demand dashboard for one theme or portfolio, in seven queries (six for
    a theme).

    Defaults to the user's own portfolio, else the first theme. Rows are narrowed by
    `visible_indicators`, so choosing someone else's portfolio shows only its published indicators.
    `params`: the request's query (the tiles' filters); an unknown filter value is a notice.
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
    notices = []
    if choice and choice not in options:
        notices.append("That theme or portfolio was not found: choose one from the list.")
        choice = None
    choice = choice or default
    subject = options.get(choice) if choice else None
    filters, filter_notices = clean_filters(params or {})
    filters.pop("statutory", None)
    notices += filter_notices
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
    if isinstance(subject, Theme):  # the chosen theme is the group, whatever else they serve
        theme_of = {r.indicator.id: subject for r in rows}
    else:
        theme_of = _first_themes([r.indicator.id for r in rows], themes) if rows else {}
    shown = [r for r in rows if row_matches(r, filters)]
    choice = choice or ""
    clear_url = _url(choice)

    def tile(name: str, value: str, label: str, count: int) -> Tile:
        # A tile whose filter is on takes it off again, as the scorecards' counts do.
        active = filters.get(name) == value
        return Tile(name, value, label, count, clear_url if active else _url(choice, **{name: value}), active)

    tiles = [tile("rag", count.key, count.label, count.count) for count in rag_counts(rows)]
    for name, value, label in CONCERN_TILES:
        tiles.append(
            tile(name, value, label, sum(1 for r in rows if (getattr(r, name) or NOT_ASSESSED) == value))
        )
    return Dashboard(
        themes=themes,
        portfolios=portfolios,
        choice=choice,
        subject=subject,
        rows=rows,
        tiles=tiles,
        groups=group_rows(shown, theme_of, split="rag" not in filters),
        filters=filters,
        shown=len(shown),
        notice=" ".join(notices),
        clear_url=clear_url,
    )

"""Scorecard filters and sorting: the summary's counts link to these, and bad values are refused
with a message.
"""

from reporting.scorecards.rows import (
    DIRECTION_ORDER,
    NOT_ASSESSED,
    RAG_ORDER,
    STATUTORY,
    VARIATION_ORDER,
    ScorecardRow,
)

SORTS = {"reference": "Reference", "rag": "RAG (red first)", "direction": "Direction of travel (bad first)"}


FILTER_FIELDS = {
    "rag": (set(RAG_ORDER) | {NOT_ASSESSED}, "RAG"),
    "direction": (set(DIRECTION_ORDER) | {NOT_ASSESSED}, "direction of travel"),
    "variation": (set(VARIATION_ORDER) | {NOT_ASSESSED}, "variation"),
    "statutory": ({STATUTORY}, "statutory return choice"),
}


def clean_filters(params) -> tuple[dict[str, str], list[str]]:
    """The summary-panel filters from the URL; an unknown value is dropped with a notice."""
    filters, notices = {}, []
    for name, (allowed, words) in FILTER_FIELDS.items():
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        if raw in allowed:
            filters[name] = raw
        else:
            notices.append(
                f"“{raw[:30]}” is not a {words} this scorecard can filter by, so that filter was ignored."
            )
    return filters, notices


def _filter_value(row: ScorecardRow, name: str) -> str:
    if name == "statutory":
        return STATUTORY if row.statutory else ""
    return getattr(row, name) or NOT_ASSESSED


def row_matches(row: ScorecardRow, filters: dict[str, str]) -> bool:
    return all(_filter_value(row, name) == value for name, value in filters.items())


def sort_key(sort: str):
    if sort == "rag":
        rank = {k: i for i, k in enumerate(RAG_ORDER)}
        return lambda r: (rank.get(r.rag, len(rank)), r.reference)
    if sort == "direction":
        rank = {k: i for i, k in enumerate(DIRECTION_ORDER)}
        return lambda r: (rank.get(r.direction, len(rank)), r.reference)
    return lambda r: r.reference

"""Token holders see exactly what their role and scope show them in the pages: for every role,
the API's indicators are the library's, and a scorecard's rows are the page's."""

import pytest

from indicators.access import visible_indicators
from reporting.scorecards.scorecard import scorecard

ROLES = ["officer", "head", "director", "cmt", "hub", "councillor", "scrutiny", "auditor"]


@pytest.fixture
def council(build_council, users, org):
    indicators = build_council(12, months=3)
    for indicator in indicators[:4]:
        indicator.portfolio = org["portfolio"]
        indicator.save()
        indicator.boards.add(org["board"])
    return indicators


@pytest.mark.parametrize("role", ROLES)
def test_indicators_are_the_libraries(council, users, role, api_get, token_for):
    user = users[role]
    body = api_get("/api/v1/indicators?page_size=200", token_for(user)).json()
    assert {i["reference"] for i in body["items"]} == set(
        visible_indicators(user).values_list("reference", flat=True)
    )


@pytest.mark.parametrize(
    ("role", "path", "kind", "slug"),
    [
        ("director", "/api/v1/scorecards/directorate/oce", "directorate", "oce"),
        (
            "councillor",
            "/api/v1/scorecards/portfolio/finance-performance",
            "portfolio",
            "finance-performance",
        ),
        ("scrutiny", "/api/v1/scorecards/board/hwb", "board", "hwb"),
        ("cmt", "/api/v1/scorecards/cmt", "cmt", None),
    ],
)
def test_scorecard_rows_are_the_pages(council, users, role, path, kind, slug, api_get, token_for):
    user = users[role]
    body = api_get(path, token_for(user)).json()
    page = scorecard(user, kind, slug)
    assert [r["reference"] for r in body["rows"]] == [r.reference for r in page.rows]
    assert [r["rag_label"] for r in body["rows"]] == [r.rag_label for r in page.rows]
    links = api_get("/api/v1/scorecards", token_for(user)).json()
    assert path in {link["path"] for link in links}

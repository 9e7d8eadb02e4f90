"""Who may open which scorecard: every allowed and every denied path."""

import pytest

pytestmark = pytest.mark.django_db

DIRECTORATE = "/scorecards/directorate/oce/"
OTHER_DIRECTORATE = "/scorecards/directorate/place/"
PORTFOLIO = "/scorecards/portfolio/finance-performance/"
BOARD = "/scorecards/board/hwb/"
CMT = "/scorecards/cmt/"
PLAN = "/scorecards/council-plan/"
ALL = [DIRECTORATE, OTHER_DIRECTORATE, PORTFOLIO, BOARD, CMT, PLAN]

ALLOWED = {
    "officer": {DIRECTORATE},
    "head": {DIRECTORATE},
    "director": {DIRECTORATE},
    "cmt": set(ALL),
    "hub": set(ALL),
    "auditor": set(ALL),
    "councillor": {PORTFOLIO, PLAN},
    "scrutiny": {BOARD},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("url", ALL)
def test_scorecard_access_by_role(client, users, role, url):
    client.force_login(users[role])
    for suffix in ("", "export.csv", "export.xlsx"):
        response = client.get(url + suffix)
        expected = 200 if url in ALLOWED[role] else 403
        assert response.status_code == expected, (role, url + suffix)


@pytest.mark.parametrize("url", [*ALL, "/scorecards/", "/dashboard/", CMT + "export.xlsx"])
def test_anonymous_is_sent_to_sign_in(client, org, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unknown_subject_is_404(client, users):
    client.force_login(users["cmt"])
    assert client.get("/scorecards/directorate/nowhere/").status_code == 404
    assert client.get("/scorecards/board/nowhere/export.csv").status_code == 404


def test_unknown_export_format_is_404_not_500(client, users):
    client.force_login(users["cmt"])
    assert client.get(CMT + "export.pdf").status_code == 404
    assert client.get(CMT + "?format=exe").status_code == 404


def test_out_of_scope_is_the_403_page(client, users):
    client.force_login(users["director"])
    response = client.get(OTHER_DIRECTORATE)
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


def test_index_lists_only_what_the_user_may_open(client, users):
    client.force_login(users["councillor"])
    links = [url for _, url in client.get("/scorecards/").context["links"]]
    assert links == [PLAN, PORTFOLIO]
    client.force_login(users["director"])
    assert [url for _, url in client.get("/scorecards/").context["links"]] == [DIRECTORATE]


def test_rows_never_exceed_what_the_user_can_see(client, users, scorecard_council):
    """The councillor's Council Plan scorecard holds their portfolio's and published indicators only."""
    from indicators.models import Indicator

    scorecard_council(9)
    Indicator.objects.filter(reference__in=["GEN001", "GEN002"]).update(portfolio=None)
    client.force_login(users["councillor"])
    html = client.get(PLAN).content.decode()
    assert "GEN001" not in html and "GEN002" not in html
    assert "GEN003" in html  # their portfolio

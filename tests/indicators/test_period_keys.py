"""One period key in every URL ("2015-12", "fy2015-16-q3", "fy2015-16"); earlier forms redirect."""

import datetime

import pytest

from indicators.periods import canonical_period_key, parse_period_key, period_key


@pytest.mark.parametrize(
    "kind,start,key",
    [
        ("month", datetime.date(2015, 12, 1), "2015-12"),
        ("month", datetime.date(2016, 1, 1), "2016-01"),
        ("quarter", datetime.date(2015, 10, 1), "fy2015-16-q3"),
        ("quarter", datetime.date(2016, 1, 1), "fy2015-16-q4"),
        ("year", datetime.date(2015, 4, 1), "fy2015-16"),
        ("year", datetime.date(2099, 4, 1), "fy2099-00"),
    ],
)
def test_key_round_trips(kind, start, key):
    assert period_key(kind, start) == key
    assert parse_period_key(key) == (kind, start)
    assert canonical_period_key(key) == key


@pytest.mark.parametrize(
    "legacy,key",
    [
        ("month-2015-12-01", "2015-12"),  # returns
        ("quarter-2015-10-01", "fy2015-16-q3"),
        ("year-2015-04-01", "fy2015-16"),
        ("month-2015-12", "2015-12"),  # exception lists
        ("quarter-2016-01", "fy2015-16-q4"),
        ("dec-2015", "2015-12"),  # scorecards
        ("q3-2015-16", "fy2015-16-q3"),
        ("2015-16", "fy2015-16"),
        ("DEC-2015", "2015-12"),
    ],
)
def test_earlier_forms_are_read_as_the_current_key(legacy, key):
    assert parse_period_key(legacy) is None  # not a current key...
    assert canonical_period_key(legacy) == key  # ...but understood


@pytest.mark.parametrize(
    "junk",
    [
        "",
        None,
        "december",
        "2015-13",
        "2015-00",
        "fy2015-17",
        "fy2015-16-q5",
        "month-2015-12-02",
        "quarter-2015-11-01",
        "year-2015-05-01",
        "xyz-2015",
        "0000-01",
        "2015-12/../",
    ],
)
def test_nonsense_names_no_period(junk):
    assert parse_period_key(junk) is None
    assert canonical_period_key(junk) is None


def test_old_return_url_redirects_permanently(client, users):
    client.force_login(users["hub"])
    response = client.get("/returns/STF90/month-2015-12-01/")
    assert response.status_code == 301
    assert response["Location"] == "/returns/STF90/2015-12/"


def test_old_scorecard_period_redirects_keeping_the_rest_of_the_query(client, users):
    client.force_login(users["cmt"])
    response = client.get("/scorecards/cmt/?period=dec-2015&view=current")
    assert response.status_code == 301
    assert response["Location"] == "/scorecards/cmt/?period=2015-12&view=current"
    response = client.get("/scorecards/cmt/?period=2015-16")
    assert response["Location"] == "/scorecards/cmt/?period=fy2015-16"


def test_old_exception_list_period_redirects(client, users):
    client.force_login(users["hub"])
    response = client.get("/exceptions/?period=month-2015-12&directorate=oce")
    assert response.status_code == 301
    assert response["Location"] == "/exceptions/?period=2015-12&directorate=oce"


def test_current_keys_and_unknown_values_are_not_redirected(client, users):
    client.force_login(users["cmt"])
    assert client.get("/scorecards/cmt/?period=2015-12").status_code == 200
    assert client.get("/scorecards/cmt/?period=december").status_code == 200  # a notice, not a redirect


def test_a_form_post_is_never_redirected(client, users):
    client.force_login(users["hub"])
    response = client.post("/exceptions/history/?period=month-2015-12", {"reason": "x"})
    assert response.status_code != 301

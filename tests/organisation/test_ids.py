"""Ids read from request values: ASCII digits within a bigint, or nothing."""

import pytest

from organisation.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # no bigint holds it: the query would fail
        ("0", None),
        ("-1", None),
        ("", None),
        (None, None),
        ("¹", None),  # str.isdigit() is true of it, int() refuses it
        ("٣", None),  # Arabic-Indic three: int() reads 3, but no form sends it for an id
        ("９", None),  # full-width nine
        ("1e3", None),
        ("12abc", None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected

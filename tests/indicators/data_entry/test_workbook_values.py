from decimal import Decimal

import pytest

from indicators.workbooks.values import parse_number, parse_value


@pytest.mark.parametrize(
    "raw,value,note",
    [
        ("13,805", Decimal(13805), ""),
        ("95.79%", Decimal("95.79"), ""),
        ("1,918 (Q3)", Decimal(1918), "Q3"),
        ("-4 (2013/14)", Decimal(-4), "2013/14"),
        ("98.20% (Q3)", Decimal("98.20"), "Q3"),
        ("110 (Q3)", Decimal(110), "Q3"),
        ("£1,234.50", Decimal("1234.50"), ""),
        (" 6.5 ", Decimal("6.5"), ""),
        (57, Decimal(57), ""),
        (-4.5, Decimal("-4.5"), ""),
    ],
)
def test_values_as_officers_write_them(raw, value, note):
    parsed = parse_value(raw)
    assert (parsed.value, parsed.note, parsed.error) == (value, note, "")


@pytest.mark.parametrize("raw", [None, "", "TBC", "tbc", "-", "n/a", "  "])
def test_blanks(raw):
    assert parse_value(raw).blank


@pytest.mark.parametrize("raw", ["VO", "1,23", "12abc", "=SUM(A1)", True, float("nan"), "1.2.3"])
def test_not_numbers_are_errors_saying_why(raw):
    parsed = parse_value(raw)
    assert parsed.error and parsed.value is None


def test_form_numbers_refuse_notes():
    assert parse_number("1,918") == Decimal(1918)
    with pytest.raises(ValueError):
        parse_number("1,918 (Q3)")

"""A recompute writes every number as the text a numeric(18, 4) column holds, and compares it as
that text (issue 12: no Decimal built per stored value)."""

import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.models import Assessment
from indicators.services.assessment_writes import COLUMNS, DECIMAL_COLUMNS
from indicators.services.assessments import _decimal, _decimal_text, recompute
from tests.indicators.assessments.test_recompute_bulk import make


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_the_text_is_the_decimal_with_four_places_and_no_negative_zero(value):
    number, text = _decimal(value), _decimal_text(value)
    if number is None:
        assert text is None
        return
    assert Decimal(text) == number
    whole, places = text.split(".")
    assert len(places) == 4 and "E" not in text.upper()
    assert text != "-0.0000" and whole.lstrip("-").isdigit()


def test_the_text_of_edge_values():
    assert _decimal_text(None) is None
    assert _decimal_text(math.nan) is None and _decimal_text(math.inf) is None
    assert _decimal_text(1e15) is None  # past the column: not stored, as before
    assert _decimal(1e30) is None and _decimal(-1e300) is None  # a diverging fit: not an error
    assert _decimal_text(-0.0) == _decimal_text(-0.00001) == _decimal_text(0.0) == "0.0000"
    assert _decimal_text(84.87166) == "84.8717"
    assert _decimal_text(-2.5) == "-2.5000"
    assert _decimal_text(1e-5) == "0.0000" and _decimal_text(5e-5) == "0.0000"  # half to even
    assert _decimal_text(12345678901234.5) == "12345678901234.5000"


def test_a_centre_line_just_below_zero_is_stored_as_zero_and_not_rewritten(org):
    # Their float mean is -6.8e-21: its Decimal is -0.0000, stored (and read back) as 0.0000.
    values = [-1, -1, -2, 3, -1, -2, 2, 3, 3, -2, -3, 1]
    values = [v / 10_000 for v in values]
    assert sum(values) / len(values) < 0
    make(org, "NEARZERO", values, unit="number")
    assert recompute().inserted == len(values)
    centres = set(
        Assessment.objects.filter(indicator__reference="NEARZERO").values_list("centre_line", flat=True)
    )
    assert centres == {Decimal("0")}
    assert recompute().written == 0


def test_every_number_written_as_text_reads_back_equal(build_council):
    build_council(3, months=24)
    stored = Assessment.objects.exclude(forecast_value=None)
    assert stored.exists()
    assert recompute().written == 0
    for a in stored:
        for name in (COLUMNS[i] for i in DECIMAL_COLUMNS):
            value = getattr(a, name)
            assert value is None or value == value.quantize(Decimal("0.0001"))

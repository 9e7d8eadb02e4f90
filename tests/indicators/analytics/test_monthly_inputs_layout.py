"""`MonthlyInputs` (the forecasts' inputs laid out once per series) gives exactly `monthly_inputs`."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.analytics.bulk import MonthlyInputs, monthly_inputs


def month(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


series = st.dictionaries(
    st.integers(2010 * 12, 2016 * 12).map(month),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    max_size=60,
)


@given(series, st.integers(2009, 2017), st.one_of(st.none(), st.integers(0, 11)))
@settings(max_examples=400, deadline=None)
def test_the_laid_out_series_gives_the_same_inputs_as_monthly_inputs(months, fy, upto_month):
    upto = None if upto_month is None else month(fy * 12 + 3 + upto_month)
    assert MonthlyInputs(months, fy).of(upto) == monthly_inputs(months, fy, upto)

"""The refresh judges each distinct (rag, run of "Bad", direction, variation, forecast) once: the
same reasons as `exception_reasons` given every direction so far, for any series."""

from hypothesis import given
from hypothesis import strategies as st

from indicators.analytics import constants as c
from indicators.analytics.exceptions import WORSENING_RUN, exception_reasons
from indicators.analytics.memo import Memo
from reporting.exceptions import _judged

point = st.tuples(
    st.sampled_from([c.RED, c.AMBER, c.GREEN, "", None]),
    st.sampled_from([c.BAD, c.GOOD, c.SAME, c.NOT_COMPARABLE, "", None]),
    st.sampled_from([c.SPECIAL_CONCERNING, c.SPECIAL_IMPROVING, c.COMMON_CAUSE, ""]),
    st.sampled_from([c.RED, c.GREEN, ""]),
)


@given(st.lists(point, max_size=40))
def test_the_reasons_equal_those_of_every_direction_so_far(series):
    judged, run, directions = Memo(_judged, unpack=True), 0, []
    for rag, direction, variation, forecast in series:
        directions.append(direction)
        run = run + 1 if direction == c.BAD else 0
        expected = exception_reasons(
            rag=rag, directions_so_far=tuple(directions), variation=variation, forecast_rag=forecast
        )
        assert judged[rag, min(run, WORSENING_RUN), direction, variation, forecast] == expected

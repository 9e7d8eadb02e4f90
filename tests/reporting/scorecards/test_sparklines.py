"""The sparkline is pure: a series in, an inline SVG string with a text alternative out."""

import re
from decimal import Decimal

from indicators.sparklines import sparkline_description, sparkline_svg


def points(svg: str) -> list[tuple[float, float]]:
    raw = re.search(r'points="([^"]+)"', svg).group(1)
    return [tuple(float(n) for n in pair.split(",")) for pair in raw.split()]


def test_empty_series_draws_nothing():
    assert sparkline_svg([]) == ""
    assert sparkline_description([]) == "No results to chart."


def test_hand_worked_three_points_fill_the_box():
    # width 100, height 20, padding 0: x steps of 50; 10 is the bottom, 30 the top, 20 mid-height.
    svg = sparkline_svg([10, 30, 20], width=100, height=20, padding=0)
    assert points(svg) == [(0.0, 20.0), (50.0, 0.0), (100.0, 10.0)]
    assert '<circle cx="100.0" cy="10.0"' in svg  # the latest point is marked


def test_padding_keeps_the_line_inside():
    assert points(sparkline_svg([1, 2], width=20, height=10, padding=2)) == [(2.0, 8.0), (18.0, 2.0)]


def test_flat_series_is_a_level_line_mid_height():
    assert points(sparkline_svg([5, 5, 5], width=40, height=10, padding=0)) == [
        (0.0, 5.0),
        (20.0, 5.0),
        (40.0, 5.0),
    ]


def test_single_point_is_a_dot_without_a_line():
    svg = sparkline_svg([Decimal("6.5")], ["2015/16"], width=40, height=10, padding=0)
    assert "<polyline" not in svg
    assert '<circle cx="20.0" cy="5.0"' in svg
    assert "One result: 6.5 (2015/16)." in svg


def test_text_alternative_names_first_last_lowest_highest():
    text = sparkline_description(
        [Decimal("4.20"), Decimal("6.4"), Decimal("6.5")], ["2013/14", "2014/15", "2015/16"]
    )
    assert text == "3 results from 4.2 (2013/14) to 6.5 (2015/16); lowest 4.2, highest 6.5."


def test_svg_is_an_image_with_its_text_alternative():
    svg = sparkline_svg([1, 2], ["Q1", "Q2"], title="STF15")
    assert 'role="img"' in svg
    assert 'aria-label="STF15: 2 results from 1 (Q1) to 2 (Q2); lowest 1, highest 2."' in svg
    assert "<title>STF15: 2 results" in svg


def test_text_is_escaped():
    svg = sparkline_svg([1, 2], ['<script>"x"</script>', "b&c"], title="<b>")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in svg
    assert "b&amp;c" in svg


def test_labels_of_the_wrong_length_are_left_out():
    assert sparkline_description([1, 2], ["only one"]) == "2 results from 1 to 2; lowest 1, highest 2."


def test_the_compact_sparkline_draws_the_same_line_in_whole_pixels_with_its_title_as_its_name():
    values, labels = [3, 7.25, 5, 9.5], ["Jan", "Feb", "Mar", "Apr"]
    full = sparkline_svg(values, labels, title="STF15")
    compact = sparkline_svg(values, labels, title="STF15", compact=True)
    assert [(round(x), round(y)) for x, y in points(full)] == points(compact)
    assert all(x == int(x) and y == int(y) for x, y in points(compact))
    assert 'role="img"><title>STF15: 4 results from 3 (Jan) to 9.5 (Apr)' in compact
    assert "aria-label" not in compact and len(compact) < 0.7 * len(full)
    escaped = sparkline_svg([1, 2], ['<script>"x"</script>', "b&c"], title="<b>", compact=True)
    assert "<script>" not in escaped and "<b>" not in escaped

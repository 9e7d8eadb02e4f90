"""`indicators.scorecard_figures.row_figures`: a scorecard row's year columns and sparkline (pure)."""

from decimal import Decimal

from indicators.scorecard_figures import row_figures, short_period_label, window_start


def figures(points, own_kind="month", fy=2015):
    return row_figures(points, own_kind, fy, reference="STF15", decimal_places=1, unit="percentage")


def test_year_columns_show_year_results_and_the_year_so_far_with_its_period():
    points = [
        ("year", 2013, "2013/14", Decimal("80")),
        ("year", 2014, "2014/15", Decimal("82.25")),
        ("month", 2015, "Nov 2015", Decimal("84")),
        ("month", 2015, "Dec 2015", Decimal("85.5")),
    ]
    row = figures(points)
    assert row.years == [Decimal("80"), Decimal("82.25"), Decimal("85.5")]
    assert row.years_notes == ["", "", "Dec"]
    assert row.years_display == ["80.0%", "82.3%", "85.5% (Dec)"]
    assert (
        row.sparkline_text
        == "2 results from 84.0% (Nov 2015) to 85.5% (Dec 2015); lowest 84.0%, highest 85.5%."
    )
    assert row.sparkline.startswith(
        '<svg class="kpi-sparkline" viewBox="0 0 120 28" role="img"><title>STF15: 2 results'
    )


def test_with_fewer_than_two_points_of_its_own_kind_the_sparkline_draws_every_kind():
    points = [("year", 2013, "2013/14", Decimal("1")), ("year", 2014, "2014/15", Decimal("2"))]
    row = figures(points, own_kind="quarter")
    assert row.sparkline_text.startswith("2 results from 1.0% (2013/14)")
    assert row.years_notes == ["", "", ""] and row.years[2] is None


def test_no_points_no_sparkline():
    row = figures([])
    assert (row.sparkline, row.sparkline_text, row.years_display) == ("", "", ["—", "—", "—"])


def test_the_sparkline_keeps_the_latest_twelve():
    points = [("month", 2015, f"M{i}", Decimal(i)) for i in range(20)]
    assert figures(points).sparkline_text.startswith("12 results from 8.0% (M8) to 19.0% (M19)")


def test_helpers():
    assert short_period_label("quarter", "Q3 2015/16") == "Q3"
    assert short_period_label("month", "Dec 2015") == "Dec"
    assert window_start(2015).isoformat() == "2013-04-01"

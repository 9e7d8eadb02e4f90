"""The pack chart (clinics.charts): vector SVG with the forecast drawn as a forecast."""

from clinics.charts import pack_chart_svg

ROWS = [
    {"period": "Oct 2015", "value": "11", "target": "10", "lower_limit": "7", "upper_limit": "12"},
    {"period": "Nov 2015", "value": "12", "target": "10", "lower_limit": "7", "upper_limit": "12"},
]


def test_chart_draws_results_target_limits_and_a_labelled_forecast():
    svg = pack_chart_svg(
        "Chart of STF15 results", ROWS, {"value": "14", "rag": "red", "method": "Linear trend"}
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<title>Chart of STF15 results</title>" in svg
    assert "target" in svg and "upper limit" in svg and "forecast (year end)" in svg
    assert svg.count("<circle") == 2  # actuals only: the forecast is a hollow diamond, not a point


def test_chart_escapes_text_and_handles_no_data():
    svg = pack_chart_svg('A <b>"title"</b>', [{"period": "<Q1>", "value": "1"}])
    assert "<b>" not in svg and "&lt;Q1&gt;" in svg
    assert pack_chart_svg("Empty", []) == ""


def test_axis_figures_are_written_by_the_packs_unit(tmp_path):
    """Issue 10 item 7: the axis said "1.381e+05" for a count in the hundred thousands."""
    from clinics.pack_pdf import pack_with_charts

    counts = [{"period": "Oct 2015", "value": "138050"}, {"period": "Nov 2015", "value": "141230"}]
    plain = pack_chart_svg("Chart", counts)
    assert "e+05" in plain  # without the pack's unit (packs built before it was kept)
    pack = {"indicators": [{"reference": "FMT03", "unit": "count", "decimal_places": 0, "rows": counts}]}
    svg = pack_with_charts(pack)[0]["svg"]
    assert "e+05" not in svg and "138," in svg
    rates = [{"period": "Oct 2015", "value": "85.7"}, {"period": "Nov 2015", "value": "86.3"}]
    pack = {"indicators": [{"reference": "FMT01", "unit": "percentage", "decimal_places": 1, "rows": rates}]}
    ticks = [
        t.split(">")[-1]
        for t in pack_with_charts(pack)[0]["svg"].split("</text>")
        if 'text-anchor="end"' in t
    ]
    assert ticks and all(t.endswith("%") for t in ticks)

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

"""Acceptance: the OCE directorate scorecard for 2015/16 is the framework's Table 3.3.

Only the five "Include" indicators are on the default scorecard; "all indicators" adds STF01 and
STF32, the two the table lists without "Y", so all seven show with the table's values and
directions of travel in their groups.
"""

import pytest
from django.core.management import call_command
from django.test import override_settings

from organisation import roles
from reporting.scorecards import scorecard

TABLE_3_3 = {
    # reference: (group, 2013/14, 2014/15, 2015/16 column as the table prints it, latest,
    # latest period, direction)
    "CFD01": ("General service performance", "—", "13,805", "1,918 (Q3)", "1,918", "Q3 2015/16", "neutral"),
    "CFD03a": (
        "General service performance",
        "—",
        "95.79%",
        "98.20% (Q3)",
        "98.20%",
        "Q3 2015/16",
        "neutral",
    ),
    "STF90": ("Workforce", "—", "71%", "82%", "82%", "2015/16", "good"),
    "STF01": ("Workforce", "41", "54", "57", "57", "2015/16", "neutral"),
    "STF15": ("Workforce", "4.2", "6.4", "6.5", "6.5", "2015/16", "bad"),
    "STF32": ("Workforce", "—", "2.00%", "14.70%", "14.70%", "2015/16", "bad"),
    "BPI107": ("Finance", "-£4k", "£8k", "£110k (Q3)", "£110k", "Q3 2015/16", "bad"),
}


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):  # load_demo refuses with DEBUG off (known passwords)
        call_command("load_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="director")


def rows_by_group(card):
    return {row.reference: (group.label, row) for group in card.sections[0].groups for row in group.rows}


def test_all_indicators_view_is_table_3_3(demo):
    card = scorecard(demo, roles.SCORECARD_DIRECTORATE, "oce", period="fy2015-16", show_all=True)
    assert card.period.label == "2015/16" and not card.notices
    assert card.year_labels == ["2013/14", "2014/15", "2015/16"]
    assert [g.label for g in card.sections[0].groups] == [
        "General service performance",
        "Customer experience",
        "Workforce",
        "Finance",
    ]
    found = rows_by_group(card)
    for reference, (group, y1, y2, y3, latest, period, direction) in TABLE_3_3.items():
        label, row = found[reference]
        assert label == group, reference
        assert row.years_display == [y1, y2, y3], reference
        assert row.value_display == latest and row.period_label == period, reference
        assert row.direction == direction, reference


def test_default_view_shows_the_include_column(demo):
    card = scorecard(demo, roles.SCORECARD_DIRECTORATE, "oce", period="fy2015-16")
    found = rows_by_group(card)
    assert {"CFD01", "CFD03a", "STF90", "STF15", "BPI107"} <= found.keys()
    assert "STF01" not in found and "STF32" not in found


def test_the_page_shows_it_too(demo, client):
    client.force_login(demo)
    html = client.get("/scorecards/directorate/oce/?period=fy2015-16&indicators=all").content.decode()
    for reference in TABLE_3_3:
        assert f'data-reference="{reference}"' in html
    assert "As at 2015/16" in html

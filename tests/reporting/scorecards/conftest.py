"""A generated council wired into every kind of scorecard: included, statutory, themed, in a
portfolio and monitored by a board."""

import pytest

from indicators.models import Indicator


@pytest.fixture
def scorecard_council(build_council, org):
    def build(count: int, months: int = 12) -> list[Indicator]:
        indicators = build_council(count, months)
        Indicator.objects.update(on_scorecard=True, portfolio=org["portfolio"])
        Indicator.objects.filter(reference__endswith="1").update(statutory=True, on_scorecard=False)
        Indicator.themes.through.objects.bulk_create(
            Indicator.themes.through(indicator_id=i.id, theme_id=org["theme"].id) for i in indicators
        )
        Indicator.boards.through.objects.bulk_create(
            Indicator.boards.through(indicator_id=i.id, board_id=org["board"].id) for i in indicators
        )
        return indicators

    return build

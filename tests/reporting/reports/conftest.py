"""A generated council for committee reports: themed, included, statutory, with Q3 2015/16's
exception list built, the reporting date at 20 January 2016, and a report-generating hub."""

import datetime

import pytest

from indicators.models import Indicator
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar
from reporting.exceptions import exception_lists_build_due
from reporting.reports import services


@pytest.fixture
def report_council(build_council, org):
    def build(count: int = 6, months: int = 9) -> list[Indicator]:
        ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 20)})
        ensure_periods([("quarter", datetime.date(2015, m, 1)) for m in (4, 7, 10)])
        indicators = build_council(count, months)
        Indicator.objects.update(on_scorecard=True, portfolio=org["portfolio"])
        Indicator.objects.filter(reference__endswith="1").update(statutory=True)
        Indicator.themes.through.objects.bulk_create(
            Indicator.themes.through(indicator_id=i.id, theme_id=org["theme"].id) for i in indicators
        )
        Indicator.boards.through.objects.bulk_create(
            Indicator.boards.through(indicator_id=i.id, board_id=org["board"].id) for i in indicators
        )
        exception_lists_build_due()
        return indicators

    return build


@pytest.fixture
def q3(db):
    start = datetime.date(2015, 10, 1)
    return ensure_periods([("quarter", start)])[("quarter", start)]


@pytest.fixture
def executive_q3(report_council, users, q3):
    """A generated draft Executive report for Q3 2015/16."""
    report_council()
    return services.start_generation(users["hub"], "executive", q3.id)


@pytest.fixture
def write_all():
    """Write every missing narrative of a report (as `user`)."""

    def write(report, user, text="Narrative for {label}."):
        report.refresh_from_db()
        for slot, label in services.narrative_slots(report):
            services.save_narrative(user, report, slot, text.format(label=label))

    return write


@pytest.fixture
def published_q3(executive_q3, users, write_all):
    report = executive_q3
    write_all(report, users["hub"])
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["director"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=True)
    report.refresh_from_db()
    return report

"""The sign-off cycle's moves (pure)."""

from service_plans import cycle


def test_the_framework_timeline_in_order():
    status = cycle.DRAFT
    for name in (cycle.SUBMIT, cycle.DMT_APPROVE, cycle.MEMBER_APPROVE, cycle.START_REVIEW):
        move = cycle.move_for(name, status)
        assert move is not None, (name, status)
        status = move.target
    assert status == cycle.ANNUAL_REVIEW


def test_a_return_needs_a_reason_and_goes_back_to_draft_from_either_review():
    for status in (cycle.DMT_REVIEW, cycle.MEMBER_REVIEW):
        move = cycle.move_for(cycle.RETURN, status)
        assert move.target == cycle.DRAFT and move.needs_reason
    assert cycle.move_for(cycle.RETURN, cycle.DRAFT) is None


def test_no_skipping_stages():
    assert cycle.move_for(cycle.MEMBER_APPROVE, cycle.DMT_REVIEW) is None
    assert cycle.move_for(cycle.DMT_APPROVE, cycle.DRAFT) is None
    assert cycle.move_for("nonsense", cycle.DRAFT) is None


def test_annual_review_opens_in_december():
    assert cycle.annual_review_open(12) and cycle.annual_review_open(1)
    assert not cycle.annual_review_open(11) and not cycle.annual_review_open(7)


def test_default_calendar_is_the_frameworks_timeline():
    cal = cycle.default_calendar(2016)
    assert (
        cal.templates_agreed.month,
        cal.drafts_due.month,
        cal.sign_off_due.month,
        cal.review_from.month,
    ) == (
        2,
        4,
        7,
        12,
    )


def test_lateness():
    import datetime

    cal = cycle.default_calendar(2016)
    may, august = datetime.date(2016, 5, 10), datetime.date(2016, 8, 1)
    assert cycle.lateness(cycle.DRAFT, ever_submitted=False, today=may, calendar=cal) == cycle.DRAFT_LATE
    assert cycle.lateness(cycle.DRAFT, ever_submitted=True, today=may, calendar=cal) == cycle.ON_TIME
    assert (
        cycle.lateness(cycle.DMT_REVIEW, ever_submitted=True, today=august, calendar=cal)
        == cycle.SIGN_OFF_LATE
    )
    assert cycle.lateness(cycle.SIGNED_OFF, ever_submitted=True, today=august, calendar=cal) == cycle.ON_TIME
    assert cycle.lateness(None, ever_submitted=False, today=may, calendar=cal) == cycle.NO_PLAN_LATE
    assert (
        cycle.lateness(None, ever_submitted=False, today=datetime.date(2016, 3, 1), calendar=cal)
        == cycle.ON_TIME
    )

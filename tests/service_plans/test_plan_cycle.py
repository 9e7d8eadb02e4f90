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

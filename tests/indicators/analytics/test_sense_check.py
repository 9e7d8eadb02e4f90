"""Issue 10 item 3: the sense check and what counts as commentary, worked by hand."""

from decimal import Decimal

from indicators.analytics.sense import meaningful_commentary, sense_check


def test_commentary_is_a_sentence_not_punctuation():
    assert not meaningful_commentary(".")
    assert not meaningful_commentary("..........")  # 10 characters, no letter
    assert not meaningful_commentary("1234567890")
    assert not meaningful_commentary("  staff    ")  # 5 characters once trimmed
    assert not meaningful_commentary(None)
    assert meaningful_commentary("Two staff off")
    assert meaningful_commentary("9 late FOI")  # exactly 10 with letters


def test_beyond_the_limits_by_more_than_their_width():
    # Limits 4 to 8: width 4, so plausible from 0 to 12; 12 itself passes, 12.01 does not.
    assert sense_check(12, [5, 6], lower=4, upper=8) is None
    assert sense_check(0, [5, 6], lower=4, upper=8) is None
    assert sense_check(Decimal("12.01"), [5, 6], lower=4, upper=8) == (
        "12.01 is beyond this indicator's process limits (4 to 8) by more than their own width"
    )
    assert sense_check(-1, [5, 6], lower=4, upper=8) is not None


def test_more_than_ten_times_the_largest_earlier_value():
    # 4 to 8 complaints a month: 80 is exactly 10 x 8 (allowed), 81 is not; 99,999,999 certainly not.
    assert sense_check(80, [4, 8, 6]) is None
    assert sense_check(81, [4, 8, 6]) == "81 is more than 10 times the largest earlier value (8)"
    assert sense_check(99_999_999, [4, 8, 6], shown=lambda n: f"{n:,}") == (
        "99,999,999 is more than 10 times the largest earlier value (8)"
    )


def test_no_history_no_check():
    assert sense_check(1_000_000, []) is None
    assert sense_check(5, [0, 0]) is None  # a largest earlier value of 0 gives no scale
    assert sense_check(30, [4, 8], lower=6, upper=6) is None  # zero-width limits: only the 10x rule

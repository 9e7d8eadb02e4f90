"""`Memo`: each value worked out once, on its key's first look-up."""

from indicators.analytics.memo import Memo


def test_each_key_is_worked_out_once_and_known_keys_never():
    calls = []

    def double(x):
        calls.append(x)
        return 2 * x

    memo = Memo(double, {None: None})
    assert [memo[3], memo[3], memo[None], memo[4]] == [6, 6, None, 8]
    assert calls == [3, 4]


def test_unpack_passes_a_tuple_key_as_arguments():
    memo = Memo(lambda a, b: a - b, unpack=True)
    assert memo[5, 2] == 3 and memo[(2, 5)] == -3 and len(memo) == 2

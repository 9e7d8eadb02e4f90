"""`Memo`: a dict that works out each value the first time its key is looked up.

The hot loops of a recompute and of a scorecard meet the same few inputs again and again (a
series' centre line at every point of a segment, a handful of reason combinations, repeated
figures): `memo[key]` is a plain dict subscript once the value is known, and calls the function
only for a key not seen before. Pure: no Django.
"""

from collections.abc import Callable, Iterable


class Memo(dict):
    """{key: ``function(key)``} (``function(*key)`` with ``unpack``), filled on first look-up.

    ``known``: pairs to start with, for keys the function must not be asked about (None, say).
    The values are shared between look-ups: never mutate one.
    """

    def __init__(self, function: Callable, known: Iterable = (), *, unpack: bool = False):
        super().__init__(known)
        self.function, self.unpack = function, unpack

    def __missing__(self, key):
        self[key] = value = self.function(*key) if self.unpack else self.function(key)
        return value

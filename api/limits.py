"""A small fixed-window rate limiter in the cache: per token for token callers, per address for
everyone else (and for failed token checks, so guessing tokens is throttled too).

Limits are requests per window, set in settings (KPI_API_RATE_PER_TOKEN, KPI_API_RATE_PER_ADDRESS,
KPI_API_RATE_WINDOW_SECONDS). With several web processes the cache must be shared (Redis) for the
limit to hold across them; the local-memory default limits each process on its own.
"""

import time

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"Too many requests: try again in {retry_after} seconds.")


def window_of(now: float, window: int) -> tuple[int, int]:
    """(window number, seconds until it ends, at least 1) for a fixed window of `window` seconds."""
    number = int(now // window)
    return number, max(1, int((number + 1) * window - now + 0.999))


def hit(identity: str, limit: int, *, now: float | None = None) -> None:
    """Count one request for `identity`; raise RateLimited past `limit` in this window."""
    window = max(1, int(settings.KPI_API_RATE_WINDOW_SECONDS))
    number, retry_after = window_of(time.time() if now is None else now, window)
    key = f"api-rate:{identity}:{number}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise RateLimited(retry_after)


def hit_token(token_id: int) -> None:
    hit(f"token:{token_id}", settings.KPI_API_RATE_PER_TOKEN)


def hit_address(address: str | None) -> None:
    hit(f"addr:{address or 'unknown'}", settings.KPI_API_RATE_PER_ADDRESS)

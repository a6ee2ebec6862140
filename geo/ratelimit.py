"""One rate limit per online service, shared by every geocoding call in a process and, through
the geocode cache's SQLite database, by every process that shares that cache.

Each request books a slot: the later of now and the service's next allowed time, which
then moves ``delay`` seconds on. Booking happens under a lock (a thread lock here, a
write transaction in the cache), and the waiting after it, so two callers never get the
same slot and neither holds the lock while it sleeps.

Example:
    >>> import time
    >>> start = time.time()
    >>> _ = wait_turn("example", 0.05); _ = wait_turn("example", 0.05)
    >>> time.time() - start >= 0.05
    True
"""

from __future__ import annotations

import threading
import time

__all__ = ["wait_turn"]

_lock = threading.Lock()
#: service -> next allowed time (time.time()) in this process.
_next_at: dict[str, float] = {}


def wait_turn(service: str, delay: float, cache=None) -> float:
    """Sleep until ``service`` may be sent a request; returns the seconds waited.

    ``cache``: a :class:`geo.cache.GeocodeCache` whose database carries the limit across
    processes (None: this process only). Wall-clock time, because that is what two
    processes share.
    """
    if delay <= 0:
        return 0.0
    with _lock:
        slot = max(time.time(), _next_at.get(service, 0.0))
        if cache is not None:
            slot = cache.reserve(service, delay, slot)
        _next_at[service] = slot + delay
    wait = slot - time.time()
    if wait > 0:
        time.sleep(wait)
    return max(wait, 0.0)

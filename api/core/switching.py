"""How often the interpreter lock changes hands while the server builds a projection
beside the threads answering requests.

CPython hands the lock to a waiting thread every 5 ms (``sys.getswitchinterval``). A
request waits for it many times (each hop between the event loop and a worker thread,
each socket write, each SQLite call), so while a rebuild computes (seconds of pure Python
at city scale) each of those waits can last the whole 5 ms: reads that take 30–60 ms
took 200–700 ms. While a build runs, ``often()`` makes the lock change hands every
millisecond; the rest of the time the default stands, because switching that often
costs every request about a tenth more CPU.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import Iterator

BUILD_SWITCH_INTERVAL = 0.001  # seconds

_lock = threading.Lock()
_inside = 0
_before = 0.0


@contextmanager
def often(interval: float = BUILD_SWITCH_INTERVAL) -> Iterator[None]:
    """Within it, the interpreter switches threads every ``interval`` seconds (or more
    often if it already did). Several may be open at once, in any threads: the interval
    in force before the first one opened is restored when the last one closes."""
    global _inside, _before
    with _lock:
        if _inside == 0:
            _before = sys.getswitchinterval()
            sys.setswitchinterval(min(_before, interval))
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                sys.setswitchinterval(_before)

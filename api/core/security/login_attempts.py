"""Failed logins are counted per account name and per client address; too many in a
window lock that name (or address) out until the window has passed, so a password cannot
be guessed by trying many. A successful login clears its name's count.

Counting per name stops guessing one account's password from many addresses; counting per
address stops trying one common password against many names from one machine. The
address limit is higher: colleagues behind one office gateway share an address.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

MAX_TRACKED = 50_000  # names and addresses remembered at once (bounds memory under a flood)


class LoginAttempts:
    def __init__(self, per_name: int = 5, per_address: int = 20, window_seconds: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic):
        self.per_name, self.per_address, self.window = per_name, per_address, window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, name: str | None, address: str) -> float:
        """0 when a login may be tried now, else how long until it may (``name`` None: a
        login with a token, counted per address only)."""
        now = self._clock()
        with self._lock:
            by_name = self._wait(("name", name.casefold()), self.per_name, now) if name is not None else 0.0
            return max(by_name, self._wait(("address", address), self.per_address, now))

    def failed(self, name: str | None, address: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._forget_expired(now)
            keys = [("address", address)] + ([("name", name.casefold())] if name is not None else [])
            for key in keys:
                self._failures.setdefault(repr(key), deque()).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(repr(("name", name.casefold())), None)

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float:
        times = self._failures.get(repr(key))
        if not times:
            return 0.0
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return times[-limit] + self.window - now

    def _forget_expired(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window]:
            del self._failures[key]
        while len(self._failures) >= MAX_TRACKED:
            del self._failures[next(iter(self._failures))]

"""Answers to questions with too many possible keys to keep them all, such as a
neighbourhood per node of a city: the most recently asked are kept, within a byte budget.

A view never changes, so an answer computed from it stays right for as long as the view
is served; what bounds the keeping is memory. Each view (one version of the graph, one
scope) has its own, so nothing kept is ever answered to a principal of another scope,
and a new version starts empty (nothing is carried over: each answer is cheap to make
again, only not cheap enough to make on every request).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

RECENT_ANSWERS_BYTES = 32 * 2**20  # per view: ~400 neighbourhoods of 200 nodes

Answer = tuple[bytes, list[str]]  # the JSON, and the ids of the people whose names it shows


class RecentAnswers:
    """Encoded answers by key, the least recently asked dropped first once they hold more
    than ``budget`` bytes. Safe to share between threads; an answer is made outside the
    lock, so two threads asking the same new key at once both make it, harmlessly."""

    def __init__(self, budget: int = RECENT_ANSWERS_BYTES):
        self.budget = budget
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Answer]) -> Answer:
        """The answer kept for ``key``, else ``make()``, kept (unless it alone is over the budget)."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return found
        answer = make()
        with self._lock:
            if key not in self._answers and len(answer[0]) <= self.budget:
                self._answers[key] = answer
                self._bytes += len(answer[0])
                while self._bytes > self.budget:
                    _, dropped = self._answers.popitem(last=False)
                    self._bytes -= len(dropped[0])
        return answer

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def bytes(self) -> int:
        return self._bytes

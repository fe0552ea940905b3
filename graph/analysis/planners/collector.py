"""Planners run with the cyclic garbage collector paused.

A plan at city scale allocates about a million small tuples, lists and records (each
target's nearest organisations, the candidate pairs, the solver's edges) that all live
until the plan is returned and form no reference cycles. The collector would walk them
again and again for nothing: 15 full collections and a fifth of ``plan_pairings``' time
at 100,000 enterprises, an eighth of the instructors' and contacts'. Reference counting
still frees everything as usual, and whatever cycles there are wait for the next run.
(The importer and the projection load pause it for the same reason.)
"""

from __future__ import annotations

import functools
import gc
from typing import Callable, TypeVar

Planner = TypeVar("Planner", bound=Callable)


def collector_paused(planner: Planner) -> Planner:
    """``planner``, run with the collector off, and on again afterwards if it was on.

    Concurrent plans are safe: each switches the collector back on only if it found it
    on, so it is on again once the first of them to have found it on has finished."""

    @functools.wraps(planner)
    def plan(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return planner(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return plan  # type: ignore[return-value]

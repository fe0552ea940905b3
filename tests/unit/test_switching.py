"""The interpreter switches threads more often while a projection is built, and only then."""

from __future__ import annotations

import sys
import threading

from graph.projection import project
from graph.records import Node
from graph.schema import Label
from graph.sqlite_store import SQLiteStore

from api.core import switching
from api.core.served_projection import ServedProjection


def test_often_lowers_the_interval_and_the_last_one_out_restores_it():
    before = sys.getswitchinterval()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with switching.often(0.001):
            first_in.set()
            assert second_in.wait(5)
        first_out.set()

    def second():
        assert first_in.wait(5)
        with switching.often(0.002):  # a longer interval does not lengthen the one in force
            second_in.set()
            assert first_out.wait(5)
            seen["after the first left"] = sys.getswitchinterval()
        seen["after both left"] = sys.getswitchinterval()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert seen == {"after the first left": 0.001, "after both left": before}


def test_often_restores_the_interval_when_the_build_fails():
    before = sys.getswitchinterval()
    try:
        with switching.often():
            raise ValueError("the store went away")
    except ValueError:
        pass
    assert sys.getswitchinterval() == before


def test_a_projection_is_built_switching_often_and_served_at_the_usual_interval(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    during = []

    def build(s):
        during.append(sys.getswitchinterval())
        g = project(s.read())
        g.graph["version"] = s.version()
        return g

    before = sys.getswitchinterval()
    served = ServedProjection(store, build, prepare=lambda g: during.append(sys.getswitchinterval()), reload=build)
    served.get()
    store.write([Node(Label.CHAIN, "C2", {"name": "新链"})])
    served.refresh_now()
    assert during == [switching.BUILD_SWITCH_INTERVAL] * 4 and sys.getswitchinterval() == before

"""Recently asked answers, within a byte budget, least recently asked dropped first."""

from __future__ import annotations

from api.core.recent_answers import RecentAnswers


def made(log: list, key: str, size: int):
    def make():
        log.append(key)
        return b"x" * size, [f"person of {key}"]
    return make


def test_an_answer_asked_again_is_not_made_again():
    recent, log = RecentAnswers(budget=100), []
    first = recent.get("a", made(log, "a", 10))
    assert recent.get("a", made(log, "a", 10)) is first and log == ["a"]
    assert first == (b"x" * 10, ["person of a"])


def test_the_least_recently_asked_go_first_once_over_the_budget():
    recent, log = RecentAnswers(budget=30), []
    for key in ["a", "b", "c"]:
        recent.get(key, made(log, key, 10))
    recent.get("a", made(log, "a", 10))  # a is now the most recent: b goes first
    recent.get("d", made(log, "d", 10))
    assert (len(recent), recent.bytes) == (3, 30)
    recent.get("a", made(log, "a", 10))
    recent.get("b", made(log, "b", 10))
    assert log == ["a", "b", "c", "d", "b"]


def test_an_answer_over_the_whole_budget_is_answered_and_not_kept():
    recent, log = RecentAnswers(budget=30), []
    recent.get("small", made(log, "small", 10))
    assert recent.get("huge", made(log, "huge", 31))[0] == b"x" * 31
    assert (len(recent), recent.bytes) == (1, 10)
    recent.get("small", made(log, "small", 10))
    assert log == ["small", "huge"]

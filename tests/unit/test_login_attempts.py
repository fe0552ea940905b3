"""The failed-login counter, on a clock the test turns (the window is minutes long)."""

from api.core.security.login_attempts import LoginAttempts
from api.web.login import local_path


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_name_is_locked_after_its_limit_until_the_oldest_failure_leaves_the_window():
    clock = Clock()
    attempts = LoginAttempts(per_name=3, per_address=100, window_seconds=600, clock=clock)
    for step in range(3):
        assert attempts.wait_seconds("Li", "10.0.0.1") == 0
        attempts.failed("Li", "10.0.0.1")
        clock.now += 10
    assert attempts.wait_seconds("li", "10.0.0.9") == 600 - 30  # any case, any address
    clock.now += 600 - 30
    assert attempts.wait_seconds("li", "10.0.0.9") == 0


def test_an_address_is_locked_after_its_limit_whatever_the_names():
    clock = Clock()
    attempts = LoginAttempts(per_name=100, per_address=2, window_seconds=60, clock=clock)
    attempts.failed("a", "10.0.0.1")
    attempts.failed(None, "10.0.0.1")  # a token login counts for its address only
    assert attempts.wait_seconds("c", "10.0.0.1") == 60
    assert attempts.wait_seconds("c", "10.0.0.2") == 0


def test_a_success_clears_the_names_count():
    attempts = LoginAttempts(per_name=2, per_address=100, window_seconds=60, clock=Clock())
    attempts.failed("a", "x")
    attempts.succeeded("a")
    attempts.failed("a", "x")
    assert attempts.wait_seconds("a", "x") == 0


def test_only_paths_of_this_server_are_followed_after_login():
    assert local_path("/views/chains/C01?segment=S01-1") == "/views/chains/C01?segment=S01-1"
    for target in (None, "", "//evil.example", "/\\evil.example", "https://evil.example", "/a\r\nSet-Cookie: x", "/" + "a" * 600):
        assert local_path(target) == "/"

"""Request rates: one atomic moving window per principal, kept per process without Redis."""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts import throttling


@pytest.fixture
def fresh(settings):
    settings.REDIS_URL = settings.REDIS_URL  # a setting change forgets earlier counts
    yield
    throttling.limiters.redis_down_until = 0.0


@pytest.mark.parametrize(
    ("rate", "parsed"), [("1200/min", (1200, 60)), ("5/s", (5, 1)), ("100/day", (100, 86400))]
)
def test_rates_are_read_in_drf_notation(rate, parsed):
    assert throttling.parse_rate(rate) == parsed


def test_parallel_hits_never_pass_more_than_the_rate(fresh):
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: throttling.hit("40/min", "token", "t1"), range(120)))
    assert [allowed for allowed, _ in answers].count(True) == 40
    assert all(1 <= wait <= 60 for allowed, wait in answers if not allowed)
    assert throttling.hit("40/min", "token", "t2")[0]


def test_without_redis_each_process_keeps_the_limit_and_says_so(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    throttling.limiters.last_warning = float("-inf")
    with caplog.at_level(logging.WARNING, logger="accounts.throttling"):
        answers = [throttling.hit("3/min", "token", "t3")[0] for _ in range(5)]
    throttling.limiters.redis_down_until = 0.0
    assert answers == [True, True, True, False, False]
    assert "per process while Redis cannot be reached" in caplog.text

"""Finding 6 of issue 21: the login lockout, attacked over real HTTP.

Clients at different addresses are told apart by the loopback address they connect from
(127.0.0.0/8 all reach daphne on 127.0.0.1), so the server sees each one's own REMOTE_ADDR.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requests.adapters import HTTPAdapter

from ..demo_site import serve_demo_city
from .conftest import django_shell, sql

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 12
PASSWORD = "Right-horse-battery-77"
LIMITS = {
    "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
    "LOGIN_ADDRESS_FAILURE_LIMIT": str(ADDRESS_FAILURE_LIMIT),
    "LOGIN_LOCKOUT_SECONDS": "600",
}
# What the login page says to a locked-out attempt, and to a wrong password.
LOCKED = "分钟后再试"
WRONG = "正确的"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site of our own: these tests lock addresses, which must not reach the shared site."""
    var_dir = tmp_path_factory.mktemp("lockout")
    with serve_demo_city(suffix="lockout", var_dir=var_dir, extra_env=LIMITS) as site:
        yield site


def create_user(site, username: str) -> None:
    django_shell(
        site,
        "from accounts.models import User; "
        f"User.objects.create_user({username!r}, password={PASSWORD!r}, role='station_officer')",
    )


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a chosen local address, so the server sees a client of its own."""

    def __init__(self, address: str):
        self.source_address = (address, 0)
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = self.source_address
        super().init_poolmanager(*args, **kwargs)


def browser_at(site, address: str) -> tuple[requests.Session, str]:
    """A fresh session from ``address`` that has loaded the login form: (session, CSRF token)."""
    http = requests.Session()
    http.mount("http://", SourceAddressAdapter(address))
    form = http.get(f"{site.url}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return http, csrf


def submit(site, http: requests.Session, csrf: str, username: str, password: str) -> str:
    """Post the login form: "accepted", "locked" or "wrong", by what the server answered."""
    answer = http.post(
        f"{site.url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{site.url}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code == 302:
        return "accepted"
    assert answer.status_code == 200, f"HTTP {answer.status_code}"
    if LOCKED in answer.text:
        return "locked"
    assert WRONG in answer.text, answer.text[:2000]
    return "wrong"


def log_in(site, username: str, password: str, address: str = "127.0.0.1") -> str:
    http, csrf = browser_at(site, address)
    return submit(site, http, csrf, username, password)


def test_parallel_wrong_passwords_get_no_more_answers_than_the_limit(site):
    create_user(site, "parallel1")
    browsers = [browser_at(site, "127.0.0.11") for _ in range(19)]
    start = threading.Barrier(len(browsers))

    def guess(index: int) -> str:
        http, csrf = browsers[index]
        start.wait()
        return submit(site, http, csrf, "parallel1", f"wrong-guess-{index}")

    with ThreadPoolExecutor(len(browsers)) as pool:
        answers = list(pool.map(guess, range(len(browsers))))
    assert answers.count("accepted") == 0
    # Exactly the limit of guesses had their password checked; the rest were refused unchecked.
    assert answers.count("wrong") == FAILURE_LIMIT, answers
    assert answers.count("locked") == len(browsers) - FAILURE_LIMIT
    # The right password a moment later is refused too: the lock holds.
    assert log_in(site, "parallel1", PASSWORD, "127.0.0.11") == "locked"
    # The trail has every attempt as a failed login, and the one lock.
    events = sql(
        site,
        "SELECT action, count(*) FROM audit_auditevent WHERE actor_username = %s GROUP BY action",
        ["parallel1"],
    )
    assert dict(events) == {"login_failed": len(browsers) + 1, "locked_out": 1}


def test_case_width_and_space_variants_are_one_user_with_one_counter(site):
    create_user(site, "victim2")
    variants = ["Victim2", " victim2 ", "ｖｉｃｔｉｍ２", "VICTIM2"]
    for variant in variants:
        assert log_in(site, variant, PASSWORD, "127.0.0.12") == "accepted", variant
    # Wrong passwords under every spelling add up on one counter.
    answers = [log_in(site, variants[i % 4], "wrong", "127.0.0.12") for i in range(FAILURE_LIMIT)]
    assert answers == ["wrong"] * FAILURE_LIMIT
    for variant in [*variants, "victim2"]:
        assert log_in(site, variant, PASSWORD, "127.0.0.12") == "locked", variant


def test_a_stranger_elsewhere_cannot_lock_the_officer_out_of_their_workstation(site):
    create_user(site, "workstation1")
    stranger = [log_in(site, "workstation1", "guess", "127.0.0.13") for _ in range(8)]
    assert stranger == ["wrong"] * FAILURE_LIMIT + ["locked"] * 3
    # The stranger's address stays locked for this user, even with the right password ...
    assert log_in(site, "workstation1", PASSWORD, "127.0.0.13") == "locked"
    # ... while the officer at their own workstation logs in.
    assert log_in(site, "workstation1", PASSWORD, "127.0.0.14") == "accepted"


def test_one_address_is_limited_across_usernames(site):
    create_user(site, "sprayed1")
    answers = [log_in(site, f"spray-{i}", "Spring2024!", "127.0.0.15") for i in range(15)]
    assert answers == ["wrong"] * ADDRESS_FAILURE_LIMIT + ["locked"] * 3
    # The address is locked for every name, a real user with the right password too ...
    assert log_in(site, "sprayed1", PASSWORD, "127.0.0.15") == "locked"
    # ... and no other address is.
    assert log_in(site, "sprayed1", PASSWORD, "127.0.0.16") == "accepted"


def test_the_lockout_holds_while_redis_is_down(tmp_path):
    with serve_demo_city(suffix="lockout_redis", var_dir=tmp_path, extra_env=LIMITS) as site:
        create_user(site, "redisdown1")
        create_user(site, "redisdown2")
        answers = [log_in(site, "redisdown1", "wrong", "127.0.0.17") for _ in range(FAILURE_LIMIT)]
        assert answers == ["wrong"] * FAILURE_LIMIT
        site.redis.terminate()
        site.redis.wait(timeout=10)
        assert log_in(site, "redisdown1", PASSWORD, "127.0.0.17") == "locked"
        # Failures still count without Redis, and a user who is not locked still logs in.
        assert log_in(site, "redisdown2", "wrong", "127.0.0.17") == "wrong"
        assert log_in(site, "redisdown2", PASSWORD, "127.0.0.17") == "accepted"

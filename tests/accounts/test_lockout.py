"""The lockout's parts: canonical usernames, slots taken before a check, the rules' limits."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import RequestFactory

from accounts import lockout
from accounts.backends import user_named

pytestmark = pytest.mark.django_db


def request_from(address: str, agent: str = "test"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5


@pytest.mark.parametrize("typed", ["Victim2", " victim2 ", "ｖｉｃｔｉｍ２", "VICTIM2\t"])
def test_every_spelling_of_a_username_is_one(typed):
    assert lockout.canonical_username(typed) == "victim2"


def test_a_login_names_the_exact_user_else_the_one_of_that_spelling(make_user):
    lower = make_user(username="li")
    assert user_named("LI") == lower
    upper = make_user(username="Li")
    assert user_named("Li") == upper and user_named("li") == lower
    # Two accounts share the spelling "LI": neither is guessed.
    assert user_named("LI") is None


def test_slots_run_out_at_the_limit_and_only_for_that_address(limits):
    taken = [lockout.reserve(request_from("10.0.0.1"), "victim") for _ in range(4)]
    assert taken[:3] == [None] * 3 and taken[3].parameters == ("username", "ip_address")
    assert lockout.is_locked("Victim", "10.0.0.1")
    assert not lockout.is_locked("victim", "10.0.0.2")
    assert lockout.reserve(request_from("10.0.0.2"), "victim") is None


def test_changing_the_user_agent_does_not_reset_the_count(limits):
    for agent in ("a", "b", "c"):
        assert lockout.reserve(request_from("10.0.0.1", agent), "victim") is None
    assert lockout.reserve(request_from("10.0.0.1", "d"), "victim") is not None


def test_one_address_runs_out_across_usernames(limits):
    taken = [lockout.reserve(request_from("10.0.0.3"), f"user{i}") for i in range(6)]
    assert taken[:5] == [None] * 5 and taken[5].parameters == lockout.ADDRESS_RULE
    assert lockout.reserve(request_from("10.0.0.4"), "user9") is None


def test_a_success_gives_its_slot_back(limits):
    request = request_from("10.0.0.1")
    for _ in range(3):
        assert lockout.reserve(request, "victim") is None
    lockout._handler().release(request, {"username": "victim"})
    assert lockout.reserve(request_from("10.0.0.1"), "victim") is None
    assert lockout.reserve(request_from("10.0.0.1"), "victim") is not None


def test_counts_past_the_window_start_again_and_are_pruned(limits):
    for _ in range(3):
        lockout.reserve(request_from("10.0.0.1"), "victim")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=601))
    assert not lockout.is_locked("victim", "10.0.0.1")
    assert lockout.prune_expired() == 1 and not AccessAttempt.objects.exists()
    assert lockout.reserve(request_from("10.0.0.1"), "victim") is None
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_clear_unlocks_a_username(limits):
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(3):
            lockout.reserve(request_from(address), "victim")
    lockout.clear("VICTIM", "10.0.0.1")
    assert not lockout.is_locked("victim", "10.0.0.1") and lockout.is_locked("victim", "10.0.0.2")
    lockout.clear("victim")
    assert not AccessAttempt.objects.exists()

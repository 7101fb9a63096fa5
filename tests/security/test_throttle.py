"""Finding 7 of issue 21: a token's request rate, fired at in parallel over real HTTP."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from requests.adapters import HTTPAdapter

from ..demo_site import serve_demo_city
from .conftest import api_token, with_token

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RATE = 100


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("throttle")
    env = {"API_THROTTLE_TOKEN": f"{RATE}/min"}
    with serve_demo_city(suffix="throttle", var_dir=var_dir, extra_env=env) as site:
        yield site


def fire(caller, count: int, threads: int = 30) -> list:
    caller.http.mount("http://", HTTPAdapter(pool_maxsize=threads))
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda _: caller.get("/api/v1/areas/?page_size=1"), range(count)))


def test_parallel_requests_on_one_token_get_no_more_than_its_rate(site):
    caller = with_token(site, api_token(site, "officer", "areas:read"))
    answers = fire(caller, 3 * RATE)
    codes = [answer.status_code for answer in answers]
    assert set(codes) <= {200, 429}, sorted(set(codes))
    assert 0 < codes.count(200) <= RATE, codes.count(200)
    refused = [answer for answer in answers if answer.status_code == 429]
    assert len(refused) >= 2 * RATE
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in refused)


def test_another_token_has_its_own_budget(site):
    first = with_token(site, api_token(site, "officer", "areas:read"))
    second = with_token(site, api_token(site, "officer", "areas:read"))
    assert [a.status_code for a in fire(first, RATE + 5)].count(429) >= 5
    assert second.get("/api/v1/areas/?page_size=1").status_code == 200


def test_a_token_is_still_limited_while_redis_is_down(tmp_path):
    env = {"API_THROTTLE_TOKEN": f"{RATE}/min"}
    with serve_demo_city(suffix="throttle_redis", var_dir=tmp_path, extra_env=env) as site:
        caller = with_token(site, api_token(site, "officer", "areas:read"))
        site.redis.terminate()
        site.redis.wait(timeout=10)
        codes = [answer.status_code for answer in fire(caller, 2 * RATE)]
        assert set(codes) <= {200, 429}, sorted(set(codes))
        assert 0 < codes.count(200) <= RATE

"""Two instances of the platform on one PostgreSQL and one Redis, as behind a load balancer:
two web servers, two Celery workers, two beats.

An alert raised through one instance reaches sockets held by the other; summaries read from
either agree with the database once the workers recompute; of two beats one sends the schedule,
and the other takes over when it dies.
"""

import asyncio
import json
from datetime import date, timedelta

import pytest
import redis
from django.utils import timezone
from websockets.asyncio.client import connect

from accounts.choices import Role
from incidents.models import Incident

from ..alerts.test_live import (  # noqa: F401  (fatal_accident_rule: a fixture)
    FATAL_ACCIDENT,
    fatal_accident,
    fatal_accident_rule,
    next_message,
    subprocess_database_url,
)
from ..factories import api_key
from .http import call, token_header
from .stack import platform_env, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Bounds, not expectations: two cores are shared with other suites.
PUSH_SECONDS = 30.0
CONVERGE_SECONDS = 60.0
HEARTBEAT_TASK = "core.heartbeat"
# Heartbeats both beats must see sent while they run together.
SENT_WHILE_BOTH_RUN = 5


@pytest.fixture
def instance_env(private_redis, tmp_path):
    """The environment both instances share: the test database, a Redis of the test's own,
    and the rollup cube on (the test settings turn it off), re-checked every second."""
    return platform_env(
        database_url=subprocess_database_url(),
        redis_url=private_redis[0],
        var_dir=tmp_path,
        STATS_CUBE="1",
        STATS_CUBE_RECHECK_SECONDS="1",
        # No beat in these tests: a change asks the workers for its recompute itself.
        STATS_RECOMPUTE_ON_COMMIT="1",
        BEAT_HEARTBEAT_SECONDS="1",
        BEAT_STANDBY_POLL_SECONDS="1",
    )


@pytest.fixture
def two_instances(transactional_db, instance_env, processes):
    """Web servers A and B, with two Celery workers behind them."""
    web_a = processes.web("web-a", instance_env)
    web_b = processes.web("web-b", instance_env)
    processes.worker("worker-1", instance_env)
    processes.worker("worker-2", instance_env)
    return web_a, web_b


@pytest.fixture
def people(two_districts, city, make_user):
    """Tokens of: the commander of district A, a station officer there, a city analyst."""
    district_a, _ = two_districts
    return {
        "commander": api_key(make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a)),
        "officer": api_key(
            make_user(role=Role.STATION_OFFICER, home_area=district_a.children.get())
        ),
        "analyst": api_key(make_user(role=Role.CITY_ANALYST, home_area=city)),
    }


def test_alert_raised_through_one_instance_reaches_sockets_on_the_other(
    two_instances, people, request
):
    rule = request.getfixturevalue("fatal_accident_rule")
    web_a, web_b = two_instances

    async def scenario():
        async with connect(
            f"{web_b.ws_url}/ws/alerts/",
            additional_headers=token_header(people["commander"]),
            origin=web_b.url,
            open_timeout=PUSH_SECONDS,
        ) as socket:
            backlog = await next_message(socket, PUSH_SECONDS)
            posted = await asyncio.to_thread(
                call,
                f"{web_a.url}/api/v1/incidents/",
                headers=token_header(people["officer"]),
                body=fatal_accident("A-1"),
            )
            return backlog, posted, await next_message(socket, PUSH_SECONDS)

    backlog, posted, pushed = asyncio.run(scenario())

    assert backlog["type"] == "backlog" and backlog["alerts"] == []
    assert posted.status == 201, posted.body
    assert pushed["type"] == "alert" and pushed["event"] == "created", pushed
    assert pushed["alert"]["incident"] == posted.json()["id"]
    assert pushed["alert"]["severity"] == rule.severity


def incidents_in_database(day: date) -> int:
    return Incident.objects.filter(
        reported_at__date__gte=day.replace(month=1, day=1), reported_at__date__lte=day
    ).count()


def test_summaries_from_either_instance_equal_the_database(two_instances, people):
    web_a, web_b = two_instances
    day = timezone.localdate(timezone.now() - timedelta(minutes=5))

    def summary_count(web) -> int:
        answer = call(
            f"{web.url}/api/v1/stats/summary?date={day.isoformat()}",
            headers=token_header(people["analyst"]),
        )
        assert answer.status == 200, answer.body
        return answer.json()["measures"]["count"]["current"]

    def counts() -> tuple[int, int, int]:
        return summary_count(web_a), summary_count(web_b), incidents_in_database(day)

    # Each instance holds its copy of the rollups before the change.
    before = counts()
    for web, ref in ((web_a, "S-A"), (web_b, "S-B")):
        posted = call(
            f"{web.url}/api/v1/incidents/",
            headers=token_header(people["officer"]),
            body=fatal_accident(ref),
        )
        assert posted.status == 201, posted.body

    after = wait_until(
        lambda: (lambda a, b, db: (a, b, db) if a == b == db else None)(*counts()),
        seconds=CONVERGE_SECONDS,
        what="both instances' summaries equal the database",
    )

    assert before[0] == before[1] == before[2]
    assert after[2] > before[2]


def heartbeat_senders(redis_url: str) -> list[int]:
    """The process ids of the beats that sent each queued heartbeat, oldest first.

    No worker consumes this Redis's queue: every scheduled run sent is still in it. Celery
    names the sending process in each message's ``origin`` header (``gen<pid>@<host>``).
    """
    client = redis.Redis.from_url(redis_url)
    senders = []
    for raw in reversed(client.lrange("celery", 0, -1)):
        headers = json.loads(raw)["headers"]
        if headers["task"] == HEARTBEAT_TASK:
            senders.append(int(headers["origin"].removeprefix("gen").split("@")[0]))
    return senders


def test_one_of_two_beats_sends_the_schedule_and_the_other_takes_over(
    transactional_db, instance_env, processes
):
    redis_url = instance_env["REDIS_URL"]
    first = processes.beat("beat-1", instance_env)
    wait_until(lambda: heartbeat_senders(redis_url), seconds=CONVERGE_SECONDS, what="beat-1 sends")
    second = processes.beat("beat-2", instance_env)
    wait_until(
        lambda: "standing by" in second.output(),
        seconds=CONVERGE_SECONDS,
        what="beat-2 stands by",
    )
    sent_before = len(heartbeat_senders(redis_url))
    sent_while_both_ran = wait_until(
        lambda: (
            (senders := heartbeat_senders(redis_url))[sent_before + SENT_WHILE_BOTH_RUN :]
            and senders
        ),
        seconds=CONVERGE_SECONDS,
        what=f"{SENT_WHILE_BOTH_RUN} more heartbeats",
    )

    first.kill()
    sent_after_takeover = wait_until(
        lambda: second.pid in (senders := heartbeat_senders(redis_url)) and senders,
        seconds=CONVERGE_SECONDS,
        what="beat-2 takes over",
    )

    assert set(sent_while_both_ran) == {first.pid}
    assert set(sent_after_takeover) == {first.pid, second.pid}
    # One sender at a time: beat-2's runs all follow beat-1's last.
    last_of_first = max(i for i, pid in enumerate(sent_after_takeover) if pid == first.pid)
    assert set(sent_after_takeover[last_of_first + 1 :]) == {second.pid}

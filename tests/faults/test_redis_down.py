"""Issue 22: the platform's Redis stops mid-run, and nothing is lost.

The site's own redis-server (cache, channel layer, Celery broker, shared throttle) is stopped
once, before the first test that needs it down, and started again on the same port before the
first test that needs it back: the tests of the outage come first in this file, those of the
return last. While it is down, over real HTTP: logins, pages, incident posts, statistics and
lists work from the database, ``/healthz`` answers 503 naming Redis, the lockout holds and the
throttle limits per process. The alert and the dirty marks of an incident posted meanwhile are
in the database; once Redis is back a socket catches up on the alert with ``resume_after`` and
a recompute, run as a worker runs it, brings the statistics to what the records say.

The site asks for a recompute on every commit (``STATS_RECOMPUTE_ON_COMMIT``), so an incident
post also sends a Celery task to the stopped broker.
"""

import json
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from ..conftest import start_redis_server
from ..demo_site import serve_demo_city
from ..security.conftest import (
    api_token,
    django_shell,
    home_area_path,
    receive_json,
    sql,
    with_token,
)
from ..security.test_lockout import FAILURE_LIMIT, LIMITS, PASSWORD, create_user
from ..security.test_lockout import log_in as attempt_login
from ..security.test_throttle import fire

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TOKEN_RATE = 30


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    env = {
        **LIMITS,
        "API_THROTTLE_TOKEN": f"{TOKEN_RATE}/min",
        "STATS_RECOMPUTE_ON_COMMIT": "true",
    }
    var_dir = tmp_path_factory.mktemp("redis_down")
    with serve_demo_city(suffix="redis_down", var_dir=var_dir, extra_env=env) as site:
        yield site


@pytest.fixture(scope="module")
def redis_down(site) -> dict:
    """Stop the site's redis-server: its port, and when it stopped (database time)."""
    port = urlsplit(site.env["REDIS_URL"]).port
    site.redis.terminate()
    site.redis.wait(timeout=10)
    [(stopped_at,)] = sql(site, "SELECT now()")
    return {"port": port, "stopped_at": stopped_at}


@pytest.fixture(scope="module")
def redis_back(site, redis_down):
    """The site's redis-server started again on its port (empty, as after a crash)."""
    _, process = start_redis_server(redis_down["port"])
    yield
    process.kill()
    process.wait()


def in_jurisdiction_of(site, username: str) -> tuple[float, float]:
    """A point inside the user's jurisdiction: where one of its incidents is."""
    [(lon, lat)] = sql(
        site,
        "SELECT lon, lat FROM incidents_incident WHERE area_path LIKE %s AND lon IS NOT NULL "
        "ORDER BY id LIMIT 1",
        [home_area_path(site, username) + "%"],
    )
    return lon, lat


def incident_body(site, category: str, summary: str) -> dict:
    lon, lat = in_jurisdiction_of(site, "officer")
    return {
        "source_ref": f"outage-{uuid.uuid4().hex[:12]}",
        "category": category,
        "reported_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "lon": lon,
        "lat": lat,
        "address": "测试路1号",
        "summary": summary,
    }


def local_day(site, public_id: str) -> date:
    [(day,)] = sql(
        site,
        "SELECT (reported_at AT TIME ZONE %s)::date FROM incidents_incident WHERE public_id = %s",
        [settings.TIME_ZONE, public_id],
    )
    return day


def incidents_on(site, day: date) -> int:
    """The incidents reported on a local day, counted in the database: the ground truth."""
    [(count,)] = sql(
        site,
        "SELECT count(*) FROM incidents_incident WHERE (reported_at AT TIME ZONE %s)::date = %s",
        [settings.TIME_ZONE, day],
    )
    return count


def counted_on(caller, day: date) -> int:
    """The statistics' count of incidents on one day, for the caller's jurisdiction."""
    answer = caller.get(
        "/api/v1/stats/summary", params={"window": "custom", "from": day, "to": day}
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()["measures"]["count"]["current"]


@pytest.fixture(scope="module")
def alert_raised_in_outage(site, redis_down) -> dict:
    """A fatal accident posted while Redis is down (the demo rules alert on it): the
    answer, and the newest alert id before it."""
    officer = with_token(site, api_token(site, "officer", "incidents:write"))
    [(last_alert,)] = sql(site, "SELECT coalesce(max(id), 0) FROM alerts_alert")
    answer = officer.post(
        "/api/v1/incidents/", incident_body(site, "traffic_accident_fatal", "两车相撞")
    )
    return {"answer": answer, "last_alert": last_alert}


# --- While Redis is down ----------------------------------------------------------------------


def test_login_works_and_reads_pages_and_the_api(redis_down, session_of):
    analyst = session_of("analyst")  # a 302 to the dashboard, or it fails
    assert analyst.get("/").status_code == 200
    assert analyst.get("/incidents/").status_code == 200
    assert analyst.get("/api/v1/incidents/", params={"page_size": 1}).status_code == 200


def test_incident_post_is_saved(site, redis_down, token_of):
    officer = token_of("officer", "incidents:write")
    answer = officer.post("/api/v1/incidents/", incident_body(site, "theft_other", "失窃"))
    assert answer.status_code == 201, answer.text[:500]
    rows = sql(
        site,
        "SELECT source_ref FROM incidents_incident WHERE public_id = %s",
        [answer.json()["id"]],
    )
    assert rows == [(answer.json()["source_ref"],)]


def test_statistics_answer_from_the_database(site, redis_down, session_of):
    [(day,)] = sql(
        site,
        "SELECT max((reported_at AT TIME ZONE %s)::date) FROM incidents_incident "
        "WHERE (reported_at AT TIME ZONE %s)::date < %s",
        [settings.TIME_ZONE, settings.TIME_ZONE, timezone.localdate()],
    )
    assert counted_on(session_of("analyst"), day) == incidents_on(site, day) > 0


def test_incident_list_answers_from_the_database(site, redis_down, session_of):
    marker = f"outage-list-{uuid.uuid4().hex[:8]}"
    officer = session_of("officer")
    created = officer.post("/api/v1/incidents/", incident_body(site, "theft_other", marker))
    assert created.status_code == 201, created.text[:500]
    answer = officer.get("/api/v1/incidents/", params={"q": marker})
    assert answer.status_code == 200
    rows = sql(site, "SELECT public_id::text FROM incidents_incident WHERE summary = %s", [marker])
    assert [item["id"] for item in answer.json()["results"]] == [row[0] for row in rows]


def test_area_map_answers_from_the_database(site, redis_down, session_of):
    answer = session_of("analyst").get("/api/v1/areas/", params={"format": "geojson"})
    assert answer.status_code == 200, answer.text[:500]
    [(areas,)] = sql(site, "SELECT count(*) FROM areas_area")
    assert len(answer.json()["features"]) == areas


def test_healthz_answers_503_naming_redis(site, redis_down, session_of):
    answer = session_of("analyst").get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["failing_servers"] == ["redis"]
    assert set(body["failing"]) == {"cache", "channel_layer", "celery_broker"}
    assert body["checks"]["database"]["ok"] is True


def test_lockout_still_locks(site, redis_down):
    create_user(site, "outage1")
    answers = [attempt_login(site, "outage1", "wrong") for _ in range(FAILURE_LIMIT + 1)]
    assert answers == ["wrong"] * FAILURE_LIMIT + ["locked"]
    assert attempt_login(site, "outage1", PASSWORD) == "locked"


def test_throttle_still_limits(site, redis_down, token_of):
    codes = [
        answer.status_code for answer in fire(token_of("officer", "areas:read"), 2 * TOKEN_RATE)
    ]
    assert set(codes) <= {200, 429}, sorted(set(codes))
    assert 0 < codes.count(200) <= TOKEN_RATE


def test_alert_raised_meanwhile_is_in_the_database(site, alert_raised_in_outage):
    answer = alert_raised_in_outage["answer"]
    assert answer.status_code == 201, answer.text[:500]
    alerts = sql(
        site,
        "SELECT a.id FROM alerts_alert a JOIN incidents_incident i ON i.id = a.incident_id "
        "WHERE i.public_id = %s",
        [answer.json()["id"]],
    )
    assert alerts and all(alert_id > alert_raised_in_outage["last_alert"] for (alert_id,) in alerts)


def test_dirty_marks_written_meanwhile_are_in_the_database(
    site, redis_down, alert_raised_in_outage
):
    day = local_day(site, alert_raised_in_outage["answer"].json()["id"])
    marks = sql(
        site,
        "SELECT count(*) FROM stats_dirtyday WHERE source = 'incidents' AND day = %s "
        "AND marked_at >= %s",
        [day, redis_down["stopped_at"]],
    )
    assert marks[0][0] > 0


# --- Once Redis is back -----------------------------------------------------------------------


def test_socket_catches_up_on_the_alert_raised_meanwhile(
    alert_raised_in_outage, redis_back, token_of
):
    incident_id = alert_raised_in_outage["answer"].json()["id"]
    commander = token_of("commander", "alerts:read")
    with commander.socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        socket.send(json.dumps({"resume_after": alert_raised_in_outage["last_alert"]}))
        backlog = receive_json(socket)
    assert backlog["type"] == "backlog"
    assert [alert["incident"] for alert in backlog["alerts"]] == [incident_id]


def test_recompute_brings_statistics_to_the_records(
    site, alert_raised_in_outage, redis_back, session_of
):
    day = local_day(site, alert_raised_in_outage["answer"].json()["id"])
    recomputed = django_shell(
        site, "from stats.tasks import recompute_dirty; print(recompute_dirty.apply().get())"
    )
    assert int(recomputed.split()[-1]) > 0
    assert sql(site, "SELECT count(*) FROM stats_dirtyday WHERE day = %s", [day]) == [(0,)]
    assert counted_on(session_of("analyst"), day) == incidents_on(site, day)

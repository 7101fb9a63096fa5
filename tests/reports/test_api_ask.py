"""``POST /api/v1/reports/`` over real HTTP: a briefing asked for through the API is queued
(202 with its job, the job's URL in Location), made by a real Celery worker on the reports
queue, and found at its job; an area outside the caller's jurisdiction is refused (404), as is
bad input (400, naming the field) and a token that may only read (403), and none is queued."""

import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from accounts.choices import Role
from reports.models import Report, ReportJob
from tests.factories import api_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def commander_a(make_user, two_districts):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])


def ask(live_server, key: str, body: dict) -> requests.Response:
    return requests.post(
        f"{live_server.url}/api/v1/reports/",
        json=body,
        headers={"Authorization": f"Token {key}"},
        timeout=30,
    )


def get(live_server, key: str, path: str, **params) -> dict:
    response = requests.get(
        f"{live_server.url}{path}",
        params=params,
        headers={"Authorization": f"Token {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.redis
def test_a_briefing_asked_for_through_the_api_is_made_and_found_at_its_job(
    live_server, settings, celery_worker_process, briefing_incidents, two_districts, commander_a
):
    settings.REPORTS_QUEUE = celery_worker_process
    district_a = two_districts[0]
    key = api_key(commander_a)
    response = ask(live_server, key, {"kind": "weekly", "area": district_a.pk})
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == job["url"] == f"/api/v1/reports/jobs/{job['id']}/"
    assert (job["kind"], job["area"], job["status"]) == ("weekly", district_a.pk, "queued")
    deadline = time.monotonic() + 180
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the worker made no briefing"
        time.sleep(0.5)
        job = get(live_server, key, response.headers["Location"])
    assert job["status"] == "done", job["error"]
    briefing = get(live_server, key, job["report_url"])
    assert briefing["id"] == job["report"] == Report.objects.get().pk
    # The last complete ISO week: the statistics API's default week, for the same area.
    week = get(live_server, key, "/api/v1/stats/summary", area=district_a.pk, window="week")
    assert (briefing["period_start"], briefing["period_end"]) == (
        week["period"]["from"],
        week["period"]["to"],
    )
    assert briefing["content"]["yoy_period"] == week["yoy_period"]
    assert briefing["content"]["pop_period"] == week["pop_period"]


def test_asking_outside_the_jurisdiction_or_with_bad_input_is_refused(
    live_server, settings, two_districts, commander_a, make_user
):
    # A queue no worker takes: nothing asked for here may be made.
    settings.REPORTS_QUEUE = "reports-nobody"
    district_a, district_b = two_districts
    key = api_key(commander_a)
    today = timezone.localdate()

    refused = ask(live_server, key, {"kind": "weekly", "area": district_b.pk})
    assert refused.status_code == 404, refused.text
    assert district_b.name not in refused.text
    missing = ask(live_server, key, {"kind": "weekly", "area": 10**9})
    assert missing.status_code == 404, missing.text

    bad = {
        "kind": {"kind": "daily", "area": district_a.pk},
        "area": {"kind": "weekly", "area": "A"},
        "end": {"kind": "weekly", "area": district_a.pk, "start": str(today - timedelta(days=9))},
        "start": {"kind": "weekly", "area": district_a.pk, "start": "2026-13-01", "end": "x"},
        "campaign": {"kind": "campaign", "area": district_a.pk},
    }
    for field, body in bad.items():
        response = ask(live_server, key, body)
        assert response.status_code == 400, (field, response.text)
        assert field in response.json(), (field, response.json())
    backwards = {"start": str(today - timedelta(days=2)), "end": str(today - timedelta(days=9))}
    response = ask(live_server, key, {"kind": "weekly", "area": district_a.pk, **backwards})
    assert (response.status_code, list(response.json())) == (400, ["end"])
    future = {"start": str(today), "end": str(today + timedelta(days=6))}
    response = ask(live_server, key, {"kind": "weekly", "area": district_a.pk, **future})
    assert response.status_code == 400 and response.json()["non_field_errors"], response.text

    read_only = api_key(commander_a, scopes=["stats:read"])
    response = ask(live_server, read_only, {"kind": "weekly", "area": district_a.pk})
    assert response.status_code == 403, response.text
    assert "stats:write" in response.json()["detail"]
    assert not ReportJob.objects.exists()
    # District B's commander asks for B's and is answered; A's commander cannot read that job.
    commander_b = make_user(role=Role.DISTRICT_COMMANDER, home_area=district_b)
    theirs = ask(live_server, api_key(commander_b), {"kind": "weekly", "area": district_b.pk})
    assert theirs.status_code == 202, theirs.text
    response = requests.get(
        f"{live_server.url}{theirs.headers['Location']}",
        headers={"Authorization": f"Token {key}"},
        timeout=30,
    )
    assert response.status_code == 404

"""Issue 21, finding 5: parallel requests for one thing make one thing, and no server errors.

Twelve requests leave twelve threads together (a barrier) for the served site: opening the
dispute case of one incident made 7 cases, and posting one new source reference made 7 × 500
(IntegrityError), before the fix.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from .conftest import api_token, home_area_path, sql

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PARALLEL = 12


def fire_together(site, token: str, method: str, path: str, body) -> list[requests.Response]:
    """``PARALLEL`` requests, each on its own connection, released at the same moment."""
    barrier = threading.Barrier(PARALLEL)
    answers: list = [None] * PARALLEL

    def send(index: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Token {token}"
        barrier.wait()
        answers[index] = http.request(method, site.url + path, json=body, timeout=120)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers), "a request never came back"
    return answers


def officer_row(site, ref: str, category: str = "theft") -> dict:
    lon, lat = sql(
        site,
        "SELECT lon, lat FROM incidents_incident WHERE area_path LIKE %s AND lat IS NOT NULL "
        "ORDER BY id LIMIT 1",
        [home_area_path(site, "officer") + "%"],
    )[0]
    return {
        "source_ref": ref,
        "category": category,
        "reported_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "lon": lon,
        "lat": lat,
        "summary": "同一报警多次推送",
    }


def test_parallel_posts_of_one_new_reference_make_one_incident_and_no_server_error(site):
    token = api_token(site, "officer", "incidents:write")

    answers = fire_together(site, token, "POST", "/api/v1/incidents/", officer_row(site, "race-1"))

    codes = sorted(answer.status_code for answer in answers)
    assert all(code in (200, 201) for code in codes), codes
    assert codes.count(201) == 1, codes  # created once; the others updated or unchanged it
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sql(site, "SELECT count(*) FROM incidents_incident WHERE source_ref = 'race-1'") == [
        (1,)
    ]


def test_parallel_requests_to_open_an_incidents_case_make_one_case(site):
    token = api_token(site, "officer", "incidents:write", "mediation:write")
    made = requests.post(
        f"{site.url}/api/v1/incidents/",
        json=officer_row(site, "race-dispute", category="dispute_neighbor"),
        headers={"Authorization": f"Token {token}"},
        timeout=60,
    )
    assert made.status_code == 201, made.text
    incident = made.json()["id"]

    answers = fire_together(site, token, "POST", f"/api/v1/incidents/{incident}/dispute-case/", {})

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201] + [409] * (PARALLEL - 1), codes
    cases = sql(
        site,
        "SELECT d.public_id::text FROM mediation_disputecase d "
        "JOIN incidents_incident i ON i.id = d.incident_id WHERE i.public_id = %s",
        [incident],
    )
    assert len(cases) == 1
    (case,) = cases[0]
    created = next(answer for answer in answers if answer.status_code == 201)
    assert created.json()["id"] == case
    for answer in answers:
        if answer.status_code == 409:  # the loser is shown the case that won
            assert answer.json()["case"]["id"] == case

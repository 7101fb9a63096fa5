"""Issue 21, findings 1 and 4: an upsert-shaped write may change only what the caller may change.

The station officer (a station of 浦东新区) re-sends the references of records in 黄浦区 —
references are sequential and guessable — through every path that upserts: one incident, the
bulk load, device events, GPS pings, dispute cases, KPI reports, and the escalation of a case
into an incident. Each attack is refused row by row ("not yours to change") or as a whole, the
victim row is unchanged in SQL, and the answer says nothing of it.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import api_token, area_id, home_area_path, sql, with_token

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NOT_YOURS = "not yours to change"


def _callers(session_of, token_of, scope: str):
    return {
        "session": lambda: session_of("officer"),
        "token": lambda: token_of("officer", scope),
    }


def incident_row(site, incident_id: int) -> dict:
    """Every column of one incident, straight from PostgreSQL."""
    connection_rows = sql(
        site,
        "SELECT row_to_json(i)::text FROM incidents_incident i WHERE id = %s",
        [incident_id],
    )
    return json.loads(connection_rows[0][0])


def victim_incident(site, offset: int) -> dict:
    """An incident of 黄浦区 (another district than the officer's), a different one per test."""
    rows = sql(
        site,
        "SELECT id FROM incidents_incident WHERE district_id = %s ORDER BY id OFFSET %s LIMIT 1",
        [area_id(site, "黄浦区"), offset],
    )
    return incident_row(site, rows[0][0])


def officer_point(site) -> tuple[float, float]:
    """A place inside the officer's own station (where one of its incidents lies)."""
    rows = sql(
        site,
        "SELECT lon, lat FROM incidents_incident WHERE area_path LIKE %s AND lat IS NOT NULL "
        "ORDER BY id LIMIT 1",
        [home_area_path(site, "officer") + "%"],
    )
    return rows[0]


def assert_reveals_nothing(answer_text: str, victim: dict) -> None:
    """The answer names no field of the victim: not its id, summary, address or area."""
    for value in (victim["public_id"], victim["summary"], victim["address"], victim["area_path"]):
        if value:
            assert str(value) not in answer_text, f"the answer leaks {value!r}"
    assert "黄浦" not in answer_text


def overwrite_row(site, victim: dict, **extra) -> dict:
    lon, lat = officer_point(site)
    return {
        "source_system": victim["source_system"],
        "source_ref": victim["source_ref"],
        "category": "theft",
        "reported_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "lon": lon,
        "lat": lat,
        "summary": "覆盖：已由本所接管",
        **extra,
    }


@pytest.mark.parametrize(("how", "offset"), [("session", 0), ("token", 1)])
def test_posting_another_districts_reference_does_not_overwrite_it(
    site, session_of, token_of, how, offset
):
    officer = _callers(session_of, token_of, "incidents:write")[how]()
    victim = victim_incident(site, offset)

    answer = officer.post("/api/v1/incidents/", overwrite_row(site, victim))

    assert answer.status_code == 400, answer.text
    assert answer.json() == {"errors": [{"field": "source_ref", "message": NOT_YOURS}]}
    assert incident_row(site, victim["id"]) == victim
    assert_reveals_nothing(answer.text, victim)


@pytest.mark.parametrize(("how", "offset"), [("session", 2), ("token", 3)])
def test_a_bulk_load_rejects_the_row_naming_another_districts_incident(
    site, session_of, token_of, how, offset
):
    officer = _callers(session_of, token_of, "incidents:write")[how]()
    victim = victim_incident(site, offset)
    own_ref = f"own-bulk-{how}-{offset}"
    rows = [overwrite_row(site, victim), overwrite_row(site, victim, source_ref=own_ref)]

    answer = officer.post("/api/v1/incidents/bulk/", rows)

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["created"], report["updated"], report["rejected"]) == (1, 0, 1)
    # The rejection echoes the caller's own value, and nothing of the incident.
    assert report["errors"] == [
        {"row": 1, "field": "source_ref", "message": NOT_YOURS, "value": rows[0]["source_ref"]}
    ]
    assert incident_row(site, victim["id"]) == victim
    assert_reveals_nothing(answer.text, victim)
    placed = sql(
        site,
        "SELECT area_path FROM incidents_incident WHERE source_system = %s AND source_ref = %s",
        [victim["source_system"], own_ref],
    )
    assert placed[0][0].startswith(home_area_path(site, "officer"))


def test_an_atomic_bulk_load_naming_another_districts_incident_saves_nothing(site, session_of):
    officer = session_of("officer")
    victim = victim_incident(site, 4)
    own_ref = "own-bulk-atomic"
    rows = [overwrite_row(site, victim, source_ref=own_ref), overwrite_row(site, victim)]

    answer = officer.post("/api/v1/incidents/bulk/?atomic=true", rows)

    assert answer.status_code == 200, answer.text
    assert answer.json()["errors"] == [
        {"row": 2, "field": "source_ref", "message": NOT_YOURS, "value": rows[1]["source_ref"]}
    ]
    assert answer.json()["created"] == 0
    assert incident_row(site, victim["id"]) == victim
    assert not sql(site, "SELECT id FROM incidents_incident WHERE source_ref = %s", [own_ref])


def test_patching_an_own_incident_still_works(site, session_of):
    """The ownership rule does not stop the officer changing what is theirs."""
    officer = session_of("officer")
    lon, lat = officer_point(site)
    row = {
        "source_ref": "own-patch",
        "category": "theft",
        "reported_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "lon": lon,
        "lat": lat,
    }
    created = officer.post("/api/v1/incidents/", row)
    assert created.status_code == 201, created.text
    again = officer.post("/api/v1/incidents/", {**row, "summary": "补充"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == created.json()["id"]
    patched = officer.patch(f"/api/v1/incidents/{created.json()['id']}/", {"summary": "更正"})
    assert patched.status_code == 200, patched.text
    assert sql(site, "SELECT summary FROM incidents_incident WHERE source_ref = 'own-patch'") == [
        ("更正",)
    ]


def test_a_device_event_of_another_district_is_neither_returned_nor_replaced(
    site, session_of, token_of
):
    """The officer may not post device events at all; the replay of a 黄浦 event's id as
    the officer reveals nothing of it either way."""
    huangpu = victim_incident(site, 5)
    site.manage(
        "shell",
        "-c",
        "from incidents.services import device_event_receive; "
        "from incidents.models import DeviceEventType; "
        "from django.utils import timezone; "
        "code = DeviceEventType.objects.filter(creates_incident=True).first().code; "
        f"device_event_receive(data={{'device_id': 'cam-hp-1', 'event_id': 'e-1', "
        f"'event_type': code, 'occurred_at': timezone.now(), 'lon': {huangpu['lon']}, "
        f"'lat': {huangpu['lat']}, 'confidence': 0.99}})",
    )
    before = sql(site, "SELECT row_to_json(e)::text FROM incidents_deviceevent e "
                 "WHERE device_id = 'cam-hp-1'")  # fmt: skip
    event_type = json.loads(before[0][0])["event_type_id"]
    code = sql(site, "SELECT code FROM incidents_deviceeventtype WHERE id = %s", [event_type])
    lon, lat = officer_point(site)
    for officer in (session_of("officer"), token_of("officer", "events:write")):
        answer = officer.post(
            "/api/v1/events/",
            {
                "device_id": "cam-hp-1",
                "event_id": "e-1",
                "event_type": code[0][0],
                "occurred_at": datetime.now(UTC).isoformat(),
                "lon": lon,
                "lat": lat,
                "confidence": 0.99,
            },
        )
        assert answer.status_code in (400, 403, 404), answer.text
        assert "cam-hp-1" not in answer.text and "incident" not in answer.json()
    after = sql(site, "SELECT row_to_json(e)::text FROM incidents_deviceevent e "
                "WHERE device_id = 'cam-hp-1'")  # fmt: skip
    assert after == before


def test_pings_for_another_districts_unit_are_rejected(site, session_of, token_of):
    unit = sql(
        site,
        "SELECT id, code, last_lon, last_lat, last_seen_at FROM patrols_patrolunit "
        "WHERE home_path LIKE (SELECT path FROM areas_area WHERE name = %s) || '%%' "
        "ORDER BY id LIMIT 1",
        ["黄浦区"],
    )[0]
    pings_before = sql(site, "SELECT count(*) FROM patrols_position WHERE unit_id = %s", [unit[0]])
    lon, lat = officer_point(site)
    ping = {"unit": unit[1], "at": datetime.now(UTC).isoformat(), "lon": lon, "lat": lat}
    for officer in (session_of("officer"), token_of("officer", "patrols:write")):
        answer = officer.post("/api/v1/patrols/positions/", [ping])
        assert answer.status_code == 200, answer.text
        assert answer.json()["stored"] == 0 and answer.json()["rejected"] == 1
        assert answer.json()["errors"][0]["field"] == "unit"
    assert sql(
        site,
        "SELECT id, code, last_lon, last_lat, last_seen_at FROM patrols_patrolunit WHERE id = %s",
        [unit[0]],
    ) == [unit]
    assert (
        sql(site, "SELECT count(*) FROM patrols_position WHERE unit_id = %s", [unit[0]])
        == pings_before
    )


def new_dispute_incident(site, ref: str) -> dict:
    """A neighbour-dispute incident the officer reports in their own station."""
    lon, lat = officer_point(site)
    answer = with_token(site, api_token(site, "officer", "incidents:write")).post(
        "/api/v1/incidents/",
        {
            "source_ref": ref,
            "category": "dispute_neighbor",
            "reported_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "lon": lon,
            "lat": lat,
            "summary": "楼道堆物引发邻里纠纷",
        },
    )
    assert answer.status_code == 201, answer.text
    rows = sql(site, "SELECT id FROM incidents_incident WHERE source_ref = %s", [ref])
    return incident_row(site, rows[0][0])


def test_opening_a_case_over_another_districts_case_reveals_nothing_of_it(site, session_of):
    """An incident of the officer's station already has a case handled in 黄浦区 (opened by
    the city before the incident was re-placed): asking for a case is refused without the
    other case's id."""
    incident = new_dispute_incident(site, "own-dispute-hidden-case")
    hidden = site.manage(
        "shell",
        "-c",
        "from areas.models import Area; from incidents.models import Incident; "
        "from mediation.services import case_create; "
        "from mediation.models import DisputeType; "
        "area = Area.objects.filter(name='黄浦区').get().children.first(); "
        f"case = case_create(area=area, incident=Incident.objects.get(pk={incident['id']}), "
        "type=DisputeType.objects.first(), summary='黄浦处理中', source='call_110'); "
        "print(case.public_id)",
    ).split()[-1]
    try:
        answer = session_of("officer").post(
            f"/api/v1/incidents/{incident['public_id']}/dispute-case/", {}
        )
        assert answer.status_code == 409, answer.text
        assert hidden not in answer.text and "黄浦" not in answer.text
        assert sql(
            site, "SELECT count(*) FROM mediation_disputecase WHERE incident_id = %s",
            [incident["id"]],
        ) == [(1,)]  # fmt: skip
    finally:
        sql(site, "DELETE FROM mediation_casestatuschange WHERE case_id IN "
            "(SELECT id FROM mediation_disputecase WHERE public_id = %s)", [hidden])  # fmt: skip
        sql(site, "DELETE FROM mediation_disputecase WHERE public_id = %s", [hidden])


def test_a_case_cannot_be_opened_from_another_districts_incident(site, session_of, token_of):
    victim = victim_incident(site, 6)
    cases_before = sql(site, "SELECT count(*) FROM mediation_disputecase")
    for officer in (session_of("officer"), token_of("officer", "mediation:write")):
        answer = officer.post(f"/api/v1/incidents/{victim['public_id']}/dispute-case/", {})
        assert answer.status_code == 404, answer.text
        assert_reveals_nothing(answer.text, victim)
    assert sql(site, "SELECT count(*) FROM mediation_disputecase") == cases_before


def test_kpi_reports_only_for_items_of_units_in_jurisdiction(site, session_of, token_of):
    item = sql(
        site,
        "SELECT k.id FROM campaigns_kpiitem k JOIN campaigns_campaign c ON c.id = k.campaign_id "
        "WHERE k.metric = 'counter' AND c.status <> 'closed' AND k.unit_path NOT LIKE %s "
        "ORDER BY k.id LIMIT 1",
        [home_area_path(site, "officer") + "%"],
    )
    if not item:
        pytest.skip("the demo city has no open counter item outside the officer's station")
    reports_before = sql(site, "SELECT count(*) FROM campaigns_kpireport WHERE item_id = %s", item)
    today = datetime.now(UTC).date().isoformat()
    for officer in (session_of("officer"), token_of("officer", "campaigns:write")):
        answer = officer.post(
            f"/api/v1/campaigns/kpis/{item[0][0]}/reports/", {"value": "5", "reported_on": today}
        )
        assert answer.status_code in (403, 404), answer.text
    assert (
        sql(site, "SELECT count(*) FROM campaigns_kpireport WHERE item_id = %s", item)
        == reports_before
    )


@pytest.mark.parametrize("how", ["session", "token"])
def test_escalating_a_case_cannot_open_an_incident_in_another_district(
    site, session_of, token_of, how
):
    """Finding 4: a case of the officer's station with its coordinates in 黄浦区, escalated."""
    officer = _callers(session_of, token_of, "mediation:write")[how]()
    station = sql(
        site,
        "SELECT a.id FROM accounts_user u JOIN areas_area a ON a.id = u.home_area_id "
        "WHERE u.username = 'officer'",
    )[0][0]
    huangpu = victim_incident(site, 7)
    lon, lat = officer_point(site)
    body = {"type": "neighbour", "summary": "楼上漏水", "source": "patrol", "area": station}
    case = officer.post("/api/v1/mediation/cases/", body | {"lon": lon, "lat": lat})
    assert case.status_code == 201, case.text
    # A case stored with 黄浦 coordinates before cases were checked (the API refuses them now).
    sql(
        site,
        "UPDATE mediation_disputecase SET lon = %s, lat = %s WHERE public_id = %s",
        [huangpu["lon"], huangpu["lat"], case.json()["id"]],
    )
    url = f"/api/v1/mediation/cases/{case.json()['id']}/transition/"
    assert officer.post(url, {"to": "mediating"}).status_code == 200
    incidents_before = sql(site, "SELECT count(*) FROM incidents_incident")

    answer = officer.post(url, {"to": "escalated"})

    assert 400 <= answer.status_code < 500, answer.text
    assert "jurisdiction" in answer.text
    assert sql(site, "SELECT count(*) FROM incidents_incident") == incidents_before
    assert not sql(
        site,
        "SELECT id FROM incidents_incident WHERE source_system = 'mediation' AND source_ref = %s",
        [f"mediation-{case.json()['id']}"],
    )
    assert sql(
        site, "SELECT status FROM mediation_disputecase WHERE public_id = %s", [case.json()["id"]]
    ) == [("mediating",)]


@pytest.mark.parametrize("how", ["session", "token"])
def test_a_case_of_the_own_station_cannot_carry_coordinates_of_another_district(
    site, session_of, token_of, how
):
    """Finding 4 at its root: the location of a case decides where its escalation's incident
    lies, so neither a new case nor a change may put it in 黄浦区."""
    officer = _callers(session_of, token_of, "mediation:write")[how]()
    path = home_area_path(site, "officer")
    station = sql(site, "SELECT id FROM areas_area WHERE path = %s", [path])[0][0]
    huangpu = victim_incident(site, 8)
    lon, lat = officer_point(site)
    body = {"type": "neighbour", "summary": "噪音", "source": "patrol", "area": station}

    elsewhere = {"lon": huangpu["lon"], "lat": huangpu["lat"]}
    created = officer.post("/api/v1/mediation/cases/", body | elsewhere)
    assert created.status_code == 400 and "jurisdiction" in created.text, created.text

    case = officer.post("/api/v1/mediation/cases/", body | {"lon": lon, "lat": lat})
    assert case.status_code == 201, case.text
    moved = officer.patch(f"/api/v1/mediation/cases/{case.json()['id']}/", elsewhere)
    assert moved.status_code == 400 and "jurisdiction" in moved.text, moved.text
    assert sql(
        site, "SELECT lon, lat FROM mediation_disputecase WHERE public_id = %s", [case.json()["id"]]
    ) == [(lon, lat)]
    renamed = officer.patch(
        f"/api/v1/mediation/cases/{case.json()['id']}/", {"summary": "噪音扰民"}
    )
    assert renamed.status_code == 200, renamed.text

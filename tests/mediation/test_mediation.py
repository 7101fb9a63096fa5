"""Mediation cases through the API: a real district report's screening figures, the
lifecycle, links with incidents, overdue follow-ups, and masked personal data."""

import csv
import io
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from areas.models import Area
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from mediation.choices import ALLOWED_TRANSITIONS, Agency, CaseStatus
from mediation.models import DisputeCase, FollowUp
from mediation.services import followups_check_overdue, mask_name, mask_phone
from stats.services import rollups_recompute_dirty

pytestmark = pytest.mark.django_db

# A district's 矛盾纠纷 work in a summer campaign, as its report gives it: 排查矛盾纠纷169起，
# 流转74起，化解36起 (screened, transferred out to other agencies, resolved).
REPORT = {"screened": 169, "transferred": 74, "resolved": 36}
SUMMER = (datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 9, 8, tzinfo=UTC))
TYPES = ["family", "romantic", "neighbour", "labour", "medical", "property", "commercial", "other"]
SOURCES = ["patrol", "call_110", "screening", "grid_worker", "hotline_12345"]


@pytest.fixture
def station(two_districts):
    return Area.objects.get(parent=two_districts[0])


@pytest.fixture
def officer(station, make_user):
    """A station officer: mediates, so sees the parties."""
    return make_user(role=Role.STATION_OFFICER, home_area=station)


@pytest.fixture
def viewer(two_districts, make_user):
    """A district viewer: sees the cases, not who is in them."""
    return make_user(role=Role.VIEWER, home_area=two_districts[0])


def case_body(rng: random.Random, station: Area, screened_at: datetime, **extra) -> dict:
    return {
        "type": rng.choice(TYPES),
        "summary": "因噪音问题发生口角",
        "parties": [
            {"name": "张三丰", "phone": "13812345678", "role": "申请人"},
            {"name": "李四", "phone": "13987654321", "role": "被申请人"},
        ],
        "source": rng.choice(SOURCES),
        "risk": rng.choice(["low", "medium", "high"]),
        "mediators": ["station", "judicial_office"],
        "area": station.id,
        "screened_at": screened_at.isoformat(),
        **extra,
    }


def post_ok(client, url, body, expected=201):
    answer = client.post(url, body, format="json")
    assert answer.status_code == expected, answer.content
    return answer.json()


def test_the_district_report_is_entered_through_the_api_and_the_statistics_match(
    officer, station, api_client_for, make_user, two_districts
):
    rng = random.Random(169)
    client = api_client_for(officer)
    start, end = SUMMER
    span = (end - start).total_seconds()
    ids = []
    for _ in range(REPORT["screened"]):
        screened = start + timedelta(seconds=rng.uniform(0, span - 3 * 86400))
        ids.append(post_ok(client, "/api/v1/mediation/cases/", case_body(rng, station, screened)))
    rng.shuffle(ids)
    transferred = ids[: REPORT["transferred"]]
    # Resolved: some by the agency they went to, the rest by the station's own mediation.
    resolved = transferred[:20] + ids[REPORT["transferred"] : REPORT["transferred"] + 16]
    assert len(resolved) == REPORT["resolved"]
    for case in transferred:
        at = datetime.fromisoformat(case["screened_at"]) + timedelta(days=1)
        post_ok(
            client,
            f"/api/v1/mediation/cases/{case['id']}/transition/",
            {"to": "transferred", "agency": rng.choice(Agency.values), "at": at.isoformat()},
            expected=200,
        )
    for case in resolved:
        at = datetime.fromisoformat(case["screened_at"]) + timedelta(days=2)
        if case not in transferred:
            post_ok(
                client,
                f"/api/v1/mediation/cases/{case['id']}/transition/",
                {"to": "mediating", "at": (at - timedelta(hours=12)).isoformat()},
                expected=200,
            )
        post_ok(
            client,
            f"/api/v1/mediation/cases/{case['id']}/transition/",
            {"to": "resolved", "at": at.isoformat()},
            expected=200,
        )
    rollups_recompute_dirty()

    commander = make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])
    params = {"window": "custom", "from": "2024-06-01", "to": "2024-09-08"}
    stats = api_client_for(commander).get("/api/v1/mediation/stats/", params).json()
    measures = stats["measures"]
    assert {name: measures[name]["current"] for name in REPORT} == REPORT
    assert [stage["count"] for stage in stats["funnel"]] == list(REPORT.values())
    assert stats["rates"]["transfer_rate"]["current"] == round(74 / 169, 4)
    assert stats["rates"]["resolution_rate"]["current"] == round(36 / 169, 4)
    # Every case is still open, transferred or resolved: none lost in between.
    assert measures["open"]["current"] == 169 - 36
    # By type, the rows add up to the report.
    by_type = (
        api_client_for(commander).get("/api/v1/mediation/stats/", {**params, "by": "type"}).json()
    )
    for name, total in REPORT.items():
        assert sum(row[name] for row in by_type["rows"]) == total
    # The other district sees none of it.
    other = make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[1])
    theirs = api_client_for(other).get("/api/v1/mediation/stats/", params).json()
    assert theirs["measures"]["screened"]["current"] == 0


def test_a_year_earlier_is_compared(officer, station, api_client_for):
    rng = random.Random(1)
    client = api_client_for(officer)
    for year, count in ((2023, 5), (2024, 8)):
        for day in range(count):
            moment = datetime(year, 7, 1 + day, 10, tzinfo=UTC)
            post_ok(client, "/api/v1/mediation/cases/", case_body(rng, station, moment))
    rollups_recompute_dirty()
    params = {"window": "custom", "from": "2024-07-01", "to": "2024-07-31"}
    screened = client.get("/api/v1/mediation/stats/", params).json()["measures"]["screened"]
    assert (screened["current"], screened["yoy"]["base"], screened["yoy"]["change"]) == (8, 5, 3)


def test_illegal_steps_are_refused_with_the_reason(officer, station, api_client_for):
    client = api_client_for(officer)
    case = post_ok(
        client, "/api/v1/mediation/cases/", case_body(random.Random(2), station, timezone.now())
    )
    url = f"/api/v1/mediation/cases/{case['id']}/transition/"
    missing_agency = client.post(url, {"to": "transferred"}, format="json")
    assert missing_agency.status_code == 400 and "agency" in missing_agency.json()
    post_ok(client, url, {"to": "resolved"}, expected=200)
    again = client.post(url, {"to": "mediating"}, format="json")
    assert again.status_code == 409
    assert "resolved" in again.json()["to"][0] and "final" in again.json()["to"][0]
    assert not ALLOWED_TRANSITIONS[CaseStatus.RESOLVED]
    timeline = client.get(f"/api/v1/mediation/cases/{case['id']}/").json()["timeline"]
    assert [step["to_status"] for step in timeline] == ["screened", "resolved"]


def test_bad_input_is_named(officer, api_client_for):
    client = api_client_for(officer)
    answer = client.post(
        "/api/v1/mediation/cases/",
        {"type": "nope", "summary": "x", "source": "carrier_pigeon", "lon": 500},
        format="json",
    )
    assert answer.status_code == 400
    assert {"type", "source"} <= set(answer.json())
    nowhere = client.post(
        "/api/v1/mediation/cases/",
        {"type": "family", "summary": "x", "source": "patrol", "lon": 10.0, "lat": 10.0},
        format="json",
    )
    assert nowhere.status_code == 400 and "lon" in nowhere.json()


def test_an_incident_opens_a_case_and_an_escalated_case_becomes_an_incident(
    officer, station, api_client_for
):
    report = incidents_ingest(
        rows=[
            {"source_ref": "D1", "category": "dispute_labor", "lon": 120.5, "lat": 30.5,
             "reported_at": (timezone.now() - timedelta(hours=3)).isoformat(),
             "summary": "工地欠薪，工人聚集讨薪"},
            {"source_ref": "T1", "category": "theft", "lon": 120.5, "lat": 30.5,
             "reported_at": (timezone.now() - timedelta(hours=3)).isoformat()},
        ],
        source_system="t",
    )  # fmt: skip
    assert report.created == 2
    client = api_client_for(officer)
    dispute = Incident.objects.get(source_ref="D1")
    case = post_ok(client, f"/api/v1/incidents/{dispute.public_id}/dispute-case/", {})
    assert (case["type"], case["incident"]) == ("labour", str(dispute.public_id))
    assert dispute.dispute_cases.get().public_id.hex == case["id"].replace("-", "")
    twice = client.post(f"/api/v1/incidents/{dispute.public_id}/dispute-case/", {}, format="json")
    assert twice.status_code == 409
    theft = Incident.objects.get(source_ref="T1")
    refused = client.post(f"/api/v1/incidents/{theft.public_id}/dispute-case/", {}, format="json")
    assert refused.status_code == 400 and "not a dispute" in refused.json()["incident"][0]

    url = f"/api/v1/mediation/cases/{case['id']}/transition/"
    post_ok(client, url, {"to": "mediating"}, expected=200)
    escalated = post_ok(client, url, {"to": "escalated", "note": "群体性苗头"}, expected=200)
    became = Incident.objects.get(public_id=escalated["escalated_incident"])
    assert became.category.code == "dispute_labor" and became.escalated_from.get().id
    assert became.area_path.startswith(station.path)


def test_an_overdue_follow_up_raises_one_alert(officer, station, api_client_for):
    AlertRule.objects.create(
        name="回访逾期", kind=RuleKind.FOLLOWUP_OVERDUE, severity=Severity.WARNING
    )
    client = api_client_for(officer)
    case = post_ok(
        client, "/api/v1/mediation/cases/", case_body(random.Random(3), station, timezone.now())
    )
    due = timezone.now() - timedelta(hours=1)
    follow_ups = f"/api/v1/mediation/cases/{case['id']}/follow-ups/"
    late = post_ok(client, follow_ups, {"due_at": due.isoformat(), "note": "电话回访"})
    post_ok(client, follow_ups, {"due_at": (due + timedelta(days=3)).isoformat()})
    assert late["overdue"] is True
    overdue = client.get("/api/v1/mediation/follow-ups/", {"overdue": "true"}).json()
    assert [item["id"] for item in overdue["results"]] == [late["id"]]
    listed = client.get("/api/v1/mediation/cases/", {"overdue": "true"}).json()["results"]
    assert [item["id"] for item in listed] == [case["id"]]

    assert followups_check_overdue() == 1
    assert followups_check_overdue() == 0  # once
    alert = Alert.objects.get()
    assert alert.area_id == station.id and "电话回访" in alert.body
    done = post_ok(
        client, f"/api/v1/mediation/follow-ups/{late['id']}/complete/", {"outcome": "已和解"}, 200
    )
    assert done["done_at"] and not done["overdue"]
    assert FollowUp.objects.filter(done_at__isnull=True).count() == 1


def test_personal_data_is_masked_without_the_permission(officer, viewer, station, api_client_for):
    created = post_ok(
        api_client_for(officer),
        "/api/v1/mediation/cases/",
        case_body(random.Random(4), station, timezone.now()),
    )
    masked = [mask_name("张三丰"), mask_phone("13812345678")]
    assert masked == ["张**", "138****5678"]
    client = api_client_for(viewer)

    listed = client.get("/api/v1/mediation/cases/").json()["results"][0]["parties"][0]
    detail = client.get(f"/api/v1/mediation/cases/{created['id']}/").json()["parties"][0]
    exported = client.get("/api/v1/mediation/cases/", {"format": "csv"})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    for party in (listed, detail):
        assert [party["name"], party["phone"]] == masked
    assert "张三丰" not in exported.content.decode() and "13812345678" not in rows[0]["parties"]
    assert "138****5678" in rows[0]["parties"]

    # The officer who mediates sees them whole, in the export too.
    own = api_client_for(officer).get(f"/api/v1/mediation/cases/{created['id']}/").json()
    assert own["parties"][0]["name"] == "张三丰"
    own_csv = api_client_for(officer).get("/api/v1/mediation/cases/", {"format": "csv"})
    assert "13812345678" in own_csv.content.decode()


def test_cases_are_scoped(officer, station, two_districts, make_user, api_client_for):
    created = post_ok(
        api_client_for(officer),
        "/api/v1/mediation/cases/",
        case_body(random.Random(5), station, timezone.now()),
    )
    other = api_client_for(make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[1]))
    assert other.get("/api/v1/mediation/cases/").json()["results"] == []
    assert other.get(f"/api/v1/mediation/cases/{created['id']}/").status_code == 404
    elsewhere = case_body(random.Random(6), two_districts[1], timezone.now())
    refused = api_client_for(officer).post("/api/v1/mediation/cases/", elsewhere, format="json")
    assert refused.status_code == 400 and "area" in refused.json()
    assert DisputeCase.objects.count() == 1


def test_cases_follow_their_area_when_it_moves(officer, station, two_districts, api_client_for):
    client = api_client_for(officer)
    moment = datetime(2024, 7, 1, 10, tzinfo=UTC)
    post_ok(client, "/api/v1/mediation/cases/", case_body(random.Random(7), station, moment))
    rollups_recompute_dirty()
    station.parent = two_districts[1]
    station.save()
    rollups_recompute_dirty()
    case = DisputeCase.objects.get()
    station.refresh_from_db()
    assert case.area_path == station.path
    from mediation.models import MediationDaily

    counted = MediationDaily.objects.filter(category_key=0, screened__gt=0)
    assert set(counted.values_list("area_key", flat=True)) == {
        0, two_districts[0].parent_id, two_districts[1].id, station.id,
    }  # fmt: skip


def test_an_incident_has_at_most_one_case_in_the_database(station):
    from django.db import IntegrityError, transaction

    from mediation.models import DisputeType

    incidents_ingest(
        rows=[{"source_ref": "D1", "category": "dispute_labor", "lon": 120.5, "lat": 30.5,
               "reported_at": (timezone.now() - timedelta(hours=3)).isoformat()}],
        source_system="t",
    )  # fmt: skip
    incident = Incident.objects.get()
    fields = {
        "type": DisputeType.objects.first(),
        "summary": "x",
        "source": "call_110",
        "area": station,
        "screened_at": timezone.now(),
        "incident": incident,
    }
    DisputeCase.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeCase.objects.create(**fields)


def test_opening_an_incidents_case_again_answers_409_with_the_case(officer, api_client_for):
    incidents_ingest(
        rows=[{"source_ref": "D1", "category": "dispute_labor", "lon": 120.5, "lat": 30.5,
               "reported_at": (timezone.now() - timedelta(hours=3)).isoformat()}],
        source_system="t",
    )  # fmt: skip
    url = f"/api/v1/incidents/{Incident.objects.get().public_id}/dispute-case/"
    client = api_client_for(officer)
    case = post_ok(client, url, {})
    again = client.post(url, {}, format="json")
    assert again.status_code == 409
    assert again.json()["incident"] == ["already has a dispute case"]
    assert again.json()["case"]["id"] == case["id"]


def test_escalating_a_case_placed_in_another_district_is_refused(officer, station, api_client_for):
    """The case is the officer's station's, its coordinates lie in the other district: the
    incident it would become is refused like any the officer reports there."""
    client = api_client_for(officer)
    body = {"type": "neighbour", "summary": "x", "source": "patrol", "area": station.id}
    # The API refuses such a case now; one stored before is still refused its escalation.
    refused_case = client.post("/api/v1/mediation/cases/", {**body, "lon": 122.5, "lat": 30.5})
    assert refused_case.status_code == 400
    case = post_ok(client, "/api/v1/mediation/cases/", body)
    DisputeCase.objects.filter(public_id=case["id"]).update(lon=122.5, lat=30.5)
    url = f"/api/v1/mediation/cases/{case['id']}/transition/"
    post_ok(client, url, {"to": "mediating"}, expected=200)
    refused = client.post(url, {"to": "escalated"}, format="json")
    assert refused.status_code == 400
    assert "outside your jurisdiction" in refused.json()["incident"][0]
    assert not Incident.objects.exists()
    assert DisputeCase.objects.get().status == CaseStatus.MEDIATING

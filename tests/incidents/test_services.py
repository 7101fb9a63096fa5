"""Ingest service: validation, placement, idempotency, and the COPY path on PostgreSQL."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from incidents import ingest, services
from incidents.ingest import active_categories, incidents_ingest, pipeline, plan
from incidents.ingest.rows import RowError, parse_row
from incidents.models import Incident

pytestmark = pytest.mark.django_db

# Awkward text for COPY: its CSV quoting, line breaks, tabs, backslashes, and a NULL lookalike.
AWKWARD_SUMMARY = 'He said "stop", then left;\ttabbed\nsecond line \\N and a back\\slash, 逗号，'


REPORTED = timezone.now().replace(microsecond=123456) - timedelta(hours=2)


def row(ref: str, **overrides) -> dict:
    base = {
        "source_ref": ref,
        "category": "theft",
        "reported_at": REPORTED.isoformat(),
        "on_scene_at": (REPORTED + timedelta(minutes=4)).isoformat(),
        "lon": 120.5,
        "lat": 30.5,
        "address": "",
        "summary": "",
    }
    base.update(overrides)
    return base


def stored(system: str) -> list[dict]:
    fields = list(ingest.INGESTED_FIELDS)
    return list(
        Incident.objects.filter(source_system=system)
        .order_by("source_ref")
        .values("source_ref", *fields)
    )


def test_parse_row_lists_every_problem_of_a_row():
    with pytest.raises(RowError) as caught:
        parse_row(
            {"source_ref": "", "category": "nope", "lat": 95, "lon": 1, "priority": 9},
            categories=active_categories(),
        )
    fields = {problem.field for problem in caught.value.problems}
    assert {"source_ref", "category", "reported_at", "lat", "priority"} <= fields


def test_parse_row_derives_status_and_response_time():
    values = parse_row(row("R1"), categories=active_categories())
    assert values["status"] == "on_scene"
    assert values["response_seconds"] == 240


def test_ingest_places_the_point_and_bins_it(two_districts):
    district_a, _ = two_districts
    report = incidents_ingest(rows=[row("R1", lon=120.2, lat=30.3)], source_system="t")
    assert report.created == 1
    incident = Incident.objects.get(source_ref="R1")
    assert incident.district_id == district_a.id
    assert incident.station_id is not None
    assert incident.area_path.startswith(district_a.path)
    assert len(incident.h3_r7) == 15 and len(incident.h3_r9) == 15


def test_reingest_tells_updated_from_unchanged(two_districts):
    rows = [row("R1"), row("R2")]
    incidents_ingest(rows=rows, source_system="t")
    changed = [row("R1", summary="补充：嫌疑人已离开"), rows[1]]
    report = incidents_ingest(rows=changed, source_system="t")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Incident.objects.get(source_ref="R1").summary == "补充：嫌疑人已离开"


def test_a_reference_repeated_within_a_batch_is_rejected(two_districts):
    report = incidents_ingest(rows=[row("R1"), row("R1")], source_system="t")
    assert report.created == 1 and report.rejected == 1
    assert report.errors[0].as_dict()["row"] == 2


def many_rows(prefix: str, count: int) -> list[dict]:
    rows = []
    for number in range(count):
        rows.append(
            row(
                f"{prefix}{number:05d}",
                lon=120.01 + (number % 97) * 0.04,
                lat=30.01 + (number % 89) * 0.02,
                summary=AWKWARD_SUMMARY if number % 3 == 0 else "",
                address="上海市\t人民路1号" if number % 5 == 0 else "",
                money_involved="1,234.50" if number % 7 == 0 else None,
                transfer_agency="12345" if number % 11 == 0 else "",
            )
        )
    return rows


def test_bulk_insert_path_stores_exactly_what_bulk_create_stores(two_districts):
    # Without return_incidents new rows go through bulk_insert (COPY on PostgreSQL); with it,
    # through the ORM's bulk_create, which gives back the saved instances.
    count = 120
    fast = incidents_ingest(rows=many_rows("X", count), source_system="fast")
    orm = incidents_ingest(rows=many_rows("X", count), source_system="orm", return_incidents=True)
    assert fast.created == orm.created == count
    assert stored("fast") == stored("orm")
    sample = Incident.objects.get(source_system="fast", source_ref="X00000")
    assert sample.summary == AWKWARD_SUMMARY
    assert sample.money_involved == Decimal("1234.50")
    assert sample.public_id and sample.created_at
    assert Incident.objects.get(source_system="fast", source_ref="X00001").address == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ingest_recovers_when_another_writer_commits_the_same_rows_first(
    two_districts, monkeypatch
):
    count = 50
    rows = many_rows("Y", count)
    real_insert_new = pipeline._insert_new

    def other_writer():
        incidents_ingest(rows=rows[:2], source_system="t", return_incidents=True)
        connections.close_all()

    def racing_insert_new(new_rows):
        # Another process commits two of these rows after this ingest looked for existing ones.
        monkeypatch.setattr(pipeline, "_insert_new", real_insert_new)
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join()
        real_insert_new(new_rows)

    monkeypatch.setattr(pipeline, "_insert_new", racing_insert_new)
    report = incidents_ingest(rows=rows, source_system="t")
    assert (report.created, report.unchanged, report.rejected) == (count - 2, 2, 0)
    assert Incident.objects.filter(source_system="t").count() == count


# --- ownership: an upsert writes over only what the caller may change -----------------------


@pytest.fixture
def station_officer(two_districts, make_user):
    from accounts.choices import Role

    return make_user(role=Role.STATION_OFFICER, home_area=two_districts[0].children.get())


def test_an_ingest_row_over_another_districts_incident_is_rejected_as_not_yours(
    station_officer,
):
    incidents_ingest(rows=[row("R1", lon=122.5, summary="乙区原始记录")], source_system="t")
    before = Incident.objects.values().get(source_ref="R1")
    report = incidents_ingest(
        rows=[row("R1", summary="改写"), row("R2")], source_system="t", user=station_officer
    )
    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 0, 0, 1)
    assert [error.as_dict() for error in report.errors] == [
        {"row": 1, "field": "source_ref", "message": "not yours to change", "value": "R1"}
    ]
    assert Incident.objects.values().get(source_ref="R1") == before


def test_an_unchanged_foreign_row_is_rejected_too_so_no_value_can_be_guessed(
    station_officer, two_districts
):
    """An incident of the other district whose point lies in the officer's station (its areas
    not yet recomputed): re-sending its very values must not answer "unchanged"."""
    incidents_ingest(rows=[row("R1")], source_system="t", user=None)
    other_station = two_districts[1].children.get()
    Incident.objects.filter(source_ref="R1").update(area_path=other_station.path)
    report = incidents_ingest(rows=[row("R1")], source_system="t", user=station_officer)
    assert (report.unchanged, report.rejected) == (0, 1)


def test_a_pipelined_load_rejects_rows_over_another_districts_incidents(station_officer):
    incidents_ingest(rows=[row("R2", lon=122.5)], source_system="t")
    before = Incident.objects.values().get(source_ref="R2")
    rows = [row("R1"), row("R2"), row("R3")]
    report = ingest.incidents_ingest_chunks(
        ingest.chunked(rows), user=station_officer, source_system="t"
    )
    assert (report.created, report.rejected) == (2, 1)
    assert [error.as_dict() for error in report.errors] == [
        {"row": 2, "field": "source_ref", "message": "not yours to change", "value": "R2"}
    ]
    assert Incident.objects.values().get(source_ref="R2") == before


def test_an_officer_still_updates_their_own_incident(station_officer):
    incidents_ingest(rows=[row("R1")], source_system="t", user=station_officer)
    report = incidents_ingest(
        rows=[row("R1", summary="补充")], source_system="t", user=station_officer
    )
    assert (report.updated, report.rejected) == (1, 0)


def test_an_atomic_ingest_with_a_foreign_row_writes_nothing(station_officer):
    incidents_ingest(rows=[row("R1", lon=122.5)], source_system="t")
    report = incidents_ingest(
        rows=[row("R2"), row("R1")], source_system="t", user=station_officer, atomic=True
    )
    assert (report.created, report.rejected) == (0, 1)
    assert not Incident.objects.filter(source_ref="R2").exists()


def _looking_first_finds_nothing(monkeypatch):
    """The first look for existing incidents comes before another writer's commit."""
    real_existing = plan.existing_incidents
    calls = []

    def stale_then_real(accepted):
        calls.append(1)
        return {} if len(calls) == 1 else real_existing(accepted)

    monkeypatch.setattr(plan, "existing_incidents", stale_then_real)


def test_a_single_create_beaten_by_another_writer_becomes_an_update(station_officer, monkeypatch):
    first, _ = services.incident_upsert(data=row("R1"), user=station_officer)
    _looking_first_finds_nothing(monkeypatch)
    incident, outcome = services.incident_upsert(
        data=row("R1", summary="补充"), user=station_officer
    )
    assert (incident.pk, outcome) == (first.pk, "updated")
    assert Incident.objects.get().summary == "补充"


def test_a_create_beaten_by_another_districts_writer_is_not_yours(station_officer, monkeypatch):
    incidents_ingest(rows=[row("R1", lon=122.5)], source_system="api")
    _looking_first_finds_nothing(monkeypatch)
    with pytest.raises(RowError) as refused:
        services.incident_upsert(data=row("R1", summary="改写"), user=station_officer)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("source_ref", "not yours to change")
    ]
    assert Incident.objects.get().summary == ""


@pytest.fixture
def officers_post_device_events(monkeypatch):
    """A district-scoped role that may post device events (none has today but administrators)."""
    from accounts.backends import ROLE_PERMISSIONS
    from accounts.choices import Role

    monkeypatch.setitem(
        ROLE_PERMISSIONS,
        Role.STATION_OFFICER,
        ROLE_PERMISSIONS[Role.STATION_OFFICER] | {"incidents.add_deviceevent"},
    )


def device_event(event_id: str, lon: float, lat: float = 30.5) -> dict:
    return {
        "device_id": "CAM-1",
        "event_id": event_id,
        "event_type": "drowning_person_at_water",
        "occurred_at": timezone.now(),
        "lon": lon,
        "lat": lat,
        "confidence": 0.9,
    }


def test_a_device_event_of_another_district_is_not_returned_to_a_district_user(
    station_officer, officers_post_device_events
):
    from incidents.models import DeviceEvent

    services.device_event_receive(data=device_event("e-1", lon=122.5))
    with pytest.raises(RowError) as refused:
        services.device_event_receive(data=device_event("e-1", lon=120.5), user=station_officer)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("event_id", "not yours to change")
    ]
    with pytest.raises(RowError) as outside:
        services.device_event_receive(data=device_event("e-2", lon=122.5), user=station_officer)
    assert outside.value.problems[0].field == "lon"
    assert DeviceEvent.objects.count() == 1 and Incident.objects.count() == 1

    own, created = services.device_event_receive(
        data=device_event("e-3", lon=120.5), user=station_officer
    )
    again, created_again = services.device_event_receive(
        data=device_event("e-3", lon=120.5), user=station_officer
    )
    assert (created, created_again, again.pk) == (True, False, own.pk)
    assert own.incident.area_path.startswith(station_officer.home_area.path)


def test_create_records_one_incident_with_a_reference_of_its_own(station_officer):
    from audit.models import AuditEvent
    from stats.models import DirtyDay

    incident = services.incident_create(data=row(""), user=station_officer)
    assert incident.source_system == "web"
    local_day = timezone.localtime(incident.created_at).strftime("%Y%m%d")
    assert incident.source_ref.startswith(local_day + "-")
    assert incident.area_path and incident.h3_r9
    assert AuditEvent.objects.filter(action="create", object_id=str(incident.pk)).exists()
    assert DirtyDay.objects.filter(day=timezone.localtime(incident.reported_at).date()).exists()


def test_create_refuses_a_reference_already_taken(station_officer):
    services.incident_create(data=row("R1"), user=station_officer)
    with pytest.raises(RowError) as refused:
        services.incident_create(data=row("R1", summary="again"), user=station_officer)
    assert [p.field for p in refused.value.problems] == ["source_ref"]
    assert Incident.objects.get().summary == ""


def test_create_refuses_a_point_outside_the_officers_jurisdiction(station_officer):
    with pytest.raises(RowError):
        services.incident_create(data=row("R1", lon=122.5), user=station_officer)
    assert not Incident.objects.exists()


def test_update_changes_only_what_differs_and_audits_it(station_officer):
    from audit.models import AuditEvent

    incident = services.incident_create(data=row("R1"), user=station_officer)
    updated = services.incident_update(
        incident=incident, data={"summary": "补充", "loss": "120.50"}, user=station_officer
    )
    assert (updated.summary, updated.loss) == ("补充", Decimal("120.50"))
    event = AuditEvent.objects.get(action="update", object_id=str(incident.pk))
    assert set(event.changes) == {"summary", "loss"}
    again = services.incident_update(
        incident=updated, data={"summary": "补充"}, user=station_officer
    )
    assert again.updated_at == updated.updated_at


def test_update_may_not_move_an_incident_out_of_the_jurisdiction(station_officer):
    incident = services.incident_create(data=row("R1"), user=station_officer)
    with pytest.raises(RowError) as refused:
        services.incident_update(incident=incident, data={"lon": 122.5}, user=station_officer)
    assert refused.value.problems[0].field == "lon"
    assert "outside your jurisdiction" in refused.value.problems[0].message
    incident.refresh_from_db()
    assert incident.lon == 120.5

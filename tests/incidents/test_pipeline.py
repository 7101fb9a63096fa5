"""The pipelined ingest of many chunks (files, bulk loads): same results as one call, races,
failures half-way, and the bulk API's large requests."""

import threading
import uuid
from datetime import timedelta

import orjson
import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.choices import Role
from incidents import ingest
from incidents.api import views as incident_api_views
from incidents.ingest import (
    IngestChunk,
    chunked,
    incidents_ingest,
    incidents_ingest_chunks,
    pipeline,
)
from incidents.models import Incident
from safecity.core.bulk import uuid4_texts

pytestmark = pytest.mark.django_db

REPORTED = timezone.now().replace(microsecond=0) - timedelta(hours=3)


def row(ref: str, number: int = 0, **overrides) -> dict:
    values = {
        "source_ref": ref,
        "category": "theft",
        "reported_at": (REPORTED - timedelta(minutes=number)).isoformat(),
        "lon": 120.01 + (number % 37) * 0.1,
        "lat": 30.01 + (number % 29) * 0.05,
        "summary": f"第{number}起",
    }
    values.update(overrides)
    return values


def rows(prefix: str, count: int) -> list[dict]:
    return [row(f"{prefix}{number:04d}", number) for number in range(count)]


def stored(system: str) -> list[tuple]:
    fields = [name for name in ingest.INGESTED_FIELDS if name != "source"]
    return list(
        Incident.objects.filter(source_system=system)
        .order_by("source_ref")
        .values_list("source_ref", *fields)
    )


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(pipeline, "INGEST_CHUNK", 7)
    monkeypatch.setattr(incident_api_views, "INGEST_CHUNK", 7)


def test_chunks_store_what_one_call_stores(two_districts, small_chunks):
    batch = rows("C", 30)
    batch[4]["lat"] = 95  # rejected in the first chunk
    batch[22]["reported_at"] = ""  # and in the fourth
    one_call = incidents_ingest(rows=batch, source_system="whole")
    seen = []
    piped = incidents_ingest_chunks(
        chunked(batch),
        source_system="piped",
        on_chunk=lambda chunk, report: seen.append((chunk.first_row_number, report.created)),
    )
    assert (piped.created, piped.rejected) == (one_call.created, one_call.rejected) == (28, 2)
    assert [(e.row, e.field) for e in piped.errors] == [(5, "lat"), (23, "reported_at")]
    assert seen == [(1, 6), (8, 7), (15, 7), (22, 6), (29, 2)]
    assert [r[1:] for r in stored("piped")] == [r[1:] for r in stored("whole")]
    assert len({public_id for (public_id,) in Incident.objects.values_list("public_id")}) == 56


def test_a_reference_repeated_in_a_later_chunk_is_rejected_as_within_one_chunk(
    two_districts, small_chunks
):
    batch = rows("R", 10)
    repeat = {**batch[2], "summary": "更正"}
    report = incidents_ingest_chunks(
        [IngestChunk(batch), IngestChunk([repeat], first_row_number=11)], source_system="t"
    )
    assert (report.created, report.rejected) == (10, 1)
    assert [(e.row, e.message) for e in report.errors] == [(11, "repeats row 3 of this batch")]
    # A later load changes it.
    later = incidents_ingest_chunks([IngestChunk([repeat])], source_system="t")
    assert later.updated == 1
    assert Incident.objects.get(source_system="t", source_ref="R0002").summary == "更正"


def test_a_failure_half_way_saves_nothing_and_leaves_the_connection_usable(two_districts):
    def chunks():
        yield IngestChunk(rows("F", 20))
        yield IngestChunk(rows("G", 20), first_row_number=21)
        raise OSError("the file went away")

    with pytest.raises(OSError, match="went away"):
        incidents_ingest_chunks(chunks(), source_system="t")
    assert not Incident.objects.exists()
    report = incidents_ingest_chunks([IngestChunk(rows("F", 3))], source_system="t")
    assert report.created == Incident.objects.count() == 3


def test_the_pipeline_runs_inside_the_callers_transaction(two_districts):
    with transaction.atomic():
        incidents_ingest_chunks([IngestChunk(rows("T", 5))], source_system="t")
        transaction.set_rollback(True)
    assert not Incident.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_pipeline_recovers_when_another_writer_commits_the_same_rows_first(
    two_districts, monkeypatch
):
    batch = rows("Y", 40)
    real_insert_new = pipeline._insert_new

    def other_writer():
        incidents_ingest(rows=batch[10:12], source_system="t", return_incidents=True)
        connections.close_all()

    def racing_insert_new(new_rows, *, wait=True):
        # Another process commits two of these rows after this ingest looked for existing ones:
        # the COPY, running in the background, fails on them.
        if any(r["source_ref"] == "Y0010" for r in new_rows):
            monkeypatch.setattr(pipeline, "_insert_new", real_insert_new)
            thread = threading.Thread(target=other_writer)
            thread.start()
            thread.join()
        return real_insert_new(new_rows, wait=wait)

    monkeypatch.setattr(pipeline, "_insert_new", racing_insert_new)
    monkeypatch.setattr(pipeline, "INGEST_CHUNK", 8)
    report = incidents_ingest_chunks(chunked(batch), source_system="t")
    assert (report.created, report.unchanged, report.rejected) == (38, 2, 0)
    assert Incident.objects.filter(source_system="t").count() == 40
    with connection.cursor() as cursor:  # the transaction ended cleanly
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_large_bulk_request_is_ingested_in_chunks_with_rows_numbered_across_them(
    two_districts, make_user, api_client_for, small_chunks
):
    officer = make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])
    batch = [row(f"B{n:02d}", n, lon=120.5 + n * 0.01, lat=30.5) for n in range(20)]
    lines = [orjson.dumps(r) for r in batch]
    lines[9] = b"{broken"
    lines[15] = orjson.dumps({**batch[15], "lat": 95})
    response = api_client_for(officer).generic(
        "POST", "/api/v1/incidents/bulk/", b"\n".join(lines), content_type="application/x-ndjson"
    )
    body = response.json()
    assert response.status_code == 200, body
    assert (body["created"], body["rejected"]) == (18, 2)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(10, "row"), (16, "lat")]
    assert Incident.objects.count() == 18


def test_uuid4_texts_are_distinct_version_4_uuids():
    texts = uuid4_texts(1000)
    parsed = [uuid.UUID(text) for text in texts]
    assert len(set(texts)) == 1000
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in parsed)
    assert [str(u) for u in parsed] == texts

"""Finding 13: bulk reads leave no audit event, and the trail can be changed unseen.

Every export (CSV, XLSX, GeoJSON) and every large list read is an audit event naming the
real actor, the token and the address; the trail is a hash chain that ``audit_verify`` walks,
naming the first broken link; and a forged archive ledger row does not let a plain DELETE
remove events.
"""

import csv
import io
import subprocess

import psycopg2
import pytest

from accounts.models import TOKEN_PREFIX_LENGTH

from ..demo_site import MANAGE
from .conftest import sql

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

INCIDENTS = "/api/v1/incidents/"


def newest_event_id(site) -> int:
    return sql(site, "SELECT coalesce(max(id), 0) FROM audit_auditevent")[0][0]


def events_since(site, event_id: int, *, path: str, action: str) -> list[dict]:
    rows = sql(
        site,
        "SELECT id, actor_username, token_id, host(ip), changes, detail FROM audit_auditevent "
        "WHERE id > %s AND path = %s AND action = %s ORDER BY id",
        [event_id, path, action],
    )
    names = ("id", "actor", "token_id", "ip", "changes", "detail")
    return [dict(zip(names, row, strict=True)) for row in rows]


def token_pk(site, key: str) -> str:
    [(pk,)] = sql(
        site, "SELECT id FROM accounts_apitoken WHERE prefix = %s", [key[:TOKEN_PREFIX_LENGTH]]
    )
    return str(pk)


def audit_verify(site) -> subprocess.CompletedProcess:
    """``manage.py audit_verify`` against the site's database: its exit code and output."""
    return subprocess.run(
        [*MANAGE, "audit_verify"], env=site.env, capture_output=True, text=True, timeout=600
    )


def behind_the_trigger(site, *statements: tuple[str, list]) -> None:
    """Run statements on the audit table with its triggers disabled, as a database owner
    tampering with the trail would, in one transaction."""
    connection = psycopg2.connect(site.database_url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            for statement, params in statements:
                cursor.execute(statement, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    finally:
        connection.close()


def test_a_geojson_export_by_token_is_recorded_with_actor_token_and_address(site, token_of):
    analyst = token_of("analyst", "incidents:read")
    before = newest_event_id(site)

    answer = analyst.get(INCIDENTS, params={"format": "geojson", "status": "closed"})

    assert answer.status_code == 200
    points = len(answer.json()["features"])
    assert points > 500
    [event] = events_since(site, before, path=INCIDENTS, action="export")
    assert event["actor"] == "analyst"
    assert event["token_id"] == token_pk(site, analyst.token)
    assert event["ip"] == "127.0.0.1"
    assert event["changes"]["format"] == "geojson"
    assert event["changes"]["rows"] == points
    assert event["changes"]["filters"] == {"status": "closed"}
    assert "format=geojson" in event["detail"] and "status=closed" in event["detail"]


def test_a_streamed_csv_export_is_recorded_with_the_rows_sent(site, token_of):
    analyst = token_of("analyst", "incidents:read")
    before = newest_event_id(site)

    answer = analyst.get(INCIDENTS, params={"format": "csv", "status": "closed"})

    assert answer.status_code == 200
    rows = len(list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))) - 1
    assert rows > 500
    [event] = events_since(site, before, path=INCIDENTS, action="export")
    assert (event["actor"], event["ip"]) == ("analyst", "127.0.0.1")
    assert event["token_id"] == token_pk(site, analyst.token)
    assert (event["changes"]["format"], event["changes"]["rows"]) == ("csv", rows)


def test_a_thousand_row_page_is_recorded_as_a_bulk_read(site, session_of):
    analyst = session_of("analyst")
    before = newest_event_id(site)

    answer = analyst.get(INCIDENTS, params={"page_size": "1000"})

    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 1000
    [event] = events_since(site, before, path=INCIDENTS, action="bulk_read")
    assert (event["actor"], event["token_id"], event["ip"]) == ("analyst", None, "127.0.0.1")
    assert event["changes"]["rows"] == 1000
    assert event["changes"]["page_size"] == 1000


def test_a_small_page_is_not_a_bulk_read(site, session_of):
    analyst = session_of("analyst")
    before = newest_event_id(site)

    assert analyst.get(INCIDENTS, params={"page_size": "20"}).status_code == 200

    assert events_since(site, before, path=INCIDENTS, action="bulk_read") == []


def test_a_forged_archive_ledger_row_does_not_let_a_plain_delete_remove_events(site):
    [(victim, at)] = sql(site, "SELECT id, at FROM audit_auditevent ORDER BY id DESC LIMIT 1")
    columns = {
        name
        for (name,) in sql(
            site,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'audit_auditarchive'",
        )
    }
    # A ledger row covering every event, filled in as fully as the table allows.
    forged = {
        "path": "/tmp/nothing.jsonl.gz", "first_id": 0, "last_id": victim + 1_000_000,
        "first_at": at, "last_at": at, "count": 1, "sha256": "0" * 64, "created": at,
        "first_seq": 0, "last_seq": 10**12, "prev_hash": "", "hash": "0" * 64,
        "events_prev_hash": "", "events_last_hash": "0" * 64,
    }  # fmt: skip
    forged = {name: value for name, value in forged.items() if name in columns}
    connection = psycopg2.connect(site.database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO audit_auditarchive ({', '.join(forged)}) "
                f"VALUES ({', '.join(['%s'] * len(forged))})",
                list(forged.values()),
            )
            with pytest.raises(psycopg2.Error, match="not archived"):
                cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim])
    finally:
        connection.rollback()
        connection.close()

    assert sql(site, "SELECT count(*) FROM audit_auditevent WHERE id = %s", [victim]) == [(1,)]


def test_audit_verify_names_the_event_edited_behind_the_trigger(site, session_of):
    session_of("analyst").get(INCIDENTS, params={"format": "geojson"})
    intact = audit_verify(site)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "OK" in intact.stdout
    # An event with others after it, so that only the check of its own fields can tell.
    [(edited, detail)] = sql(
        site, "SELECT id, detail FROM audit_auditevent ORDER BY seq DESC OFFSET 2 LIMIT 1"
    )

    behind_the_trigger(
        site, ("UPDATE audit_auditevent SET detail = 'nothing to see' WHERE id = %s", [edited])
    )
    try:
        broken = audit_verify(site)
    finally:
        behind_the_trigger(
            site, ("UPDATE audit_auditevent SET detail = %s WHERE id = %s", [detail, edited])
        )

    assert broken.returncode != 0
    report = broken.stdout + broken.stderr
    assert f"first broken link: event {edited} " in report, report
    assert audit_verify(site).returncode == 0


def test_audit_verify_names_the_event_after_one_deleted_behind_the_trigger(site, session_of):
    session_of("analyst").get(INCIDENTS, params={"format": "geojson"})
    assert audit_verify(site).returncode == 0
    [before, deleted, after] = sql(
        site,
        "SELECT id, hash FROM (SELECT id, seq, hash FROM audit_auditevent "
        "ORDER BY seq DESC OFFSET 1 LIMIT 3) AS recent ORDER BY seq",
    )
    [(saved,)] = sql(
        site, "SELECT row_to_json(e)::text FROM audit_auditevent e WHERE id = %s", [deleted[0]]
    )

    behind_the_trigger(site, ("DELETE FROM audit_auditevent WHERE id = %s", [deleted[0]]))
    try:
        broken = audit_verify(site)
    finally:
        behind_the_trigger(
            site,
            (
                "INSERT INTO audit_auditevent "
                "SELECT * FROM json_populate_record(NULL::audit_auditevent, %s)",
                [saved],
            ),
        )

    assert broken.returncode != 0
    report = broken.stdout + broken.stderr
    assert f"first broken link: event {after[0]} " in report, report
    # What the link should have named (the event before the gap), and what it names.
    assert f"expected {before[1]}" in report and f"found {deleted[1]}" in report
    assert audit_verify(site).returncode == 0

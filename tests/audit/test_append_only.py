"""The trail cannot be changed: refused in Python, and on PostgreSQL by the database."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AppendOnlyError, AuditArchive, AuditEvent, link_pending_events
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(action=AuditAction.EXPORT, detail="incidents.csv")


def raw(sql: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_saving_an_existing_event_again_is_refused(event):
    event.detail = "nothing happened"

    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_updating_events_in_bulk_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")


@pytest.mark.postgres
def test_the_database_refuses_an_update_of_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditevent SET detail = 'rewritten' WHERE id = %s", [event.pk])

    event_now = AuditEvent.objects.get(pk=event.pk)
    assert event_now.detail == "incidents.csv"


@pytest.mark.postgres
def test_the_database_refuses_deleting_an_event_not_archived(event):
    with pytest.raises(DatabaseError, match="not archived"):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_the_archiving_transaction_may_delete_an_event_a_ledger_row_covers(event):
    link_pending_events()
    event.refresh_from_db()
    AuditArchive.objects.create(
        path="/archive/x.jsonl.gz", first_id=event.pk, last_id=event.pk, first_at=event.at,
        last_at=event.at, count=1, sha256="0" * 64, first_seq=event.seq, last_seq=event.seq,
    )  # fmt: skip
    raw("SELECT set_config('safecity.audit_archiving', 'on', true)")

    assert raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]) == 1


@pytest.mark.postgres
def test_a_ledger_row_alone_does_not_let_a_plain_delete_remove_an_event(event):
    link_pending_events()
    event.refresh_from_db()
    AuditArchive.objects.create(
        path="/archive/x.jsonl.gz", first_id=event.pk, last_id=event.pk, first_at=event.at,
        last_at=event.at, count=1, sha256="0" * 64, first_seq=event.seq, last_seq=event.seq,
    )  # fmt: skip

    with pytest.raises(DatabaseError, match="not archived"):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


@pytest.mark.postgres
def test_a_ledger_row_does_not_cover_an_event_newer_than_its_newest(event):
    AuditArchive.objects.create(
        path="/archive/x.jsonl.gz", first_id=event.pk, last_id=event.pk,
        first_at=event.at - timedelta(days=1), last_at=event.at - timedelta(seconds=1),
        count=1, sha256="0" * 64,
    )  # fmt: skip

    with pytest.raises(DatabaseError, match="not archived"):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


@pytest.mark.postgres
def test_the_database_refuses_changing_or_deleting_the_ledger():
    now = timezone.now()
    archive = AuditArchive.objects.create(
        path="/archive/x.jsonl.gz", first_id=1, last_id=2, first_at=now, last_at=now, count=2,
        sha256="0" * 64,
    )  # fmt: skip

    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditarchive SET count = 0 WHERE id = %s", [archive.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditarchive WHERE id = %s", [archive.pk])
    assert AuditArchive.objects.filter(pk=archive.pk, count=2).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_test_flush_still_empties_the_trail():
    # TRUNCATE fires no row trigger: transactional tests keep working.
    audit_record(action=AuditAction.VIEW)

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()

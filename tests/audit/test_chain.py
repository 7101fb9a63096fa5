"""The trail is a hash chain: each event links to the one before, in commit order, and
``audit_verify`` walks the ledger, the archive files and the table to the first broken link."""

import gzip
import os
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from alerts.models import AlertRule
from audit import chain, services
from audit.choices import AuditAction
from audit.models import AuditArchive, AuditEvent, link_pending_events
from audit.services import audit_record
from audit.verify import audit_verify

pytestmark = pytest.mark.django_db


def linked_events() -> list[AuditEvent]:
    link_pending_events()
    return list(AuditEvent.objects.order_by("seq"))


def behind_the_trigger(sql: str, params) -> None:
    """What a database owner could do: change the table with its triggers off."""
    link_pending_events()  # PostgreSQL alters no table with link triggers pending
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def make_event(days_ago: float = 0, **fields) -> AuditEvent:
    fields.setdefault("action", AuditAction.VIEW)
    return AuditEvent.objects.create(at=timezone.now() - timedelta(days=days_ago), **fields)


def test_each_event_links_to_the_one_before():
    for number in range(3):
        audit_record(action=AuditAction.EXPORT, detail=f"export {number}")

    events = linked_events()

    assert [event.seq for event in events] == [1, 2, 3]
    assert [event.prev_hash for event in events] == [chain.GENESIS] + [
        event.hash for event in events[:-1]
    ]
    for event in events:
        assert event.digest == AuditEvent.compute_digest(event.__dict__)
        assert event.hash == chain.link(event.prev_hash, event.digest)


def test_a_digest_is_of_the_values_the_database_gives_back():
    event = make_event(
        changes={"loss": [1.0, 0.1], "big": 1e16, "nested": {"名": "张三", "n": [None, True]}},
        ip="2001:db8::1",
        token_id="42",
        detail="出警\n记录",
    )

    [stored] = linked_events()

    assert stored.pk == event.pk
    assert stored.digest == AuditEvent.compute_digest(stored.__dict__) == event.digest


def test_bulk_created_events_are_linked_too():
    AuditEvent.objects.bulk_create(AuditEvent(action=AuditAction.VIEW) for _ in range(4))

    assert [event.seq for event in linked_events()] == [1, 2, 3, 4]
    assert audit_verify().ok


def test_audit_verify_reports_ok_with_the_counts(capsys):
    make_event()
    make_event()

    call_command("audit_verify")

    assert "audit trail OK: 2 events in the table, 0 archive files" in capsys.readouterr().out


def test_audit_verify_names_an_event_edited_behind_the_trigger():
    make_event()
    edited = make_event(detail="原文")
    make_event()

    behind_the_trigger("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["改写", edited.pk])

    with pytest.raises(CommandError, match=f"first broken link: event {edited.pk} .*digest"):
        call_command("audit_verify")


def test_audit_verify_names_the_event_after_one_deleted_behind_the_trigger():
    make_event()
    deleted, after = make_event(), make_event()
    first_hash, deleted_hash = [event.hash for event in linked_events()[:2]]

    behind_the_trigger("DELETE FROM audit_auditevent WHERE id = %s", [deleted.pk])

    result = audit_verify()
    assert result.broken.startswith(f"event {after.pk} (seq 3): link to the event before")
    assert f"expected {first_hash} found {deleted_hash}" in result.broken


def test_audit_verify_names_an_event_slipped_in_behind_the_trigger():
    make_event()
    linked_events()
    behind_the_trigger(
        "INSERT INTO audit_auditevent (at, actor_username, action, object_type, object_id, "
        "object_repr, changes, outcome, detail, user_agent, method, path) VALUES "
        "(%s, 'ghost', 'view', '', '', '', '{}', 'success', '', '', '', '')",
        [timezone.now()],
    )

    result = audit_verify()

    ghost = AuditEvent.objects.get(actor_username="ghost")
    assert result.broken == f"event {ghost.pk} (seq None): not linked into the chain"


@pytest.fixture
def archived(archive_dir) -> AuditArchive:
    for days in (500, 450, 420):
        make_event(days)
    make_event(1)
    return services.audit_archive()


def test_the_chain_continues_from_the_archive_into_the_table(archived):
    result = audit_verify()

    assert result.ok, result.broken
    # The two events left: the recent one, and the archiving run itself.
    assert (result.archives, result.archived_events, result.events) == (1, 3, 2)
    assert (archived.first_seq, archived.last_seq) == (1, 3)
    assert archived.hash == chain.link(
        chain.GENESIS, AuditArchive.compute_digest(archived.__dict__)
    )
    assert AuditEvent.objects.order_by("seq").first().prev_hash == archived.events_last_hash


def test_audit_verify_names_an_archive_whose_file_changed(archived):
    with gzip.open(archived.path, "rb") as archive:
        lines = archive.read().splitlines()
    with gzip.open(archived.path, "wb") as archive:
        archive.write(b"\n".join(lines[:1] + lines[2:]) + b"\n")

    result = audit_verify()

    assert result.broken.startswith(f"archive {archived.pk} ({archived.path}): SHA-256 expected")
    assert audit_verify(files=False).ok


def test_audit_verify_names_an_archive_whose_file_is_gone(archived):
    os.unlink(archived.path)

    assert audit_verify().broken == f"archive {archived.pk} ({archived.path}): the file is missing"


@pytest.mark.postgres
def test_a_forged_ledger_row_breaks_the_ledger_chain(archived):
    link_pending_events()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditarchive DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditarchive SET count = 1 WHERE id = %s", [archived.pk])
        cursor.execute("ALTER TABLE audit_auditarchive ENABLE TRIGGER USER")

    assert audit_verify().broken.startswith(f"archive {archived.pk} ({archived.path}): hash")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_holding_row_locks_never_deadlock_on_the_chain(rule):
    """A writer that recorded an event then waits for a row another writer holds, while that
    one records an event too: were the chain locked at insert, each would wait on the other.
    It is locked only at commit, so both finish."""
    holder_locked, waiter_recorded = threading.Event(), threading.Event()
    errors = []

    def holder():
        try:
            with transaction.atomic():
                AlertRule.objects.select_for_update().get(pk=rule.pk)
                holder_locked.set()
                assert waiter_recorded.wait(30)
                audit_record(action=AuditAction.EXPORT, detail="holder")
        except Exception as exc:
            errors.append(exc)
        finally:
            holder_locked.set()
            connections.close_all()

    def waiter():
        try:
            assert holder_locked.wait(30)
            with transaction.atomic():
                audit_record(action=AuditAction.EXPORT, detail="waiter")
                waiter_recorded.set()
                AlertRule.objects.select_for_update().get(pk=rule.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            waiter_recorded.set()
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    details = list(AuditEvent.objects.filter(action="export").values_list("detail", flat=True))
    assert sorted(details) == ["holder", "waiter"]
    assert audit_verify().ok

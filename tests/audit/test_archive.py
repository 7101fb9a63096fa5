"""Retention: events past it move to a verified archive file and the ledger, then leave."""

import gzip
import hashlib
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from audit import services
from audit.choices import AuditAction
from audit.models import AuditArchive, AuditEvent
from audit.tasks import archive as archive_task

pytestmark = pytest.mark.django_db


def make_event(days_ago: float, **fields) -> AuditEvent:
    fields.setdefault("action", AuditAction.VIEW)
    return AuditEvent.objects.create(at=timezone.now() - timedelta(days=days_ago), **fields)


def read_lines(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as archive:
        return [json.loads(line) for line in archive]


def test_archiving_moves_exactly_the_events_past_retention(archive_dir):
    old = [make_event(500, object_repr="旧一"), make_event(450, object_repr="旧二", ip="10.0.0.9")]
    recent = [make_event(399), make_event(1)]

    archive = services.audit_archive()

    lines = read_lines(archive.path)
    assert [line["id"] for line in lines] == [e.pk for e in old]
    assert [line["object_repr"] for line in lines] == ["旧一", "旧二"]
    assert lines[1]["ip"] == "10.0.0.9"
    assert (archive.first_id, archive.last_id, archive.count) == (old[0].pk, old[1].pk, 2)
    assert (archive.first_at, archive.last_at) == (old[0].at, old[1].at)
    with open(archive.path, "rb") as raw:
        assert archive.sha256 == hashlib.sha256(raw.read()).hexdigest()
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    assert AuditArchive.objects.get() == archive


def test_archiving_is_itself_recorded(archive_dir):
    make_event(500)

    archive = services.audit_archive()

    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE)
    assert (event.object_type, event.object_id) == ("audit.auditarchive", str(archive.pk))


def test_nothing_past_retention_archives_nothing(archive_dir):
    make_event(10)

    assert services.audit_archive() is None
    assert not AuditArchive.objects.exists()
    assert AuditEvent.objects.count() == 1


def test_retention_is_a_setting(archive_dir, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    month_old = make_event(31)

    archive = services.audit_archive()

    assert (archive.first_id, archive.last_id) == (month_old.pk, month_old.pk)


def test_an_old_event_after_a_recent_one_waits_so_ledger_ranges_hold_only_archived_rows(
    archive_dir,
):
    first = make_event(500)
    recent = make_event(1)
    late_old = make_event(500)

    archive = services.audit_archive()

    assert (archive.first_id, archive.last_id, archive.count) == (first.pk, first.pk, 1)
    assert set(AuditEvent.objects.values_list("pk", flat=True)) >= {recent.pk, late_old.pk}


def test_a_file_that_does_not_verify_deletes_nothing_and_leaves_no_file(archive_dir, monkeypatch):
    old = make_event(500)

    def corrupt(path, written, **kwargs):
        raise services.ArchiveError("digest differs")

    monkeypatch.setattr(services, "_verify_archive", corrupt)
    with pytest.raises(services.ArchiveError):
        services.audit_archive()

    assert AuditEvent.objects.filter(pk=old.pk).exists()
    assert not AuditArchive.objects.exists()
    assert list(archive_dir.iterdir()) == []


def test_verification_rejects_a_file_changed_after_writing(archive_dir):
    make_event(500)
    events = AuditEvent.objects.order_by("id")
    path = archive_dir / "check.jsonl.gz"
    archive_dir.mkdir(parents=True)
    written = services._write_archive(events, path)
    path.write_bytes(gzip.compress(b'{"id": 1}\n'))

    with pytest.raises(services.ArchiveError, match="SHA-256"):
        services._verify_archive(path, written, first_seq=1, last_seq=1)


def test_the_celery_task_archives_and_answers_how_many(archive_dir):
    make_event(500)
    make_event(401)
    make_event(3)

    assert archive_task() == 2
    assert archive_task() == 0
    assert AuditArchive.objects.count() == 1


def test_the_task_runs_daily_from_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-archive"]

    assert entry["task"] == "audit.archive" == archive_task.name
    assert entry["schedule"].hour == {1}

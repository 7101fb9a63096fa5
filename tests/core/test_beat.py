"""The beat lock: of several beats on one database one sends the schedule; another takes over
when it goes, counting its schedule from then."""

from datetime import timedelta

import pytest

from safecity.celery import app
from safecity.core.beat import BeatLock, SingletonScheduler

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DUE_TASK = "core.heartbeat"


@pytest.fixture
def locks():
    made: list[BeatLock] = []

    def make() -> BeatLock:
        made.append(BeatLock())
        return made[-1]

    yield make
    for lock in made:
        lock.release()


@pytest.fixture
def schedulers(tmp_path):
    """Schedulers as two beats would have them, each recording what it sends."""
    made: list[SingletonScheduler] = []

    def make() -> tuple[SingletonScheduler, list[str]]:
        scheduler = SingletonScheduler(
            app=app, schedule_filename=str(tmp_path / f"beat-{len(made)}")
        )
        sent: list[str] = []
        # No broker: the sending itself is celery's; what is sent is the subject here.
        scheduler.__dict__["producer"] = None
        scheduler.apply_entry = lambda entry, producer=None: sent.append(entry.task)
        scheduler.add(
            name="overdue",
            task=DUE_TASK,
            schedule=60.0,
            last_run_at=app.now() - timedelta(minutes=5),
        )
        made.append(scheduler)
        return scheduler, sent

    yield make
    for scheduler in made:
        scheduler.close()


def test_one_lock_holder_at_a_time(locks):
    first, second = locks(), locks()

    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True


def test_lock_passes_on_when_its_holder_goes(locks):
    first, second = locks(), locks()
    assert first.hold() and not second.hold()

    first.release()

    assert second.hold() is True
    assert first.hold() is False


def test_standby_beat_sends_nothing(schedulers):
    active, sent_by_active = schedulers()
    standby, sent_by_standby = schedulers()

    active.tick()
    standby.tick()

    assert sent_by_active == [DUE_TASK]
    assert sent_by_standby == []


def test_beat_taking_over_counts_its_schedule_from_then(schedulers):
    active, _ = schedulers()
    standby, sent_by_standby = schedulers()
    active.tick()
    standby.tick()

    active.close()
    standby.tick()

    assert standby.lock.hold() is True
    # The entry was overdue by its own stored time; the beat that went sent it already.
    assert sent_by_standby == []
    assert not standby.schedule["overdue"].is_due().is_due

"""One beat sends the schedule, however many run: a scheduler that sends only while it holds
a PostgreSQL advisory lock.

Every instance of the platform may run ``celery beat``. The lock is session-level and held on a
connection of the scheduler's own, so the server releases it the moment its holder dies (or
loses the database); the others stand by, try it every ``BEAT_STANDBY_POLL_SECONDS`` and one
takes over. The lock lives in PostgreSQL, the source of truth, rather than in Redis, so a Redis
restart neither loses it nor lets a second beat start.
"""

from contextlib import suppress

from celery.beat import PersistentScheduler
from celery.utils.log import get_logger
from django.conf import settings
from django.db import DatabaseError, connections

logger = get_logger(__name__)

# pg_try_advisory_lock(int, int): a namespace of our own ("SAFEC17" in hex-speak), then beat.
LOCK_NAMESPACE = 0x5AFEC17
LOCK_BEAT = 1
# Whether this session holds the lock (re-taking a held lock would stack a second hold), else
# an attempt to take it. CASE evaluates its branches in order.
HOLD_SQL = """
SELECT CASE
    WHEN EXISTS (
        SELECT FROM pg_locks
        WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
            AND classid = %s AND objid = %s AND objsubid = 2
    ) THEN true
    ELSE pg_try_advisory_lock(%s, %s)
END
"""


class BeatLock:
    """The beat lock, on a database connection used for nothing else."""

    def __init__(self, alias: str = "default", key: tuple[int, int] = (LOCK_NAMESPACE, LOCK_BEAT)):
        self.alias = alias
        self.key = key
        self._connection = None

    def hold(self) -> bool:
        """Whether this process holds the lock now; takes it when it is free."""
        if connections[self.alias].vendor != "postgresql":
            return True  # SQLite: embedded mode, one process, nothing to share the schedule with
        try:
            if self._connection is None:
                self._connection = connections.create_connection(self.alias)
            with self._connection.cursor() as cursor:
                cursor.execute(HOLD_SQL, [*self.key, *self.key])
                return bool(cursor.fetchone()[0])
        except DatabaseError as exc:
            logger.warning("beat: cannot reach the database for the beat lock: %s", exc)
            self.release()
            return False

    def release(self) -> None:
        """Give the lock up and close its connection."""
        if self._connection is not None:
            # The server drops a closed session's locks only once it notices the close; an
            # explicit unlock frees it before this returns (never a new connection for it).
            if self._connection.connection is not None:
                with suppress(DatabaseError), self._connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock_all()")
            with suppress(DatabaseError):
                self._connection.close()
            self._connection = None


class SingletonScheduler(PersistentScheduler):
    """celery's persistent scheduler, sending only while this beat holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock = BeatLock()
        self._holding = False
        self._stood_by = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self.lock.hold():
            if self._holding:
                logger.warning("beat: lost the beat lock; standing by")
            elif not self._stood_by:
                logger.info("beat: another beat holds the beat lock; standing by")
            self._holding, self._stood_by = False, True
            return min(settings.BEAT_STANDBY_POLL_SECONDS, self.max_interval)
        if not self._holding:
            self._holding = True
            if self._stood_by:
                self._start_schedule_afresh()
            logger.info("beat: holding the beat lock; sending the schedule")
        return super().tick(*args, **kwargs)

    def _start_schedule_afresh(self) -> None:
        """Count every entry's interval from now, as a new beat does.

        This beat's stored run times stopped when it stood by; the beat that sent meanwhile
        kept its own. Catching up from them would send again what that beat already sent.
        """
        for entry in self.schedule.values():
            entry.last_run_at = entry.default_now()
        self._heap = None
        self.sync()

    def close(self):
        try:
            super().close()
        finally:
            self.lock.release()

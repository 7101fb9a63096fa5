"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered."""

import logging
import os

from celery import Celery, Task
from celery.signals import worker_init
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity.settings.base")

logger = logging.getLogger(__name__)


class QueuedTask(Task):
    """A task whose queueing never fails its sender: while the broker cannot be reached the
    send is logged as an error and dropped, within the broker's timeouts, and the request that
    asked goes on. The work of the tasks requests send is kept in the database and done by
    beat's schedule once a worker runs again (dirty marks: ``stats.recompute_dirty``; KPIs:
    ``campaigns.evaluate_kpis``, nightly); ``incidents.reassign_areas`` after a boundary change
    has no such schedule, so its logged error tells the operator to save the areas again."""

    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError as error:
            logger.error("%s was not queued: the broker cannot be reached (%s)", self.name, error)
            return None


app = Celery("safecity", task_cls=QueuedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _workers_read_statistics_from_the_database(**kwargs) -> None:
    from stats.cube import cube_off_in_this_process

    cube_off_in_this_process()

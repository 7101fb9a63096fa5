"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity.settings.base")

app = Celery("safecity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _workers_read_statistics_from_the_database(**kwargs) -> None:
    from stats.cube import cube_off_in_this_process

    cube_off_in_this_process()

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    """Where an import job is: waiting, running, or ended one of three ways."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


ENDED_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON lines"
    XLSX = "xlsx", "XLSX"

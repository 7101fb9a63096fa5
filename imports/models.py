import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import FileFormat, JobState


class ImportMapping(models.Model):
    """A named mapping shared by everyone who imports; its versions hold the specs."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入映射")
        verbose_name_plural = _("导入映射")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> "MappingVersion | None":
        return self.versions.order_by("-number").first()


class MappingVersion(models.Model):
    """One saved state of a mapping: its spec in the mapping-file format, never changed."""

    mapping = models.ForeignKey(ImportMapping, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    spec = models.JSONField(_("映射"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入映射版本")
        verbose_name_plural = _("导入映射版本")
        ordering = ["mapping", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "number"], name="mapping_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mapping.name} v{self.number}"


class ImportJob(models.Model):
    """One file imported for a user, queued and run by a worker; its upload, options, the
    mapping it used (a snapshot), its progress, counts and first rejected rows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The upload as stored under IMPORT_FILES_DIR (removed when the job ends), and as sent.
    stored_name = models.CharField(max_length=100)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(_("大小"))
    file_format = models.CharField(_("格式"), max_length=8, choices=FileFormat.choices)
    mapping_version = models.ForeignKey(
        MappingVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    mapping_name = models.CharField(max_length=100, blank=True)
    mapping_number = models.PositiveIntegerField(null=True, blank=True)
    spec = models.JSONField(_("映射"))
    dry_run = models.BooleanField(default=False)
    atomic = models.BooleanField(default=False)
    source_system = models.CharField(max_length=48)
    time_zone = models.CharField(max_length=64, blank=True)
    # The system of the file's points when it overrides the mapping's (safecity.core.crs.Crs).
    coordinate_system = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    cancel_requested = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    kept = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    first_errors = models.JSONField(default=list, blank=True)
    errors_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.public_id})"

    def file_path(self) -> Path:
        return Path(settings.IMPORT_FILES_DIR) / self.stored_name

    def errors_path(self) -> Path | None:
        return Path(settings.IMPORT_FILES_DIR) / self.errors_name if self.errors_name else None

"""Briefings (警情通报) as published: their figures and files, frozen when stored."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.scoping import ScopedQuerySet

from .choices import ReportKind

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIMETYPE = "application/pdf"


class ReportQuerySet(ScopedQuerySet):
    scope_path_field = "area_path"


class Report(models.Model):
    """A briefing of one area over one period: its figures (``content``) and its DOCX and PDF,
    stored once and never changed, like a CompStat snapshot (later corrections make a new one)."""

    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    # The area's path when generated: scoping reads it, as for every scoped record.
    area_path = models.CharField(max_length=255, db_index=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    # Every figure, sentence and table of the briefing, as the renderers read it.
    content = models.JSONField()
    docx = models.BinaryField()
    pdf = models.BinaryField()
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True, db_index=True)
    generation_seconds = models.FloatField(default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("警情通报")
        verbose_name_plural = _("警情通报")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a published briefing is immutable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports-detail", args=[self.pk])

    def file_stem(self) -> str:
        return f"briefing-{self.kind}-{self.area.code}-{self.period_start}-{self.period_end}"

    def attachments(self) -> list[tuple[str, bytes, str]]:
        """The files a delivery attaches: (filename, content, mimetype)."""
        stem = self.file_stem()
        return [
            (f"{stem}.docx", bytes(self.docx), DOCX_MIMETYPE),
            (f"{stem}.pdf", bytes(self.pdf), PDF_MIMETYPE),
        ]


class ReportJob(models.Model):
    """A briefing asked for through the API: queued, then made by the reports queue's worker
    (``report`` once made, ``error`` if it could not be). Read in scope, like briefings."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    # A job is only a request: it goes with its area, and outlives its campaign (then failing).
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报生成任务")
        verbose_name_plural = _("通报生成任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.area_id} {self.status}"

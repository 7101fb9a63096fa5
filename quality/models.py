from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import QualityKind


class QualityDismissal(models.Model):
    """A queue item a person looked at and kept as it is: it leaves that kind's queue."""

    kind = models.CharField(_("类型"), max_length=24, choices=QualityKind.choices)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="quality_dismissals"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("数据质量忽略")
        verbose_name_plural = _("数据质量忽略")
        constraints = [
            models.UniqueConstraint(fields=["kind", "incident"], name="quality_dismissal_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.incident_id}"

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

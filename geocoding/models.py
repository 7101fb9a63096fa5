from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardAddress(models.Model):
    """One address of the bureau's standard address table (标准地址库), at a WGS84 point."""

    address = models.CharField(_("标准地址"), max_length=300)
    key = models.CharField(max_length=300, db_index=True, editable=False)
    # The fuzzy match's narrowing: candidates share their numbers (geocoding.normalise).
    numbers = models.CharField(max_length=100, db_index=True, editable=False)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    area_codes = models.CharField(_("辖区编码"), max_length=200, blank=True)
    source = models.SlugField(_("来源"), max_length=48, default="standard")

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="standard_address_source_key")
        ]

    def __str__(self) -> str:
        return self.address


class AddressLoad(models.Model):
    """One import of a standard address table; the latest one's id is the table's generation."""

    source = models.SlugField(max_length=48)
    file_name = models.CharField(max_length=255)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("标准地址导入")
        verbose_name_plural = _("标准地址导入")

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} {self.loaded_at:%Y-%m-%d %H:%M}"

"""Daily rollups: the numbers every statistic is read from, kept current by Celery.

A rollup row holds one day's measures for one (area node, category node) pair at every level
of both trees — the whole city and all categories included — so any question "this area, this
category, these days" is a sum over at most one row a day, never a scan of the records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The virtual roots of both trees: every area (with records placed in no area) and every
# category. Other keys are Area and category primary keys.
EVERYWHERE = 0
ALL_CATEGORIES = 0


def rollup_keys(name: str) -> tuple[list, list]:
    """A rollup table's (constraints, indexes): the unique (area, category, day) key, which is
    also the index every statistics read uses (equality on both keys, a range of days), and
    the day index recomputes delete by."""
    return (
        [models.UniqueConstraint(fields=["area_key", "category_key", "day"], name=f"{name}_key")],
        [models.Index(fields=["day"], name=f"{name}_day")],
    )


class Rollup(models.Model):
    """Shared shape of a daily rollup table; one concrete model per registered metric source."""

    day = models.DateField()
    area_key = models.IntegerField()
    category_key = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} area {self.area_key} category {self.category_key}"


class DirtyDay(models.Model):
    """A (day, area) whose rollups are stale: written with the change, cleared by a recompute."""

    # No index of its own: the unique (source, day, area_key) index serves every lookup.
    source = models.SlugField(max_length=32, db_index=False)
    day = models.DateField()
    area_key = models.IntegerField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待重算日")
        verbose_name_plural = _("待重算日")
        constraints = [
            models.UniqueConstraint(fields=["source", "day", "area_key"], name="dirty_day_key")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.day} area {self.area_key}"


class RollupGeneration(models.Model):
    """A number that grows with every transaction that writes a source's rollups (by one, or
    to the clock in milliseconds if that is more): what in-process copies of them (the rollup
    cube) compare to know they are current."""

    source = models.SlugField(max_length=32, unique=True)
    generation = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("汇总版本")
        verbose_name_plural = _("汇总版本")

    def __str__(self) -> str:
        return f"{self.source} generation {self.generation}"


class RollupChange(models.Model):
    """One transaction that wrote a source's rollups: the generation it followed, the one it
    made and the days it rewrote, so a rollup cube reloads only those days. Pruned after a
    day; a cube whose generation is no longer linked here loads its rollups whole."""

    source = models.SlugField(max_length=32, db_index=False)
    previous = models.BigIntegerField()
    generation = models.BigIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        verbose_name = _("汇总变更")
        verbose_name_plural = _("汇总变更")
        constraints = [
            models.UniqueConstraint(fields=["source", "generation"], name="rollup_change_key")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.generation}: {self.first_day}–{self.last_day}"


class CompstatReport(models.Model):
    """A CompStat table definition: which categories are its rows, in order."""

    code = models.SlugField(_("编码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    # [{"category": code or null for all incidents, "label": "...", "label_en": "..."}, ...]
    rows = models.JSONField(_("行"), default=list)

    class Meta:
        verbose_name = _("CompStat 报表定义")
        verbose_name_plural = _("CompStat 报表定义")

    def __str__(self) -> str:
        return self.name


class CompstatSnapshot(models.Model):
    """A CompStat table as published for a week: frozen, never changed by later corrections."""

    report = models.ForeignKey(CompstatReport, on_delete=models.PROTECT, related_name="snapshots")
    week_ending = models.DateField(_("周截止日"))
    area_key = models.IntegerField()
    area_path = models.CharField(max_length=255, blank=True)
    area_name = models.CharField(max_length=100)
    table = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CompStat 周报快照")
        verbose_name_plural = _("CompStat 周报快照")
        ordering = ["-week_ending", "area_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "week_ending", "area_key"], name="compstat_snapshot_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.area_name} {self.week_ending}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a published CompStat snapshot is immutable")
        super().save(*args, **kwargs)

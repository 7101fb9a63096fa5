from django.db import models
from django.utils.translation import gettext_lazy as _

# The horizons every forecast is made for, in days: one column of expected counts each.
HORIZONS = (7, 28)


class Forecast(models.Model):
    """One refresh of a category group's forecast: when it was made, from data up to which day."""

    source = models.CharField(max_length=48)
    # The top-level category code of the group, or "" for all categories.
    category = models.CharField(max_length=48, blank=True)
    resolution = models.PositiveSmallIntegerField()
    generated_at = models.DateTimeField()
    # The last day of the data it read; the forecast is for the days after it.
    data_last_day = models.DateField(null=True)
    params = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("警情预测")
        verbose_name_plural = _("警情预测")
        indexes = [
            models.Index(
                fields=["source", "category", "resolution", "-generated_at"],
                name="forecast_latest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.category or 'all'} r{self.resolution} {self.generated_at}"


class ForecastCell(models.Model):
    """One h3 cell's expected counts in a forecast, placed in the area holding its centre."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="cells")
    cell = models.CharField(max_length=16)
    # The path of the smallest area holding the cell's centre ("" outside every area): the
    # jurisdiction a cell is read in, as a record's area_path is.
    area_path = models.CharField(max_length=255, blank=True)
    expected_7 = models.FloatField()
    expected_28 = models.FloatField()

    class Meta:
        verbose_name = _("预测网格")
        verbose_name_plural = _("预测网格")

    def __str__(self) -> str:
        return f"{self.cell} {self.expected_28:.2f}"


class Evaluation(models.Model):
    """One stored rolling-origin backtest of the forecast against the naive baselines."""

    source = models.CharField(max_length=48)
    # The import's source system the records were limited to ("" for all).
    system = models.CharField(max_length=48, blank=True)
    category = models.CharField(max_length=48, blank=True)
    # The area evaluated ("" everywhere), as a materialized path, for scoping.
    area_path = models.CharField(max_length=255, blank=True)
    resolution = models.PositiveSmallIntegerField()
    horizon_days = models.PositiveSmallIntegerField()
    origins = models.PositiveSmallIntegerField()
    data_last_day = models.DateField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    params = models.JSONField(default=dict)
    # summary (per method, share and figure: n, mean, sd, min, max), headline, origins.
    results = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("预测评估")
        verbose_name_plural = _("预测评估")
        indexes = [models.Index(fields=["area_path", "-created_at"], name="evaluation_latest")]

    def __str__(self) -> str:
        return f"{self.source}/{self.category or 'all'} h{self.horizon_days} {self.created_at}"

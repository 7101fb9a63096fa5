"""The analysis engine's Celery tasks (found by Celery's autodiscovery here)."""

from .forecast.tasks import refresh_forecasts

__all__ = ["refresh_forecasts"]

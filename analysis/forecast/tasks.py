from celery import shared_task

from safecity.core.locks import single_flight

from .services import evaluations_refresh, forecast_refresh


@shared_task(name="analysis.refresh_forecasts", acks_late=True, reject_on_worker_lost=True)
def refresh_forecasts() -> dict:
    """Nightly: a new forecast of every category group, and the nightly backtest beside it.
    Single-flight: a run that finds another under way returns at once."""
    with single_flight("analysis.refresh_forecasts") as holder:
        if not holder:
            return {"forecasts": 0, "evaluations": 0}
        forecasts = forecast_refresh()
        evaluations = evaluations_refresh()
    return {"forecasts": len(forecasts), "evaluations": len(evaluations)}

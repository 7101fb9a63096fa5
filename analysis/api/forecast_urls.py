from django.urls import path

from .forecast import EvaluationView, ForecastView

urlpatterns = [
    path("analysis/forecast", ForecastView.as_view(), name="analysis-forecast"),
    path("analysis/evaluation", EvaluationView.as_view(), name="analysis-evaluation"),
]

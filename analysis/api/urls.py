"""The analysis API, at ``/api/v1/analysis/``."""

urlpatterns: list = []

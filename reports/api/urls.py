"""The reports API, at ``/api/v1/reports/``."""

urlpatterns: list = []

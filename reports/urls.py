"""The reports pages, at ``/reports/``."""

urlpatterns: list = []

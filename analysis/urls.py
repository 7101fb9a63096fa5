"""The analysis (研判) pages, at ``/analysis/``."""

urlpatterns: list = []

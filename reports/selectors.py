"""Briefings in the user's jurisdiction (out of scope reads as 404, as everywhere)."""

from areas.models import Area
from areas.scoping import scope_for

from .models import Report, ReportJob


def reports_for_user(user):
    """Stored briefings of areas in the user's jurisdiction, newest first, without files."""
    reports = Report.objects.for_user(user).select_related("area", "campaign")
    return reports.defer("docx", "pdf", "content")


def report_for_user(user, pk) -> Report | None:
    return Report.objects.for_user(user).select_related("area").filter(pk=pk).first()


def report_areas_for_user(user):
    """The areas a user may make briefings of: the city and districts and stations in scope."""
    areas = Area.objects.filter(kind__in=["city", "district", "station"]).order_by("path")
    return scope_for(user).filter(areas, "path")


def report_jobs_for_user(user):
    """Briefing jobs of areas in the user's jurisdiction."""
    return ReportJob.objects.for_user(user).select_related("area", "campaign")

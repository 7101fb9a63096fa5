"""Briefings are made by Celery on their own queue (settings.REPORTS_QUEUE), so a city-wide
briefing never waits in line with, or delays, the statistics recompute."""

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from areas.models import Area

from . import services
from .choices import ReportKind


def queue_report(**kwargs) -> None:
    """Ask the reports queue for one briefing (keyword arguments of ``generate_report``)."""
    generate_report.apply_async(kwargs=kwargs, queue=settings.REPORTS_QUEUE)


@shared_task(name="reports.generate", acks_late=True, reject_on_worker_lost=True)
def generate_report(
    *,
    kind: str,
    area_id: int,
    user_id: int | None = None,
    start: str | None = None,
    end: str | None = None,
    campaign_id: int | None = None,
    scheduled: bool = False,
    job_id: int | None = None,
) -> int | None:
    """Make one briefing; ``job_id``: the API's job, told when it starts and how it ended."""
    if job_id is None:
        return _generate(kind, area_id, user_id, start, end, campaign_id, scheduled)
    services.report_job_started(job_id)
    try:
        report_pk = _generate(kind, area_id, user_id, start, end, campaign_id, scheduled)
    except services.ReportRefused as exc:
        services.report_job_finished(job_id, error=str(exc))
        return None
    except Exception:
        services.report_job_finished(job_id, error="the briefing could not be made")
        raise
    services.report_job_finished(job_id, report_pk=report_pk)
    return report_pk


def _generate(kind, area_id, user_id, start, end, campaign_id, scheduled) -> int | None:
    from datetime import date

    from accounts.models import User
    from campaigns.models import Campaign

    area = Area.objects.get(pk=area_id)
    user = User.objects.get(pk=user_id) if user_id else None
    campaign = Campaign.objects.get(pk=campaign_id) if campaign_id else None
    today = timezone.localdate()
    if scheduled and not services.scheduled_report_needed(
        kind=kind, area=area, today=today, campaign=campaign
    ):
        return None
    report = services.report_generate(
        kind=kind,
        area=area,
        user=user,
        today=today,
        start=date.fromisoformat(start) if start else None,
        end=date.fromisoformat(end) if end else None,
        campaign=campaign,
    )
    return report.pk


@shared_task(name="reports.schedule", acks_late=True, reject_on_worker_lost=True)
def schedule_reports(kind: str) -> int:
    """Beat's briefings of ``kind``: one per area of the kinds in REPORTS_SCHEDULED_AREA_KINDS
    (the city and each district by default); campaign briefings for each campaign running,
    per scope area. Returns how many were queued."""
    areas = Area.objects.filter(kind__in=settings.REPORTS_SCHEDULED_AREA_KINDS).order_by("path")
    queued = 0
    if kind == ReportKind.CAMPAIGN:
        from campaigns.models import Campaign

        today = timezone.localdate()
        running = Campaign.objects.filter(Q(starts_on__lt=today) & Q(ends_on__gte=today))
        for campaign in running.prefetch_related("scope_areas"):
            for area in campaign.scope_areas.all():
                queue_report(kind=kind, area_id=area.id, campaign_id=campaign.id, scheduled=True)
                queued += 1
        return queued
    for area in areas:
        queue_report(kind=kind, area_id=area.id, scheduled=True)
        queued += 1
    return queued

"""Briefings asked for through the API: a job is checked (scope, kind, days) and stored at
once, then made by the reports queue's worker, which records the briefing or why not."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import scope_for

from .choices import ReportKind
from .models import ReportJob
from .periods import report_period
from .services import ReportRefused
from .tasks import queue_report


class ReportOutOfScope(ReportRefused):
    """The area is not in the user's jurisdiction."""


def report_job_create(
    *,
    user,
    kind: str,
    area: Area,
    start: date | None = None,
    end: date | None = None,
    campaign=None,
    today: date | None = None,
) -> ReportJob:
    """Store a briefing job of ``area`` for ``user`` and queue it when the row is committed.
    ReportOutOfScope when the area is outside their jurisdiction; ReportRefused when the kind
    and days make no briefing (a campaign briefing without its campaign, no whole day)."""
    if not scope_for(user).covers(area.path):
        raise ReportOutOfScope(_("该辖区不在你的管辖范围内。"))
    if kind == ReportKind.CAMPAIGN:
        if campaign is None:
            raise ReportRefused(_("专项行动通报须指定专项行动。"))
    else:
        campaign = None
    first, last = (start, end) if campaign is None else (start or campaign.starts_on, end)
    last = last or (campaign.ends_on if campaign is not None else None)
    try:
        report_period(kind, today=today or timezone.localdate(), start=first, end=last)
    except ValueError as exc:
        raise ReportRefused(_("所选周期没有已结束的完整日。")) from exc
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=kind,
            area=area,
            area_path=area.path,
            start=start,
            end=end,
            campaign=campaign,
            requested_by=user,
        )
        transaction.on_commit(
            lambda: queue_report(
                kind=kind,
                area_id=area.id,
                user_id=user.id,
                start=start.isoformat() if start else None,
                end=end.isoformat() if end else None,
                campaign_id=campaign.id if campaign is not None else None,
                job_id=job.id,
            )
        )
    return job

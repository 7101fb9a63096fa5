"""Making a briefing: its period, its content from the statistics engine, its files, stored
once; subscribers hear of it through ``report_published`` when the row is committed."""

import time
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import scope_for

from .choices import ReportKind
from .content import briefing_content
from .models import Report, ReportJob
from .periods import report_period
from .render.charts import chart_png
from .render.document import briefing_html, briefing_pdf
from .render.word import briefing_docx
from .signals import report_published


class ReportRefused(ValueError):
    """A briefing that cannot be made: out of scope, or no whole day to report on."""


def report_files(content: dict) -> tuple[bytes, bytes]:
    """The DOCX and PDF of a briefing's content, the charts drawn once for both."""
    charts = {
        section["key"]: chart_png(section["chart"])
        for section in content["sections"]
        if section.get("chart")
    }
    return briefing_docx(content, charts), briefing_pdf(briefing_html(content, charts))


def report_generate(
    *,
    kind: str,
    area: Area,
    user=None,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
    campaign=None,
) -> Report:
    """Make and store a briefing of ``area``; ``user`` (a briefing made by hand) must have the
    area in their jurisdiction. A campaign briefing covers the campaign's days so far."""
    if user is not None and not scope_for(user).covers(area.path):
        raise ReportRefused(_("该辖区不在你的管辖范围内。"))
    if kind == ReportKind.CAMPAIGN:
        if campaign is None:
            raise ReportRefused(_("专项行动通报须指定专项行动。"))
        start, end = start or campaign.starts_on, end or campaign.ends_on
    today = today or timezone.localdate()
    try:
        when = report_period(kind, today=today, start=start, end=end)
    except ValueError as exc:
        raise ReportRefused(_("所选周期没有已结束的完整日。")) from exc
    started = time.perf_counter()
    content = briefing_content(kind=kind, area=area, when=when, campaign=campaign)
    docx, pdf = report_files(content)
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind,
            area=area,
            area_path=area.path,
            campaign=campaign,
            title=content["title"],
            period_start=when.period.start,
            period_end=when.period.end,
            content=content,
            docx=docx,
            pdf=pdf,
            created_by=user,
            generation_seconds=round(time.perf_counter() - started, 3),
        )
        transaction.on_commit(
            lambda: report_published.send(sender=Report, report=report), robust=True
        )
    return report


def scheduled_report_needed(*, kind: str, area: Area, today: date, campaign=None) -> bool:
    """Whether beat's briefing of this kind, area and period is still to be made (a rerun of
    the schedule makes none twice; briefings made by hand do not count)."""
    if kind == ReportKind.CAMPAIGN:
        start, end = campaign.starts_on, campaign.ends_on
    else:
        start = end = None
    try:
        when = report_period(kind, today=today, start=start, end=end)
    except ValueError:
        return False
    return not Report.objects.filter(
        kind=kind,
        area=area,
        campaign=campaign,
        period_start=when.period.start,
        period_end=when.period.end,
        created_by__isnull=True,
    ).exists()


def report_job_started(job_id: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.RUNNING)


def report_job_finished(job_id: int, *, report_pk: int | None = None, error: str = "") -> None:
    """Record the job's briefing, or why none was made."""
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.DONE if report_pk is not None else ReportJob.Status.FAILED,
        report_id=report_pk,
        error=error,
        finished_at=timezone.now(),
    )

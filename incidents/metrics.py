"""The incidents metric source: 110 calls and cases by area, category and day, with money,
clearances and response times (the statistics engine rolls them up and compares periods)."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from stats.registry import Measure, MetricSource, register

from .models import Category, Incident, IncidentDaily

SOURCE = "incidents"


def _within(minutes: int) -> Count:
    return Count("id", filter=Q(response_seconds__lte=minutes * 60))


register(
    MetricSource(
        name=SOURCE,
        label=_("警情"),
        model=Incident,
        rollup=IncidentDaily,
        time_field="reported_at",
        area_path_field="area_path",
        category_path_field="category_path",
        category_model=Category,
        # A duplicate merged into another incident is the same event: it counts once, there.
        counted=Q(duplicate_of__isnull=True),
        measures={
            "count": Measure(_("警情数"), Count("id")),
            "money_involved": Measure(_("涉案金额"), Sum("money_involved"), "amount"),
            "loss": Measure(_("损失金额"), Sum("loss"), "amount"),
            "recovered": Measure(_("挽回金额"), Sum("recovered"), "amount"),
            "solved": Measure(_("破案数"), Count("id", filter=Q(solved_at__isnull=False))),
            "arrested": Measure(_("抓获人数"), Sum("arrested")),
            "responded": Measure(
                _("有到场时间的警情"), Count("id", filter=Q(response_seconds__isnull=False))
            ),
            "within_1min": Measure(_("1分钟内到场"), _within(1)),
            "within_3min": Measure(_("3分钟内到场"), _within(3)),
            "within_5min": Measure(_("5分钟内到场"), _within(5)),
            "within_10min": Measure(_("10分钟内到场"), _within(10)),
        },
    )
)

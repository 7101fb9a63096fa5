"""The mediation metric source: screened disputes by area, type and day, and what became of
them (the statistics engine rolls them up and compares periods like any source)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from stats.registry import Measure, MetricSource, register

from .choices import CaseStatus
from .models import DisputeCase, DisputeType, MediationDaily

SOURCE = "mediation"
OPEN = [CaseStatus.SCREENED, CaseStatus.MEDIATING, CaseStatus.TRANSFERRED]


register(
    MetricSource(
        name=SOURCE,
        label=_("矛盾纠纷"),
        model=DisputeCase,
        rollup=MediationDaily,
        time_field="screened_at",
        area_path_field="area_path",
        category_path_field="type_path",
        category_model=DisputeType,
        measures={
            "screened": Measure(_("排查"), Count("id")),
            "mediating": Measure(_("进入调解"), Count("id", filter=Q(mediating_at__isnull=False))),
            "transferred": Measure(_("流转"), Count("id", filter=Q(transferred_at__isnull=False))),
            "resolved": Measure(_("化解"), Count("id", filter=Q(status=CaseStatus.RESOLVED))),
            "failed": Measure(_("调解失败"), Count("id", filter=Q(status=CaseStatus.FAILED))),
            "escalated": Measure(_("升级"), Count("id", filter=Q(status=CaseStatus.ESCALATED))),
            "open": Measure(_("在办"), Count("id", filter=Q(status__in=OPEN))),
        },
    )
)

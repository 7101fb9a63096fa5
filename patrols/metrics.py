"""The patrol responses metric source: incidents dispatched and on scene, within their area's
standard or not, with histograms of the seconds taken (read by patrols.compliance)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models import Category, Incident
from stats.registry import Measure, MetricSource, register

from .models import ResponseDaily
from .services import standard_for, standards_by_area

SOURCE = "responses"


def response_groups(records):
    """One day's groups for the rollup: per area path, the counts and histograms."""
    table = standards_by_area()
    standards: dict[str, tuple[int, int]] = {}
    groups: dict[str, list] = {}
    rows = (
        records.filter(Q(dispatched_at__isnull=False) | Q(on_scene_at__isnull=False))
        .order_by()
        .values_list("area_path", "reported_at", "dispatched_at", "on_scene_at")
    )
    for path, reported, dispatched, on_scene in rows:
        standard = standards.get(path)
        if standard is None:
            standard = standards[path] = standard_for(path, table=table)
        group = groups.get(path)
        if group is None:
            group = groups[path] = [0, 0, 0, 0, {}, {}]
        for offset, moment in ((0, dispatched), (1, on_scene)):
            if moment is None:
                continue
            seconds = max(0, int((moment - reported).total_seconds()))
            group[2 * offset] += 1
            group[2 * offset + 1] += seconds <= standard[offset]
            histogram = group[4 + offset]
            histogram[str(seconds)] = histogram.get(str(seconds), 0) + 1
    return [(path, "", *values) for path, values in groups.items()]


register(
    MetricSource(
        name=SOURCE,
        label=_("响应"),
        model=Incident,
        rollup=ResponseDaily,
        time_field="reported_at",
        area_path_field="area_path",
        category_path_field="category_path",
        category_model=Category,
        measures={
            "dispatched": Measure(_("已派警")),
            "dispatch_within": Measure(_("标准内派警")),
            "arrived": Measure(_("已到场")),
            "arrive_within": Measure(_("标准内到场")),
            "dispatch_seconds": Measure(_("派警用时分布"), kind="histogram"),
            "arrive_seconds": Measure(_("到场用时分布"), kind="histogram"),
        },
        groups=response_groups,
    )
)

"""A span of a source's records as rollup rows: measures per (area node, category node), each
record counted at every ancestor of its area and of its category. A recompute writes a day's
(stats.services); "today so far" reads the hours of a day that have passed (stats.day_parts)."""

import operator
from collections.abc import Callable
from datetime import datetime

from .days import ancestor_keys
from .registry import MetricSource, merge_histograms


def grouped_totals(
    source: MetricSource, start: datetime, end: datetime, category_ids: dict[str, int]
) -> dict[tuple[int, int], list]:
    """The source's measures (in its order) of the records from ``start`` to before ``end``,
    per (area key, category key) at every level of both trees.

    The database groups the records by (area path, category path) with the source's measures;
    each group is then added to every ancestor of its area and of its category."""
    records = source.records().filter(
        **{f"{source.time_field}__gte": start, f"{source.time_field}__lt": end}
    )
    names = list(source.measures)
    if source.groups is not None:
        groups = source.groups(records)
    else:
        area_field, category_field = source.area_path_field, source.category_path_field
        groups = (
            records.order_by()
            .values(area_field, category_field)
            .annotate(**{name: measure.aggregate for name, measure in source.measures.items()})
            .values_list(area_field, category_field, *names)
        )
    combine = _combiner(source)
    totals: dict[tuple[int, int], list] = {}
    for area_path, category_path, *values in groups:
        values = [0 if value is None else value for value in values]
        area_keys = ancestor_keys(area_path)
        category_keys = ancestor_keys(category_path, category_ids)
        for area_key in area_keys:
            for category_key in category_keys:
                key = (area_key, category_key)
                current = totals.get(key)
                totals[key] = list(values) if current is None else combine(current, values)
    return totals


def _combiner(source: MetricSource) -> Callable[[list, list], list]:
    """Adds two lists of measure values: numbers summed, histograms merged (never in place:
    a group's values are shared by all its ancestors' totals)."""
    kinds = [measure.kind for measure in source.measures.values()]
    if "histogram" not in kinds:
        return lambda first, second: [a + b for a, b in zip(first, second, strict=True)]
    adders = [merge_histograms if kind == "histogram" else operator.add for kind in kinds]
    return lambda first, second: [
        add(a, b) for add, a, b in zip(adders, first, second, strict=True)
    ]

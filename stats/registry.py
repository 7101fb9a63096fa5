"""The metric registry: which record types have daily rollups, and how their measures are made.

A source names its records, its rollup model, the fields that place a record in time, in the
area tree and in its category tree, and its measures as aggregate expressions over the records.
Recompute, rebuild and every statistics read work from this description alone, so a new record
type (mediation cases, campaign counters) plugs in by registering one more source.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

from .models import Rollup


@dataclass(frozen=True)
class Measure:
    label: str
    # The measure over a group of records; None when the source computes its groups itself.
    aggregate: models.Aggregate | None = None
    # "count" measures are Poisson-like counts (z-scores make sense); "amount" are sums of money;
    # "histogram" are {value: count} maps, summed key by key.
    kind: str = "count"


def merge_histograms(first: dict, second: dict) -> dict:
    """A new {value: count} map with the counts of both."""
    merged = dict(first)
    for value, count in second.items():
        merged[value] = merged.get(value, 0) + count
    return merged


# (area path, category path, [measure values in the source's order]) for one group of records.
Group = tuple[str, str, list]


@dataclass(frozen=True)
class MetricSource:
    name: str
    label: str
    model: type[models.Model]
    rollup: type[Rollup]
    time_field: str
    area_path_field: str
    category_path_field: str
    # The source's category tree: a model with a materialized ``path`` like the records'.
    category_model: type[models.Model]
    measures: dict[str, Measure] = field(default_factory=dict)
    # Groups computed in Python from one day's records, for measures SQL cannot aggregate
    # (each record judged against its area's standard, histograms); default: the aggregates.
    groups: Callable[[models.QuerySet], Iterable[Group]] | None = None
    # Which records count (e.g. not those merged as another's duplicate); None: all of them.
    counted: models.Q | None = None

    def records(self) -> models.QuerySet:
        records = self.model._default_manager.all()
        return records if self.counted is None else records.filter(self.counted)


_SOURCES: dict[str, MetricSource] = {}


def register(source: MetricSource) -> None:
    """Add a source: each domain does, once, in its own ``metrics.py`` (found and imported by
    the stats app's ready(), which then has stats.marks watch the source's records)."""
    missing = [name for name in source.measures if not _has_field(source.rollup, name)]
    if missing:
        raise ValueError(f"{source.rollup.__name__} lacks measure column(s) {missing}")
    _SOURCES[source.name] = source


def get_source(name: str) -> MetricSource:
    try:
        return _SOURCES[name]
    except KeyError:
        raise LookupError(f"no metric source {name!r}; known: {sorted(_SOURCES)}") from None


def sources() -> list[MetricSource]:
    return list(_SOURCES.values())


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)

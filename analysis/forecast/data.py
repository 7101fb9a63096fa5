"""The events a forecast reads, from a metric source's records: time and point, limited to an
area's subtree, a category's subtree and (where records have one) an import's source system;
and the study area's cells. Records without a point cannot be placed in a cell and are left
out."""

from dataclasses import dataclass
from datetime import date, datetime

import h3
from django.db.models import Max
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from areas.models import Area
from stats.days import day_bounds, local_day
from stats.registry import MetricSource, get_source

from .model import Events, Grid

# The fields holding a record's point.
LON, LAT = "lon", "lat"


@dataclass(frozen=True)
class Selection:
    """Which records a forecast or a backtest reads."""

    source: MetricSource
    area_path: str = ""
    category_path: str = ""
    system: str = ""

    @classmethod
    def of(cls, source: str = "incidents", **kwargs) -> "Selection":
        return cls(get_source(source), **kwargs)

    def records(self):
        source = self.source
        names = {field.name for field in source.model._meta.get_fields()}
        if not {LON, LAT} <= names:
            raise ValueError(f"the {source.name} records have no points to forecast from")
        records = source.records().filter(**{f"{LON}__isnull": False, f"{LAT}__isnull": False})
        if self.area_path:
            records = records.filter(**{f"{source.area_path_field}__startswith": self.area_path})
        if self.category_path:
            records = records.filter(
                **{f"{source.category_path_field}__startswith": self.category_path}
            )
        if self.system:
            if "source_system" not in names:
                raise ValueError(f"the {source.name} records have no source system")
            records = records.filter(source_system=self.system)
        return records.order_by()

    def last_day(self) -> date | None:
        """The platform's day of the latest record, if any."""
        latest = self.records().aggregate(latest=Max(self.source.time_field))["latest"]
        return local_day(latest) if latest else None

    def events(self, grid: Grid, before: datetime | None = None) -> Events:
        """The records (reported before ``before``, when given) as events on ``grid``."""
        records = self.records()
        if before is not None:
            records = records.filter(**{f"{self.source.time_field}__lt": before})
        rows = (
            (moment.timestamp(), lon, lat)
            for moment, lon, lat in records.values_list(self.source.time_field, LON, LAT)
        )
        return Events.build(rows, grid)


def day_end(day: date) -> datetime:
    """The moment ``day`` ends (the platform's calendar): a forecast's origin."""
    return day_bounds(day)[1]


def area_cells(area_path: str, resolution: int) -> set[str]:
    """The cells whose centre lies in the area (the union of the top areas when the path is
    empty): the study area with the cells of the records located in it."""
    if area_path:
        areas = Area.objects.filter(path=area_path)
    else:
        areas = Area.objects.filter(parent__isnull=True)
    shapes = [shape(geometry) for geometry in areas.values_list("geometry", flat=True)]
    shapes = [geom for geom in shapes if geom.geom_type in ("Polygon", "MultiPolygon")]
    if not shapes:
        return set()
    return set(h3.geo_to_cells(mapping(unary_union(shapes)), resolution))

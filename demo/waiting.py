"""Incidents still waiting for a unit, reported minutes before the demo is seeded, so the
response-breach rule has work to do: a burglary nobody has been dispatched to for 20 minutes,
a fight whose unit has not arrived after 12, and a fresh call still within its standard.
Refreshed on every run of seed_demo (by reference), so a reused demo city has them too."""

from datetime import timedelta

from django.utils import timezone
from shapely.geometry import shape

from areas.choices import AreaKind
from areas.models import Area
from demo.users import DEMO_DISTRICT_CODE
from incidents.ingest import incidents_ingest

SOURCE_SYSTEM = "demo-live"
# (reference, category, priority, minutes since the call, minutes to dispatch or None)
WAITING_CASES = [
    ("W-BURGLARY", "theft_burglary", 1, 20, None),  # never dispatched: breach at dispatch
    ("W-FIGHT", "fight", 2, 12, 1),  # dispatched, not yet on scene: breach at arrival
    ("W-FRESH", "theft_ebike", 3, 0.5, None),  # half a minute old: still within its standard
]
BREACHING_REFERENCES = ("W-BURGLARY", "W-FIGHT")


def build_demo_waiting(*, now=None) -> int:
    """Ingest (or move up to ``now``) the waiting incidents; returns how many."""
    now = now or timezone.now()
    stations = Area.objects.filter(kind=AreaKind.STATION, parent__code=DEMO_DISTRICT_CODE).order_by(
        "code"
    )
    rows = []
    for (ref, category, priority, minutes, dispatch_after), station in zip(
        WAITING_CASES, stations, strict=False
    ):
        point = shape(station.geometry).representative_point()
        reported = now - timedelta(minutes=minutes)
        row = {
            "source": "call_110",
            "source_ref": ref,
            "category": category,
            "priority": priority,
            "reported_at": reported,
            "lon": round(point.x, 6),
            "lat": round(point.y, 6),
            "address": f"{station.name}辖区",
        }
        if dispatch_after is not None:
            row["dispatched_at"] = reported + timedelta(minutes=dispatch_after)
        rows.append(row)
    report = incidents_ingest(rows=rows, source_system=SOURCE_SYSTEM)
    return report.created + report.updated + report.unchanged

"""The demo's response times read like a Shanghai bureau's: some 1-minute arrivals in the
centre, most calls reached within 3 to 5 minutes there, longer in the outer districts — as the
patrols page shows them, through the same compliance selector."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from areas.choices import AreaKind
from areas.models import Area
from demo.incidents import CENTRAL_DISTRICTS, OUTER_DISTRICTS
from patrols.compliance import compliance
from stats.windows import Period

pytestmark = pytest.mark.django_db

# The README's demo section documents these ranges (shares of arrivals, from the call).
CENTRAL_RANGES = {
    "within_1min": (0.02, 0.08),
    "within_3min": (0.5, 0.8),
    "within_5min": (0.85, 0.98),
}
OUTER_RANGES = {"within_1min": (0.0, 0.02), "within_3min": (0.1, 0.35), "within_5min": (0.4, 0.7)}


def _arrival_shares(districts) -> dict:
    """The pooled arrival shares of these districts over the demo's three years."""
    today = timezone.localdate()
    period = Period(today - timedelta(days=3 * 365), today)
    inside, arrived = {key: 0.0 for key in CENTRAL_RANGES}, 0
    for district in districts:
        block = compliance(area_key=district.pk, area_path=district.path, period=period)["arrive"]
        arrived += block["incidents"]
        for key in inside:
            inside[key] += (block[key] or 0) * block["incidents"]
    return {key: value / arrived for key, value in inside.items()}


def test_demo_arrival_shares_fall_in_the_documented_ranges():
    call_command("seed_demo", "--seed", "7", "--incidents", "6000", stdout=StringIO())
    districts = Area.objects.filter(kind=AreaKind.DISTRICT)
    central = _arrival_shares(districts.filter(code__in=CENTRAL_DISTRICTS))
    outer = _arrival_shares(districts.filter(code__in=OUTER_DISTRICTS))
    for shares, ranges in ((central, CENTRAL_RANGES), (outer, OUTER_RANGES)):
        for key, (low, high) in ranges.items():
            assert low <= shares[key] <= high, (key, shares)

from io import StringIO

import pytest
from django.core.management import call_command

from areas.models import Area
from geocoding.choices import GeocodeQuality
from geocoding.models import StandardAddress
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_demo_incidents_with_only_an_address_are_placed_in_their_station():
    call_command("seed_demo", "--seed", "7", "--incidents", "1500", stdout=StringIO())
    assert StandardAddress.objects.filter(source="demo").count() > 1000
    geocoded = Incident.objects.filter(geocode_quality=GeocodeQuality.EXACT)
    assert geocoded.count() > 20
    assert not Incident.objects.filter(geocode_quality=GeocodeQuality.UNLOCATED).exists()
    station_of = dict(
        StandardAddress.objects.filter(source="demo").values_list("address", "area_codes")
    )
    stations = dict(Area.objects.values_list("id", "code"))
    for incident in geocoded:
        assert stations[incident.station_id] == station_of[incident.geocoded_address]

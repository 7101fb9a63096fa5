"""Response compliance read from the rollups equals the same figures computed directly from
the incidents, with each incident judged against its own area's standard."""

import csv
import io
import math
import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from patrols.models import ResponseStandard
from patrols.services import standard_for
from stats.services import rollups_rebuild, rollups_recompute_dirty
from stats.windows import Period, same_period_last_year

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2025, 6, 1), date(2025, 6, 30))


def _incident_rows(rng: random.Random, count: int) -> list[dict]:
    tz = timezone.get_default_timezone()
    rows = []
    for number in range(count):
        # This June or last June, in district A (lon 120–122) or B (122–124).
        year = rng.choice([2024, 2025])
        day = date(year, 6, rng.randint(1, 30))
        reported = datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), tz)
        row = {
            "source_ref": f"R{number}",
            "category": rng.choice(["fight", "theft"]),
            "lon": rng.choice([120.5, 122.5]) + rng.random(),
            "lat": 30.2 + rng.random(),
            "reported_at": reported.isoformat(),
        }
        if rng.random() < 0.9:
            dispatched = reported + timedelta(seconds=rng.randint(0, 150))
            row["dispatched_at"] = dispatched.isoformat()
            if rng.random() < 0.85:
                arrived = dispatched + timedelta(seconds=rng.randint(0, 420))
                row["on_scene_at"] = arrived.isoformat()
        rows.append(row)
    return rows


def _nearest_rank(values: list[int], fraction: float):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def _direct(incidents: list[Incident], period: Period) -> dict:
    """The figures straight from the incidents, without the rollups."""
    chosen = [
        incident
        for incident in incidents
        if period.start <= timezone.localtime(incident.reported_at).date() <= period.end
    ]
    result = {}
    for phase, moment, index in (("dispatch", "dispatched_at", 0), ("arrive", "on_scene_at", 1)):
        times, within = [], 0
        for incident in chosen:
            if getattr(incident, moment) is None:
                continue
            seconds = int((getattr(incident, moment) - incident.reported_at).total_seconds())
            times.append(seconds)
            within += seconds <= standard_for(incident.area_path)[index]
        result[phase] = {
            "incidents": len(times),
            "within_standard": within,
            "share": round(within / len(times), 4) if times else None,
            "median_seconds": _nearest_rank(times, 0.5),
            "p90_seconds": _nearest_rank(times, 0.9),
        }
        if phase == "arrive":
            for minutes in (1, 3, 5):
                inside = sum(t <= minutes * 60 for t in times)
                result[phase][f"within_{minutes}min"] = (
                    round(inside / len(times), 4) if times else None
                )
    return result


@pytest.fixture
def scenario(two_districts, city):
    district_a, _ = two_districts
    ResponseStandard.objects.create(area=city, dispatch_seconds=60, arrive_seconds=300)
    ResponseStandard.objects.create(area=district_a, dispatch_seconds=45, arrive_seconds=180)
    report = incidents_ingest(rows=_incident_rows(random.Random(7), 400), source_system="t")
    assert report.rejected == 0
    rollups_rebuild()
    return two_districts


def _get(client, **params):
    params = {"window": "custom", "from": PERIOD.start, "to": PERIOD.end, **params}
    answer = client.get("/api/v1/patrols/compliance/", params)
    assert answer.status_code == 200, answer.content
    return answer.json()


def _phases(block: dict) -> dict:
    return {
        phase: {key: value for key, value in block[phase].items() if key != "yoy"}
        for phase in ("dispatch", "arrive")
    }


def test_city_compliance_equals_a_direct_computation_this_year_and_last(
    scenario, make_user, api_client_for
):
    analyst = make_user(role=Role.CITY_ANALYST)
    data = _get(api_client_for(analyst))
    incidents = list(Incident.objects.all())
    assert _phases(data) == _direct(incidents, PERIOD)
    last_year = _direct(incidents, same_period_last_year(PERIOD))
    for phase in ("dispatch", "arrive"):
        yoy = data[phase]["yoy"]
        assert yoy["incidents"] == last_year[phase]["incidents"] > 0
        assert yoy["share"] == last_year[phase]["share"]
        assert yoy["median_seconds"] == last_year[phase]["median_seconds"]
        assert yoy["share_change"] == round(data[phase]["share"] - yoy["share"], 4)


def test_each_district_is_judged_against_its_own_standard(scenario, make_user, api_client_for):
    district_a, district_b = scenario
    analyst = make_user(role=Role.CITY_ANALYST)
    data = _get(api_client_for(analyst), area=district_a.parent_id, by="children")
    children = {child["id"]: child for child in data["children"]}
    for district, standard in ((district_a, [45, 180]), (district_b, [60, 300])):
        mine = list(Incident.objects.filter(area_path__startswith=district.path))
        assert _phases(children[district.id]) == _direct(mine, PERIOD)
        assert list(children[district.id]["standard"].values()) == standard
    # The city's count within standard is the districts' sum, though their standards differ.
    assert data["arrive"]["within_standard"] == sum(
        child["arrive"]["within_standard"] for child in data["children"]
    )


def test_a_changed_standard_judges_the_history_again(scenario, make_user, api_client_for):
    district_a, _ = scenario
    standard = ResponseStandard.objects.get(area=district_a)
    standard.arrive_seconds = 120
    standard.save()
    rollups_recompute_dirty()
    commander = make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a)
    data = _get(api_client_for(commander))
    mine = list(Incident.objects.filter(area_path__startswith=district_a.path))
    assert _phases(data) == _direct(mine, PERIOD)
    assert data["standard"]["arrive_seconds"] == 120


def test_a_district_user_sees_only_their_district_and_gets_a_table(
    scenario, make_user, api_client_for
):
    district_a, district_b = scenario
    client = api_client_for(make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a))
    assert client.get("/api/v1/patrols/compliance/", {"area": district_b.id}).status_code == 404
    answer = client.get(
        "/api/v1/patrols/compliance/",
        {"window": "custom", "from": PERIOD.start, "to": PERIOD.end, "format": "csv"},
    )
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    mine = list(Incident.objects.filter(area_path__startswith=district_a.path))
    direct = _direct(mine, PERIOD)
    header, first = rows[0], rows[1]
    assert (
        int(first[header.index("arrive_within_standard")]) == (direct["arrive"]["within_standard"])
    )
    bad = client.get("/api/v1/patrols/compliance/", {"window": "custom", "from": "2025-13-01"})
    assert bad.status_code == 400

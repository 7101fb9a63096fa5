"""Jurisdiction everywhere: district A's commander reads nothing of district B, by any route.

The walk requests every route of the URL configuration — found by walking the resolver, so a
route added later is walked too — as district A's commander: lists, statistics and pages in
every format they render (JSON, the browsable API, CSV, XLSX, GeoJSON, HTML), with typical
parameters and with ``area`` set to district B; details with B's objects (404, and no change
by any method) and with A's (200, so the 404s are not a broken route's). No answer may hold a
marker of anything outside district A (tests/jurisdiction.py). A parameterised route with no
rule in ``OBJECTS`` fails the suite: nobody adds an unscoped route silently.

The figures then: totals and counts a district reads equal those of its own records, and the
live feeds (alerts, patrol positions) bring it nothing of B's.
"""

import asyncio
import csv
import io
import json
import subprocess
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.choices import Role
from audit.models import AuditEvent
from campaigns.models import KpiReport, RemediationArea, Sweep
from imports.models import ImportJob
from imports.services import mapping_save
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from mediation.models import DisputeCase
from patrols.models import Position
from patrols.services import positions_ingest
from quality.choices import QualityKind
from reports.models import ReportJob
from safecity.asgi import application
from safecity.core.pages.base import ShellPage
from subscriptions.emails import unsubscribe_token
from subscriptions.models import InboxItem, SavedView, Subscription

from .factories import UserFactory
from .jurisdiction import OTHER, District, World, build_world

pytestmark = pytest.mark.django_db

# Not the application's routes, or documents about them rather than data.
SKIPPED_PREFIXES = ("admin/", "i18n/", "api/schema/", "api/docs/")
UNSAFE_METHODS = ("post", "put", "patch", "delete")

# How to fill each parameterised route: the URL parameters naming objects of a district.
# District B's must read as 404 (and change by no method); district A's must read as 200.
OBJECTS: dict[str, Callable[[World, District], list[dict]]] = {
    "area-detail": lambda w, d: [{"pk": d.district.pk}, {"pk": d.beat.pk}],
    "incident-detail": lambda w, d: [{"public_id": i.public_id} for i in d.incidents[:2]],
    "incident-transition": lambda w, d: [{"public_id": d.incidents[1].public_id}],
    "incident-suggested-units": lambda w, d: [{"public_id": d.incidents[0].public_id}],
    "incident-dispute-case": lambda w, d: [{"public_id": d.incidents[1].public_id}],
    "alert-rule-detail": lambda w, d: [{"pk": rule.pk} for rule in d.rules],
    "alert-detail": lambda w, d: [{"pk": alert.pk} for alert in d.alerts],
    "alert-acknowledge": lambda w, d: [{"pk": alert.pk} for alert in d.alerts[:1]],
    "alert-resolve": lambda w, d: [{"pk": alert.pk} for alert in d.alerts[:1]],
    "campaign-detail": lambda w, d: [{"pk": d.campaign.pk}],
    "campaign-summary": lambda w, d: [{"pk": d.campaign.pk}],
    "campaign-operation-detail": lambda w, d: [{"pk": d.operation.pk}],
    "campaign-battle-detail": lambda w, d: [{"pk": d.battle.pk}],
    "campaign-kpi-detail": lambda w, d: [{"pk": item.pk} for item in d.kpis],
    "campaign-kpi-reports": lambda w, d: [{"pk": item.pk} for item in d.kpis],
    "campaign-sweep-detail": lambda w, d: [{"pk": sweep.pk} for sweep in d.sweeps],
    "campaign-remediation-detail": lambda w, d: [{"pk": r.pk} for r in d.remediations],
    "campaign-remediation-inspections": lambda w, d: [{"pk": r.pk} for r in d.remediations],
    "campaign-remediation-stats": lambda w, d: [{"pk": r.pk} for r in d.remediations],
    "patrol-unit-detail": lambda w, d: [{"pk": unit.pk} for unit in d.units],
    "response-standard-detail": lambda w, d: [{"pk": d.standard.pk}],
    "dispute-case-detail": lambda w, d: [{"public_id": case.public_id} for case in d.cases],
    "dispute-case-follow-ups": lambda w, d: [{"public_id": d.cases[0].public_id}],
    "dispute-case-transition": lambda w, d: [{"public_id": d.cases[0].public_id}],
    "follow-up-complete": lambda w, d: [{"pk": f.pk} for f in d.follow_ups],
    "stats-snapshot": lambda w, d: [{"pk": snapshot.pk} for snapshot in d.snapshots],
    "report-api-detail": lambda w, d: [{"pk": report.pk} for report in d.reports],
    "report-job": lambda w, d: [{"public_id": report_job(d).public_id}],
    "report-file": lambda w, d: [{"pk": d.reports[0].pk, "fmt": fmt} for fmt in ("pdf", "docx")],
    "reports-detail": lambda w, d: [{"pk": report.pk} for report in d.reports],
    "reports-print": lambda w, d: [{"pk": report.pk} for report in d.reports],
    "reports-file": lambda w, d: [{"pk": d.reports[0].pk, "fmt": fmt} for fmt in ("pdf", "docx")],
    "dash-incident": lambda w, d: [{"public_id": i.public_id} for i in d.incidents[:2]],
    "dash-campaign": lambda w, d: [{"pk": d.campaign.pk}],
    "dash-dispute-case": lambda w, d: [{"public_id": case.public_id} for case in d.cases],
    # The quality queue's kinds are everyone's, each list holding only the caller's items (the
    # marker scan of A's answers checks it); no kind is B's, so B's stand-in is no kind (404).
    "quality-items": lambda w, d: (
        [{"kind": k} for k in QualityKind] if d is w.a else [{"kind": "not-a-kind"}]
    ),
    "quality-dismiss": lambda w, d: [{"kind": "unlocated", "public_id": d.incidents[0].public_id}],
    "quality-place": lambda w, d: [{"kind": "unlocated", "public_id": d.incidents[0].public_id}],
    "quality-times": lambda w, d: [{"kind": "timeline", "public_id": d.incidents[0].public_id}],
    "quality-category": lambda w, d: [
        {"kind": "default_category", "public_id": d.incidents[0].public_id}
    ],
    "quality-refile": lambda w, d: [
        {"kind": "outside_jurisdiction", "public_id": d.incidents[0].public_id}
    ],
    "quality-merge": lambda w, d: [{"kind": "duplicate", "public_id": d.incidents[0].public_id}],
    "quality-partners": lambda w, d: [{"kind": "duplicate", "public_id": d.incidents[0].public_id}],
    # Import jobs are their user's own: the commander opens his, not a district B officer's.
    "import-job-detail": lambda w, d: [{"public_id": _import_job(w, d).public_id}],
    "import-job-cancel": lambda w, d: [{"public_id": _import_job(w, d).public_id}],
    "import-job-errors": lambda w, d: [{"public_id": _import_job(w, d).public_id}],
    # Mappings are shared by everyone who imports (SHARED_OBJECTS): district B has none of its
    # own, and a name no one saved answers 404.
    "import-mapping-detail": lambda w, d: [] if d is w.a else [{"name": "乙区没有的映射"}],
    # The trail is administrators' only: a district opens no event, its own or another's.
    "audit-event-detail": lambda w, d: (
        [] if d is w.a else [{"pk": e.pk} for e in AuditEvent.objects.order_by("pk")[:1]]
    ),
    # Saved views: the commander's own and a colleague's shared one; B's shared in B.
    "view-detail": lambda w, d: [{"pk": v.pk} for v in _saved_views(w, d)],
    "view-home": lambda w, d: [{"pk": v.pk} for v in _saved_views(w, d)],
    "view-open": lambda w, d: [{"pk": v.pk} for v in _saved_views(w, d)],
    # Subscriptions and inbox items are their user's own: B's are another user's.
    "subscription-detail": lambda w, d: [{"pk": _subscription(w, d).pk}],
    "inbox-item-detail": lambda w, d: [{"pk": _inbox_item(w, d).pk}],
    "inbox-item-read": lambda w, d: [{"pk": _inbox_item(w, d).pk}],
    # An unsubscribe link is its own authority (a signed token, no login): A's is the
    # commander's; no link of B's is known to A, so B's stand-in is one that does not verify.
    "unsubscribe": lambda w, d: [
        {"token": unsubscribe_token(_subscription(w, d)) + ("" if d is w.a else "x")}
    ],
}
# What a GET of district A's object answers, when not 200: a saved view's link redirects to it.
OBJECT_ANSWERS = {"view-open": 302}
# The city-wide campaign a district reads in part: its share must hold nothing of B either.
SHARED_OBJECTS: dict[str, Callable[[World], list[dict]]] = {
    "campaign-detail": lambda w: [{"pk": w.city_campaign.pk}],
    "campaign-summary": lambda w: [{"pk": w.city_campaign.pk}],
    "dash-campaign": lambda w: [{"pk": w.city_campaign.pk}],
    "import-mapping-detail": lambda w: [{"name": _import_mapping().mapping.name}],
}


def _import_job(w: World, d: District):
    """An import job of district A's commander (``w.a``), or of an officer of district B."""
    owner = w.commander if d is w.a else UserFactory(role=Role.STATION_OFFICER, home_area=d.station)
    return ImportJob.objects.create(
        user=owner, stored_name="walk.upload", file_name="walk.csv", sha256="0" * 64, size=1,
        file_format="csv", spec={}, source_system="walk",
    )  # fmt: skip


def _label(w: World, d: District) -> str:
    return OTHER if d is w.b else "甲区"


def _person(w: World, d: District):
    """Someone of the district besides the walker: a station officer, carrying the marker in
    district B."""
    name = f"{OTHER.lower()}-{uuid.uuid4().hex[:6]}" if d is w.b else f"a-{uuid.uuid4().hex[:6]}"
    return UserFactory(username=name, role=Role.STATION_OFFICER, home_area=d.station)


def _saved_views(w: World, d: District) -> list[SavedView]:
    colleague = SavedView.objects.create(
        owner=_person(w, d), name=f"{_label(w, d)}共享视图", path="/incidents/",
        query=f"area={d.station.pk}", area=d.station, shared=True,
    )  # fmt: skip
    if d is w.b:
        return [colleague]
    own = SavedView.objects.create(
        owner=w.commander, name=f"甲区自己的视图{uuid.uuid4().hex[:6]}", path="/",
        query=f"area={d.district.pk}", area=d.district,
    )  # fmt: skip
    return [own, colleague]


def _subscription(w: World, d: District) -> Subscription:
    user = w.commander if d is w.a else _person(w, d)
    return Subscription.objects.create(
        user=user, topic="report", report_kind="weekly", area=d.district,
        key=f"walk-{uuid.uuid4().hex}",
    )  # fmt: skip


def _inbox_item(w: World, d: District) -> InboxItem:
    user = w.commander if d is w.a else _person(w, d)
    return InboxItem.objects.create(
        user=user, topic="report", title=f"{_label(w, d)}周报", key=f"walk-{uuid.uuid4().hex}",
        area=d.district,
    )  # fmt: skip


def _import_mapping():
    spec = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}
    return mapping_save(name="全市共用映射", spec=spec)


# Typical query parameters of routes without URL parameters (default: none), each variant
# requested in every format the route renders.
QUERIES: dict[str, Callable[[World], list[dict]]] = {
    "area-list": lambda w: [{}, {"kind": "district"}, {"within": w.city.pk}, {"q": "乙区"}],
    "area-locate": lambda w: [{"lon": 122.45, "lat": 30.45}, {"lon": 120.45, "lat": 30.45}],
    "incident-list": lambda w: [{}, {"q": "乙区"}, {"bbox": "119,29,125,33"}],
    "incident-hexes": lambda w: [{"resolution": 7}, {"resolution": 9}],
    # The entry form's address search: B's addresses and area names carry the marker.
    "incident-places": lambda w: [{"q": OTHER}, {"q": "乙区"}, {"q": "区"}],
    "stats-summary": lambda w: [{"measure": "count,money_involved,loss"}],
    "stats-timeseries": lambda w: [{"window": "28d"}],
    "stats-breakdown": lambda w: [
        {"by": by, "window": "28d"} for by in ("area", "category", "hour_weekday")
    ],
    "stats-compstat": lambda w: [{}, {"level": "district"}, {"level": "station"}],
    "stats-snapshots": lambda w: [{}, {"area_key": w.a.district.pk}],
    "alert-list": lambda w: [{}, {"state": "open"}],
    "campaign-list": lambda w: [{}],
    "campaign-kpi-list": lambda w: [{}, {"campaign": w.city_campaign.pk}],
    "campaign-sweep-list": lambda w: [{}, {"campaign": w.city_campaign.pk}],
    "campaign-remediation-list": lambda w: [{}, {"campaign": w.city_campaign.pk}],
    "campaign-battle-list": lambda w: [{}, {"campaign": w.a.campaign.pk}],
    "campaign-operation-list": lambda w: [{}, {"campaign": w.a.campaign.pk}],
    "patrol-compliance": lambda w: [{"window": "7d", "by": "children"}],
    "patrol-coverage": lambda w: [{}, {"resolution": 9}],
    "patrol-positions": lambda w: [{}, {"unit": w.a.units[0].code}],
    "patrol-unit-list": lambda w: [{}, {"home_zone": w.a.zone.pk}],
    "mediation-stats": lambda w: [{}, {"by": "type"}, {"by": "area"}],
    "dispute-case-list": lambda w: [{}, {"status": "escalated"}],
    "follow-up-list": lambda w: [{}, {"overdue": "true"}],
    "dash-overview": lambda w: [{}, {"window": "7d"}],
    "dash-incidents": lambda w: [{}, {"q": "乙区"}],
    "dash-compstat": lambda w: [{}, {"level": "station"}],
    "dash-alerts": lambda w: [{}, {"state": "open"}],
}
# Routes that answer a district commander without data: the trail is administrators' only;
# the second-factor steps send anyone who needs none on to the dashboards; recording an
# incident, importing a file of them and opening a dispute case are a station officer's.
NOT_ANSWERED = {
    "audit-event-list": 403,
    "audit-events": 403,
    "otp-verify": 302,
    "otp-setup": 302,
    "dash-incident-new": 403,
    "dash-dispute-case-new": 403,
    "dash-imports": 403,
    "dash-quality": 403,
}
# Parameters naming district B's objects: refused (400, 404) or, filtering a list, an empty
# list. Every route whose OpenAPI operation takes ``area``, and every page, gets B's area too.
NAMING_OTHERS: dict[str, Callable[[World], list[dict]]] = {
    "stats-snapshots": lambda w: [{"area_key": w.b.district.pk}],
    "campaign-kpi-list": lambda w: [{"campaign": w.b.campaign.pk}],
    "campaign-sweep-list": lambda w: [{"campaign": w.b.campaign.pk}],
    "campaign-remediation-list": lambda w: [{"campaign": w.b.campaign.pk}],
    "campaign-battle-list": lambda w: [{"campaign": w.b.campaign.pk}],
    "campaign-operation-list": lambda w: [{"campaign": w.b.campaign.pk}],
    "patrol-positions": lambda w: [{"unit": w.b.units[0].code}],
    "patrol-unit-list": lambda w: [{"home_zone": w.b.zone.pk}],
    "dash-compstat": lambda w: [{"snapshot": w.b.snapshots[0].pk}],
}


def report_job(d: District) -> ReportJob:
    """A briefing job of the district's, done with its briefing."""
    report = d.reports[0]
    return ReportJob.objects.create(
        kind=report.kind, area=report.area, area_path=report.area_path, report=report, status="done"
    )


@dataclass(frozen=True)
class Route:
    """One route of the URL configuration: its pattern, name, parameters and view."""

    pattern: str
    name: str
    params: frozenset[str]
    callback: Callable

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def methods(self) -> set[str]:
        actions = getattr(self.callback, "actions", None)
        if actions:
            return set(actions)
        view = self.view_class
        if view is None:
            return {"get"}
        return {m for m in view.http_method_names if hasattr(view, m)} - {"options", "head"}

    @property
    def formats(self) -> list[str]:
        """The formats a DRF view renders (``json`` its default); a page renders HTML."""
        if getattr(self.callback, "cls", None) is None:
            return ["html"]
        initkwargs = getattr(self.callback, "initkwargs", {})
        renderers = initkwargs.get("renderer_classes") or self.view_class.renderer_classes
        return [renderer.format for renderer in renderers]

    @property
    def is_page(self) -> bool:
        return self.view_class is not None and issubclass(self.view_class, ShellPage)


def url_routes() -> list[Route]:
    """Every route a client can request, once each (format-suffix twins left out)."""
    routes: dict[str, Route] = {}

    def walk(patterns, prefix: str, params: frozenset[str]):
        for entry in patterns:
            pattern = prefix + str(entry.pattern)
            names = params | set(entry.pattern.regex.groupindex)
            if pattern.startswith(SKIPPED_PREFIXES) or "format" in names:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, pattern, names)
            elif pattern not in routes:
                routes[pattern] = Route(pattern, entry.name, frozenset(names), entry.callback)

    walk(get_resolver().url_patterns, "", frozenset())
    static = settings.STATIC_URL.lstrip("/")
    return [route for route in routes.values() if not route.pattern.startswith(static)]


def areas_taken() -> set[str]:
    """The API paths whose documented parameters include ``area`` (from the OpenAPI schema)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path
        for path, operations in schema["paths"].items()
        if any(
            parameter["name"] == "area" and parameter["in"] == "query"
            for parameter in operations.get("get", {}).get("parameters", [])
        )
    }


def body_text(response) -> str:
    """The answer's body as text, whatever its format (CSV streams, XLSX workbooks, a
    briefing's PDF and DOCX)."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:4] == b"%PDF":  # a briefing: its text
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True
        ).stdout.decode("utf-8", errors="replace")
    if (
        content[:2] == b"PK"
        and "word/document.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    ):
        from docx import Document

        document = Document(io.BytesIO(content))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    if content[:2] == b"PK":  # an XLSX workbook: its cells
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace")


def found_markers(world: World, text: str, query: dict | None = None, path: str = "") -> list[str]:
    """The markers of what lies outside district A in ``text``; the request's own parameters
    echoed in a URL (the browsable API shows the one it answers) and its own path (the error
    page's language switch returns to it) are not a leak."""
    for name, value in (query or {}).items():
        text = text.replace(urlencode({name: value}), "")
    if path:
        text = text.replace(f'value="{path}"', "")
    lowered = text.lower()
    return [marker for marker in world.markers if marker.lower() in lowered]


def with_format(query: dict, fmt: str) -> dict:
    return query if fmt in ("json", "html") else {**query, "format": fmt}


def is_empty_answer(text: str) -> bool:
    """A JSON list answer with nothing in it (a filter naming another district's area)."""
    data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("results", data.get("features"))
    return data == []


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def commander_client(world) -> Client:
    # A server error is one more problem of the walk, reported with the others.
    client = Client(raise_request_exception=False)
    client.force_login(world.commander)
    return client


def test_every_parameterised_route_has_a_rule_for_its_objects():
    routes = url_routes()
    assert [route.pattern for route in routes if not route.name] == [], "unnamed routes"
    missing = sorted(r.name for r in routes if r.params and r.name not in OBJECTS)
    assert missing == [], f"routes with no rule in OBJECTS for their URL parameters: {missing}"
    names = {route.name for route in routes}
    rules = (OBJECTS, SHARED_OBJECTS, QUERIES, NAMING_OTHERS, NOT_ANSWERED, OBJECT_ANSWERS)
    stale = sorted(set().union(*rules) - names)
    assert stale == [], f"rules for routes that no longer exist: {stale}"


def test_walking_every_route_as_a_district_shows_nothing_of_another(world, commander_client):
    client, problems = commander_client, []
    with_area = areas_taken()
    walked = 0
    assert "/api/v1/stats/summary" in with_area, "the OpenAPI schema lost the area parameter"

    def check(route: Route, method: str, url: str, query: dict, allowed: set[int]):
        nonlocal walked
        walked += 1
        response = getattr(client, method)(url, query if method == "get" else None)
        text = body_text(response)
        where = f"{method.upper()} {url} {query or ''}"
        if response.status_code not in allowed:
            problems.append(f"{where}: {response.status_code}, expected one of {sorted(allowed)}")
        if markers := found_markers(world, text, query, path=url):
            problems.append(f"{where}: answered {', '.join(markers)}")
        return response, text

    routes = url_routes()
    for route in routes:
        if route.params or "get" not in route.methods:
            continue
        url = reverse(route.name)
        queries = QUERIES.get(route.name, lambda w: [{}])(world)
        for fmt in route.formats:
            for query in queries:
                expected = NOT_ANSWERED.get(route.name, 200)
                check(route, "get", url, with_format(query, fmt), {expected})
            naming = NAMING_OTHERS.get(route.name, lambda w: [])(world)
            if route.is_page or url in with_area:
                naming = [*naming, {"area": world.b.district.pk}]
            for query in naming:
                query = with_format(query, fmt)
                response, text = check(route, "get", url, query, {200, 400, 403, 404})
                # A list filtered by another district's object may answer empty; nothing else.
                refused = response.status_code != 200 or fmt not in ("json", "html")
                if not refused and not (fmt == "json" and is_empty_answer(text)):
                    problems.append(f"GET {url} {query}: 200 for another district's object")

    for route in routes:
        if not route.params:
            continue
        shared = SHARED_OBJECTS.get(route.name, lambda w: [])(world)
        for kwargs in OBJECTS[route.name](world, world.a) + shared:
            url = reverse(route.name, kwargs=kwargs)
            if "get" in route.methods:
                for fmt in route.formats:
                    answer = OBJECT_ANSWERS.get(route.name, 200)
                    check(route, "get", url, with_format({}, fmt), {answer})
        others = OBJECTS[route.name](world, world.b)
        if not others:
            problems.append(f"{route.name}: the rule names no object of district B")
        for kwargs in others:
            url = reverse(route.name, kwargs=kwargs)
            if "get" in route.methods:
                check(route, "get", url, {}, {403, 404})
            for method in sorted(route.methods & set(UNSAFE_METHODS)):
                check(route, method, url, {}, {403, 404, 405})

    assert walked > 100
    assert problems == [], "\n".join(problems)


# --- figures: what a district reads adds up to its own records, and only those ---------------


def api(client: Client, url: str, **query):
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return response.json()


def own(world: World):
    return Incident.objects.filter(area_path__startswith=world.a.path)


def test_statistics_of_a_district_sum_its_own_incidents(world, commander_client):
    client, incidents = commander_client, own(world)
    total = incidents.count()
    money = incidents.aggregate(money=Sum("money_involved"), loss=Sum("loss"))
    summary = api(
        client, "/api/v1/stats/summary", window="28d", measure="count,money_involved,loss"
    )["measures"]
    assert summary["count"]["current"] == total
    assert summary["money_involved"]["current"] == float(money["money"])
    assert summary["loss"]["current"] == float(money["loss"])
    series = api(client, "/api/v1/stats/timeseries", window="28d")
    assert sum(point["value"] for point in series["points"]) == total
    by_area = api(client, "/api/v1/stats/breakdown", window="28d", by="area")["rows"]
    assert {row["id"] for row in by_area} == {world.a.station.pk}
    by_category = api(client, "/api/v1/stats/breakdown", window="28d", by="category")
    assert sum(row["current"] for row in by_category["rows"]) == total
    matrix = api(client, "/api/v1/stats/breakdown", window="28d", by="hour_weekday")
    assert sum(map(sum, matrix["matrix"])) == total
    [table] = api(client, "/api/v1/stats/compstat")["tables"]
    assert table["area"]["id"] == world.a.district.pk
    assert table["rows"][0]["28d"]["this_year"] == total
    dispatched = incidents.exclude(dispatched_at=None).count()
    compliance = api(client, "/api/v1/patrols/compliance/", window="7d")
    assert compliance["dispatch"]["incidents"] == dispatched
    hexes = api(client, "/api/v1/incidents/hexes/", resolution=9)["features"]
    assert sum(f["properties"]["count"] for f in hexes) == incidents.exclude(h3_r9="").count()
    coverage = api(client, "/api/v1/patrols/coverage/")
    assert coverage["incidents"] == incidents.exclude(lat=None).count()
    assert coverage["unit_minutes"] > 0


def test_mediation_figures_of_a_district_count_its_own_cases(world, commander_client):
    cases = DisputeCase.objects.filter(area_path__startswith=world.a.path)
    # The world's cases were screened in the last ten hours: today so far counts those before
    # its minute (and the cases list shows them all).
    stats = api(commander_client, "/api/v1/mediation/stats/", window="7d", partial="today")
    so_far = stats["today_so_far"]
    until = timezone.make_aware(datetime.fromisoformat(f"{so_far['day']}T{so_far['until']}"))
    counted = cases.filter(screened_at__lt=until)
    assert stats["measures"]["screened"]["current"] == counted.count()
    assert stats["measures"]["resolved"]["current"] == counted.filter(status="resolved").count()
    listed = api(commander_client, "/api/v1/mediation/cases/")["results"]
    assert {row["id"] for row in listed} == {str(case.public_id) for case in cases}
    follow_ups = api(commander_client, "/api/v1/mediation/follow-ups/")["results"]
    assert {row["id"] for row in follow_ups} == {f.pk for f in world.a.follow_ups}


def test_lists_and_exports_of_a_district_hold_exactly_its_own_records(world, commander_client):
    client, incidents = commander_client, own(world)
    ids = {str(public_id) for public_id in incidents.values_list("public_id", flat=True)}
    listed = api(client, "/api/v1/incidents/")["results"]
    assert {row["id"] for row in listed} == ids
    exported = client.get("/api/v1/incidents/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(body_text(exported).lstrip("\ufeff"))))
    assert {row["id"] for row in rows} == ids
    mapped = api(client, "/api/v1/incidents/", format="geojson")["features"]
    assert {f["properties"]["id"] for f in mapped} == ids
    alerts = api(client, "/api/v1/alerts/")["results"]
    assert {row["id"] for row in alerts} == set(world.a.alerts.values_list("pk", flat=True))
    assert alerts, "district A raised alerts of its own"
    units = api(client, "/api/v1/patrols/units/")["results"]
    assert {row["code"] for row in units} == {unit.code for unit in world.a.units}
    positions = api(client, "/api/v1/patrols/positions/")["results"]
    assert len(positions) == Position.objects.filter(unit__in=world.a.units).count()
    snapshots = api(client, "/api/v1/stats/snapshots/")["results"]
    assert {row["id"] for row in snapshots} == {s.pk for s in world.a.snapshots}
    rules = api(client, "/api/v1/alerts/rules/")
    rules = rules["results"] if isinstance(rules, dict) else rules
    assert world.b.rules[0].pk not in {row["id"] for row in rules}
    assert world.a.rules[0].pk in {row["id"] for row in rules}


def test_a_city_wide_campaign_sums_only_the_districts_share(world, commander_client):
    campaign = world.city_campaign
    summary = api(commander_client, f"/api/v1/campaigns/{campaign.pk}/summary/")
    sweeps = Sweep.objects.filter(pk__in=[s.pk for s in world.a.sweeps])
    assert summary["sweeps"]["count"] == len(world.a.sweeps)
    assert summary["sweeps"]["officers"] == sweeps.aggregate(n=Sum("officers"))["n"]
    items = [item for item in world.a.kpis if item.campaign_id == campaign.pk]
    reported = KpiReport.objects.filter(item__in=items)
    assert summary["reported"] == {r.item.label: float(r.value) for r in reported}
    assert sum(summary["kpis"].values()) == len(items)
    areas = RemediationArea.objects.filter(campaign=campaign, unit_path__startswith=world.a.path)
    assert summary["remediation_areas"]["total"] == areas.count()
    # The city's battles belong to no district: every district reads them whole; B's not.
    assert summary["battles"]["count"] == campaign.battles.filter(lead_unit=world.city).count()
    assert campaign.battles.filter(lead_unit=world.b.district).exists()
    # Every incident of the world was reported within the campaign's period so far.
    assert summary["incidents"]["total"]["current"] == own(world).count()
    assert [row["area"] for row in summary["incidents"]["rows"]] == [world.a.district.name]

    # The same lists the campaign's pages and API give the district.
    kpis = api(commander_client, "/api/v1/campaigns/kpis/", campaign=campaign.pk)["results"]
    assert {row["id"] for row in kpis} == {item.pk for item in items}


def test_a_city_wide_campaign_sums_every_district_for_the_city(world, client):
    client.force_login(world.analyst)
    summary = api(client, f"/api/v1/campaigns/{world.city_campaign.pk}/summary/")
    assert summary["sweeps"]["count"] == len(world.a.sweeps) + len(world.b.sweeps)
    assert summary["remediation_areas"]["total"] == world.city_campaign.remediations.count()
    assert [row["area"] for row in summary["incidents"]["rows"]] == [world.city.name]


def test_remediation_statistics_count_no_incident_of_another_district(world, commander_client):
    border = next(r for r in world.a.remediations if r.name == "甲区界边整治点")
    stats = api(commander_client, f"/api/v1/campaigns/remediation-areas/{border.pk}/stats/")
    # The polygon reaches over the boundary, where B's incident lies: only A's is counted.
    assert stats["current"] == 1


# --- live feeds ----------------------------------------------------------------------------


QUIET = 0.5  # seconds a socket must stay silent to count as "received nothing"
ALERTS_FEED = "/ws/alerts/"
POSITIONS_FEED = "/ws/patrols/positions/"


def test_every_live_feed_is_checked_for_jurisdiction():
    from safecity.routing import websocket_urlpatterns

    feeds = {f"/{entry.pattern}" for entry in websocket_urlpatterns}
    assert feeds == {ALERTS_FEED, POSITIONS_FEED}, "a new feed needs a jurisdiction test here"


def socket_for(user, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    # AllowedHostsOriginValidator wants a host it knows.
    communicator.scope["headers"] = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    return communicator


async def live_feed(user, feed: str, ingest):
    """Connect ``user`` to ``feed``, read its first message, run ``ingest``, then read what is
    pushed and whether the line stays quiet afterwards."""
    socket = socket_for(user, feed)
    ok, _ = await socket.connect()
    assert ok
    first = await socket.receive_json_from(timeout=5)
    await ingest()
    pushed = await socket.receive_json_from(timeout=5)
    quiet = await socket.receive_nothing(timeout=QUIET)
    await socket.disconnect()
    return first, pushed, quiet


@pytest.mark.django_db(transaction=True)
def test_the_alert_feed_of_a_district_brings_nothing_of_another():
    world = build_world()
    fatal = {
        "category": "traffic_accident_fatal",
        "reported_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "lat": 30.45,
    }
    rows = [
        {**fatal, "source_ref": "live-b", "lon": 122.45, "address": f"{OTHER}新事故"},
        {**fatal, "source_ref": "live-a", "lon": 120.45, "address": "甲区新事故"},
    ]
    ingest = database_sync_to_async(
        lambda: incidents_ingest(rows=rows, source_system="live"), thread_sensitive=False
    )

    own_alerts = set(world.a.alerts.values_list("pk", flat=True))

    backlog, pushed, quiet = asyncio.run(live_feed(world.commander, ALERTS_FEED, ingest))
    assert backlog["type"] == "backlog" and backlog["alerts"]
    assert {alert["id"] for alert in backlog["alerts"]} == own_alerts
    assert found_markers(world, json.dumps(backlog, ensure_ascii=False)) == []
    assert pushed["type"] == "alert" and pushed["alert"]["title"].endswith("甲区新事故")
    assert quiet


@pytest.mark.django_db(transaction=True)
def test_the_position_feed_of_a_district_brings_nothing_of_another():
    world = build_world()
    at = timezone.now().replace(microsecond=0).isoformat()
    pings = [
        {"unit": world.b.units[0].code, "at": at, "lon": 122.44, "lat": 30.44},
        {"unit": world.a.units[0].code, "at": at, "lon": 120.44, "lat": 30.44},
    ]
    ingest = database_sync_to_async(lambda: positions_ingest(pings=pings), thread_sensitive=False)

    snapshot, pushed, quiet = asyncio.run(live_feed(world.commander, POSITIONS_FEED, ingest))
    assert {p["unit"] for p in snapshot["positions"]} == {unit.code for unit in world.a.units}
    assert found_markers(world, json.dumps(snapshot, ensure_ascii=False)) == []
    assert [p["unit"] for p in pushed["positions"]] == [world.a.units[0].code]
    assert quiet

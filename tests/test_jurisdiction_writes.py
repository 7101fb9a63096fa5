"""The write walk: every write route and socket action, as every role and every token scope,
against objects inside and outside the caller's jurisdiction (issue 21).

Beside the read walk (tests/test_jurisdiction.py) over the same two-district world: the callers
are the roles of district A (its commander, a station officer of A, a viewer and an API client
of A), the city analyst and an administrator, each by session, by a token with every read scope
and by a token with every scope. Each write is tried against district A's objects (or a place
in A) and district B's, and against a sweep the two districts share:

- a caller whose role may not make the change, or whose token lacks the write scope, is refused
  (403, or 404 where it may not even read the object) and nothing changes anywhere;
- a change aimed at what lies outside the caller's jurisdiction — B's object, a place in B, B's
  source reference, the shared sweep for a district — is refused and nothing changes;
- the callers the role table lets make the change succeed inside their jurisdiction, so the
  refusals above are not a broken request's.

Every write route must have a rule in ``WRITES``: a route added later without one fails the
suite. Each attempt runs in a savepoint rolled back afterwards, so all start from one world.
"""

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.scopes import SCOPES
from accounts.services import api_token_create
from alerts.models import Alert, AlertRule
from campaigns.models import (
    Campaign,
    ClusterBattle,
    KpiItem,
    KpiReport,
    RemediationArea,
    RemediationInspection,
    SubOperation,
    Sweep,
)
from imports.models import ImportJob
from incidents.ingest import incidents_ingest
from incidents.models import DeviceEvent, Incident, IncidentStatusChange
from mediation.models import CaseStatusChange, DisputeCase, FollowUp
from patrols.models import PatrolUnit, Position, ResponseStandard
from quality.models import QualityDismissal
from reports.models import ReportJob
from safecity.asgi import application
from subscriptions.models import HomeView, InboxItem, SavedView, Subscription

from .factories import UserFactory, square
from .jurisdiction import District, World, build_world
from .test_jurisdiction import UNSAFE_METHODS, url_routes

pytestmark = pytest.mark.django_db


class Upload(dict):
    """A multipart body of the API (a file upload), encoded by the test client."""


class FormPost(dict):
    """The body of a page's form (safecity.core.pages.forms), posted form-encoded: pages are
    for sessions (a token's request is sent to the login page), and a success redirects."""


# Routes that write no record of the platform's: the login steps.
NOT_DATA = {"login", "logout", "otp-verify", "otp-setup"}

READ_SCOPES = sorted(scope for scope in SCOPES if scope.endswith(":read"))
ALL_SCOPES = sorted(SCOPES)

# Who may make each change (besides administrators, who may make all), as the role table and
# the README say: (route name, method) → roles.
OFFICER, COMMANDER, ANALYST = Role.STATION_OFFICER, Role.DISTRICT_COMMANDER, Role.CITY_ANALYST
ALERT_HANDLERS = {OFFICER, COMMANDER, ANALYST}
EVERY_READER = {OFFICER, COMMANDER, ANALYST, Role.VIEWER}
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("incident-list", "post"): {OFFICER},
    ("incident-bulk", "post"): {OFFICER},
    ("incident-detail", "patch"): {OFFICER},
    ("incident-transition", "post"): {OFFICER},
    ("dash-incident-new", "post"): {OFFICER},
    ("dash-incident", "post"): {OFFICER},
    ("alert-acknowledge", "post"): ALERT_HANDLERS,
    ("alert-resolve", "post"): ALERT_HANDLERS,
    ("campaign-kpi-list", "post"): {COMMANDER},
    ("campaign-kpi-detail", "patch"): {COMMANDER},
    ("campaign-kpi-detail", "put"): {COMMANDER},
    ("campaign-kpi-detail", "delete"): {COMMANDER},
    ("campaign-kpi-reports", "post"): {COMMANDER, OFFICER},
    ("campaign-sweep-list", "post"): {COMMANDER, OFFICER},
    ("campaign-sweep-detail", "patch"): {COMMANDER},
    ("campaign-sweep-detail", "put"): {COMMANDER},
    ("campaign-remediation-inspections", "post"): {COMMANDER, OFFICER},
    ("patrol-positions", "post"): {COMMANDER, OFFICER},
    ("incident-dispute-case", "post"): {OFFICER},
    ("dispute-case-list", "post"): {OFFICER},
    ("dispute-case-detail", "patch"): {OFFICER},
    ("dispute-case-detail", "put"): {OFFICER},
    ("dispute-case-follow-ups", "post"): {OFFICER},
    ("dispute-case-transition", "post"): {OFFICER},
    ("follow-up-complete", "post"): {OFFICER},
    # The pages' forms, by session only (a token opens no page): the same services, so the
    # same roles.
    ("dash-dispute-case-new", "post"): {OFFICER},
    ("dash-dispute-case", "post"): {OFFICER},
    ("dash-alerts", "post"): ALERT_HANDLERS,
    ("dash-campaign", "post"): {COMMANDER, OFFICER},
    # An import job is checked row by row when it runs (tests/imports); its upload, a
    # preview and a saved mapping need the permission to add incidents. Cancelling another
    # user's job is an administrator's.
    ("import-job-list", "post"): {OFFICER},
    ("import-job-preview", "post"): {OFFICER},
    ("import-mapping-list", "post"): {OFFICER},
    # The quality queue's fixes go through incident_update: who may change incidents.
    ("quality-dismiss", "post"): {OFFICER},
    ("quality-place", "post"): {OFFICER},
    ("quality-times", "post"): {OFFICER},
    ("quality-category", "post"): {OFFICER},
    ("quality-refile", "post"): {OFFICER},
    ("quality-merge", "post"): {OFFICER},
    ("dash-quality", "post"): {OFFICER},
    # Saved views, home views, subscriptions and the inbox are a person's own: every role
    # that reads the platform keeps them, of areas in its jurisdiction.
    ("view-list", "post"): EVERY_READER,
    ("view-home", "post"): EVERY_READER,
    ("view-home", "delete"): EVERY_READER,
    ("subscription-list", "post"): EVERY_READER,
    ("inbox-item-read-all", "post"): EVERY_READER,
    ("dash-inbox", "post"): EVERY_READER,
    # A briefing is asked for by whoever reads the statistics it is made of, for an area in
    # their jurisdiction (a token needs stats:write). The walk asks for district A's: a
    # station officer's jurisdiction is a station, which holds no district.
    ("report-list", "post"): {COMMANDER, ANALYST, Role.VIEWER, Role.API_CLIENT},
    ("reports-list", "post"): {COMMANDER, ANALYST, Role.VIEWER, Role.API_CLIENT},
}
# Another person's saved view, subscription or inbox item: no one changes it, administrators
# neither (tests/subscriptions: its owner does).
OTHERS_OWN = {
    ("view-detail", "patch"),
    ("view-detail", "delete"),
    ("subscription-detail", "delete"),
    ("inbox-item-read", "post"),
}


@dataclass
class Walk:
    """The world, and what the walk adds to it: a sweep both districts share, a dispute
    incident without a case in each district, and a colleague's saved view, subscription and
    inbox item in each (``personal``)."""

    world: World
    shared_sweep: Sweep
    dispute_incidents: dict[str, Incident]
    admin: Client
    personal: dict

    def __getattr__(self, name):
        return getattr(self.world, name)


def _now(hours: float = 0) -> str:
    return (timezone.now() - timedelta(hours=hours)).isoformat()


def _in_beat(d: District) -> tuple[float, float]:
    """A point inside the district's beat (and so its station, zone and district)."""
    ring = d.beat.geometry["coordinates"][0]
    return ring[0][0] + 0.05, ring[0][1] + 0.05


def _incident_row(w: Walk, d: District, ref: str) -> dict:
    lon, lat = _in_beat(d)
    return {
        "source_ref": ref,
        "category": "theft_ebike",
        "reported_at": _now(1),
        "lon": lon,
        "lat": lat,
        "summary": "写入巡检",
    }


def _overwrite_row(w: Walk, d: District) -> dict:
    """Re-send d's incident reference, placed in district A: the cross-district overwrite."""
    victim = d.incidents[0]
    return {**_incident_row(w, w.a, victim.source_ref), "source_system": victim.source_system}


def _open_alert(d: District) -> Alert:
    alert = d.alerts.filter(state="open", area_path__startswith=d.station.path).first()
    assert alert is not None, f"district {d.name} has no open alert in its station"
    return alert


def _represent(w: Walk, name: str, kwargs: dict) -> dict:
    """An object's representation as the administrator reads it: a PUT body."""
    response = w.admin.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, response.status_code)
    return response.json()


def _today() -> str:
    return timezone.localdate().isoformat()


# (route name, method) → variants, each (label, targets → (URL kwargs, body)). A target is
# district "a" or "b", or "shared" (the sweep of both districts).
Attempt = Callable[[Walk, str], tuple[dict, object]]


def _d(w: Walk, target: str) -> District:
    return w.a if target == "a" else w.b


def _create_incident(w, t):
    return {}, _incident_row(w, _d(w, t), f"walk-new-{t}")


def _overwrite(w, t):
    return {}, _overwrite_row(w, _d(w, t))


def _local(hours: float) -> str:
    """A time as a page's form takes it: local, to the minute."""
    return timezone.localtime(timezone.now() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _spot(w, t) -> dict:
    lon, lat = _in_beat(_d(w, t))
    return {"lon": lon, "lat": lat}


def _entry_form(w, t) -> FormPost:
    lon, lat = _in_beat(_d(w, t))
    return FormPost(
        {
            "form": "incident",
            "incident-category": "theft_ebike",
            "incident-source": "call_110",
            "incident-priority": "3",
            "incident-reported_at": _local(1),
            "incident-lon": lon,
            "incident-lat": lat,
            "incident-summary": "写入巡检",
        }
    )


def _facts_form(w, t) -> FormPost:
    lon, lat = _in_beat(_d(w, t))
    return FormPost(
        {"form": "facts", "facts-category": "theft_ebike", "facts-lon": lon, "facts-lat": lat}
        | {"facts-summary": "写入巡检"}
    )


def _device_event(w, t):
    lon, lat = _in_beat(_d(w, t))
    return {}, {
        "device_id": f"walk-cam-{t}",
        "event_id": "1",
        "lon": lon,
        "lat": lat,
        "event_type": "drowning_person_at_water",
        "occurred_at": _now(0.1),
        "confidence": 0.9,
    }


def _incident(w, t, index=0):
    return {"public_id": _d(w, t).incidents[index].public_id}


def _campaign_body(w, t):
    d = _d(w, t)
    return {
        "name": f"写入巡检{t}",
        "code": f"walk-{t}",
        "kind": "special",
        "starts_on": _today(),
        "ends_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "organizer": d.district.pk,
        "scope_areas": [d.district.pk],
    }


def _kpi_body(w, t):
    d = _d(w, t)
    return {
        "campaign": w.city_campaign.pk,
        "label": f"写入巡检{t}",
        "metric": "counter",
        "unit": d.station.pk,
        "target": "10",
        "direction": "at_least",
        "deadline": w.city_campaign.ends_on.isoformat(),
    }


def _counter_item(d: District) -> KpiItem:
    return next(item for item in d.kpis if item.metric == "counter")


def _remediation_body(w, t):
    d = _d(w, t)
    lon, lat = _in_beat(d)
    return {
        "campaign": w.city_campaign.pk,
        "name": f"写入巡检{t}",
        "unit": d.zone.pk,
        "geometry": square(lon, lat, 0.01),
        "responsible_person": "巡检",
        "problem": "巡检",
        "target": "巡检",
        "listed_on": _today(),
        "due_on": w.city_campaign.ends_on.isoformat(),
    }


def _sweep(w, t) -> Sweep:
    return w.shared_sweep if t == "shared" else _d(w, t).sweeps[0]


def _case_body(w, t):
    lon, lat = _in_beat(_d(w, t))
    return {
        "type": "neighbour",
        "summary": f"写入巡检{t}",
        "source": "screening",
        "lon": lon,
        "lat": lat,
    }


def _ping(w, t):
    lon, lat = _in_beat(_d(w, t))
    return {"unit": _d(w, t).units[0].code, "at": _now(0), "lon": lon, "lat": lat}


def _case(w, t):
    return {"public_id": _d(w, t).cases[0].public_id}


IMPORT_SPEC = json.dumps(
    {
        "fields": {
            "source_ref": "id", "reported_at": "time", "category": "kind", "lon": "lon",
            "lat": "lat",
        }
    }
)  # fmt: skip


def _import_file(w, t) -> SimpleUploadedFile:
    lon, lat = _in_beat(_d(w, t))
    text = f"id,time,kind,lon,lat\nwalk-import-{t},{_now(1)},theft_ebike,{lon},{lat}\n"
    return SimpleUploadedFile("walk.csv", text.encode(), "text/csv")


def _others_job(w) -> tuple[dict, None]:
    """A queued job of an officer of district A: only an administrator may cancel it."""
    owner = UserFactory(role=Role.STATION_OFFICER, home_area=w.a.station)
    job = ImportJob.objects.create(
        user=owner, stored_name="walk.upload", file_name="walk.csv", sha256="0" * 64, size=1,
        file_format="csv", spec={}, source_system="walk",
    )  # fmt: skip
    return {"public_id": job.public_id}, None


def _put(name: str, kwargs_of: Callable[[Walk, str], dict]) -> Attempt:
    return lambda w, t: (kwargs_of(w, t), _represent(w, name, kwargs_of(w, t)))


AB = ("a", "b")
AB_SHARED = ("a", "b", "shared")
WRITES: dict[tuple[str, str], list[tuple[str, tuple[str, ...], Attempt]]] = {
    ("incident-list", "post"): [
        ("create", AB, _create_incident),
        ("overwrite by reference", AB, _overwrite),
    ],
    ("incident-bulk", "post"): [
        ("create", AB, lambda w, t: ({}, [_create_incident(w, t)[1]])),
        ("overwrite by reference", AB, lambda w, t: ({}, [_overwrite(w, t)[1]])),
    ],
    ("incident-detail", "patch"): [
        ("change", AB, lambda w, t: (_incident(w, t), {"summary": "x"}))
    ],
    ("incident-transition", "post"): [
        ("dispatch", AB, lambda w, t: (_incident(w, t, 1), {"to": "dispatched"})),
    ],
    ("dash-incident-new", "post"): [("record", AB, lambda w, t: ({}, _entry_form(w, t)))],
    ("dash-incident", "post"): [
        (
            "dispatch",
            AB,
            lambda w, t: (
                _incident(w, t, 1),
                FormPost({"form": "dispatch", "dispatch-at": _local(0)}),
            ),
        ),
        ("edit facts", AB, lambda w, t: (_incident(w, t), _facts_form(w, t))),
    ],
    ("quality-dismiss", "post"): [
        ("dismiss", AB, lambda w, t: ({"kind": "unlocated", **_incident(w, t)}, {"note": "x"}))
    ],
    ("quality-place", "post"): [
        ("place", AB, lambda w, t: ({"kind": "unlocated", **_incident(w, t)}, _spot(w, t)))
    ],
    ("quality-times", "post"): [
        (
            "correct",
            AB,
            lambda w, t: (
                {"kind": "timeline", **_incident(w, t, 1)},
                {"dispatched_at": _d(w, t).incidents[1].reported_at.isoformat()},
            ),
        )
    ],
    ("quality-category", "post"): [
        (
            "set the category",
            AB,
            lambda w, t: (
                {"kind": "default_category", **_incident(w, t)},
                {"category": "theft_burglary"},
            ),
        )
    ],
    ("quality-refile", "post"): [
        ("refile", AB, lambda w, t: ({"kind": "outside_jurisdiction", **_incident(w, t)}, {}))
    ],
    ("quality-merge", "post"): [
        (
            "merge",
            AB,
            lambda w, t: (
                {"kind": "duplicate", **_incident(w, t)},
                {"into": str(_d(w, t).incidents[1].public_id)},
            ),
        )
    ],
    ("dash-quality", "post"): [
        (
            "dismiss",
            AB,
            lambda w, t: (
                {},
                FormPost({"form": "dismiss", "dismiss-incident": _incident(w, t)["public_id"]}),
            ),
        )
    ],
    ("device-events", "post"): [("event", AB, _device_event)],
    ("alert-rule-list", "post"): [
        (
            "create",
            AB,
            lambda w, t: (
                {},
                {
                    "name": "巡检",
                    "kind": "instant",
                    "severity": "warning",
                    "area": _d(w, t).district.pk,
                    "categories": ["fight"],
                },
            ),
        ),
    ],
    ("alert-rule-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).rules[0].pk}, {"name": "x"}))
    ],
    ("alert-rule-detail", "put"): [
        ("replace", AB, _put("alert-rule-detail", lambda w, t: {"pk": _d(w, t).rules[0].pk}))
    ],
    ("alert-rule-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).rules[0].pk}, None))
    ],
    ("alert-acknowledge", "post"): [
        ("acknowledge", AB, lambda w, t: ({"pk": _open_alert(_d(w, t)).pk}, {}))
    ],
    ("alert-resolve", "post"): [
        ("resolve", AB, lambda w, t: ({"pk": _open_alert(_d(w, t)).pk}, {}))
    ],
    ("campaign-list", "post"): [("create", AB, lambda w, t: ({}, _campaign_body(w, t)))],
    ("campaign-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).campaign.pk}, {"goals": "x"}))
    ],
    ("campaign-detail", "put"): [
        ("replace", AB, _put("campaign-detail", lambda w, t: {"pk": _d(w, t).campaign.pk}))
    ],
    ("campaign-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).campaign.pk}, None))
    ],
    ("campaign-operation-list", "post"): [
        (
            "create",
            AB,
            lambda w, t: (
                {},
                {
                    "campaign": _d(w, t).campaign.pk,
                    "name": "巡检",
                    "lead_unit": _d(w, t).district.pk,
                },
            ),
        ),
    ],
    ("campaign-operation-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).operation.pk}, {"description": "x"}))
    ],
    ("campaign-operation-detail", "put"): [
        (
            "replace",
            AB,
            _put("campaign-operation-detail", lambda w, t: {"pk": _d(w, t).operation.pk}),
        )
    ],
    ("campaign-operation-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).operation.pk}, None))
    ],
    ("campaign-battle-list", "post"): [
        (
            "create",
            AB,
            lambda w, t: (
                {},
                {
                    "campaign": _d(w, t).campaign.pk,
                    "name": "巡检",
                    "category": "fraud_telecom",
                    "department": "cyber",
                    "launched_on": _d(w, t).campaign.starts_on.isoformat(),
                },
            ),
        ),
    ],
    ("campaign-battle-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).battle.pk}, {"suspects": 1}))
    ],
    ("campaign-battle-detail", "put"): [
        ("replace", AB, _put("campaign-battle-detail", lambda w, t: {"pk": _d(w, t).battle.pk}))
    ],
    ("campaign-battle-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).battle.pk}, None))
    ],
    ("campaign-kpi-list", "post"): [("create", AB, lambda w, t: ({}, _kpi_body(w, t)))],
    ("campaign-kpi-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _counter_item(_d(w, t)).pk}, {"target": "120"}))
    ],
    ("campaign-kpi-detail", "put"): [
        (
            "replace",
            AB,
            _put("campaign-kpi-detail", lambda w, t: {"pk": _counter_item(_d(w, t)).pk}),
        )
    ],
    ("campaign-kpi-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _counter_item(_d(w, t)).pk}, None))
    ],
    ("campaign-kpi-reports", "post"): [
        (
            "report",
            AB,
            lambda w, t: (
                {"pk": _counter_item(_d(w, t)).pk},
                {"reported_on": _today(), "value": "3"},
            ),
        ),
    ],
    ("campaign-sweep-list", "post"): [
        (
            "create",
            AB,
            lambda w, t: (
                {},
                {
                    "campaign": w.city_campaign.pk,
                    "held_on": _today(),
                    "areas": [_d(w, t).station.pk],
                    "officers": 5,
                },
            ),
        ),
    ],
    ("campaign-sweep-detail", "patch"): [
        ("change", AB_SHARED, lambda w, t: ({"pk": _sweep(w, t).pk}, {"officers": 7}))
    ],
    ("campaign-sweep-detail", "put"): [
        ("replace", AB_SHARED, _put("campaign-sweep-detail", lambda w, t: {"pk": _sweep(w, t).pk}))
    ],
    ("campaign-sweep-detail", "delete"): [
        ("delete", AB_SHARED, lambda w, t: ({"pk": _sweep(w, t).pk}, None))
    ],
    ("campaign-remediation-list", "post"): [
        ("create", AB, lambda w, t: ({}, _remediation_body(w, t)))
    ],
    ("campaign-remediation-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).remediations[0].pk}, {"target": "x"}))
    ],
    ("campaign-remediation-detail", "put"): [
        (
            "replace",
            AB,
            _put("campaign-remediation-detail", lambda w, t: {"pk": _d(w, t).remediations[0].pk}),
        )
    ],
    ("campaign-remediation-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).remediations[0].pk}, None))
    ],
    ("campaign-remediation-inspections", "post"): [
        (
            "inspect",
            AB,
            lambda w, t: (
                {"pk": _d(w, t).remediations[0].pk},
                {"inspected_on": _today(), "findings": "巡检"},
            ),
        ),
    ],
    ("patrol-positions", "post"): [("pings", AB, lambda w, t: ({}, [_ping(w, t)]))],
    ("patrol-unit-list", "post"): [
        (
            "create",
            AB,
            lambda w, t: (
                {},
                {
                    "code": f"walk-{t}",
                    "name": "巡检",
                    "kind": "patrol_car",
                    "home_zone": _d(w, t).zone.pk,
                    "status": "on_patrol",
                },
            ),
        ),
    ],
    ("patrol-unit-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).units[0].pk}, {"name": "x"}))
    ],
    ("patrol-unit-detail", "put"): [
        ("replace", AB, _put("patrol-unit-detail", lambda w, t: {"pk": _d(w, t).units[0].pk}))
    ],
    ("patrol-unit-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).units[0].pk}, None))
    ],
    ("response-standard-list", "post"): [
        (
            "create",
            AB,
            lambda w, t: (
                {},
                {"area": _d(w, t).station.pk, "dispatch_seconds": 60, "arrive_seconds": 300},
            ),
        ),
    ],
    ("response-standard-detail", "patch"): [
        ("change", AB, lambda w, t: ({"pk": _d(w, t).standard.pk}, {"dispatch_seconds": 90}))
    ],
    ("response-standard-detail", "put"): [
        ("replace", AB, _put("response-standard-detail", lambda w, t: {"pk": _d(w, t).standard.pk}))
    ],
    ("response-standard-detail", "delete"): [
        ("delete", AB, lambda w, t: ({"pk": _d(w, t).standard.pk}, None))
    ],
    ("incident-dispute-case", "post"): [
        ("open", AB, lambda w, t: ({"public_id": w.dispute_incidents[t].public_id}, {})),
    ],
    ("dispute-case-list", "post"): [("create", AB, lambda w, t: ({}, _case_body(w, t)))],
    ("dispute-case-detail", "patch"): [
        ("change", AB, lambda w, t: (_case(w, t), {"summary": "x"}))
    ],
    ("dispute-case-detail", "put"): [("replace", AB, _put("dispute-case-detail", _case))],
    ("dispute-case-follow-ups", "post"): [
        (
            "follow up",
            AB,
            lambda w, t: (
                _case(w, t),
                {"due_at": (timezone.now() + timedelta(days=1)).isoformat(), "note": "巡检"},
            ),
        ),
    ],
    ("dispute-case-transition", "post"): [
        ("mediate", AB, lambda w, t: (_case(w, t), {"to": "mediating"}))
    ],
    ("follow-up-complete", "post"): [
        ("complete", AB, lambda w, t: ({"pk": _d(w, t).follow_ups[0].pk}, {"outcome": "巡检"})),
    ],
    ("dash-dispute-case-new", "post"): [("open", AB, lambda w, t: ({}, _case_form(w, t)))],
    ("dash-dispute-case", "post"): [
        (
            "mediate",
            AB,
            lambda w, t: (
                _case(w, t),
                FormPost(form="transition", **{"transition-to": "mediating"}),
            ),
        )
    ],
    ("dash-alerts", "post"): [
        (
            "acknowledge",
            AB,
            lambda w, t: (
                {},
                FormPost(
                    form="acknowledge",
                    **{"acknowledge-alert": _open_alert(_d(w, t)).pk, "acknowledge-note": "巡检"},
                ),
            ),
        )
    ],
    ("dash-campaign", "post"): [
        ("report", AB, lambda w, t: _report_form(w, t)),
        ("inspect", AB, lambda w, t: _inspection_form(w, t)),
    ],
    ("import-job-list", "post"): [
        (
            "upload",
            ("a",),
            lambda w, t: (
                {},
                Upload(file=_import_file(w, t), source_system="walk", mapping_spec=IMPORT_SPEC),
            ),
        )
    ],
    ("import-job-preview", "post"): [
        ("preview", ("a",), lambda w, t: ({}, Upload(file=_import_file(w, t))))
    ],
    ("import-job-cancel", "post"): [("cancel another's job", ("a",), lambda w, t: _others_job(w))],
    ("import-mapping-list", "post"): [
        ("save", ("a",), lambda w, t: ({}, {"name": "walk", "spec": json.loads(IMPORT_SPEC)}))
    ],
}


def _personal_records(w: World) -> dict:
    """A colleague's records in each district's station (made before the walk: its
    fingerprint holds them): a shared view, a subscription, an inbox item."""
    records = {}
    for t in AB:
        d = w.a if t == "a" else w.b
        colleague = UserFactory(role=Role.STATION_OFFICER, home_area=d.station)
        records[t] = {
            "view": SavedView.objects.create(
                owner=colleague, name="巡检", path="/incidents/", query=f"area={d.station.pk}",
                area=d.station, shared=True,
            ),
            "subscription": Subscription.objects.create(
                user=colleague, topic="report", report_kind="weekly", area=d.station,
                key=f"walk-{t}",
            ),
            "item": InboxItem.objects.create(
                user=colleague, topic="report", title="巡检", key=f"walk-{t}", area=d.station
            ),
        }  # fmt: skip
    return records


def _shared_view(w, t) -> dict:
    return {"pk": w.personal[t]["view"].pk}


def _someones_subscription(w, t) -> dict:
    return {"pk": w.personal[t]["subscription"].pk}


def _someones_item(w, t) -> dict:
    return {"pk": w.personal[t]["item"].pk}


WRITES |= {
    ("report-list", "post"): [
        ("ask", AB, lambda w, t: ({}, {"kind": "weekly", "area": _d(w, t).district.pk}))
    ],
    ("reports-list", "post"): [
        (
            "ask",
            AB,
            lambda w, t: (
                {},
                FormPost(
                    {
                        "form": "generate",
                        "generate-kind": "weekly",
                        "generate-area": _d(w, t).district.pk,
                    }
                ),
            ),
        )
    ],
    ("view-list", "post"): [
        (
            "save",
            AB,
            lambda w, t: (
                {},
                {"name": "巡检", "path": "/incidents/", "query": f"area={_d(w, t).station.pk}"},
            ),
        )
    ],
    ("view-detail", "patch"): [
        ("rename another's", AB, lambda w, t: (_shared_view(w, t), {"name": "x"}))
    ],
    ("view-detail", "delete"): [("delete another's", AB, lambda w, t: (_shared_view(w, t), None))],
    ("view-home", "post"): [("make home", AB, lambda w, t: (_shared_view(w, t), None))],
    ("view-home", "delete"): [("no longer home", AB, lambda w, t: (_shared_view(w, t), None))],
    ("subscription-list", "post"): [
        (
            "subscribe",
            AB,
            lambda w, t: (
                {},
                {"topic": "report", "report_kind": "weekly", "area": _d(w, t).station.pk},
            ),
        )
    ],
    ("subscription-detail", "delete"): [
        ("end another's", AB, lambda w, t: (_someones_subscription(w, t), None))
    ],
    ("inbox-item-read", "post"): [
        ("mark another's read", AB, lambda w, t: (_someones_item(w, t), None))
    ],
    ("inbox-item-read-all", "post"): [("mark one's own read", ("a",), lambda w, t: ({}, None))],
    ("dash-inbox", "post"): [
        (
            "subscribe",
            AB,
            lambda w, t: (
                {},
                FormPost(
                    form="subscribe",
                    **{"subscribe-what": "weekly", "subscribe-area": _d(w, t).station.pk},
                ),
            ),
        )
    ],
}


def _case_form(w, t) -> FormPost:
    body = _case_body(w, t)
    return FormPost(
        form="case",
        **{f"case-{name}": value for name, value in body.items()},
        **{"case-risk": "low"},
    )


def _report_form(w, t):
    item = _counter_item(_d(w, t))
    fields = {"item": item.pk, "reported_on": _today(), "value": "3"}
    return {"pk": item.campaign_id}, FormPost(
        form="report", **{f"report-{name}": value for name, value in fields.items()}
    )


def _inspection_form(w, t):
    area = _d(w, t).remediations[0]
    fields = {"area": area.pk, "inspected_on": _today(), "findings": "巡检"}
    return {"pk": area.campaign_id}, FormPost(
        form="inspection", **{f"inspection-{name}": value for name, value in fields.items()}
    )


# --- the callers ---------------------------------------------------------------------------


@dataclass
class Caller:
    label: str
    role: str
    city_wide: bool
    client: Client
    headers: dict
    may_write: bool  # False: a token with read scopes only

    def allowed(self, route: str, method: str, target: str, *, page: bool = False) -> bool:
        if not self.may_write or (page and self.headers) or (route, method) in OTHERS_OWN:
            return False
        if self.role == Role.ADMINISTRATOR:
            return True
        if self.role not in ALLOWED.get((route, method), ()):
            return False
        return target == "a" or (self.city_wide and target != "shared")


def _callers(world: World) -> list[Caller]:
    people = [
        (Role.DISTRICT_COMMANDER, world.commander, False),
        (
            Role.STATION_OFFICER,
            UserFactory(role=Role.STATION_OFFICER, home_area=world.a.station),
            False,
        ),
        (Role.VIEWER, UserFactory(role=Role.VIEWER, home_area=world.a.district), False),
        (Role.API_CLIENT, UserFactory(role=Role.API_CLIENT, home_area=world.a.district), False),
        (Role.CITY_ANALYST, world.analyst, True),
        (Role.ADMINISTRATOR, UserFactory(role=Role.ADMINISTRATOR, home_area=world.city), True),
    ]
    callers = []
    for role, user, city_wide in people:
        session = Client(raise_request_exception=False)
        session.force_login(user)
        callers.append(Caller(f"{role} session", role, city_wide, session, {}, True))
        for kind, scopes in (("read", READ_SCOPES), ("write", ALL_SCOPES)):
            _, key = api_token_create(user=user, scopes=scopes, days=1, name=f"walk {kind}")
            headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
            client = Client(raise_request_exception=False)
            callers.append(
                Caller(f"{role} {kind} token", role, city_wide, client, headers, kind == "write")
            )
    return callers


# --- what may not change --------------------------------------------------------------------

RECORDS = (
    Incident,
    IncidentStatusChange,
    DeviceEvent,
    Alert,
    AlertRule,
    Campaign,
    SubOperation,
    ClusterBattle,
    KpiItem,
    KpiReport,
    Sweep,
    Sweep.areas.through,
    RemediationArea,
    RemediationInspection,
    PatrolUnit,
    Position,
    ResponseStandard,
    DisputeCase,
    CaseStatusChange,
    FollowUp,
    QualityDismissal,
    SavedView,
    HomeView,
    Subscription,
    InboxItem,
    ReportJob,
)


def fingerprint():
    """Every record the write routes can touch (audit events and tokens aside): on
    PostgreSQL one digest of all their rows, elsewhere the rows themselves."""
    if connection.vendor != "postgresql":
        return [list(model.objects.order_by("pk").values_list()) for model in RECORDS]
    digests = " UNION ALL ".join(
        f"SELECT {index} AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) AS d "
        f"FROM {connection.ops.quote_name(model._meta.db_table)} t"
        for index, model in enumerate(RECORDS)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg(d, ',' ORDER BY n) FROM ({digests}) digests")
        return cursor.fetchone()[0]


def _refused(response) -> bool:
    """A refusal: a 4xx, a page's redirect to the login page, or an ingest report that stored
    nothing."""
    if response.status_code == 302:
        return response["Location"].startswith(reverse(settings.LOGIN_URL))
    if 400 <= response.status_code < 500:
        return response.status_code != 401
    if response.status_code >= 500:
        return False
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    report = response.json()
    if not isinstance(report, dict):
        return False
    stored = sum(report.get(name, 0) for name in ("created", "updated", "stored", "unchanged"))
    return "rejected" in report and stored == 0


def _request(caller: Caller, method: str, url: str, body):
    if isinstance(body, FormPost | Upload):
        return caller.client.post(url, data=dict(body), **caller.headers)
    data = None if body is None else json.dumps(body)
    return getattr(caller.client, method)(
        url, data=data, content_type="application/json", **caller.headers
    )


@pytest.fixture
def walk(world, client, settings, tmp_path) -> Walk:
    settings.IMPORT_FILES_DIR = tmp_path / "import-files"
    shared = Sweep.objects.create(
        campaign=world.city_campaign, held_on=timezone.localdate(), officers=99
    )
    shared.areas.set([world.a.station, world.b.station])
    dispute = {}
    for target, d in (("a", world.a), ("b", world.b)):
        row = _incident_row(None, d, f"walk-dispute-{target}") | {"category": "dispute_family"}
        incidents_ingest(rows=[row], source_system="walk")
        dispute[target] = Incident.objects.get(source_system="walk", source_ref=row["source_ref"])
    admin = UserFactory(role=Role.ADMINISTRATOR, home_area=world.city)
    client.force_login(admin)
    return Walk(world, shared, dispute, client, _personal_records(world))


@pytest.fixture
def world():
    return build_world()


def test_every_write_route_has_a_rule():
    writes = {
        (route.name, method)
        for route in url_routes()
        if route.name not in NOT_DATA
        for method in route.methods & set(UNSAFE_METHODS)
    }
    assert sorted(writes - set(WRITES)) == [], "write routes with no rule in WRITES"
    assert sorted(set(WRITES) - writes) == [], "rules for write routes that no longer exist"
    assert set(ALLOWED) <= set(WRITES)


def _problem(walk: Walk, caller: Caller, route: str, method: str, target: str, build, before):
    """Make one attempt in a savepoint rolled back afterwards: what was wrong with its answer
    ("" for nothing), and whether it succeeded."""
    with transaction.atomic():
        kwargs, body = build(walk, target)
        url = reverse(route, kwargs=kwargs)
        response = _request(caller, method, url, body)
        where = f"{caller.label}: {method.upper()} {url} ({target})"
        answer = f"{response.status_code} {response.content[:300]!r}"
        problem, succeeded = "", False
        page = isinstance(body, FormPost)
        if caller.allowed(route, method, target, page=page):
            # A page's form answers success with a redirect (post/redirect/get).
            answered = response.status_code == 302 if page else 200 <= response.status_code < 300
            succeeded = answered and not _refused(response)
            problem = "" if succeeded else f"{where}: expected success, got {answer}"
        elif not _refused(response):
            problem = f"{where}: expected a refusal, got {answer}"
        elif fingerprint() != before:
            problem = f"{where}: refused ({response.status_code}) but records changed"
        transaction.set_rollback(True)
    return problem, succeeded


def test_walking_every_write_as_every_role_and_scope_changes_only_what_it_may(walk):
    before = fingerprint()
    problems: list[str] = []
    attempts = successes = 0
    for caller in _callers(walk.world):
        for (route, method), variants in WRITES.items():
            for label, targets, build in variants:
                for target in targets:
                    problem, succeeded = _problem(
                        walk, caller, route, method, target, build, before
                    )
                    attempts += 1
                    successes += succeeded
                    if problem:
                        problems.append(f"{problem} [{label}]")
    assert attempts > 1000 and successes > 100
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


# --- socket actions -----------------------------------------------------------------------


def _socket(caller_user, token_key: str | None, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    headers = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    if token_key:
        headers.append((b"authorization", f"Token {token_key}".encode()))
    else:
        communicator.scope["user"] = caller_user
    communicator.scope["headers"] = headers
    return communicator


async def _act(user, key: str | None, path: str, first_type: str, message: dict) -> dict | None:
    """Connect, read the opening message, send ``message`` and return the answer (None when
    the socket was refused)."""
    socket = _socket(user, key, path)
    connected, _ = await socket.connect()
    if not connected:
        return None
    opening = await socket.receive_json_from(timeout=10)
    assert opening["type"] == first_type
    await socket.send_json_to(message)
    try:
        answer = await socket.receive_json_from(timeout=10)
    except Exception as exc:  # the consumer failed or closed: the state decides, not this
        answer = {"failed": repr(exc)}
    with contextlib.suppress(Exception):
        await socket.disconnect()
    return answer


@pytest.mark.django_db(transaction=True)
def test_every_socket_action_as_every_role_and_scope_changes_only_what_it_may():
    world = build_world()
    people = {
        Role.DISTRICT_COMMANDER: (world.commander, False),
        Role.STATION_OFFICER: (
            UserFactory(role=Role.STATION_OFFICER, home_area=world.a.station),
            False,
        ),
        Role.VIEWER: (UserFactory(role=Role.VIEWER, home_area=world.a.district), False),
        Role.CITY_ANALYST: (world.analyst, True),
    }
    alerts = {"a": _open_alert(world.a), "b": _open_alert(world.b)}
    problems = []
    checked = 0
    for role, (user, city_wide) in people.items():
        credentials = [("session", None, True)]
        for kind, scopes in (("read", READ_SCOPES), ("write", ALL_SCOPES)):
            _, key = api_token_create(user=user, scopes=scopes, days=1, name=f"walk {kind}")
            credentials.append((f"{kind} token", key, kind == "write"))
        for label, key, may_write in credentials:
            for target, d in (("a", world.a), ("b", world.b)):
                inside = target == "a" or city_wide
                for action in ("acknowledge", "resolve"):
                    alert = alerts[target]
                    Alert.objects.filter(pk=alert.pk).update(
                        state="open",
                        acknowledged_at=None,
                        acknowledged_by=None,
                        resolved_at=None,
                        resolved_by=None,
                    )
                    answer = asyncio.run(
                        _act(
                            user, key, "/ws/alerts/", "backlog", {"action": action, "id": alert.pk}
                        )
                    )
                    state = Alert.objects.get(pk=alert.pk).state
                    allowed = may_write and inside and role in ALERT_HANDLERS
                    moved = state != "open"
                    checked += 1
                    if allowed != moved:
                        problems.append(
                            f"{role} {label}: {action} {target}'s alert → {answer}, state {state}"
                        )
                at = timezone.now().replace(microsecond=0)
                lon, lat = _in_beat(d)
                ping = {"unit": d.units[0].code, "at": at.isoformat(), "lon": lon, "lat": lat}
                answer = asyncio.run(
                    _act(
                        user,
                        key,
                        "/ws/patrols/positions/",
                        "snapshot",
                        {"type": "pings", "pings": [ping]},
                    )
                )
                stored = Position.objects.filter(unit=d.units[0], at=at).exists()
                allowed = may_write and inside and role in (OFFICER, COMMANDER)
                checked += 1
                if allowed != stored:
                    problems.append(
                        f"{role} {label}: ping for {target}'s unit → {answer}, stored {stored}"
                    )
                Position.objects.filter(unit=d.units[0], at=at).delete()
    assert checked == len(people) * 3 * 2 * 3
    assert problems == [], "\n".join(problems)

"""Fixes from the data-quality queue. Each goes through the domain's own services, so it is
checked, audited and marks statistics as any other change; a dismissal is audited here."""

from django.db import transaction

from accounts.policy import require
from audit.services import audit_changes, audit_record
from incidents.models import Incident
from incidents.services import incident_merge_duplicate, incident_refile, incident_update

from .models import QualityDismissal


def quality_place(*, incident: Incident, lon: float, lat: float, user) -> Incident:
    """Put an unlocated or badly located incident at the point a person chose (WGS84)."""
    return incident_update(incident=incident, data={"lon": lon, "lat": lat}, user=user)


def quality_correct_times(*, incident: Incident, times: dict, user) -> Incident:
    """Correct an incident's lifecycle times; the ingest checks judge the whole sequence."""
    return incident_update(incident=incident, data=times, user=user)


def quality_set_category(*, incident: Incident, category: str, user) -> Incident:
    """Give an incident filed under an import's fallback category its real one (or confirm
    the fallback): it leaves the default-category queue."""
    return incident_update(
        incident=incident, data={"category": category, "category_defaulted": False}, user=user
    )


def quality_refile(*, incident: Incident, user) -> Incident:
    """Hand an incident to the jurisdiction its point lies in."""
    return incident_refile(incident=incident, user=user)


def quality_merge(*, duplicate: Incident, into: Incident, user) -> Incident:
    """Record a suspected duplicate as a repeat of the other incident: counted once."""
    return incident_merge_duplicate(duplicate=duplicate, into=into, user=user)


@transaction.atomic
def quality_dismiss(*, incident: Incident, kind: str, note: str, user) -> QualityDismissal:
    """Keep an incident as it is for one kind (accept it as unlocatable, confirm a geocode):
    it leaves that kind's queue."""
    require(user, "incidents.change_incident", area_path=incident.area_path)
    dismissal, _ = QualityDismissal.objects.update_or_create(
        kind=kind, incident=incident, defaults={"by": user, "note": note}
    )
    audit_record(
        action="update",
        obj=incident,
        changes=audit_changes({}, {"quality_dismissed": f"{kind}: {note}".strip()}),
        user=user,
    )
    return dismissal

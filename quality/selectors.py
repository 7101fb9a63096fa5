"""Reads for the data-quality queue: the incidents of each kind that need a person's eye,
scoped to the user as every incident read is, without those dismissed for that kind."""

from datetime import timedelta

from django.conf import settings
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Abs, Cos, Radians

from geocoding.choices import GeocodeQuality
from incidents.ingest.rows import CALL_SEQUENCE
from incidents.models import Incident, IncidentQuerySet
from incidents.selectors import incident_get

from .choices import QualityKind
from .models import QualityDismissal


def _unlocated(queryset: IncidentQuerySet, user) -> IncidentQuerySet:
    return queryset.filter(lat__isnull=True)


def _low_confidence(queryset: IncidentQuerySet, user) -> IncidentQuerySet:
    return queryset.filter(
        geocode_quality=GeocodeQuality.FUZZY,
        geocode_score__lt=settings.QUALITY_REVIEW_SCORE,
        lat__isnull=False,
    )


def _impossible_timeline(queryset: IncidentQuerySet, user) -> IncidentQuerySet:
    """A later step of the call stamped before an earlier one (arrival before dispatch ...),
    or a case solved before it was filed or filed before the call: what ingest now refuses,
    left by older loads and direct writes."""
    pairs = [
        (earlier, later)
        for index, earlier in enumerate(CALL_SEQUENCE)
        for later in CALL_SEQUENCE[index + 1 :]
    ]
    pairs += [("filed_at", "solved_at"), ("reported_at", "filed_at")]
    wrong = Q()
    for earlier, later in pairs:
        wrong |= Q(**{f"{later}__lt": F(earlier)})
    return queryset.filter(wrong)


# Metres in a degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = 111_320


def _number(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=FloatField())


def _at(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DateTimeField())


def _default_category(queryset: IncidentQuerySet, user) -> IncidentQuerySet:
    """Rows whose category was the import mapping's fallback for a value it did not know."""
    return queryset.filter(category_defaulted=True)


def _outside_jurisdiction(queryset: IncidentQuerySet, user) -> IncidentQuerySet:
    """Incidents whose point lies outside the area they were filed in (filed by a station,
    found by the point, or a redrawn boundary, to lie in another's)."""
    return queryset.filter(lat__isnull=False, filed_area__isnull=False).exclude(
        area_path__startswith=F("filed_area__path")
    )


def _partners(user, ref) -> IncidentQuerySet:
    """The incidents the user may see that an incident may repeat: same category, a different
    reference, not merged, within QUALITY_DUPLICATE_METRES (a box of that half-width: cheap,
    and an officer looks anyway) and QUALITY_DUPLICATE_MINUTES. ``ref(name)`` is the
    incident's field: an outer reference in a subquery, or a value."""
    metres, minutes = settings.QUALITY_DUPLICATE_METRES, settings.QUALITY_DUPLICATE_MINUTES
    window = timedelta(minutes=minutes)
    degrees = metres / METRES_PER_DEGREE
    return (
        Incident.objects.for_user(user)
        .filter(
            category_id=ref("category_id"),
            lat__isnull=False,
            duplicate_of__isnull=True,
            reported_at__gte=_at(ref("reported_at") - window),
            reported_at__lte=_at(ref("reported_at") + window),
        )
        .exclude(pk=ref("pk"))
        .exclude(source_system=ref("source_system"), source_ref=ref("source_ref"))
        .annotate(
            lat_gap=_number(Abs(F("lat") - ref("lat"))),
            lon_gap=_number(Abs(F("lon") - ref("lon")) * Cos(Radians(F("lat")))),
        )
        .filter(lat_gap__lte=degrees, lon_gap__lte=degrees)
    )


def _suspected_duplicate(queryset: IncidentQuerySet, user) -> IncidentQuerySet:
    """Incidents with a partner (``_partners``). A pair kept (one dismissed) leaves the queue
    whole: a partner dismissed as a duplicate does not count; one merged leaves it too."""
    kept = QualityDismissal.objects.filter(kind=QualityKind.DUPLICATE, incident=OuterRef("pk"))
    partners = _partners(user, OuterRef).exclude(Exists(kept))
    return queryset.filter(lat__isnull=False, duplicate_of__isnull=True).filter(Exists(partners))


def duplicate_partners(*, user, incident: Incident) -> IncidentQuerySet:
    """The incidents the user may see that ``incident`` may repeat, nearest in time first."""
    if incident.lat is None:
        return Incident.objects.none()

    def value(name: str):
        return Value(getattr(incident, name))

    return _partners(user, value).select_related("category").order_by("reported_at", "id")


KIND_FILTERS = {
    QualityKind.UNLOCATED: _unlocated,
    QualityKind.LOW_CONFIDENCE: _low_confidence,
    QualityKind.DEFAULT_CATEGORY: _default_category,
    QualityKind.OUTSIDE_JURISDICTION: _outside_jurisdiction,
    QualityKind.TIMELINE: _impossible_timeline,
    QualityKind.DUPLICATE: _suspected_duplicate,
}


def quality_items(*, user, kind: str) -> IncidentQuerySet:
    """The user's incidents of one kind still waiting for a person; KeyError for no kind."""
    dismissed = QualityDismissal.objects.filter(kind=kind, incident=OuterRef("pk"))
    queryset = Incident.objects.for_user(user).select_related("category")
    return (
        KIND_FILTERS[QualityKind(kind)](queryset, user)
        .exclude(Exists(dismissed))
        .order_by("-reported_at", "-id")
    )


def quality_counts(*, user) -> dict[str, int]:
    """How many of the user's incidents wait in each kind's queue."""
    return {kind.value: quality_items(user=user, kind=kind).count() for kind in KIND_FILTERS}


def quality_item_get(*, user, public_id) -> Incident:
    """The incident a fix is about, if it is in the user's scope; Incident.DoesNotExist (a
    404) otherwise. Not only those still queued: a fix posted from a stale list still reaches
    the service, which judges it."""
    return incident_get(user=user, public_id=public_id)

"""Mediation reads, scoped to the user: cases, follow-ups, and the statistics of screened
disputes with rates and the funnel."""

import uuid

from incidents.models import Incident
from stats.coverage import Cutoff
from stats.selectors import Subject, child_area_path, child_areas, child_categories, stats_summary
from stats.windows import Period

from .models import DisputeCase, FollowUp

# The funnel's stages in order, and the other outcomes reported beside it.
FUNNEL = ["screened", "transferred", "resolved"]
OUTCOMES = ["mediating", "escalated", "failed", "open"]
RATES = {
    "transferred": "transfer_rate",
    "resolved": "resolution_rate",
    "escalated": "escalation_rate",
}


def cases_for_user(user):
    """Dispute cases in the user's jurisdiction, the latest screened first."""
    return (
        DisputeCase.objects.for_user(user)
        .select_related("type", "area", "incident", "escalated_incident")
        .order_by("-screened_at", "-pk")
    )


def incident_in_scope(user, public_id) -> Incident | None:
    """The incident of that reference in the user's jurisdiction (None: none, or not a
    reference at all)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Incident.objects.for_user(user).filter(public_id=public_id).first()


def follow_ups_for_user(user, *, overdue: bool = False):
    """Follow-ups of the cases in the user's jurisdiction, the earliest due first; with
    ``overdue`` only those past due and not done."""
    cases = DisputeCase.objects.for_user(user)
    follow_ups = FollowUp.objects.filter(case__in=cases).order_by("due_at", "pk")
    return follow_ups.overdue() if overdue else follow_ups


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def mediation_stats(
    *, subject: Subject, window: str, period: Period, cutoff: Cutoff | None = None
) -> dict:
    """Every measure with 同比 and 环比; the rates (of screened) now, last year and last
    period; and the funnel screened → transferred → resolved."""
    result = stats_summary(
        subject=subject, window=window, period=period, measures=FUNNEL + OUTCOMES, cutoff=cutoff
    )
    measures = result["measures"]
    screened = measures["screened"]
    rates = {}
    for measure, name in RATES.items():
        block = measures[measure]
        rates[name] = {
            "current": _rate(block["current"], screened["current"]),
            "yoy": _rate(block["yoy"]["base"], screened["yoy"]["base"]),
            "pop": _rate(block["pop"]["base"], screened["pop"]["base"]),
        }
    result["rates"] = rates
    result["funnel"] = [
        {
            "stage": stage,
            "count": measures[stage]["current"],
            "of_screened": _rate(measures[stage]["current"], screened["current"]),
        }
        for stage in FUNNEL
    ]
    return result


def mediation_breakdown(
    *, subject: Subject, window: str, period: Period, by: str, cutoff: Cutoff | None = None
) -> list[dict]:
    """The same figures for each dispute type, or each child area, of the subject."""
    if by == "type":
        keys = child_categories(subject)
        subjects = {
            key: Subject(
                subject.source, subject.area_key, subject.area_path, key, f"/{info['code']}/"
            )
            for key, info in keys.items()
        }
    else:
        keys = child_areas(subject)
        subjects = {
            key: Subject(
                subject.source,
                key,
                child_area_path(subject, key),
                subject.category_key,
                subject.category_path,
            )
            for key in keys
        }
    rows = []
    for key, info in keys.items():
        figures = mediation_stats(
            subject=subjects[key], window=window, period=period, cutoff=cutoff
        )
        rows.append(
            {
                **info,
                **{name: block["current"] for name, block in figures["measures"].items()},
                "screened_yoy": figures["measures"]["screened"]["yoy"],
                **{name: block["current"] for name, block in figures["rates"].items()},
            }
        )
    rows.sort(key=lambda row: -row["screened"])
    return rows

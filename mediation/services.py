"""Mediation writes: cases opened (by hand or from an incident), moved along their lifecycle,
escalated into incidents; follow-ups and their overdue alerts; masking of personal data."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.policy import require
from alerts.choices import RuleKind
from alerts.services import alert_raise
from areas.locator import get_locator
from areas.models import Area
from areas.scoping import scope_for
from audit.services import audit_record
from incidents.ingest.rows import FUTURE_TOLERANCE
from incidents.models import Incident

from .choices import (
    ALLOWED_TRANSITIONS,
    CATEGORY_TO_TYPE,
    DISPUTE_CATEGORY_ROOT,
    STATUS_TIME_FIELD,
    TYPE_TO_CATEGORY,
    CaseSource,
    CaseStatus,
)
from .models import CaseStatusChange, DisputeCase, DisputeType, FollowUp

PERSONAL_DATA_PERMISSION = "mediation.view_personal_data"


@dataclass
class CaseError(Exception):
    """A request the case cannot take, with the field it is about."""

    field: str
    # Lazily translated: the pages show it in their language, the API in English.
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class TransitionError(CaseError):
    """A lifecycle step not allowed from the case's status (answered with 409)."""


class CaseExists(TransitionError):
    """The incident already has its case (answered with 409, and the case if the caller may
    see it)."""

    def __init__(self, case: DisputeCase):
        super().__init__("incident", _("已有矛盾纠纷案件"))
        self.case = case


def case_area(*, user, area: Area | None, lon, lat) -> Area:
    """The area a case belongs to: the one given, else the smallest in the user's
    jurisdiction containing its location."""
    scope = scope_for(user) if user is not None else None
    if area is not None:
        if scope is not None and not scope.covers(area.path):
            raise CaseError("area", _("不在你的辖区内"))
        located = lon is not None and lat is not None
        if located and scope is not None and not scope.everything:
            # The location decides where an escalation's incident lies: it must be the
            # user's too, or a case could carry an incident into another district.
            leaf = get_locator().locate(lon, lat).leaf
            if leaf is None or not scope.covers(leaf.path):
                raise CaseError("lon", _("该位置不在你辖区的任何区域内"))
        return area
    if lon is None or lat is None:
        raise CaseError("area", _("请选择辖区或填写位置"))
    leaf = get_locator().locate(lon, lat).leaf
    if leaf is None or (scope is not None and not scope.covers(leaf.path)):
        raise CaseError("lon", _("该位置不在你辖区的任何区域内"))
    return Area.objects.get(pk=leaf.id)


@transaction.atomic
def case_update(*, case: DisputeCase, user=None, **fields) -> DisputeCase:
    """Change a case's facts; its area (given, or found from a new location) obeys the same
    jurisdiction rule as a new case's."""
    require(user, "mediation.change_disputecase", area_path=case.area_path)
    area = fields.pop("area", None)
    if area is not None or "lon" in fields or "lat" in fields:
        fields["area"] = case_area(
            user=user,
            area=area or case.area,
            lon=fields.get("lon", case.lon),
            lat=fields.get("lat", case.lat),
        )
    for name, value in fields.items():
        setattr(case, name, value)
    case.clean()
    case.save()
    return case


@transaction.atomic
def case_create(*, user=None, area: Area | None = None, **fields) -> DisputeCase:
    """Open a case (status screened) from validated fields."""
    require(user, "mediation.add_disputecase")
    fields.setdefault("screened_at", timezone.now())
    if fields["screened_at"] > timezone.now() + FUTURE_TOLERANCE:
        raise CaseError("screened_at", _("不能晚于当前时间"))
    case = DisputeCase(
        area=case_area(user=user, area=area, lon=fields.get("lon"), lat=fields.get("lat")),
        created_by=user if getattr(user, "pk", None) else None,
        status=CaseStatus.SCREENED,
        **fields,
    )
    case.clean()
    case.save()
    CaseStatusChange.objects.create(
        case=case, to_status=CaseStatus.SCREENED, at=case.screened_at, by=case.created_by
    )
    return case


def case_from_incident(*, incident: Incident, user=None, **fields) -> DisputeCase:
    """Open a case from a dispute call; the incident is linked and lends its place and time."""
    require(user, "mediation.add_disputecase", area_path=incident.area_path)
    category = incident.category
    if f"/{DISPUTE_CATEGORY_ROOT}/" not in category.path:
        raise CaseError(
            "incident", format_lazy(_("{category}类警情不是纠纷警情"), category=category.code)
        )
    existing = incident.dispute_cases.first()
    if existing is not None:
        raise CaseExists(existing)
    type_code = CATEGORY_TO_TYPE.get(category.code, "other")
    fields.setdefault("type", DisputeType.objects.get(code=type_code))
    fields.setdefault("summary", incident.summary or category.name)
    fields.setdefault("source", CaseSource.CALL_110)
    fields.setdefault("screened_at", timezone.now())
    try:
        with transaction.atomic():
            return case_create(
                user=user,
                area=fields.pop("area", None) or incident.area,
                incident=incident,
                lon=incident.lon,
                lat=incident.lat,
                address=incident.address,
                **fields,
            )
    except IntegrityError:
        # A concurrent request opened the incident's case first (one case an incident).
        raise CaseExists(incident.dispute_cases.get()) from None


@transaction.atomic
def case_transition(
    *,
    case: DisputeCase,
    to_status: str,
    user=None,
    at: datetime | None = None,
    note: str = "",
    agency: str = "",
    incident: Incident | None = None,
) -> DisputeCase:
    """Move a case one step: transferring names the agency; escalating links the incident it
    became (one is opened from the case when none is given)."""
    require(user, "mediation.change_disputecase", area_path=case.area_path)
    case = DisputeCase.objects.select_for_update().get(pk=case.pk)
    if to_status not in CaseStatus.values:
        raise CaseError("to", format_lazy(_("未知状态 {status!r}"), status=to_status))
    if to_status not in ALLOWED_TRANSITIONS[case.status]:
        final = _("（已是最终状态）") if not ALLOWED_TRANSITIONS[case.status] else ""
        raise TransitionError(
            "to",
            format_lazy(
                _("不能从 {current}{final} 转为 {to}"),
                current=case.status,
                final=final,
                to=to_status,
            ),
        )
    at = at or timezone.now()
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise CaseError("at", _("不能晚于当前时间"))
    latest = case.changes.order_by("-at").values_list("at", flat=True).first()
    if latest and at < latest:
        raise CaseError(
            "at", format_lazy(_("早于案件上一步的时间（{latest}）"), latest=latest.isoformat())
        )
    if to_status == CaseStatus.TRANSFERRED:
        if not agency:
            raise CaseError("agency", _("请选择流转部门"))
        case.transferred_to = agency
    if to_status == CaseStatus.ESCALATED:
        case.escalated_incident = incident or _incident_for(case, at=at, user=user)
    previous = case.status
    case.status = to_status
    setattr(case, STATUS_TIME_FIELD[to_status], at)
    case.save()
    CaseStatusChange.objects.create(
        case=case, from_status=previous, to_status=to_status, at=at, note=note, by=user
    )
    return case


def _incident_for(case: DisputeCase, *, at: datetime, user) -> Incident:
    """The incident an escalated case becomes, opened through the incident ingest."""
    from incidents.ingest import incidents_ingest

    row = {
        "source_ref": f"mediation-{case.public_id}",
        "category": TYPE_TO_CATEGORY.get(case.type.code, "dispute_other"),
        "reported_at": at,
        "lon": case.lon,
        "lat": case.lat,
        "address": case.address,
        "summary": f"矛盾纠纷升级：{case.summary}"[:10_000],
        "source": "other",
    }
    if case.lon is None:
        del row["lon"], row["lat"]
    # As the user: the incident obeys their jurisdiction like any other they report.
    report = incidents_ingest(
        rows=[row], user=user, source_system="mediation", return_incidents=True
    )
    if report.rejected:
        problem = report.errors[0]
        raise CaseError(
            "incident",
            format_lazy(
                _("升级生成的警情被拒绝：{field}: {message}"),
                field=problem.field,
                # The ingest marks its messages for the catalogue (zh_Hans holds their Chinese).
                message=_(problem.message),
            ),
        )
    return report.incidents[0]


def followup_create(*, case: DisputeCase, due_at: datetime, note: str = "", user=None):
    require(user, "mediation.add_followup", area_path=case.area_path)
    if case.status in (CaseStatus.RESOLVED, CaseStatus.ESCALATED) and due_at < case.updated_at:
        raise CaseError("due_at", _("早于案件办结时间"))
    return FollowUp.objects.create(
        case=case, due_at=due_at, note=note, created_by=user if getattr(user, "pk", None) else None
    )


def followup_complete(
    *, follow_up: FollowUp, outcome: str = "", at: datetime | None = None, user=None
):
    require(user, "mediation.change_followup", area_path=follow_up.case.area_path)
    if follow_up.done_at is not None:
        raise TransitionError("follow_up", _("该回访已完成"))
    follow_up.done_at = at or timezone.now()
    follow_up.outcome = outcome
    follow_up.save(update_fields=["done_at", "outcome"])
    return follow_up


def followups_check_overdue(*, now: datetime | None = None) -> int:
    """Raise a mediation_overdue alert for each follow-up past due and not done, once."""
    now = now or timezone.now()
    overdue = (
        FollowUp.objects.overdue(now)
        .filter(alerted_at__isnull=True)
        .select_related("case__area", "case__type")
    )
    raised = 0
    for follow_up in overdue:
        with transaction.atomic():
            raised += alert_raise(kind=RuleKind.FOLLOWUP_OVERDUE, subject=follow_up)
            FollowUp.objects.filter(pk=follow_up.pk).update(alerted_at=now)
    return raised


# --- personal data -------------------------------------------------------------------------


def may_see_personal_data(user) -> bool:
    return bool(user and user.has_perm(PERSONAL_DATA_PERMISSION))


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***; Li Wei → L*****."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678 (all but the first 3 and last 4 digits hidden); short
    numbers keep only their last two digits."""
    digits = (phone or "").strip()
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def personal_data_disclosed(*, user, cases, request=None) -> None:
    """Record that ``user`` was shown the unmasked parties of ``cases`` (a sensitive read)."""
    if not may_see_personal_data(user):
        return
    ids = [str(case.public_id) for case in cases]
    if not ids:
        return
    audit_record(
        action="view_personal_data",
        object_type="mediation.disputecase",
        object_id=ids[0] if len(ids) == 1 else "",
        detail=f"{len(ids)} case(s)",
        changes={"cases": ids},
        user=user,
        request=request,
    )


def parties_for(user, parties: list) -> list:
    """The parties as ``user`` may see them: whole, or with names and phones masked."""
    if may_see_personal_data(user):
        return parties
    return [
        {
            **party,
            "name": mask_name(party.get("name", "")),
            "phone": mask_phone(party.get("phone", "")),
        }
        for party in parties
    ]

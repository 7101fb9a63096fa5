"""The mediation alert kind, registered with the alerts engine and raised by the mediation
services: ``followup_overdue`` (a dispute case's follow-up past due and not done)."""

from django.utils import timezone

from alerts.choices import RuleKind
from alerts.kinds import AlertDraft, SubjectKind, register


@register
class FollowupOverdueKind(SubjectKind):
    """A follow-up past due and not done; the subject is the FollowUp."""

    code = RuleKind.FOLLOWUP_OVERDUE

    def draft(self, follow_up) -> AlertDraft:
        case = follow_up.case
        due = timezone.localtime(follow_up.due_at)
        return AlertDraft(
            area=case.area,
            dedup_key=f"followup:{follow_up.id}",
            title=f"纠纷回访逾期：{case.type.name}（{case.area.name}）",
            title_en=(
                f"Dispute follow-up overdue: {case.type.name_en or case.type.name} "
                f"({case.area.name_en or case.area.name})"
            ),
            body=f"应于 {due:%Y-%m-%d %H:%M} 回访：{follow_up.note}",
            body_en=f"due {due:%Y-%m-%d %H:%M}: {follow_up.note}",
        )

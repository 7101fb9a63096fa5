"""The campaigns' alert kinds, registered with the alerts engine and raised by the campaigns'
services: ``campaign_kpi`` (a KPI item going at risk) and ``remediation_overdue`` (a listed
remediation area past its due date)."""

from alerts.choices import RuleKind
from alerts.kinds import AlertDraft, SubjectKind, register


@register
class CampaignKpiKind(SubjectKind):
    """A campaign KPI item whose pace misses its target; the subject is the KpiItem."""

    code = RuleKind.CAMPAIGN_KPI

    def draft(self, item) -> AlertDraft:
        return AlertDraft(
            area=item.unit,
            dedup_key=f"kpi:{item.id}",
            title=f"{item.campaign.name}：{item.unit.name}「{item.label}」进度滞后",
            title_en=(
                f"{item.campaign.name}: {item.unit.name_en or item.unit.name} "
                f"'{item.label}' behind pace"
            ),
            body=f"当前 {item.current}，目标 {item.target}，期限 {item.deadline}",
            body_en=f"now {item.current}, target {item.target}, due {item.deadline}",
        )


@register
class RemediationOverdueKind(SubjectKind):
    """A listed remediation area past its due date; the subject is the RemediationArea."""

    code = RuleKind.REMEDIATION_OVERDUE

    def draft(self, area) -> AlertDraft:
        return AlertDraft(
            area=area.unit,
            dedup_key=f"remediation:{area.id}",
            title=f"挂牌整治逾期：{area.name}（{area.responsible_person}）",
            title_en=f"Remediation overdue: {area.name} ({area.responsible_person})",
            body=f"应于 {area.due_on} 前完成：{area.target}",
            body_en=f"due {area.due_on}: {area.target}",
        )

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SCREENED = "screened", _("已排查")
    MEDIATING = "mediating", _("调解中")
    TRANSFERRED = "transferred", _("已流转")
    RESOLVED = "resolved", _("已化解")
    FAILED = "failed", _("调解失败")
    ESCALATED = "escalated", _("已升级")


# Where each status may go next; resolved and escalated are final.
ALLOWED_TRANSITIONS = {
    CaseStatus.SCREENED: {
        CaseStatus.MEDIATING,
        CaseStatus.TRANSFERRED,
        CaseStatus.RESOLVED,
        CaseStatus.ESCALATED,
    },
    CaseStatus.MEDIATING: {
        CaseStatus.TRANSFERRED,
        CaseStatus.RESOLVED,
        CaseStatus.FAILED,
        CaseStatus.ESCALATED,
    },
    CaseStatus.TRANSFERRED: {CaseStatus.RESOLVED, CaseStatus.FAILED, CaseStatus.ESCALATED},
    CaseStatus.FAILED: {CaseStatus.MEDIATING, CaseStatus.TRANSFERRED, CaseStatus.ESCALATED},
    CaseStatus.RESOLVED: set(),
    CaseStatus.ESCALATED: set(),
}
# The time field each status sets when a case enters it.
STATUS_TIME_FIELD = {
    CaseStatus.MEDIATING: "mediating_at",
    CaseStatus.TRANSFERRED: "transferred_at",
    CaseStatus.RESOLVED: "resolved_at",
    CaseStatus.FAILED: "failed_at",
    CaseStatus.ESCALATED: "escalated_at",
}


class CaseSource(models.TextChoices):
    PATROL = "patrol", _("巡逻发现")
    CALL_110 = "call_110", _("110接警")
    SCREENING = "screening", _("排查走访")
    GRID_WORKER = "grid_worker", _("网格员上报")
    HOTLINE_12345 = "hotline_12345", _("12345转办")
    WALK_IN = "walk_in", _("群众来访")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    CRITICAL = "critical", _("极高")


class Mediator(models.TextChoices):
    """The parties of 三所联动 and others."""

    STATION = "station", _("派出所")
    JUDICIAL_OFFICE = "judicial_office", _("司法所")
    LAW_FIRM = "law_firm", _("律师事务所")
    OTHER = "other", _("其他")


class Agency(models.TextChoices):
    """Where a dispute is transferred (流转) to."""

    LABOUR_BUREAU = "labour_bureau", _("人社局/劳动监察")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    COURT = "court", _("法院")
    COMMUNITY = "community", _("社区/居村委")
    JUDICIAL_OFFICE = "judicial_office", _("司法所")
    OTHER = "other", _("其他部门")


# The default dispute types (code, name, English name) and the incident categories that map
# onto them, both ways.
DISPUTE_TYPES = [
    ("family", "家庭纠纷", "Family"),
    ("romantic", "婚恋纠纷", "Romantic relationship"),
    ("neighbour", "邻里纠纷", "Neighbour"),
    ("labour", "劳资纠纷（欠薪）", "Labour / wage arrears"),
    ("medical", "医患纠纷", "Medical"),
    ("property", "物业纠纷", "Property management"),
    ("commercial", "经济纠纷", "Commercial"),
    ("other", "其他纠纷", "Other"),
]
CATEGORY_TO_TYPE = {
    "dispute_family": "family",
    "dispute_neighbor": "neighbour",
    "dispute_labor": "labour",
    "dispute_economic": "commercial",
    "dispute_other": "other",
}
TYPE_TO_CATEGORY = {
    "family": "dispute_family",
    "romantic": "dispute_family",
    "neighbour": "dispute_neighbor",
    "labour": "dispute_labor",
    "commercial": "dispute_economic",
}
DISPUTE_CATEGORY_ROOT = "dispute"

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentSource(models.TextChoices):
    """How an incident reached the police."""

    CALL_110 = "call_110", _("110报警")
    WALK_IN = "walk_in", _("来所报案")
    ONLINE = "online", _("网上报警")
    DEVICE = "device", _("设备预警")
    PATROL = "patrol", _("巡逻发现")
    OTHER = "other", _("其他")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("已接警")
    DISPATCHED = "dispatched", _("已派警")
    ON_SCENE = "on_scene", _("已到场")
    CLOSED = "closed", _("已处结")
    FILED = "filed", _("已立案")
    SOLVED = "solved", _("已破案")


# Incidents still being handled: no closing, filing or solving yet.
OPEN_STATUSES = (IncidentStatus.REPORTED, IncidentStatus.DISPATCHED, IncidentStatus.ON_SCENE)


class Priority(models.IntegerChoices):
    URGENT = 1, _("紧急")
    HIGH = 2, _("较高")
    NORMAL = 3, _("一般")
    LOW = 4, _("较低")


# The lifecycle: a call is dispatched, attended and closed; a case is filed and solved.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentStatus.REPORTED: frozenset(
        {
            IncidentStatus.DISPATCHED,
            IncidentStatus.ON_SCENE,
            IncidentStatus.CLOSED,
            IncidentStatus.FILED,
        }
    ),
    IncidentStatus.DISPATCHED: frozenset(
        {IncidentStatus.ON_SCENE, IncidentStatus.CLOSED, IncidentStatus.FILED}
    ),
    IncidentStatus.ON_SCENE: frozenset({IncidentStatus.CLOSED, IncidentStatus.FILED}),
    IncidentStatus.CLOSED: frozenset({IncidentStatus.FILED}),
    IncidentStatus.FILED: frozenset({IncidentStatus.SOLVED}),
    IncidentStatus.SOLVED: frozenset(),
}

# The timestamp field each status sets when entered.
STATUS_TIME_FIELD = {
    IncidentStatus.REPORTED: "reported_at",
    IncidentStatus.DISPATCHED: "dispatched_at",
    IncidentStatus.ON_SCENE: "on_scene_at",
    IncidentStatus.CLOSED: "closed_at",
    IncidentStatus.FILED: "filed_at",
    IncidentStatus.SOLVED: "solved_at",
}

H3_RESOLUTIONS = (7, 9)

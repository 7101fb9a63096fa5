"""Permissions that come with a role, so ``user.has_perm`` answers the same everywhere, and
the lockout that refuses a username's logins after repeated failures."""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied

from . import lockout
from .choices import Role

# What each role may change, as Django permission names; administrators may change anything.
# Reads are decided by jurisdiction (areas.scoping) and, per resource, by ``READABLE``.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ANALYST: frozenset({"alerts.change_alert"}),
    Role.DISTRICT_COMMANDER: frozenset(
        {
            "campaigns.add_kpiitem",
            "campaigns.change_kpiitem",
            "campaigns.delete_kpiitem",
            "campaigns.add_kpireport",
            "campaigns.add_sweep",
            "campaigns.change_sweep",
            "campaigns.add_remediationinspection",
            "alerts.change_alert",
            # The district's command centre relays its units' positions.
            "patrols.add_position",
        }
    ),
    Role.STATION_OFFICER: frozenset(
        {
            "incidents.add_incident",
            "incidents.change_incident",
            "mediation.add_disputecase",
            "mediation.change_disputecase",
            "mediation.add_followup",
            "mediation.change_followup",
            # Station officers mediate: they talk to the parties.
            "mediation.view_personal_data",
            "campaigns.add_kpireport",
            "campaigns.add_sweep",
            "campaigns.add_remediationinspection",
            "alerts.change_alert",
            "patrols.add_position",
        }
    ),
    Role.VIEWER: frozenset(),
    Role.API_CLIENT: frozenset(),
}

# The resources (see accounts.scopes) each role may read; None is every resource.
READABLE: dict[str, frozenset[str] | None] = {
    Role.ADMINISTRATOR: None,
    Role.API_CLIENT: frozenset({"stats"}),
}
ADMIN_ONLY_RESOURCES = frozenset({"audit"})


def is_administrator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def may_read(user, resource: str) -> bool:
    if is_administrator(user):
        return True
    readable = READABLE.get(user.role, ...)
    if readable is ...:
        return resource not in ADMIN_ONLY_RESOURCES
    return resource in readable


class RolePermissionBackend(BaseBackend):
    """Grants each active user the permissions of their role; authenticates no one."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), ()))

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_anonymous or not user_obj.is_active:
            return False
        return is_administrator(user_obj) or perm in self.get_all_permissions(user_obj, obj)


class LockoutModelBackend(ModelBackend):
    """Django's username and password check, refusing a locked-out username before any
    password is checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and lockout.is_locked(username):
            # PermissionDenied stops authenticate() trying the other backends.
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)

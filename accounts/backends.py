"""Permissions that come with a role, so ``user.has_perm`` answers the same everywhere, and
the lockout that refuses a username's logins after repeated failures."""

import unicodedata

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend

from . import lockout
from .choices import Role
from .models import principals

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


class LockoutModelBackend(AxesStandaloneBackend, ModelBackend):
    """Django's username and password check, behind the lockout (accounts.lockout): an attempt
    takes its slot first, and one refused a slot is answered without its password checked.
    Usernames are matched in their canonical spelling, so ``Victim2``, `` victim2 `` and
    ``ｖｉｃｔｉｍ２`` all name ``victim2``."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        # Without a request (the test client's login(), code calling authenticate() itself)
        # there is no client to count against.
        if request is not None and lockout.reserve(request, username) is not None:
            # PermissionDenied stops authenticate() trying the other backends.
            raise AxesBackendPermissionDenied("locked out")
        user = user_named(username)
        if user is None:
            # Hash anyway, so the answer's timing does not tell which usernames exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user, with the jurisdiction every scoped read checks, in one query."""
        user = principals().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def user_named(username: str):
    """The user a login names: the exact username, else the one whose canonical spelling
    matches (none when two accounts share it)."""
    users = get_user_model()._default_manager
    typed = unicodedata.normalize("NFKC", str(username)).strip()
    exact = users.filter(username=typed).first()
    if exact is not None:
        return exact
    canonical = lockout.canonical_username(username)
    matches = [
        user
        for user in users.filter(username__iexact=canonical)[:10]
        if lockout.canonical_username(user.username) == canonical
    ]
    return matches[0] if len(matches) == 1 else None

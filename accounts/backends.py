"""Permissions that come with a role, so ``user.has_perm`` answers the same everywhere."""

from django.contrib.auth.backends import BaseBackend

from .choices import Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({"mediation.view_personal_data"}),
    # Station officers mediate: they talk to the parties.
    Role.STATION_OFFICER: frozenset({"mediation.view_personal_data"}),
}


class RolePermissionBackend(BaseBackend):
    """Grants each active user the permissions of their role; authenticates no one."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

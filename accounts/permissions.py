from rest_framework import permissions


class CityRolesWrite(permissions.BasePermission):
    """Reads for everyone in scope; changes by city-wide roles (administrators, analysts)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return user.is_superuser or getattr(user, "is_city_wide", False)

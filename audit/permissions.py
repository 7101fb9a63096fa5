"""Who may read the trail: administrators only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.backends import may_read


def is_audit_reader(user) -> bool:
    """Administrators only: the trail is an admin-only resource of the role table."""
    return bool(user is not None and user.is_authenticated and may_read(user, "audit"))


class IsAuditReader(permissions.BasePermission):
    message = _("只有系统管理员可以查看审计日志。")

    def has_permission(self, request, view):
        return is_audit_reader(request.user)

"""The API's permission check: what the role may read and change, and what the token allows,
decided by ``accounts.policy.may_act`` — the same function every WebSocket action asks.

Services repeat the change checks (accounts.policy.require), so a path that skips the API
cannot skip them.
"""

from rest_framework import permissions

from .models import ApiToken
from .policy import may_act
from .scopes import resource_of

_MODEL_PERMISSIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def write_permissions(view, method: str) -> list[str] | None:
    """The permissions a change needs: the view's ``write_permissions`` for its action, else
    the model's add/change/delete permission; None when the view names none (refused)."""
    declared = getattr(view, "write_permissions", None)
    action = getattr(view, "action", None) or method.lower()
    if declared and action in declared:
        return list(declared[action])
    queryset = getattr(view, "queryset", None)
    if queryset is None and hasattr(view, "get_queryset"):
        try:
            queryset = view.get_queryset()
        except Exception:  # views without a model (statistics, ingest endpoints)
            queryset = None
    if queryset is None or method not in _MODEL_PERMISSIONS:
        return None
    meta = queryset.model._meta
    return [f"{meta.app_label}.{_MODEL_PERMISSIONS[method]}_{meta.model_name}"]


class RolePermissions(permissions.BasePermission):
    """Reads: the resources the role may read (all, for people; statistics, for API clients).
    Changes: the Django permissions of the role (accounts.backends.ROLE_PERMISSIONS). A request
    authenticated by an API token may do only what the token's scopes allow besides."""

    message = "你的角色无权访问此接口。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        token = request.auth if isinstance(request.auth, ApiToken) else None
        write = request.method not in permissions.SAFE_METHODS
        verdict = may_act(
            user,
            token,
            resource_of(view),
            write=write,
            permissions=write_permissions(view, request.method) if write else (),
        )
        self.message = verdict.detail or self.message
        return verdict.allowed

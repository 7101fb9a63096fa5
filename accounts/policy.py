"""The checks services make before they change anything: the role's permission, then the
jurisdiction. ``user=None`` is the platform itself (imports, the demo, Celery) and may do
anything."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from areas.scoping import scope_for


def require(user, permission: str, *, area_path: str | None = None) -> None:
    """PermissionDenied unless ``user`` holds ``permission`` (and covers ``area_path``)."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDenied(
            _("你的角色（%(role)s）无权执行此操作（%(permission)s）。")
            % {"role": user.get_role_display(), "permission": permission}
        )
    if area_path is not None and not scope_for(user).covers(area_path):
        raise PermissionDenied(_("该对象不在你的辖区内。"))

"""The checks services make before they change anything: the role's permission, then the
jurisdiction. ``user=None`` is the platform itself (imports, the demo, Celery) and may do
anything.

Writes keyed by an outside reference (an incident's source reference, a device's event id, a
unit's code, the incident a dispute case is opened from) are upserts: the same request creates
a record or changes the one already there. Creating needs the add permission on the new
record's area; writing over an existing record needs the change permission on the area the
record is in *and* on the area it would move to (:func:`may_write_over`). A row that names a
record the caller may not change is refused with :data:`NOT_YOURS`, which says nothing of that
record: not its id, its area or any of its values.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from areas.scoping import scope_for

# The answer to a write over a record of someone else's jurisdiction; the same for every record.
NOT_YOURS = "not yours to change"


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


def allows(user, permission: str, *, area_path: str | None = None) -> bool:
    """Whether :func:`require` would let ``user`` do this (for checks made row by row)."""
    if user is None:
        return True
    if not user.has_perm(permission):
        return False
    return area_path is None or scope_for(user).covers(area_path)


def may_write_over(user, permission: str, *, existing_path: str, new_path: str | None = None):
    """Whether an upsert may write over a record at ``existing_path`` (moving it to
    ``new_path``, when given): ``permission``, the change permission, on both areas."""
    return allows(user, permission, area_path=existing_path) and (
        new_path is None or allows(user, permission, area_path=new_path)
    )

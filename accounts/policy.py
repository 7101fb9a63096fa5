"""The permission checks of the platform, in one place.

``may_act`` is what a caller may do with a resource — the role's reads and Django
permissions, and an API token's scopes — asked by the REST API (accounts.permissions) and by
every WebSocket action (safecity.core.live) alike, so the two cannot drift.
``require`` is what services check before they change anything: the role's permission, then
the jurisdiction. ``user=None`` there is the platform itself (imports, the demo, Celery) and may
do anything.

Writes keyed by an outside reference (an incident's source reference, a device's event id, a
unit's code, the incident a dispute case is opened from) are upserts: the same request creates
a record or changes the one already there. Creating needs the add permission on the new
record's area; writing over an existing record needs the change permission on the area the
record is in *and* on the area it would move to (:func:`may_write_over`). A row that names a
record the caller may not change is refused with :data:`NOT_YOURS`, which says nothing of that
record: not its id, its area or any of its values.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import NotAuthenticated

from areas.scoping import scope_for

# The answer to a write over a record of someone else's jurisdiction; the same for every record.
# Marked for the catalogue: the API answers it as written, a page in its language.
NOT_YOURS = gettext_noop("not yours to change")


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`may_act`: allowed, or refused with the reason to show the caller."""

    allowed: bool
    detail: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def may_act(
    user,
    token,
    resource: str,
    *,
    write: bool,
    permissions: Iterable[str] | None = (),
) -> Verdict:
    """May ``user`` (through the API token ``token``, if any) read ``resource``, or change it
    with ``permissions``? A change needs the role to read the resource, every one of the
    permissions (None: the caller named none, refused), and the token's ``<resource>:write``
    scope; a read needs the role's read and the token's ``<resource>:read``."""
    from .backends import may_read

    if user is None or not user.is_authenticated or not user.is_active:
        return Verdict(False, str(NotAuthenticated.default_detail))
    if not may_read(user, resource):
        return Verdict(False, _("你的角色无权访问此接口。"))
    if write:
        if permissions is None:
            return Verdict(False, _("你的角色无权访问此接口。"))
        missing = [permission for permission in permissions if not user.has_perm(permission)]
        if missing:
            return Verdict(
                False,
                _("你的角色（%(role)s）无权执行此操作（%(permission)s）。")
                % {"role": user.get_role_display(), "permission": ", ".join(missing)},
            )
    needed = f"{resource}:{'write' if write else 'read'}"
    if token is not None and not token.allows(needed):
        return Verdict(False, f"this token lacks the scope {needed}")
    return ALLOWED


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

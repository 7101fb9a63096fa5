"""What other domains offer to do with one object, shown on that object's page: the domain
that acts registers the action (``object_action``), so the page's own domain imports none of
them — the incident page offers "调解" (open a dispute case from it) without knowing mediation.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise

from accounts.policy import allows

from .registry import load_pages


@dataclass(frozen=True)
class ObjectAction:
    """A link to another page that acts on the object, named in its query string."""

    subject: str
    label: str | Promise
    url_name: str
    # The permission the user needs for the action; users without it are not offered it.
    permission: str
    # The query parameter the action's page reads the object's id from.
    parameter: str


_ACTIONS: dict[str, list[ObjectAction]] = {}


def object_action(*, subject: str, label, url_name: str, permission: str, parameter: str):
    """Offer an action on every page about a ``subject`` (e.g. ``"incident"``)."""
    action = ObjectAction(subject, label, url_name, permission, parameter)
    known = _ACTIONS.setdefault(subject, [])
    if action not in known:
        known.append(action)


def actions_for(subject: str, user, object_id, *, area_path: str) -> list[tuple[str, str]]:
    """(label, address) of the actions on one object that ``user`` may take where it lies."""
    load_pages()
    return [
        (action.label, f"{reverse(action.url_name)}?{urlencode({action.parameter: object_id})}")
        for action in _ACTIONS.get(subject, ())
        if allows(user, action.permission, area_path=area_path)
    ]

"""What an API token may do: ``<resource>:read`` for reads, ``<resource>:write`` for changes.

A view's resource is its app (``stats``, ``incidents`` ...) unless it names one itself with a
``token_resource`` attribute (device events are ``events``).
"""

from django.utils.translation import gettext_lazy as _

RESOURCES = {
    "areas": _("辖区"),
    "incidents": _("警情"),
    "events": _("设备事件"),
    "stats": _("统计"),
    "alerts": _("告警"),
    "campaigns": _("专项行动"),
    "patrols": _("巡逻"),
    "mediation": _("矛盾纠纷"),
    "audit": _("审计日志"),
    "analysis": _("研判分析"),
}
SCOPES = frozenset(f"{resource}:{mode}" for resource in RESOURCES for mode in ("read", "write"))


class UnknownScope(ValueError):
    pass


def check_scopes(scopes) -> list[str]:
    """The scopes, sorted and without repeats; UnknownScope names any the platform lacks."""
    unknown = sorted(set(scopes) - SCOPES)
    if unknown:
        raise UnknownScope(
            f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}"
        )
    return sorted(set(scopes))


def resource_of(handler) -> str:
    """What an API view or WebSocket consumer serves: its ``token_resource``, else its app."""
    return getattr(handler, "token_resource", None) or type(handler).__module__.split(".")[0]

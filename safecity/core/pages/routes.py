"""The route table a page's script reads: URL names to paths, each URL parameter left as
``{name}`` for the script to fill (``SafeCity.route``), so no script spells out a path."""

from django.conf import settings
from django.urls import get_resolver, get_script_prefix


def route_path(url_name: str) -> str:
    """The path of a named route with its parameters as ``{name}`` placeholders. A route a
    router also serves with a format suffix (``.json``) is given in its plain form. WebSocket
    routes (``settings.WEBSOCKET_URLCONF``) are found by their names too."""
    candidates = get_resolver().reverse_dict.getlist(url_name) or get_resolver(
        settings.WEBSOCKET_URLCONF
    ).reverse_dict.getlist(url_name)
    for bits, _pattern, _defaults, _converters in candidates:
        template, params = bits[0]
        if "format" not in params:
            return get_script_prefix() + template % {name: f"{{{name}}}" for name in params}
    raise LookupError(f"no route named {url_name!r} without a format suffix")


def route_table(url_names) -> dict[str, str]:
    return {name: route_path(name) for name in url_names}

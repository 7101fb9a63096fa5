"""The pages of the shell as plain data: each page registers itself with its key, URL name,
label, the resource it shows and its place in the navigation. Nothing here imports a page:
the URL configuration does, and the registry asks it to load."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import get_resolver
from django.utils.functional import Promise


@dataclass(frozen=True)
class PageEntry:
    """One page of the navigation."""

    key: str
    url_name: str
    label: str | Promise
    # The resource (accounts.scopes) the page shows: a role that may not read it gets 403,
    # and the page is not in its navigation.
    resource: str
    # Where the page stands in the navigation: lower first.
    order: int
    # A permission the role must also hold (a page that writes, such as the import page):
    # without it, 403 and no navigation entry, as for the resource.
    permission: str = ""
    # Whether the page is listed in the navigation (the inbox is reached from the header).
    in_nav: bool = True


@dataclass(frozen=True)
class ShellPart:
    """Something an app adds to the header of every page (the saved-views control, the inbox
    link): the template drawn there, the script that runs it and the routes that script
    requests, and ``context(request)`` giving the template its values."""

    key: str
    template: str
    script: str = ""
    routes: tuple[str, ...] = ()
    context: Callable[[Any], dict] | None = None


_PAGES: dict[str, PageEntry] = {}
_PARTS: dict[str, ShellPart] = {}


def register_page(entry: PageEntry) -> None:
    existing = _PAGES.get(entry.key)
    if existing is not None and existing != entry:
        raise ValueError(f"page {entry.key!r} is registered twice: {existing} and {entry}")
    _PAGES[entry.key] = entry


def page(
    *,
    key: str,
    url_name: str,
    label,
    resource: str,
    order: int,
    permission: str = "",
    in_nav: bool = True,
):
    """Class decorator: register a page with the shell and make it the page of ``key``."""

    def decorate(view_class):
        register_page(PageEntry(key, url_name, label, resource, order, permission, in_nav))
        view_class.nav_key = key
        return view_class

    return decorate


def load_pages() -> None:
    """Pages register when their views module is imported, and the URL configuration imports
    the views of every page it routes to (while serving a request it is loaded already)."""
    get_resolver().url_patterns  # noqa: B018 (loading it is the point)


def get_page(key: str) -> PageEntry:
    load_pages()
    try:
        return _PAGES[key]
    except KeyError:
        raise LookupError(f"no page {key!r}; known: {sorted(_PAGES)}") from None


def registered_pages() -> list[PageEntry]:
    """Every page, in navigation order."""
    load_pages()
    return sorted(_PAGES.values(), key=lambda entry: (entry.order, entry.key))


def register_shell_part(part: ShellPart) -> None:
    """Add ``part`` to every page's header (registered, as pages are, when the app's views
    module is imported by the URL configuration)."""
    _PARTS[part.key] = part


def shell_parts() -> list[ShellPart]:
    load_pages()
    return sorted(_PARTS.values(), key=lambda part: part.key)

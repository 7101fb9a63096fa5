"""Reads of the standard address table, scoped to the user."""

from django.db.models import Q

from areas.locator import get_locator
from areas.scoping import scope_for

from .models import StandardAddress
from .normalise import normalise_address

# Standard addresses read for one search, before those outside the user's jurisdiction drop.
SEARCH_CANDIDATES = 50


def standard_addresses(*, user, query: str, limit: int) -> list[dict]:
    """Standard addresses whose key starts with the query's (or whose text contains it), in
    the user's jurisdiction, as the entry form's address search shows places."""
    if limit <= 0:
        return []
    key = normalise_address(query)
    match = Q(address__icontains=query)
    if key:
        match |= Q(key__startswith=key)
    rows = list(
        StandardAddress.objects.filter(match)
        .order_by("key", "id")
        .values_list("address", "lon", "lat")[:SEARCH_CANDIDATES]
    )
    scope = scope_for(user)
    if not scope.everything:
        places = get_locator().locate_many([(lon, lat) for _, lon, lat in rows])
        rows = [
            row
            for row, place in zip(rows, places, strict=True)
            if place.leaf is not None and scope.covers(place.leaf.path)
        ]
    return [
        {"kind": "standard_address", "label": address, "lon": lon, "lat": lat}
        for address, lon, lat in rows[:limit]
    ]

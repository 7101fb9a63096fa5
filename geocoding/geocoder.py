"""Locating address texts from the standard address table.

The rule: the text's normalised key (``normalise_address``) matching a standard address's key
is an exact match. Otherwise the candidates are the standard addresses with the same numbers
(house, lane, building, room: a typo may be forgiven in the words, never in the numbers), found
by an index; the best of them by rapidfuzz's ``ratio`` of the keys is accepted at
``FUZZY_THRESHOLD`` or above. Anything else stays unlocated, with the reason.

``AddressIndex`` holds the table (or any rows) in memory for bulk work; ``table_geocoder()``
returns the process's copy of the table, reloaded when the table's generation changes, or, when
no copy is held yet and only a few addresses are asked for, a geocoder that asks the database.
"""

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Max
from rapidfuzz import fuzz, process

from .choices import GeocodeQuality, UnlocatedReason
from .models import AddressLoad, StandardAddress
from .normalise import district_of, normalise_address, numbers_of

# rapidfuzz ratio (0–100) of the keys, with the numbers already equal: 85 forgives one wrong or
# missing character in a road name of six or more characters, not a different road.
FUZZY_THRESHOLD = 85.0
# Fewer addresses than this, with no copy of the table in memory yet, are asked of the database.
FEW_ADDRESSES = 200
# Candidates read from the database for one batch's fuzzy matches, at most.
DATABASE_CANDIDATES = 200_000


@dataclass(frozen=True, slots=True)
class Geocode:
    """Where an address text was placed, how well, and against which standard address."""

    lon: float | None
    lat: float | None
    quality: str
    score: float | None
    matched_address: str
    reason: str


NO_ADDRESS = Geocode(None, None, GeocodeQuality.UNLOCATED, None, "", UnlocatedReason.NO_ADDRESS)
NO_MATCH = Geocode(None, None, GeocodeQuality.UNLOCATED, None, "", UnlocatedReason.NO_MATCH)

# A standard address as the geocoder holds it: (address text, lon, lat).
Entry = tuple[str, float, float]


def best_match(key: str, candidates: dict[str, Entry], district: str = "") -> Geocode:
    """The fuzzy match of ``key`` among ``candidates`` (key → entry), all with its numbers.
    Of several equally near, the one in the text's ``district``; if that does not decide,
    none."""
    if not candidates:
        return NO_MATCH
    near = process.extract(
        key, candidates.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=8
    )
    if not near:
        found_key, score, _ = process.extractOne(key, candidates.keys(), scorer=fuzz.ratio)
        return Geocode(
            None,
            None,
            GeocodeQuality.UNLOCATED,
            round(score, 1),
            candidates[found_key][0],
            UnlocatedReason.BELOW_THRESHOLD,
        )
    best = near[0][1]
    tied = [found_key for found_key, score, _ in near if score == best]
    if len(tied) > 1 and district:
        tied = [found_key for found_key in tied if district in candidates[found_key][0]] or tied
    address, lon, lat = candidates[tied[0]]
    if len(tied) > 1:
        return Geocode(
            None, None, GeocodeQuality.UNLOCATED, round(best, 1), "", UnlocatedReason.AMBIGUOUS
        )
    return Geocode(lon, lat, GeocodeQuality.FUZZY, round(best, 1), address, "")


def exact(entry: Entry) -> Geocode:
    address, lon, lat = entry
    return Geocode(lon, lat, GeocodeQuality.EXACT, 100.0, address, "")


class AddressIndex:
    """Standard addresses in memory: by key, and the keys by their numbers."""

    def __init__(self, rows: Iterable[tuple[str, str, str, float, float]]):
        """``rows``: (key, numbers, address, lon, lat); of two with one key, the first counts."""
        self.by_key: dict[str, Entry] = {}
        self.by_numbers: dict[str, dict[str, Entry]] = {}
        for key, numbers, address, lon, lat in rows:
            if key in self.by_key:
                continue
            entry = self.by_key[key] = (address, lon, lat)
            self.by_numbers.setdefault(numbers, {})[key] = entry

    def __len__(self) -> int:
        return len(self.by_key)

    def locate(self, text: str) -> Geocode:
        key = normalise_address(text)
        if not key:
            return NO_ADDRESS
        entry = self.by_key.get(key)
        if entry is not None:
            return exact(entry)
        return best_match(key, self.by_numbers.get(numbers_of(key), {}), district_of(text))

    def locate_many(self, texts: Sequence[str]) -> list[Geocode]:
        return [self.locate(text) for text in texts]


class DatabaseGeocoder:
    """The table asked directly, two queries a batch: for a few addresses, no copy needed."""

    def locate_many(self, texts: Sequence[str]) -> list[Geocode]:
        keys = [normalise_address(text) for text in texts]
        wanted = {key for key in keys if key}
        by_key = {
            key: (address, lon, lat)
            for key, address, lon, lat in StandardAddress.objects.filter(key__in=wanted)
            .order_by("-id")  # of two sources with one key, the first loaded counts
            .values_list("key", "address", "lon", "lat")
            .iterator()
        }
        numbers = {numbers_of(key) for key in wanted if key not in by_key}
        by_numbers: dict[str, dict[str, Entry]] = {}
        if numbers:
            candidates = StandardAddress.objects.filter(numbers__in=numbers).values_list(
                "numbers", "key", "address", "lon", "lat"
            )[:DATABASE_CANDIDATES]
            for sig, key, address, lon, lat in candidates:
                by_numbers.setdefault(sig, {}).setdefault(key, (address, lon, lat))
        results = []
        for text, key in zip(texts, keys, strict=True):
            if not key:
                results.append(NO_ADDRESS)
            elif key in by_key:
                results.append(exact(by_key[key]))
            else:
                candidates = by_numbers.get(numbers_of(key), {})
                results.append(best_match(key, candidates, district_of(text)))
        return results


def table_generation() -> tuple:
    """Changes whenever the table does through its import: the latest load and address ids."""
    return (
        AddressLoad.objects.aggregate(latest=Max("id"))["latest"],
        StandardAddress.objects.aggregate(latest=Max("id"))["latest"],
    )


_held: dict[str, object] = {}
_holding = threading.Lock()


def table_index() -> AddressIndex:
    """The process's copy of the standard address table, reloaded when its generation moved."""
    generation = table_generation()
    with _holding:
        if _held.get("generation") != generation or "index" not in _held:
            rows = StandardAddress.objects.order_by("id").values_list(
                "key", "numbers", "address", "lon", "lat"
            )
            _held["index"] = AddressIndex(rows.iterator(chunk_size=20_000))
            _held["generation"] = generation
        return _held["index"]


def geocode_addresses(texts: Sequence[str]) -> list[Geocode]:
    """Each text located from the standard address table, in order."""
    if not texts:
        return []
    if "index" not in _held and len(texts) < FEW_ADDRESSES:
        return DatabaseGeocoder().locate_many(texts)
    return table_index().locate_many(texts)

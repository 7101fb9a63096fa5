"""A mapping proposed from a file's header: each incident field matched to the column whose
name is one of its known names (``aliases.HEADER_ALIASES``) after normalising, or close to one
(rapidfuzz), and value maps proposed for the category from the taxonomy's codes and names."""

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from incidents.models import Category

from .aliases import HEADER_ALIASES
from .mapping import REQUIRED_FIELDS, value_key

# How close (0–100) a column name must be to a known name to be proposed.
NEAR_MATCH_SCORE = 88
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalised(name: str) -> str:
    """A column name without case, spaces, underscores or punctuation (full-width alike)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", str(name)).casefold())


_ALIAS_FIELD = {normalised(alias): target for target, names in HEADER_ALIASES.items()
                for alias in names}  # fmt: skip


def propose_fields(header: Iterable[str]) -> dict[str, str]:
    """incident field → column, for the columns the header's names suggest; each column and
    each field used once, exact names before near ones, earlier columns first."""
    header = [column for column in header if column]
    proposed: dict[str, str] = {}
    used: set[str] = set()
    for column in header:
        target = _ALIAS_FIELD.get(normalised(column))
        if target and target not in proposed and column not in used:
            proposed[target] = column
            used.add(column)
    choices = list(_ALIAS_FIELD)
    for column in header:
        if column in used or not normalised(column):
            continue
        match = process.extractOne(
            normalised(column), choices, scorer=fuzz.ratio, score_cutoff=NEAR_MATCH_SCORE
        )
        if match and _ALIAS_FIELD[match[0]] not in proposed:
            proposed[_ALIAS_FIELD[match[0]]] = column
            used.add(column)
    return proposed


def propose_category_values(values: Iterable) -> dict[str, str]:
    """source value → taxonomy code, for values that are a code or a category's name."""
    by_name: dict[str, str] = {}
    for code, name, name_en in Category.objects.filter(is_active=True).values_list(
        "code", "name", "name_en"
    ):
        for known in (code, name, name_en):
            if known:
                by_name.setdefault(normalised(known), code)
    proposed = {}
    for value in values:
        code = by_name.get(normalised(value_key(value)))
        if code:
            proposed[value_key(value)] = code
    return proposed


def propose_mapping(header: Iterable[str], *, category_values: Iterable = ()) -> dict:
    """A mapping spec for a file with this header (and these category values), to be checked
    and completed by a person (``missing_fields`` names what it could not find)."""
    fields: dict[str, object] = dict(propose_fields(header))
    if "category" in fields:
        fields["category"] = {
            "column": fields["category"],
            "values": propose_category_values(category_values),
            "default": "other",
        }
    return {"fields": fields}


def missing_fields(spec: dict) -> list[str]:
    """The required fields a spec does not map."""
    return [name for name in REQUIRED_FIELDS if name not in (spec.get("fields") or {})]

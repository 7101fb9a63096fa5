"""The incident row, the one input format of every ingest path (REST, bulk, files, devices,
the demo): its fields, declared once in ``ROW_FIELD_TABLE``, and their validation.

A row is a flat dict of plain values. ``parse_row`` turns it into model field values or a
list of problems, each naming the field, so a bulk import can report row by row. It is plain
Python rather than a serializer because bulk ingest validates tens of thousands of rows a
second. The REST input serializer, and so the OpenAPI schema, is generated from the same table
(``incidents.api.serializers.IncidentInputSerializer``): a new row field is one line in the
table, its check in ``parse_row``, and the model field it fills in ``plan.INGESTED_FIELDS``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import Choices
from django.utils import timezone
from django.utils.translation import gettext_noop

from safecity.core.crs import Crs, to_wgs84
from safecity.core.times import EARLIEST

from ..choices import IncidentSource, Priority
from .values import parse_amount, parse_datetime, response_seconds, status_from_times


class FieldKind(StrEnum):
    """What a row field holds, which decides how it is checked and documented."""

    TEXT = "text"
    SLUG = "slug"  # letters, digits, - and _
    CODE = "code"  # a taxonomy code
    CHOICE = "choice"
    TIME = "time"  # ISO 8601; naive times are in the ingest's time zone
    COORDINATE = "coordinate"
    INTEGER = "integer"
    MONEY = "money"  # at most two decimal places
    FLAG = "flag"  # true or false (also 1/0, yes/no); empty is false


@dataclass(frozen=True)
class RowField:
    """One field of the incident row."""

    name: str
    kind: FieldKind
    required: bool = False
    max_length: int | None = None
    choices: type[Choices] | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    help_text: str = ""


MIN_MONEY, MAX_MONEY = Decimal(0), Decimal("999999999999.99")
MONEY_DIGITS, MONEY_DECIMAL_PLACES = 14, 2
# PostgreSQL's integer, which holds arrests and response seconds.
MAX_INTEGER = 2**31 - 1
_TIME, _TEXT, _MONEY = FieldKind.TIME, FieldKind.TEXT, FieldKind.MONEY
_TIME_HELP = "ISO 8601; naive times are in the ingest's time zone"

# The order is the schema's, and the order in which problems of several fields are listed.
ROW_FIELD_TABLE = (
    RowField("source", FieldKind.CHOICE, choices=IncidentSource),
    RowField(
        "source_system",
        FieldKind.SLUG,
        max_length=48,
        help_text="the system the row comes from; default 'api'",
    ),
    RowField(
        "source_ref",
        _TEXT,
        required=True,
        max_length=128,
        help_text="the row's reference, unique within its source system",
    ),
    RowField("category", FieldKind.CODE, required=True, help_text="taxonomy code"),
    RowField(
        "category_defaulted",
        FieldKind.FLAG,
        help_text="the category is a mapping's fallback for an unknown source value, to review",
    ),
    RowField("reported_at", _TIME, required=True, help_text=_TIME_HELP),
    RowField("occurred_at", _TIME, help_text=_TIME_HELP),
    RowField("dispatched_at", _TIME, help_text=_TIME_HELP),
    RowField("on_scene_at", _TIME, help_text=_TIME_HELP),
    RowField("closed_at", _TIME, help_text=_TIME_HELP),
    RowField("filed_at", _TIME, help_text=_TIME_HELP),
    RowField("solved_at", _TIME, help_text=_TIME_HELP),
    RowField("lon", FieldKind.COORDINATE, minimum=-180, maximum=180, help_text="with lat"),
    RowField("lat", FieldKind.COORDINATE, minimum=-90, maximum=90, help_text="with lon"),
    RowField(
        "crs",
        FieldKind.CHOICE,
        choices=Crs,
        help_text="the system lon and lat are in (default wgs84); stored as WGS84",
    ),
    RowField("address", _TEXT, max_length=300),
    RowField("priority", FieldKind.CHOICE, choices=Priority),
    RowField("money_involved", _MONEY, minimum=MIN_MONEY, maximum=MAX_MONEY),
    RowField("loss", _MONEY, minimum=MIN_MONEY, maximum=MAX_MONEY),
    RowField("recovered", _MONEY, minimum=MIN_MONEY, maximum=MAX_MONEY),
    RowField("arrested", FieldKind.INTEGER, minimum=0, maximum=MAX_INTEGER, help_text="people"),
    RowField("summary", _TEXT, max_length=10_000),
    RowField("transfer_agency", _TEXT, max_length=100, help_text="the agency it went to"),
    RowField("transferred_at", _TIME, help_text=_TIME_HELP),
    RowField("transfer_outcome", _TEXT, max_length=300),
)
ROW_FIELD = {spec.name: spec for spec in ROW_FIELD_TABLE}

# What parse_row works with, read from the table once: rows are checked tens of thousands a
# second.
ROW_FIELDS = frozenset(ROW_FIELD)
TIME_FIELDS = tuple(spec.name for spec in ROW_FIELD_TABLE if spec.kind is _TIME)
MONEY_FIELDS = tuple(spec.name for spec in ROW_FIELD_TABLE if spec.kind is _MONEY)
TEXT_LIMITS = {spec.name: spec.max_length for spec in ROW_FIELD_TABLE if spec.kind is _TEXT}
SOURCE_SYSTEM_LENGTH = ROW_FIELD["source_system"].max_length
SOURCE_SYSTEM = re.compile(rf"[-a-zA-Z0-9_]{{1,{SOURCE_SYSTEM_LENGTH}}}")
# Choices' .values builds a list on every access.
SOURCES = frozenset(ROW_FIELD["source"].choices.values)
PRIORITIES = frozenset(ROW_FIELD["priority"].choices.values)
SYSTEMS = frozenset(Crs.values)
# Fields that say how to read the others and are not stored themselves.
INPUT_ONLY_FIELDS = frozenset({"crs"})
LON, LAT, ARRESTED = ROW_FIELD["lon"], ROW_FIELD["lat"], ROW_FIELD["arrested"]
DEFAULT_SOURCE = str(IncidentSource.CALL_110)
DEFAULT_PRIORITY = int(Priority.NORMAL)
TEXT_LIMIT_ITEMS = tuple(TEXT_LIMITS.items())
# What a flag field takes (True == 1 and False == 0 as dict keys, so those come free).
FLAG_VALUES = {
    None: False, "": False, True: True, False: False,
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "True": True, "False": False, "是": True, "否": False,
}  # fmt: skip

# Clocks drift; a report a few minutes "in the future" is a clock, not an error.
FUTURE_TOLERANCE = timedelta(minutes=5)
# The order in which a call's timestamps must fall.
CALL_SEQUENCE = ("reported_at", "dispatched_at", "on_scene_at", "closed_at")


# Problems a form on a page can meet, marked for the catalogue: the API answers them in English
# as written, a page shows them in its language (safecity.core.pages.forms).
IS_REQUIRED = gettext_noop("is required")
IN_FUTURE = gettext_noop("is in the future")
LON_LAT_TOGETHER = gettext_noop("lon and lat go together")
FILED_BEFORE_SOLVED = gettext_noop("a case must be filed before it is solved")
NOT_AN_OBJECT = gettext_noop("expected an object")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class RowError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def parse_row(
    row: dict,
    *,
    categories: dict[str, tuple[int, str]],
    default_tz: ZoneInfo | None = None,
    now: datetime | None = None,
) -> dict:
    """Model field values for one row, or RowError listing every problem in it.

    ``categories`` maps active category codes to (id, path).
    """
    if not isinstance(row, dict):
        raise RowError([Problem("row", NOT_AN_OBJECT)])
    tz = default_tz or timezone.get_default_timezone()
    latest = (now or timezone.now()) + FUTURE_TOLERANCE
    problems: list[Problem] = []
    values: dict = {}
    get = row.get  # rows are checked tens of thousands a second: the loops below are lean

    unknown = row.keys() - ROW_FIELDS
    if unknown:
        unknown = sorted(unknown)
        problems.append(Problem(unknown[0], f"unknown field(s): {', '.join(unknown)}"))
    problems += _unstorable_values(row)
    if problems:
        # Values of the wrong kind would only produce more, confusing problems below.
        raise RowError(problems)

    source = get("source") or DEFAULT_SOURCE
    if source not in SOURCES:
        problems.append(Problem("source", f"must be one of {', '.join(IncidentSource.values)}"))
    values["source"] = source
    values["source_system"] = str(get("source_system") or "api")
    flag = get("category_defaulted")
    if flag in FLAG_VALUES:
        values["category_defaulted"] = FLAG_VALUES[flag]
    else:
        values["category_defaulted"] = False
        problems.append(Problem("category_defaulted", "must be true or false"))
    if not SOURCE_SYSTEM.fullmatch(values["source_system"]):
        problems.append(
            Problem("source_system", f"letters, digits, - and _; at most {SOURCE_SYSTEM_LENGTH}")
        )

    for name, limit in TEXT_LIMIT_ITEMS:
        text = get(name)
        text = "" if text is None else (text if type(text) is str else str(text)).strip()
        if len(text) > limit:
            problems.append(Problem(name, f"longer than {limit} characters"))
        values[name] = text
    if not values["source_ref"]:
        problems.append(Problem("source_ref", IS_REQUIRED))

    code = get("category")
    if code in (None, ""):
        problems.append(Problem("category", IS_REQUIRED))
    elif code not in categories:
        problems.append(Problem("category", f"unknown or retired category code {code!r}"))
    else:
        values["category_id"], values["category_path"] = categories[code]

    for name in TIME_FIELDS:
        raw = get(name)
        if raw is None or raw == "":
            values[name] = None
            continue
        if type(raw) is datetime and raw.tzinfo is UTC:
            moment = raw  # already in UTC: the usual case for rows built in Python
        else:
            try:
                moment = parse_datetime(raw, tz)
            except (ValueError, TypeError):
                problems.append(Problem(name, f"not a date-time: {raw!r}"))
                values[name] = None
                continue
        values[name] = moment
        if moment > latest:
            problems.append(Problem(name, IN_FUTURE))
        elif moment < EARLIEST:
            problems.append(Problem(name, f"is before {EARLIEST:%Y-%m-%d}"))
    if get("reported_at") in (None, ""):
        problems.append(Problem("reported_at", IS_REQUIRED))
    problems.extend(_sequence_problems(values))

    lon, lat = get("lon"), get("lat")
    values["lon"] = values["lat"] = None
    if lon in (None, "") and lat in (None, ""):
        pass
    elif lon in (None, "") or lat in (None, ""):
        problems.append(Problem("lon" if lon in (None, "") else "lat", LON_LAT_TOGETHER))
    else:
        try:
            values["lon"], values["lat"] = float(lon), float(lat)
        except (TypeError, ValueError, OverflowError):
            problems.append(Problem("lon", f"coordinates must be numbers: {lon!r}, {lat!r}"))
        else:
            if not LON.minimum <= values["lon"] <= LON.maximum:
                problems.append(
                    Problem("lon", f"longitude {lon} is outside {LON.minimum}..{LON.maximum}")
                )
            if not LAT.minimum <= values["lat"] <= LAT.maximum:
                problems.append(
                    Problem("lat", f"latitude {lat} is outside {LAT.minimum}..{LAT.maximum}")
                )
    system = get("crs") or Crs.WGS84
    if system not in SYSTEMS:
        problems.append(Problem("crs", f"must be one of {', '.join(Crs.values)}"))
    elif system != Crs.WGS84 and values["lon"] is not None:
        # Everything is stored in WGS84, so the area lookup and the maps agree.
        values["lon"], values["lat"] = to_wgs84(values["lon"], values["lat"], system)

    priority = get("priority")
    try:
        values["priority"] = DEFAULT_PRIORITY if priority in (None, "") else int(priority)
        if values["priority"] not in PRIORITIES:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        problems.append(Problem("priority", f"must be one of {Priority.values}"))

    arrested = get("arrested")
    try:
        values["arrested"] = 0 if arrested in (None, "") else int(arrested)
        if not ARRESTED.minimum <= values["arrested"] <= ARRESTED.maximum:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        problems.append(
            Problem(
                "arrested",
                f"must be a whole number from {ARRESTED.minimum} to {ARRESTED.maximum}",
            )
        )

    for name in MONEY_FIELDS:
        raw = get(name)
        if raw in (None, ""):
            values[name] = None
            continue
        try:
            values[name] = parse_amount(raw)
        except (InvalidOperation, ValueError):
            problems.append(Problem(name, f"not an amount: {raw!r}"))
            continue
        if not MIN_MONEY <= values[name] <= MAX_MONEY:
            problems.append(Problem(name, f"must be between {MIN_MONEY} and {MAX_MONEY:,}"))

    if problems:
        raise RowError(problems)
    values["status"] = status_from_times(values)
    values["response_seconds"] = response_seconds(values)
    return values


# Values of these types need no closer look (but text for NUL characters).
_PLAIN_TYPES = frozenset({str, int, float, bool, datetime, Decimal, type(None)})


def _unstorable_values(row: dict) -> list[Problem]:
    """Lists and objects where a plain value belongs, and text PostgreSQL cannot store."""
    for value in row.values():
        kind = type(value)
        if kind not in _PLAIN_TYPES or (kind is str and "\x00" in value):
            break
    else:
        return []  # the usual case, found in one quick pass
    problems = []
    for name, value in row.items():
        if isinstance(value, str):
            if "\x00" in value and name in ROW_FIELDS:
                problems.append(Problem(name, "must not contain NUL characters"))
        elif isinstance(value, (list, dict)) and name in ROW_FIELDS:
            problems.append(Problem(name, "must be a plain value, not a list or an object"))
    problems.sort(key=lambda problem: problem.field)
    return problems


def _sequence_problems(values: dict) -> list[Problem]:
    problems = []
    previous = None
    for name in CALL_SEQUENCE:
        current = values.get(name)
        if current is None:
            continue
        if previous is not None and current < values[previous]:
            problems.append(Problem(name, f"is earlier than {previous}"))
        previous = name
    if values.get("solved_at") and not values.get("filed_at"):
        problems.append(Problem("solved_at", FILED_BEFORE_SOLVED))
    if (
        values.get("solved_at")
        and values.get("filed_at")
        and values["solved_at"] < values["filed_at"]
    ):
        problems.append(Problem("solved_at", "is earlier than filed_at"))
    if (
        values.get("filed_at")
        and values.get("reported_at")
        and values["filed_at"] < values["reported_at"]
    ):
        problems.append(Problem("filed_at", "is earlier than reported_at"))
    return problems

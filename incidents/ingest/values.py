"""Plain values of an incident row: times and amounts as read, and what the lifecycle times
give (the status reached, the response time). No Django models: the row parser calls these
tens of thousands of times a second."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..choices import STATUS_TIME_FIELD, IncidentStatus


def parse_datetime(value, tz: ZoneInfo) -> datetime:
    """An ISO 8601 text or a datetime as an aware datetime in UTC. A naive time is local to
    ``tz``; one that falls twice (clocks turned back) is the earlier instant (``fold=0``), one
    that never happened (clocks turned forward) is shifted forward by the gap (02:30 in a gap
    from 02:00 to 03:00 is 03:30), as PEP 495 reads ``fold=0``.

    The answer is in UTC because ``==`` between aware datetimes of different zones is always
    False when either is in a fold or a gap (PEP 495): a re-import compares stored times (UTC)
    with parsed ones, and must find them equal."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip())
    else:
        raise ValueError("expected an ISO 8601 date-time")
    if parsed.tzinfo is None or parsed.utcoffset() is None:  # naive
        parsed = parsed.replace(tzinfo=tz, fold=0)
    return parsed.astimezone(UTC)


def parse_amount(value) -> Decimal:
    amount = Decimal(str(value).strip().replace(",", ""))
    if not amount.is_finite():
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def status_from_times(values: dict) -> str:
    """The furthest lifecycle status whose timestamp is present."""
    for status in (
        IncidentStatus.SOLVED,
        IncidentStatus.FILED,
        IncidentStatus.CLOSED,
        IncidentStatus.ON_SCENE,
        IncidentStatus.DISPATCHED,
    ):
        if values.get(STATUS_TIME_FIELD[status]):
            return status
    return IncidentStatus.REPORTED


def response_seconds(values: dict) -> int | None:
    if values.get("on_scene_at") and values.get("reported_at"):
        return max(0, int((values["on_scene_at"] - values["reported_at"]).total_seconds()))
    return None

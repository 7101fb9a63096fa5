"""Each request's actor and origin for the events recorded while serving it, and an event for
each refused read, each write that did not succeed, and each bulk read."""

import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings

from . import context as audit_context
from .choices import AuditAction, AuditOutcome
from .services import audit_record

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Answers in these media types take data out of the platform: each is an export.
EXPORT_FORMATS = {
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/geo+json": "geojson",
}
# Query parameters that shape the answer rather than choose the rows.
NOT_FILTERS = frozenset({"format", "page_size", "cursor", "page"})


def outcome_for(status: int) -> str:
    if status in (401, 403):
        return AuditOutcome.DENIED
    return AuditOutcome.ERROR if status >= 500 else AuditOutcome.FAILED


@dataclass(frozen=True)
class BulkRead:
    """A successful read taking many rows at once: an export, or a large page of a list."""

    action: str
    format: str
    page_size: int | None


def bulk_read_of(context, response) -> BulkRead | None:
    """Whether the answer is an export (CSV, XLSX, GeoJSON, however it was asked for) or a
    list read of more than ``AUDIT_BULK_READ_ROWS`` rows, or asked for with a larger page."""
    if context.method != "GET" or response.status_code != 200:
        return None
    page_size = _number(context.request.GET.get("page_size"))
    media_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
    if media_type in EXPORT_FORMATS:
        return BulkRead(AuditAction.EXPORT, EXPORT_FORMATS[media_type], page_size)
    threshold = settings.AUDIT_BULK_READ_ROWS
    rows = _rows(context, response)
    if (rows or 0) > threshold or (page_size or 0) > threshold:
        return BulkRead(AuditAction.BULK_READ, "json", page_size)
    return None


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rows(context, response) -> int | None:
    """The rows told by the code that produced them, else those of a list, a page of one
    or a GeoJSON collection."""
    if context.rows is not None:
        return context.rows
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        if isinstance(data.get("results"), list):
            return len(data["results"])
        if isinstance(data.get("features"), list):
            return len(data["features"])
        return 1 if data.get("type") == "Feature" else None
    return len(data) if isinstance(data, list) else None


def _listed(context, response) -> str:
    """What was read: as its producer told, else the model an API view lists, else the
    route."""
    if context.rows_of:
        return context.rows_of
    match = getattr(context.request, "resolver_match", None)
    view = (getattr(response, "renderer_context", None) or {}).get("view")
    # A streamed answer has no renderer context: the view class is on the route's function.
    view_class = (
        type(view) if view is not None else getattr(getattr(match, "func", None), "cls", None)
    )
    queryset = getattr(view_class, "queryset", None)
    filterset = getattr(view_class, "filterset_class", None)
    model = getattr(queryset, "model", None) or (filterset and filterset._meta.model)
    if model is not None:
        return model._meta.label_lower
    return match.view_name if match else ""


def _then(content, done):
    try:
        yield from content
    finally:
        done()


class AuditContextMiddleware:
    """Set the audit context for the request; afterwards record a 403 on any request, and a
    4xx or 5xx answer to a write, unless the view recorded that outcome itself; and record
    each bulk read (a streamed one once its last row is sent)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = audit_context.context_for(request)
        token = audit_context.activate(context)
        try:
            response = self.get_response(request)
            if self._worth_recording(context, response.status_code):
                self._record(context, response.status_code)
            read = bulk_read_of(context, response)
            if read is not None:
                record = partial(self._record_read, context, read, response)
                if not response.streaming:
                    record()
                elif response.is_async:
                    response._resource_closers.append(record)  # as the server closes it
                else:
                    # Rows are counted as they stream: recorded after the last, or when the
                    # client goes away. (Under ASGI Django reads it all before sending any.)
                    response.streaming_content = _then(response.streaming_content, record)
            return response
        finally:
            audit_context.deactivate(token)

    @staticmethod
    def _worth_recording(context, status: int) -> bool:
        if context.outcome_recorded or status < 400:
            return False
        return status == 403 or context.method not in SAFE_METHODS

    @staticmethod
    def _record(context, status: int) -> None:
        outcome = outcome_for(status)
        action = AuditAction.DENIED if outcome == AuditOutcome.DENIED else AuditAction.WRITE
        try:
            audit_record(
                action=action,
                outcome=outcome,
                detail=f"{context.method} {context.path} → {status}",
            )
        except Exception:
            # The answer stands; a trail that cannot be written is an operational alarm.
            logger.exception("could not record the outcome of %s %s", context.method, context.path)

    @staticmethod
    def _record_read(context, read: BulkRead, response) -> None:
        request = context.request
        rows = _rows(context, response)
        filters = {
            name: values[0] if len(values) == 1 else values
            for name, values in request.GET.lists()
            if name not in NOT_FILTERS
        }
        try:
            audit_record(
                action=read.action,
                object_type=_listed(context, response),
                changes={
                    "format": read.format,
                    "rows": rows,
                    "page_size": read.page_size,
                    "filters": filters,
                },
                detail=f"GET {request.get_full_path()} → {rows} rows",
                request=request,
            )
        except Exception:
            logger.exception("could not record the bulk read %s", context.path)

"""The API's exception handler: DRF's, plus a JSON answer for what Django itself refuses
while reading a request (a body or form over its limits), which would otherwise surface as
a bare HTML 400, a model's ValidationError raised past the serializer (a service calling
``clean()``) as DRF's 400, a deletion the database's references forbid (``PROTECT``,
``RESTRICT``) as 409 naming what holds the record, and a 503 with ``Retry-After`` while the
database cannot be reached."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from ..unavailable import UNAVAILABLE_DETAIL, database_unavailable, log_unavailable
from .parsers import BodyTooLarge, TooManyRows
from .serializers import model_errors


class StillReferenced(exceptions.APIException):
    status_code = 409
    default_code = "still_referenced"

    def __init__(self, exc: ProtectedError | RestrictedError):
        holders = sorted({str(obj._meta.verbose_name) for obj in exc.args[1]})
        super().__init__(f"cannot be deleted while other records refer to it: {', '.join(holders)}")


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = UNAVAILABLE_DETAIL
    default_code = "database_unavailable"

    def __init__(self):
        super().__init__()
        # DRF's handler turns ``wait`` into the Retry-After header.
        self.wait = settings.DATABASE_RETRY_AFTER_SECONDS


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, DjangoValidationError):
        # A model's clean() refusing, called by a service: the same 400 as from a serializer.
        exc = exceptions.ValidationError(model_errors(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = StillReferenced(exc)
    elif database_unavailable(exc):
        log_unavailable(context["request"], exc)
        exc = DatabaseUnavailable()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, BodyTooLarge):
        response.data["limit_bytes"] = exc.limit
    elif response is not None and isinstance(exc, TooManyRows):
        response.data["limit_rows"] = exc.limit
    return response

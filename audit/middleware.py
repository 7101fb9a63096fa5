"""Each request's actor and origin for the events recorded while serving it, and an event for
each refused read and each write that did not succeed."""

import logging

from . import context as audit_context
from .choices import AuditAction, AuditOutcome
from .services import audit_record

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def outcome_for(status: int) -> str:
    if status in (401, 403):
        return AuditOutcome.DENIED
    return AuditOutcome.ERROR if status >= 500 else AuditOutcome.FAILED


class AuditContextMiddleware:
    """Set the audit context for the request; afterwards record a 403 on any request, and a
    4xx or 5xx answer to a write, unless the view recorded that outcome itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = audit_context.context_for(request)
        token = audit_context.activate(context)
        try:
            response = self.get_response(request)
            if self._worth_recording(context, response.status_code):
                self._record(context, response.status_code)
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

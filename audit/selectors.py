"""Reads of the audit trail: administrators see all of it, everyone else nothing."""

from .filtersets import AuditEventFilterSet
from .models import AuditEvent
from .permissions import is_audit_reader


class AuditFilterError(ValueError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__(str(errors))


def audit_event_list(*, user, filters=None):
    """The events the user may read, filtered and newest first."""
    queryset = AuditEvent.objects.order_by("-at", "-id")
    if not is_audit_reader(user):
        queryset = queryset.none()
    filterset = AuditEventFilterSet(filters or {}, queryset=queryset)
    if not filterset.is_valid():
        raise AuditFilterError(filterset.errors)
    return filterset.qs

from rest_framework import viewsets
from rest_framework.settings import api_settings

from safecity.core.api.pagination import DefaultCursorPagination

from .. import selectors
from ..filtersets import AuditEventFilterSet
from ..permissions import IsAuditReader
from .serializers import AuditEventSerializer


class AuditEventPagination(DefaultCursorPagination):
    ordering = ("-at", "-id")


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, newest first: administrators only."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    pagination_class = AuditEventPagination
    # The project's checks (sign-in, role, token scope), then administrators only.
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, IsAuditReader]

    def get_queryset(self):
        # The FilterSet is applied by the filter backend, as on every other list.
        return selectors.audit_event_list(user=self.request.user)

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from safecity.core.api.schema import CONFLICT

from .. import selectors, services
from ..filtersets import AlertFilterSet
from .serializers import AlertRuleSerializer, AlertSerializer


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts in the user's jurisdiction, newest first; acknowledge and resolve them."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    write_permissions = {
        "acknowledge": ["alerts.change_alert"],
        "resolve": ["alerts.change_alert"],
    }

    def get_queryset(self):
        return selectors.alerts_for_user(self.request.user).order_by("-id")

    def _move(self, request, mover):
        try:
            alert = mover(alert=self.get_object(), user=request.user)
        except services.AlertStateError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=None, responses={200: AlertSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._move(request, services.alert_acknowledge)

    @extend_schema(request=None, responses={200: AlertSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move(request, services.alert_resolve)


class AlertRuleViewSet(viewsets.ModelViewSet):
    serializer_class = AlertRuleSerializer

    def get_queryset(self):
        return selectors.rules_for_user(self.request.user)

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from safecity.core.api.schema import CONFLICT
from safecity.core.api.serializers import model_errors

from .. import selectors, services
from ..filtersets import AlertFilterSet
from .serializers import AcknowledgeSerializer, AlertRuleSerializer, AlertSerializer


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

    def _move(self, request, mover, **params):
        try:
            alert = mover(alert=self.get_object(), user=request.user, **params)
        except services.AlertStateError as exc:
            with translation.override("en"):
                detail = str(exc)
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            raise ValidationError(model_errors(exc)) from None
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=AcknowledgeSerializer, responses={200: AlertSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge an open alert, optionally with a note (kept on the alert)."""
        params = AcknowledgeSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._move(request, services.alert_acknowledge, **params.validated_data)

    @extend_schema(request=None, responses={200: AlertSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move(request, services.alert_resolve)


class AlertRuleViewSet(viewsets.ModelViewSet):
    serializer_class = AlertRuleSerializer

    def get_queryset(self):
        return selectors.rules_for_user(self.request.user)

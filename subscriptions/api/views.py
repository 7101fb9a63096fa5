"""Saved views (``/api/v1/views/``), subscriptions and the inbox of the signed-in user.

Every role that reads the platform may keep its own; writes touch only the caller's records
(another user's view is changed by no one but its owner), so they need no permission of the
role. Tokens need the ``subscriptions:read`` or ``:write`` scope."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from safecity.core.api.serializers import model_errors

from .. import selectors, services
from .serializers import (
    InboxItemSerializer,
    MarkedSerializer,
    SavedViewCreateSerializer,
    SavedViewSerializer,
    SavedViewUpdateSerializer,
    SubscriptionSerializer,
)

# The caller's own records: no role permission is needed to change them.
OWN = ()


def _refused(exc: DjangoValidationError):
    return ValidationError(model_errors(exc))


class SavedViewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Saved views the caller may open: their own, and those shared in their jurisdiction."""

    serializer_class = SavedViewSerializer
    token_resource = "subscriptions"
    pagination_class = None
    write_permissions = {"create": OWN, "partial_update": OWN, "destroy": OWN, "home": OWN}

    def get_queryset(self):
        return selectors.views_for_user(self.request.user)

    def get_serializer_context(self):
        user = self.request.user
        home = selectors.home_view_id(user) if user.is_authenticated else None
        return {**super().get_serializer_context(), "home_view_id": home}

    def _answer(self, view, code=status.HTTP_200_OK):
        return Response(self.get_serializer(view).data, status=code)

    @extend_schema(request=SavedViewCreateSerializer, responses={201: SavedViewSerializer})
    def create(self, request):
        """Save a page's selection (its path and query string) under a name."""
        params = SavedViewCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            view = services.saved_view_create(owner=request.user, **params.validated_data)
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return self._answer(view, status.HTTP_201_CREATED)

    @extend_schema(request=SavedViewUpdateSerializer, responses={200: SavedViewSerializer})
    def partial_update(self, request, pk=None):
        """Rename or share (unshare) one of the caller's views."""
        view = self.get_object()
        params = SavedViewUpdateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            view = services.saved_view_update(view=view, user=request.user, **params.validated_data)
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return self._answer(view)

    def destroy(self, request, pk=None):
        services.saved_view_delete(view=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["POST"], request=None, responses={200: SavedViewSerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"])
    def home(self, request, pk=None):
        """POST: the site root opens this view for the caller; DELETE: it no longer does."""
        view = self.get_object()
        if request.method == "DELETE":
            if selectors.home_view_id(request.user) == view.pk:
                services.home_view_clear(user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.home_view_set(user=request.user, view=view)
        return self._answer(view)


class SubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's subscriptions: a report kind for an area in their jurisdiction, or alerts
    (all of their jurisdiction or of an area in it; of one rule or one kind)."""

    serializer_class = SubscriptionSerializer
    token_resource = "subscriptions"
    write_permissions = {"create": OWN, "destroy": OWN}

    def get_queryset(self):
        return selectors.subscriptions_for_user(self.request.user)

    def create(self, request):
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            subscription = services.subscription_create(user=request.user, **params.validated_data)
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return Response(self.get_serializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.subscription_delete(subscription=instance, user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="only the unread items")]
    )
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What was delivered to the caller, newest first; ``?unread=true`` for the unread."""

    serializer_class = InboxItemSerializer
    token_resource = "subscriptions"
    write_permissions = {"read": OWN, "read_all": OWN}

    def get_queryset(self):
        items = selectors.inbox_for_user(self.request.user)
        if self.request.query_params.get("unread") in ("true", "1"):
            items = items.filter(read_at=None)
        return items

    @extend_schema(request=None, responses={200: InboxItemSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        item = self.get_object()
        services.inbox_mark_read(user=request.user, item=item)
        item.refresh_from_db()
        return Response(self.get_serializer(item).data)

    @extend_schema(request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread item read; answers how many were."""
        return Response({"marked": services.inbox_mark_read(user=request.user)})

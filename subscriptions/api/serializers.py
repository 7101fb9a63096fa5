from rest_framework import serializers

from alerts.selectors import rules_for_user
from areas.api.serializers import ScopedAreaField
from safecity.core.api.serializers import ModelSerializer

from ..choices import ReportKind, Topic
from ..models import NAME_MAX, InboxItem, SavedView, Subscription
from ..services import PATH_MAX, QUERY_MAX


class SavedViewSerializer(ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    area_name = serializers.CharField(
        source="area.display_name", default=None, allow_null=True, read_only=True
    )
    mine = serializers.SerializerMethodField()
    is_home = serializers.SerializerMethodField()

    class Meta:
        model = SavedView
        fields = [
            "id", "name", "path", "query", "url", "area", "area_name", "shared", "owner",
            "mine", "is_home", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_mine(self, view) -> bool:
        return view.owner_id == self.context["request"].user.pk

    def get_is_home(self, view) -> bool:
        return view.pk == self.context.get("home_view_id")


class SavedViewCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    path = serializers.CharField(max_length=PATH_MAX, help_text="the page's path, e.g. /incidents/")
    query = serializers.CharField(
        max_length=QUERY_MAX, required=False, allow_blank=True, help_text="its query string"
    )
    shared = serializers.BooleanField(required=False, default=False)


class SavedViewUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX, required=False)
    shared = serializers.BooleanField(required=False)


class ScopedRuleField(serializers.PrimaryKeyRelatedField):
    """An alert rule watching the requesting user's jurisdiction."""

    def get_queryset(self):
        return rules_for_user(self.context["request"].user)


class SubscriptionSerializer(ModelSerializer):
    area = ScopedAreaField(required=False, allow_null=True)
    alert_rule = ScopedRuleField(required=False, allow_null=True)
    topic = serializers.ChoiceField(choices=Topic.choices)
    report_kind = serializers.ChoiceField(
        choices=ReportKind.choices, required=False, allow_blank=True
    )
    area_name = serializers.CharField(
        source="area.display_name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Subscription
        fields = [
            "id", "topic", "report_kind", "area", "area_name", "alert_rule", "alert_kind",
            "email", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]


class InboxItemSerializer(ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = InboxItem
        fields = [
            "id", "topic", "title", "title_en", "body", "body_en", "link", "area", "created_at",
            "read_at", "read", "email_state",
        ]  # fmt: skip
        read_only_fields = fields

    def get_read(self, item) -> bool:
        return item.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="how many items were unread")

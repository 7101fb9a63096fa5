from safecity.core.api.serializers import ModelSerializer

from ..models import AuditEvent


class AuditEventSerializer(ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "at", "actor_id", "actor_username", "action", "object_type", "object_id",
            "object_repr", "changes", "outcome", "detail", "ip", "user_agent", "method", "path",
            "token_id",
        ]  # fmt: skip
        read_only_fields = fields

from rest_framework import serializers

from safecity.core.api.serializers import ModelSerializer

from ..models import Area
from ..scoping import scope_for


class ScopedAreaField(serializers.PrimaryKeyRelatedField):
    """An area id that must lie in the requesting user's jurisdiction (else "does not exist")."""

    def get_queryset(self):
        return scope_for(self.context["request"].user).filter(Area.objects.all(), "path")


class AreaSerializer(ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Area
        fields = [
            "id",
            "kind",
            "kind_display",
            "code",
            "name",
            "name_en",
            "sort_order",
            "parent",
            "depth",
        ]


class AreaDetailSerializer(AreaSerializer):
    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "geometry", "properties", "updated_at"]


class AreaTreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField())


class LocatedAreaSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()


def area_feature(area: Area, geometry: dict | None = None) -> dict:
    """One area as a GeoJSON Feature, for maps (with ``geometry`` simplified for one)."""
    return {
        "type": "Feature",
        "id": area.id,
        "geometry": geometry if geometry is not None else area.geometry,
        "properties": {
            "id": area.id,
            "kind": area.kind,
            "code": area.code,
            "name": area.name,
            "name_en": area.name_en,
            "parent": area.parent_id,
        },
    }

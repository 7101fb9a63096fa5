import copy

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..times import EARLIEST, LATEST


def _in_span(value, earliest, latest):
    if not earliest <= value <= latest:
        raise serializers.ValidationError(
            _("must lie between %(earliest)s and %(latest)s")
            % {"earliest": earliest.isoformat(), "latest": latest.isoformat()}
        )
    return value


class BoundedDateTimeField(serializers.DateTimeField):
    """A date-time within the platform's span (safecity.core.times)."""

    def to_internal_value(self, value):
        return _in_span(super().to_internal_value(value), EARLIEST, LATEST)


class BoundedDateField(serializers.DateField):
    """A day within the platform's span (safecity.core.times)."""

    def to_internal_value(self, value):
        return _in_span(super().to_internal_value(value), EARLIEST.date(), LATEST.date())


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StorableJSONField(serializers.JSONField):
    """JSON that PostgreSQL's jsonb can store: no NUL character in any key or string."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _has_nul(value):
            raise serializers.ValidationError(_("must not contain NUL characters"))
        return value


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, its fields worked out from the model once per class.

    DRF builds them on every instantiation (2 ms for an incident's, as long as serializing a
    page of twenty), though they follow from the class alone; each instance gets a copy, as
    DRF copies declared fields.
    """

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return copy.deepcopy(built)


class CheckedModelSerializer(ModelSerializer):
    """A ModelSerializer refusing what the database or the statistics cannot take: dates and
    times outside the platform's span, NUL characters in JSON."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
        models.DateTimeField: BoundedDateTimeField,
        models.JSONField: StorableJSONField,
    }


class ErrorSerializer(serializers.Serializer):
    """DRF's error body for everything but invalid input."""

    detail = serializers.CharField()


class FeatureSerializer(serializers.Serializer):
    """A GeoJSON Feature, as the map answers (``?format=geojson``) build it."""

    type = serializers.CharField(help_text="Feature")
    id = serializers.IntegerField(required=False)
    geometry = serializers.JSONField(allow_null=True)
    properties = serializers.DictField()


# A list view's FeatureCollection is one object, not a page of them.
@extend_schema_serializer(many=False)
class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="FeatureCollection")
    features = FeatureSerializer(many=True)

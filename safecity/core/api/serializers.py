"""The API's serializer bases and fields: cheaper model serializers, bounded dates and JSON
the database can store, and the mixin that runs a model's clean() behind a serializer."""

import copy
from operator import attrgetter

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField, get_error_detail
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

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
    """DRF's ModelSerializer, made cheaper for lists of rows.

    Its fields are worked out from the model once per class: DRF builds them on every
    instantiation (2 ms for an incident's, as long as serializing a page of twenty), though
    they follow from the class alone; each instance gets a copy, as DRF copies declared fields.

    A model instance is represented through a plan made once per serializer (so once per page):
    a field that reads one attribute of the model (a column, a property, a foreign key's id)
    reads it directly, where DRF walks its generic attribute lookup for every field of every
    row; the rest (nested, computed, slugs of related objects) go DRF's way. The answer is the
    same.
    """

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return copy.deepcopy(built)

    def to_representation(self, instance):
        if not isinstance(instance, models.Model):
            return super().to_representation(instance)
        model, plan = self.__dict__.get("_plan", (None, None))
        if model is not type(instance):
            model, plan = (
                type(instance),
                [_reader(field, type(instance)) for field in self._readable_fields],
            )
            self._plan = (model, plan)
        ret = {}
        for field, read, represent in plan:
            if read is None:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(attribute, PKOnlyObject):
                    missing = attribute.pk is None
                else:
                    missing = attribute is None
                ret[field.field_name] = None if missing else field.to_representation(attribute)
            else:
                value = read(instance)
                ret[field.field_name] = None if value is None else represent(value)
        return ret


def _same(value):
    return value


def _reader(field, model) -> tuple:
    """(field, how to read its value from a ``model`` instance, how to represent a value), or
    (field, None, None) for DRF's own way."""
    generic = (field, None, None)
    attrs = getattr(field, "source_attrs", None)
    if not attrs or len(attrs) != 1 or isinstance(field, serializers.BaseSerializer):
        return generic
    name = attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        if field.pk_field is None and getattr(model_field, "many_to_one", False):
            return field, attrgetter(model_field.attname), _same
        return generic
    if isinstance(field, serializers.RelatedField | serializers.SerializerMethodField):
        return generic
    if model_field is not None:
        if model_field.is_relation or not model_field.concrete:
            return generic
        return field, attrgetter(model_field.attname), field.to_representation
    if isinstance(getattr(model, name, None), property):
        return field, attrgetter(name), field.to_representation
    return generic


class CheckedModelSerializer(ModelSerializer):
    """A ModelSerializer refusing what the database or the statistics cannot take: dates and
    times outside the platform's span, NUL characters in JSON."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
        models.DateTimeField: BoundedDateTimeField,
        models.JSONField: StorableJSONField,
    }


def model_errors(exc: DjangoValidationError):
    """A model's ValidationError as DRF's error detail: {field: [messages]}, with the model's
    errors about no one field under DRF's ``non_field_errors``."""
    detail = get_error_detail(exc)
    if isinstance(detail, dict) and NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


# For a model serializer: after its own validation, the model's ``clean()`` judges the object
# the data would make (the stored object with the changes, on an update), so the rules about one
# object live in the model and hold for the API as for the admin; its errors answer as field
# errors (400). No docstring: drf-spectacular would describe every such serializer with it.
class ModelCleanMixin:
    def validate(self, attrs):
        attrs = super().validate(attrs)
        try:
            self.object_for_clean(attrs).clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(model_errors(exc)) from None
        return attrs

    def object_for_clean(self, attrs: dict) -> models.Model:
        """An unsaved copy of the instance (or a new one) with the model fields of ``attrs``
        (many-to-many relations left out: they exist only once saved)."""
        model = self.Meta.model
        # A model's copy gets its own state and cache of related objects (Model.__getstate__).
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and not field.many_to_many:
                setattr(instance, name, value)
        return instance


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

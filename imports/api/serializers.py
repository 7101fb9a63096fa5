import json

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents.api.serializers import RowProblemSerializer
from incidents.ingest.rows import ROW_FIELD
from safecity.core.crs import Crs

from ..choices import FileFormat, JobState
from ..models import ImportJob, ImportMapping
from ..selectors import job_progress

SOURCE_SYSTEM = ROW_FIELD["source_system"]


class MappingSpecField(serializers.JSONField):
    """A mapping in the mapping-file format (see the README's "Importing files"); in a
    multipart form, its JSON text."""

    def to_internal_value(self, data):
        if isinstance(data, bytes | str):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise serializers.ValidationError(f"not JSON: {exc}") from exc
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError("a mapping is a JSON object")
        return value


class ImportJobCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, JSON lines or XLSX")
    mapping = serializers.CharField(
        required=False, max_length=100, help_text="a stored mapping's name (its latest version)"
    )
    mapping_spec = MappingSpecField(required=False, help_text="an inline mapping instead")
    dry_run = serializers.BooleanField(default=False, help_text="check and count, save nothing")
    atomic = serializers.BooleanField(default=False, help_text="save nothing if a row is bad")
    source_system = serializers.RegexField(
        r"^[-a-zA-Z0-9_]+$", max_length=SOURCE_SYSTEM.max_length, help_text=SOURCE_SYSTEM.help_text
    )
    time_zone = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="of times without an offset"
    )
    coordinate_system = serializers.ChoiceField(
        Crs.choices,
        required=False,
        allow_blank=True,
        help_text="of the file's points (default: the mapping's crs, else wgs84); stored as WGS84",
    )

    def validate(self, attrs):
        if bool(attrs.get("mapping")) == ("mapping_spec" in attrs):
            raise serializers.ValidationError(
                {"mapping": ["give a stored mapping's name or an inline mapping_spec, not both"]}
            )
        return attrs


class ImportPreviewRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.CharField(required=False, max_length=100)
    mapping_spec = MappingSpecField(required=False)
    sheet = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="an XLSX sheet to preview"
    )


class DistinctValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class ImportPreviewSerializer(serializers.Serializer):
    file_format = serializers.ChoiceField(FileFormat.choices)
    encoding = serializers.CharField(allow_null=True)
    sheet = serializers.CharField(allow_null=True)
    sheet_names = serializers.ListField(child=serializers.CharField())
    header = serializers.ListField(child=serializers.CharField())
    rows_total = serializers.IntegerField(allow_null=True)
    rows = serializers.ListField(child=serializers.ListField(), help_text="the first 20 rows")
    proposed_mapping = serializers.JSONField(allow_null=True)
    missing_fields = serializers.ListField(child=serializers.CharField())
    distinct_values = serializers.DictField(child=DistinctValueSerializer(many=True))


class JobProgressSerializer(serializers.Serializer):
    """Rows done and counts so far; rows a second and the seconds left while it runs."""

    rows_done = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="rows a second")
    seconds_left = serializers.IntegerField(allow_null=True)

    def to_representation(self, job):
        return job_progress(job)


class ImportJobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    user = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )
    state = serializers.ChoiceField(JobState.choices, read_only=True)
    mapping = serializers.CharField(source="mapping_name", read_only=True)
    mapping_version = serializers.IntegerField(
        source="mapping_number", read_only=True, allow_null=True
    )
    progress = JobProgressSerializer(source="*", read_only=True)
    first_errors = serializers.SerializerMethodField()
    errors_csv = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "user", "state", "file_name", "size", "sha256", "file_format", "mapping",
            "mapping_version", "spec", "dry_run", "atomic", "source_system", "time_zone",
            "coordinate_system", "rows_total", "progress", "kept", "cancel_requested", "error",
            "first_errors", "errors_csv", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(RowProblemSerializer(many=True))
    def get_first_errors(self, job):
        return job.first_errors

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_errors_csv(self, job):
        if not job.errors_name:
            return None
        request = self.context.get("request")
        path = reverse("import-job-errors", kwargs={"public_id": job.public_id})
        return request.build_absolute_uri(path) if request else path


class MappingVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    spec = serializers.JSONField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    # (the author's account may since be gone)
    created_at = serializers.DateTimeField()


class ImportMappingSerializer(serializers.ModelSerializer):
    latest = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = ImportMapping
        fields = ["name", "description", "created_at", "latest", "versions"]

    @extend_schema_field(MappingVersionSerializer(allow_null=True))
    def get_latest(self, mapping):
        versions = sorted(mapping.versions.all(), key=lambda v: -v.number)
        return MappingVersionSerializer(versions[0]).data if versions else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_versions(self, mapping):
        return sorted((v.number for v in mapping.versions.all()), reverse=True)


class ImportMappingCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    spec = MappingSpecField()

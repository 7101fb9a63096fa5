import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from safecity.core import exports
from safecity.core.api.parsers import BodyTooLarge

from .. import selectors, services
from ..mapping import MappingError, mapping_from_spec
from ..models import ImportJob
from ..preview import table_preview
from ..problems import FileProblem
from ..readers import open_table
from ..running import ERROR_COLUMNS
from .serializers import (
    ImportJobCreateSerializer,
    ImportJobSerializer,
    ImportMappingCreateSerializer,
    ImportMappingSerializer,
    ImportPreviewRequestSerializer,
    ImportPreviewSerializer,
)

# A multipart body carries a little more than its file.
FORM_OVERHEAD_BYTES = 1024 * 1024


class ImportUploadParser(MultiPartParser):
    """Multipart forms of up to IMPORT_UPLOAD_MAX_BYTES (a larger one is a JSON 413 naming the
    limit); the file is spooled to disk by Django past FILE_UPLOAD_MAX_MEMORY_SIZE."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(getattr(request, "_request", request), "META", {})
        try:
            declared = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.IMPORT_UPLOAD_MAX_BYTES + FORM_OVERHEAD_BYTES:
            raise BodyTooLarge(settings.IMPORT_UPLOAD_MAX_BYTES)
        return super().parse(stream, media_type, parser_context)


def _refused(exc: Exception, field: str = "file"):
    detail = {field: [str(exc)]}
    if isinstance(exc, FileProblem):
        # What kind of problem, for a page to say it in its own language.
        detail["file_problem"] = exc.code
    raise ValidationError(detail) from exc


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """File imports of incidents, as jobs a worker runs: a user sees their own, an
    administrator everyone's. Rows are imported as the user: rows outside their jurisdiction
    are rejected."""

    token_resource = "incidents"
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
    write_permissions = {
        "create": ["incidents.add_incident"],
        "cancel": ["incidents.add_incident"],
        "preview": ["incidents.add_incident"],
    }
    serializer_class = ImportJobSerializer
    filterset_class = None
    parser_classes = [ImportUploadParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.jobs_for_user(self.request.user)

    @extend_schema(
        request={"multipart/form-data": ImportJobCreateSerializer},
        responses={202: ImportJobSerializer},
        description=(
            "Upload a file (at most IMPORT_UPLOAD_MAX_BYTES) with a stored mapping's name or an "
            "inline mapping; the file is checked at once (format, encoding, size, mapped "
            "columns: a 400 naming the problem) and its import queued: 202 with the job."
        ),
    )
    def create(self, request):
        form = ImportJobCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["file"].size > settings.IMPORT_UPLOAD_MAX_BYTES:
            raise BodyTooLarge(settings.IMPORT_UPLOAD_MAX_BYTES)
        try:
            job = services.import_job_create(
                user=request.user,
                upload=data["file"],
                mapping_name=data.get("mapping", ""),
                spec=data.get("mapping_spec"),
                dry_run=data["dry_run"],
                atomic=data["atomic"],
                source_system=data["source_system"],
                time_zone=data.get("time_zone", ""),
                coordinate_system=data.get("coordinate_system", ""),
            )
        except MappingError as exc:
            _refused(exc, "mapping")
        except (FileProblem, services.ImportRefused) as exc:
            _refused(exc)
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    # A cancel carries nothing: any body a client sends (JSON from a page's script, an empty
    # form) is taken, rather than refused for its media type.
    @extend_schema(request=None, responses={200: ImportJobSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, ImportUploadParser])
    def cancel(self, request, public_id=None):
        """Stop the job: nothing of it is kept (its rows are written in one transaction)."""
        job = services.import_job_cancel(job=self.get_object(), user=request.user)
        return Response(ImportJobSerializer(job, context={"request": request}).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], url_path="errors.csv", url_name="errors")
    def errors_csv(self, request, public_id=None):
        """The rejected rows: number, field, bad value, reason and the record as read."""
        job = self.get_object()
        path = job.errors_path()
        if path is None or not path.exists():
            if path is not None:
                raise Http404
            response = HttpResponse(exports.csv_bytes(ERROR_COLUMNS, []), content_type="text/csv")
        else:
            response = FileResponse(open(path, "rb"), content_type="text/csv")  # noqa: SIM115
        stem = Path(job.file_name).stem or "import"
        response["Content-Disposition"] = f'attachment; filename="{stem}.errors.csv"'
        return response

    @extend_schema(
        request={"multipart/form-data": ImportPreviewRequestSerializer},
        responses={200: ImportPreviewSerializer},
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """A file's format, sheets, header, first 20 rows, a proposed mapping (unless one is
        given) and the distinct values of the columns a mapping may map. Nothing is kept."""
        form = ImportPreviewRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        mapping = None
        try:
            if data.get("mapping"):
                version = selectors.mapping_version_latest(data["mapping"])
                if version is None:
                    raise MappingError(f"no stored mapping named {data['mapping']!r}")
                mapping = mapping_from_spec(version.spec)
            elif "mapping_spec" in data:
                mapping = mapping_from_spec(data["mapping_spec"])
        except MappingError as exc:
            _refused(exc, "mapping")
        upload = data["file"]
        if upload.size > settings.IMPORT_UPLOAD_MAX_BYTES:
            raise BodyTooLarge(settings.IMPORT_UPLOAD_MAX_BYTES)
        folder = Path(settings.IMPORT_FILES_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".preview") as handle:
            for piece in upload.chunks():
                handle.write(piece)
            handle.flush()
            try:
                table = open_table(
                    Path(handle.name),
                    name=upload.name,
                    file_format=mapping.file_format if mapping else None,
                    encoding=mapping.encoding if mapping else None,
                    sheet=data.get("sheet") or (mapping.sheet if mapping else None),
                )
            except FileProblem as exc:
                _refused(exc)
            with table:
                try:
                    answer = table_preview(table, mapping=mapping)
                except FileProblem as exc:
                    _refused(exc)
        return Response(ImportPreviewSerializer(answer).data)


class ImportMappingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Stored mappings, shared by everyone who imports; saving one by an existing name adds
    a version."""

    token_resource = "incidents"
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    write_permissions = {"create": ["incidents.add_incident"]}
    serializer_class = ImportMappingSerializer
    filterset_class = None

    def get_queryset(self):
        return selectors.mappings_all()

    @extend_schema(request=ImportMappingCreateSerializer, responses={201: ImportMappingSerializer})
    def create(self, request):
        form = ImportMappingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            version = services.mapping_save(user=request.user, **form.validated_data)
        except MappingError as exc:
            _refused(exc, "spec")
        mapping = selectors.mappings_all().get(pk=version.mapping_id)
        return Response(ImportMappingSerializer(mapping).data, status=status.HTTP_201_CREATED)

from django.conf import settings
from django.core.exceptions import ValidationError as InvalidValue
from django.http import Http404, QueryDict, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.context import rows_read
from audit.services import audit_record
from safecity.core import exports
from safecity.core.api.pagination import DefaultCursorPagination
from safecity.core.api.parsers import (
    RawBodyParser,
    RawJSONBodyParser,
    TooManyRows,
    parse_json,
)
from safecity.core.api.renderers import CSVStreamRenderer, GeoJSONRenderer
from safecity.core.api.schema import CONFLICT

from .. import selectors, services
from ..filtersets import IncidentFilterSet
from ..ingest import (
    INGEST_CHUNK,
    Rejection,
    RowError,
    chunked,
    incidents_ingest,
    incidents_ingest_chunks,
)
from ..models import DeviceEventType, Incident
from .serializers import (
    DeviceEventInputSerializer,
    DeviceEventSerializer,
    IncidentDetailSerializer,
    IncidentHexesSerializer,
    IncidentInputSerializer,
    IncidentPointsSerializer,
    IncidentSerializer,
    IngestReportSerializer,
    TransitionSerializer,
)

BULK_HINT = "Load larger sets as a file: manage.py import_incidents."
CSV_COLUMNS = [
    "id", "source", "source_system", "source_ref", "category", "priority", "status",
    "reported_at", "dispatched_at", "on_scene_at", "closed_at", "filed_at", "solved_at",
    "response_seconds", "lon", "lat", "address", "district", "station", "patrol_zone", "beat",
    "money_involved", "loss", "recovered", "arrested", "transfer_agency", "summary",
]  # fmt: skip


class IncidentPagination(DefaultCursorPagination):
    ordering = ("-reported_at", "-id")


def _row_from_request(request) -> dict:
    """The incident row of a JSON object or a form (whose fields count once each)."""
    if not isinstance(request.data, dict):
        raise ParseError("expected a JSON object")
    if isinstance(request.data, QueryDict):
        return request.data.dict()
    return dict(request.data)


def _row_errors_response(exc: RowError) -> Response:
    errors = [{"field": p.field, "message": p.message} for p in exc.problems]
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class IncidentViewSet(viewsets.GenericViewSet):
    """Incidents in the caller's jurisdiction. ``?format=csv`` streams the filtered set;
    ``?format=geojson`` returns points for maps, capped."""

    lookup_field = "public_id"
    write_permissions = {
        "create": ["incidents.add_incident"],
        "bulk": ["incidents.add_incident"],
        "partial_update": ["incidents.change_incident"],
        "transition": ["incidents.change_incident"],
    }
    filterset_class = IncidentFilterSet
    pagination_class = IncidentPagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVStreamRenderer, GeoJSONRenderer]

    def get_queryset(self):
        return Incident.objects.for_user(self.request.user).select_related("category")

    def get_serializer_class(self):
        return IncidentDetailSerializer if self.action == "retrieve" else IncidentSerializer

    def get_object(self):
        try:
            return selectors.incident_get(
                user=self.request.user, public_id=self.kwargs[self.lookup_field]
            )
        except (Incident.DoesNotExist, ValueError, InvalidValue) as exc:
            raise Http404 from exc

    @extend_schema(
        responses={
            (200, "application/json"): IncidentSerializer(many=True),
            (200, "application/geo+json"): IncidentPointsSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The filtered incidents, UTF-8 with a BOM."
            ),
        }
    )
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        renderer = request.accepted_renderer.format
        if renderer == "csv":
            return self._csv(queryset)
        if renderer == "geojson":
            return self._geojson(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(IncidentSerializer(page, many=True).data)

    def retrieve(self, request, public_id=None):
        incident = self.get_object()
        audit_record(action="view", obj=incident, request=request)
        return Response(IncidentDetailSerializer(incident).data)

    @extend_schema(
        request=IncidentInputSerializer,
        responses={201: IncidentSerializer, 200: IncidentSerializer},
    )
    def create(self, request):
        """Ingest one incident: 201 when new; the same source system and reference updates it
        instead (200), if the caller may change it where it is and where it goes."""
        try:
            incident, outcome = services.incident_upsert(
                data=_row_from_request(request), user=request.user
            )
        except RowError as exc:
            return _row_errors_response(exc)
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(IncidentSerializer(incident).data, status=code)

    @extend_schema(request=IncidentInputSerializer, responses={200: IncidentSerializer})
    def partial_update(self, request, public_id=None):
        """Change an incident's facts (category, place, money, transfer, summary ...)."""
        incident = self.get_object()
        row = _row_from_request(request)
        forbidden = {"source_system", "source_ref"} & set(row)
        if forbidden:
            raise ValidationError({field: "cannot be changed" for field in forbidden})
        try:
            incident = services.incident_update(incident=incident, data=row, user=request.user)
        except RowError as exc:
            return _row_errors_response(exc)
        return Response(IncidentSerializer(incident).data)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: IncidentDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, public_id=None):
        """Move the incident along its lifecycle: dispatched, on_scene, closed, filed, solved."""
        incident = self.get_object()
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            incident = services.incident_transition(
                incident=incident,
                to_status=params.validated_data["to"],
                at=params.validated_data.get("at"),
                note=params.validated_data.get("note", ""),
                user=request.user,
            )
        except services.TransitionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(IncidentDetailSerializer(incident).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "resolution", int, enum=sorted(selectors.HEX_FIELDS), description="h3 resolution"
            )
        ],
        responses={200: IncidentHexesSerializer},
    )
    @action(detail=False, pagination_class=None, renderer_classes=[JSONRenderer])
    def hexes(self, request):
        """Counts of the filtered incidents per h3 hexagon, for density maps."""
        raw = request.query_params.get("resolution", "7")
        if not raw.isdigit() or int(raw) not in selectors.HEX_FIELDS:
            raise ValidationError({"resolution": f"one of {sorted(selectors.HEX_FIELDS)}"})
        queryset = self.filter_queryset(self.get_queryset())
        return Response(selectors.incident_hexes(queryset, resolution=int(raw)))

    @extend_schema(
        request=IncidentInputSerializer(many=True),
        responses={200: IngestReportSerializer},
        parameters=[OpenApiParameter("atomic", bool, description="save nothing if a row is bad")],
        description=(
            "A JSON array, or JSON lines (one object a line, application/x-ndjson): at most "
            "INCIDENT_BULK_MAX_ROWS rows (default 50,000) and INCIDENT_BULK_MAX_BYTES "
            "(default 20 MB), else 413 naming the limit; larger loads go through the file "
            "import (manage.py import_incidents)."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        filterset_class=None,
        pagination_class=None,
        parser_classes=[RawJSONBodyParser, RawBodyParser],
    )
    def bulk(self, request):
        """Ingest many incidents; the report lists created, updated, unchanged and rejected."""
        # The raw parsers read the body within INCIDENT_BULK_MAX_BYTES (raw_body_limit).
        body = request.data if isinstance(request.data, bytes) else b""
        rows, unreadable = _read_bulk_body(body)
        if len(rows) > settings.INCIDENT_BULK_MAX_ROWS:
            raise TooManyRows(settings.INCIDENT_BULK_MAX_ROWS, BULK_HINT)
        if not rows:
            raise ValidationError("no rows")
        atomic = request.query_params.get("atomic", "").lower() in {"1", "true", "yes"}
        if atomic or len(rows) <= INGEST_CHUNK:
            report = incidents_ingest(
                rows=rows, user=request.user, atomic=atomic, prior_rejections=unreadable
            )
        else:
            report = incidents_ingest_chunks(
                chunked(rows, prior_rejections=unreadable), user=request.user
            )
        return Response(report.as_dict())

    def raw_body_limit(self) -> int:
        """The bulk route's body limit (its raw parsers read the body, not DRF's JSON one)."""
        return settings.INCIDENT_BULK_MAX_BYTES

    def _csv(self, queryset):
        area_fields = ("district", "station", "patrol_zone", "beat")
        # The audit middleware records the export with the rows sent, once the last is.
        count_row = rows_read(of="incidents.incident")

        def rows():
            incidents = queryset.select_related(*area_fields).order_by("-reported_at", "-id")
            for incident in incidents.iterator(chunk_size=2000):
                values = []
                for column in CSV_COLUMNS:
                    if column == "id":
                        values.append(incident.public_id)
                    elif column == "category":
                        values.append(incident.category.code)
                    elif column in area_fields:
                        area = getattr(incident, column)
                        values.append(area.name if area else "")
                    else:
                        values.append(getattr(incident, column))
                count_row()
                yield values

        lines = exports.csv_lines(CSV_COLUMNS, rows())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="incidents.csv"'
        return response

    def _geojson(self, queryset):
        cap = settings.INCIDENT_GEOJSON_CAP
        rows = list(
            queryset.exclude(lat=None)
            .order_by("-reported_at", "-id")
            .values("public_id", "lon", "lat", "category__code", "status", "reported_at")[: cap + 1]
        )
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {
                    "id": str(row["public_id"]),
                    "category": row["category__code"],
                    "status": row["status"],
                    "reported_at": row["reported_at"].isoformat(),
                },
            }
            for row in rows[:cap]
        ]
        return Response(
            {
                "type": "FeatureCollection",
                "features": features,
                "cap": cap,
                "truncated": len(rows) > cap,
            }
        )


def _read_bulk_body(body: bytes):
    """Rows from a JSON array or JSON lines; unreadable lines become rejections, not a 400."""
    text = body.strip()
    if text.startswith(b"["):
        rows = parse_json(text)
        if not isinstance(rows, list):
            raise ParseError("not a JSON array")
        return rows, []
    rows, unreadable = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(parse_json(line))
        except ParseError as exc:
            unreadable.append(Rejection(number, "row", f"not JSON: {exc.detail}"))
            rows.append(None)
    return rows, unreadable


class DeviceEventView(APIView):
    """Events from cameras and IoT sensors; some event types open an incident."""

    token_resource = "events"
    write_permissions = {"post": ["incidents.add_deviceevent"]}

    @extend_schema(
        request=DeviceEventInputSerializer,
        responses={201: DeviceEventSerializer, 200: DeviceEventSerializer},
    )
    def post(self, request):
        params = DeviceEventInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        if not DeviceEventType.objects.filter(code=params.validated_data["event_type"]).exists():
            raise ValidationError({"event_type": "unknown event type"})
        try:
            event, created = services.device_event_receive(
                data=params.validated_data, user=request.user
            )
        except RowError as exc:
            return _row_errors_response(exc)
        event.created = created
        return Response(
            DeviceEventSerializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

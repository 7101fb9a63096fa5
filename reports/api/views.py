from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.models import Area
from campaigns.selectors import campaigns_for_user
from safecity.core.api.schema import VALIDATION_ERROR_SCHEMA, error

from .. import selectors
from ..filtersets import ReportFilterSet
from ..jobs import ReportOutOfScope, report_job_create
from ..models import DOCX_MIMETYPE, PDF_MIMETYPE
from ..services import ReportRefused
from .serializers import (
    ReportDetailSerializer,
    ReportJobCreateSerializer,
    ReportJobSerializer,
    ReportSerializer,
)

FILE_TYPES = {"docx": DOCX_MIMETYPE, "pdf": PDF_MIMETYPE}


class ReportList(generics.ListAPIView):
    """Stored briefings (警情通报) of the areas in your jurisdiction, newest first; POST asks
    for one."""

    # Briefings are statistics: an API token reads them with stats:read, asks with stats:write.
    token_resource = "stats"
    # Asking for a briefing needs no permission beyond reading statistics (as on /reports/).
    write_permissions = {"post": []}
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet

    def get_queryset(self):
        return selectors.reports_for_user(self.request.user)

    def get_serializer_class(self):
        # The browsable API's form for POST: the request's fields, not a briefing's (whose
        # area field would list every area, out of scope too).
        if self.request is not None and self.request.method == "POST":
            return ReportJobCreateSerializer
        return ReportSerializer

    @extend_schema(
        request=ReportJobCreateSerializer,
        responses={
            202: ReportJobSerializer,
            400: OpenApiResponse(
                VALIDATION_ERROR_SCHEMA,
                description="Bad input: each field (kind, area, start, end, campaign) with "
                "why; non_field_errors when the days hold no complete day.",
            ),
            403: error("Your role or token (stats:write) may not ask for briefings."),
            404: error("The area is not in your jurisdiction (or does not exist)."),
        },
        summary="Ask for a briefing",
        description=(
            "Queue a briefing (警情通报) of kind weekly, monthly or campaign for an area in "
            "your jurisdiction, made by the reports queue's worker. Without start/end a weekly "
            "briefing covers the last complete ISO week (statistics window week), a monthly one "
            "the last complete month (window month); start and end (both or neither) choose the "
            "days, ending on the last complete day at the latest. A campaign briefing names its "
            "campaign's code. Answers 202 with the job, its URL also in the Location header; "
            "the job's report is set when the briefing is made."
        ),
    )
    def post(self, request):
        form = ReportJobCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        area = Area.objects.filter(pk=data["area"]).first()
        if area is None:
            raise NotFound(_("没有该辖区。"))
        campaign = None
        if data.get("campaign"):
            campaign = campaigns_for_user(request.user).filter(code=data["campaign"]).first()
            if campaign is None:
                raise ValidationError({"campaign": [_("你的管辖范围内没有该专项行动。")]})
        try:
            job = report_job_create(
                user=request.user,
                kind=data["kind"],
                area=area,
                start=data.get("start"),
                end=data.get("end"),
                campaign=campaign,
            )
        except ReportOutOfScope as exc:
            raise NotFound(str(exc)) from exc
        except ReportRefused as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
        body = ReportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReportJobDetail(generics.RetrieveAPIView):
    """A briefing asked for through the API: its status and, once made, its briefing."""

    token_resource = "stats"
    serializer_class = ReportJobSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return selectors.report_jobs_for_user(self.request.user)


class ReportDetail(generics.RetrieveAPIView):
    """One briefing with its content: every section's figures, sentences and tables."""

    token_resource = "stats"
    serializer_class = ReportDetailSerializer

    def get_queryset(self):
        return selectors.reports_for_user(self.request.user).defer(None).defer("docx", "pdf")


def file_response(report, fmt: str) -> HttpResponse:
    """A stored briefing's DOCX or PDF as an attachment (the pages and the API send it alike)."""
    if fmt not in FILE_TYPES:
        raise Http404
    response = HttpResponse(bytes(getattr(report, fmt)), content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.file_stem()}.{fmt}"'
    return response


class ReportFile(APIView):
    """A briefing's file, as stored when it was made: ``docx`` or ``pdf``."""

    token_resource = "stats"

    @extend_schema(
        operation_id="v1_reports_file_retrieve",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int, fmt: str):
        report = selectors.report_for_user(request.user, pk)
        if report is None:
            raise Http404
        return file_response(report, fmt)

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.views import APIView

from .. import selectors
from ..filtersets import ReportFilterSet
from ..models import DOCX_MIMETYPE, PDF_MIMETYPE
from .serializers import ReportDetailSerializer, ReportSerializer

FILE_TYPES = {"docx": DOCX_MIMETYPE, "pdf": PDF_MIMETYPE}


class ReportList(generics.ListAPIView):
    """Stored briefings (警情通报) of the areas in your jurisdiction, newest first."""

    # Briefings are statistics: an API token reads them with stats:read.
    token_resource = "stats"
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet

    def get_queryset(self):
        return selectors.reports_for_user(self.request.user)


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

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, fmt: str):
        report = selectors.report_for_user(request.user, pk)
        if report is None:
            raise Http404
        return file_response(report, fmt)

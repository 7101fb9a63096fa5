from rest_framework import serializers

from safecity.core.api.serializers import ModelSerializer

from ..models import Report


class ReportSerializer(ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)
    url = serializers.CharField(source="get_absolute_url")
    docx = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "kind", "area", "area_name", "campaign", "title", "period_start",
            "period_end", "created_at", "url", "docx", "pdf",
        ]  # fmt: skip

    def get_docx(self, report) -> str:
        return self._file_url(report, "docx")

    def get_pdf(self, report) -> str:
        return self._file_url(report, "pdf")

    def _file_url(self, report, fmt: str) -> str:
        from django.urls import reverse

        return reverse("report-file", args=[report.pk, fmt])


class ReportDetailSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "content"]

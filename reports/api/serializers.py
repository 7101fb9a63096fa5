from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from safecity.core.api.serializers import BoundedDateField, ModelSerializer

from ..choices import ReportKind
from ..models import Report, ReportJob


class ReportSerializer(ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
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
        return reverse("report-file", args=[report.pk, fmt])


class ReportDetailSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "content"]


class ReportJobCreateSerializer(serializers.Serializer):
    """What a briefing is asked for with: its kind, its area, and optionally its days."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    area = serializers.IntegerField(min_value=1, help_text=_("辖区 id（须在你的管辖范围内）"))
    start = BoundedDateField(
        required=False, help_text=_("起始日；留空：周报为上一个完整自然周，月报为上一个完整月")
    )
    end = BoundedDateField(required=False, help_text=_("截止日（与起始日同时填写）"))
    campaign = serializers.CharField(
        required=False, max_length=64, help_text=_("专项行动代码（专项行动通报必填）")
    )

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"end" if end is None else "start": _("起始日和截止日须同时填写或同时留空。")}
            )
        if start is not None and start > end:
            raise serializers.ValidationError({"end": _("截止日早于起始日。")})
        if attrs["kind"] == ReportKind.CAMPAIGN and not attrs.get("campaign"):
            raise serializers.ValidationError({"campaign": _("专项行动通报须指定专项行动。")})
        return attrs


class ReportJobSerializer(ModelSerializer):
    """A briefing job: queued, running, done (with its briefing) or failed (with why)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id", "status", "kind", "area", "area_name", "campaign", "start", "end",
            "created_at", "finished_at", "error", "report", "url", "report_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("report-job", args=[job.public_id])

    def get_report_url(self, job) -> str | None:
        return reverse("report-api-detail", args=[job.report_id]) if job.report_id else None

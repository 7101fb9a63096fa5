from django.http import Http404
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from safecity.core.api.renderers import TableCSVRenderer, TableXLSXRenderer
from safecity.core.api.schema import FIELD_CONFLICT
from stats.api.views import FROM_PARAMETER, StatsView
from stats.subjects import subject_for

from .. import selectors, services
from ..filtersets import DisputeCaseFilterSet
from ..metrics import SOURCE
from .serializers import (
    CaseTransitionSerializer,
    CompleteFollowUpSerializer,
    DisputeCaseDetailSerializer,
    DisputeCaseSerializer,
    FollowUpSerializer,
    MediationStatsParams,
    OpenFromIncidentSerializer,
)

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = [
    "id", "type", "status", "risk", "source", "area", "area_name", "address", "screened_at",
    "transferred_at", "transferred_to", "resolved_at", "escalated_at", "summary", "parties",
]  # fmt: skip


def _case_error(exc: services.CaseError):
    """A refused case change: 409 for a lifecycle step, 400 for bad input, naming the field."""
    code = status.HTTP_409_CONFLICT if isinstance(exc, services.TransitionError) else 400
    return Response({exc.field: [api_message(exc)]}, status=code)


def api_message(exc: services.CaseError) -> str:
    """The API answers a refused case change in English, whatever the caller's language (the
    pages show the same message in theirs)."""
    with translation.override("en"):
        return str(exc.message)


def _case_exists(request, exc: services.CaseExists):
    """409: the incident has its case already — shown when the caller may see it, else not
    even named (it may be another jurisdiction's)."""
    body = {exc.field: [api_message(exc)]}
    case = selectors.cases_for_user(request.user).filter(pk=exc.case.pk).first()
    if case is not None:
        body["case"] = DisputeCaseSerializer(case, context={"request": request}).data
    return Response(body, status=status.HTTP_409_CONFLICT)


class DisputeCaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Dispute cases in the caller's jurisdiction. Parties' names and phone numbers are
    masked for users without the personal-data permission, here and in ``?format=csv``."""

    lookup_field = "public_id"
    # Anything but a UUID matches no route (a 404) instead of failing the UUID lookup.
    lookup_value_regex = "[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
    write_permissions = {
        "transition": ["mediation.change_disputecase"],
        "follow_ups": ["mediation.add_followup"],
    }
    filterset_class = DisputeCaseFilterSet
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, TableCSVRenderer, TableXLSXRenderer]

    def get_queryset(self):
        cases = selectors.cases_for_user(self.request.user)
        if self.action == "retrieve":
            cases = cases.prefetch_related("changes", "follow_ups")
        return cases

    def get_serializer_class(self):
        return DisputeCaseDetailSerializer if self.action == "retrieve" else DisputeCaseSerializer

    def list(self, request, *args, **kwargs):
        cases = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format in ("csv", "xlsx"):
            cases = list(cases[:EXPORT_LIMIT])
        else:
            cases = self.paginate_queryset(cases)
        services.personal_data_disclosed(user=request.user, cases=cases, request=request)
        data = self.get_serializer(cases, many=True).data
        if request.accepted_renderer.format in ("csv", "xlsx"):
            return Response(data)
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.personal_data_disclosed(user=request.user, cases=[case], request=request)
        return Response(self.get_serializer(case).data)

    def export_table(self, data):
        rows = []
        # One case (the detail in ?format=csv) is a table of one row.
        for case in data if isinstance(data, list) else [data]:
            parties = "; ".join(
                " ".join(filter(None, [p.get("role"), p.get("name"), p.get("phone")]))
                for p in case["parties"]
            )
            rows.append([case[column] for column in EXPORT_COLUMNS[:-1]] + [parties])
        return "dispute-cases", EXPORT_COLUMNS, rows

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.case_create(
            user=self.request.user, area=data.pop("area", None), **data
        )

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except services.CaseError as exc:
            return _case_error(exc)

    def perform_update(self, serializer):
        serializer.instance = services.case_update(
            case=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except services.CaseError as exc:
            return _case_error(exc)

    @extend_schema(
        request=CaseTransitionSerializer,
        responses={200: DisputeCaseDetailSerializer, 409: FIELD_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, public_id=None):
        """One lifecycle step; 409 with the reason when it is not allowed."""
        case = self.get_object()
        params = CaseTransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        params = params.validated_data
        incident = None
        if params.get("incident"):
            incident = selectors.incident_in_scope(request.user, params["incident"])
            if incident is None:
                raise ValidationError({"incident": ["no such incident in your jurisdiction"]})
        try:
            case = services.case_transition(
                case=case,
                to_status=params["to"],
                user=request.user,
                at=params.get("at"),
                note=params.get("note", ""),
                agency=params.get("agency", ""),
                incident=incident,
            )
        except services.CaseError as exc:
            return _case_error(exc)
        case = self.get_queryset().prefetch_related("changes", "follow_ups").get(pk=case.pk)
        return Response(DisputeCaseDetailSerializer(case, context={"request": request}).data)

    @extend_schema(methods=["GET"], responses={200: FollowUpSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=FollowUpSerializer, responses={201: FollowUpSerializer}
    )
    # The case table's CSV and XLSX do not fit follow-ups: JSON only.
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="follow-ups",
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
        pagination_class=None,
    )
    def follow_ups(self, request, public_id=None):
        case = self.get_object()
        if request.method == "POST":
            params = FollowUpSerializer(data=request.data)
            params.is_valid(raise_exception=True)
            try:
                follow_up = services.followup_create(
                    case=case, user=request.user, **params.validated_data
                )
            except services.CaseError as exc:
                return _case_error(exc)
            return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)
        return Response(FollowUpSerializer(case.follow_ups.all(), many=True).data)


class FollowUpViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Follow-ups of cases in scope; filter ``overdue=true``; complete one with its outcome."""

    serializer_class = FollowUpSerializer
    write_permissions = {"complete": ["mediation.change_followup"]}

    def get_queryset(self):
        overdue = self.request.query_params.get("overdue") == "true"
        return selectors.follow_ups_for_user(self.request.user, overdue=overdue)

    @extend_schema(
        request=CompleteFollowUpSerializer, responses={200: FollowUpSerializer, 409: FIELD_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        follow_up = self.get_object()
        params = CompleteFollowUpSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            follow_up = services.followup_complete(
                follow_up=follow_up,
                outcome=params.validated_data.get("outcome", ""),
                user=request.user,
            )
        except services.CaseError as exc:
            return _case_error(exc)
        return Response(FollowUpSerializer(follow_up).data)


class OpenFromIncidentView(APIView):
    """Open a dispute case from an incident of a dispute category (linked both ways)."""

    write_permissions = {"post": ["mediation.add_disputecase"]}

    @extend_schema(
        request=OpenFromIncidentSerializer,
        responses={201: DisputeCaseSerializer, 409: FIELD_CONFLICT},
    )
    def post(self, request, public_id):
        incident = selectors.incident_in_scope(request.user, public_id)
        if incident is None:
            raise Http404
        params = OpenFromIncidentSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            case = services.case_from_incident(
                incident=incident, user=request.user, **params.validated_data
            )
        except services.CaseExists as exc:
            return _case_exists(request, exc)
        except services.CaseError as exc:
            return _case_error(exc)
        data = DisputeCaseSerializer(case, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MediationStatsView(StatsView):
    params_class = MediationStatsParams

    @extend_schema(
        parameters=[MediationStatsParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Disputes screened, transferred, resolved ...: 同比, 环比, rates, funnel",
        description=(
            "Disputes count on the day they were screened, with what became of them since: "
            "per measure current, yoy and pop blocks; rates of screened (transfer, resolution, "
            "escalation) now, a year earlier and the period before; the funnel screened → "
            "transferred → resolved; with by=type or by=area the figures per type or child area."
        ),
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params, source_name=SOURCE)
        result = selectors.mediation_stats(
            subject=subject,
            window=params["window"],
            period=params["period"],
            cutoff=params["cutoff"],
        )
        if params.get("by"):
            result["by"] = params["by"]
            result["rows"] = selectors.mediation_breakdown(
                subject=subject,
                window=params["window"],
                period=params["period"],
                by=params["by"],
                cutoff=params["cutoff"],
            )
        return Response(result)

    def export_table(self, data):
        name = f"mediation-{data['period']['from']}-{data['period']['to']}"
        if "rows" in data:
            measures = selectors.FUNNEL + selectors.OUTCOMES
            rates = list(selectors.RATES.values())
            headers = ["code" if data["by"] == "type" else "id", "name", *measures, *rates]
            rows = [
                [row.get("code", row.get("id")), row["name"], *(row[m] for m in measures + rates)]
                for row in data["rows"]
            ]
            return name, headers, rows
        headers = ["measure", "current", "last_year", "previous_period"]
        rows = [
            [measure, block["current"], block["yoy"]["base"], block["pop"]["base"]]
            for measure, block in data["measures"].items()
        ]
        rows += [
            [rate, block["current"], block["yoy"], block["pop"]]
            for rate, block in data["rates"].items()
        ]
        return name, headers, rows

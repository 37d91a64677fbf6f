"""REST API of the points ledger (考核积分制, DOMAIN §2, X) under /api/v1/assessment/.

`points-entries/`: the ledger the user may read (filters of `PointsEntryFilterSet`), create →
`points_entry_submit`, `POST …/{id}/review/` → `points_entry_review` (an entry already reviewed
by someone else answers 409). `points-city-results/`: create → `points_city_result_record` (the
double rule for the leading and responsible departments), answering the entries made.
Every rule lives in `assessment.points`; its errors answer 400 (fields), 403 or 404."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.pagination import DefaultCursorPagination
from cadre.models import Cadre, Unit

from .. import filtersets, points
from ..choices import PointsRole
from ..models import PointsEntry


class PointsEntrySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, default=None)
    item = serializers.CharField(source="item.code", read_only=True)
    item_label = serializers.CharField(source="item.label", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    submitted_by = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "unit",
            "unit_name",
            "cadre",
            "cadre_name",
            "catalogue",
            "item",
            "item_label",
            "occurred_on",
            "base_points",
            "role",
            "points",
            "evidence",
            "status",
            "status_display",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the user may see; another is "not found", as on the pages."""

    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedCadreField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Cadre.objects.restrict(self.context["request"].user)


class PointsEntryInputSerializer(serializers.Serializer):
    unit = _ScopedUnitField()
    item = serializers.CharField(max_length=40, help_text="积分项目代码（本地区积分项目清单）")
    occurred_on = serializers.DateField()
    evidence = serializers.CharField(allow_blank=True)
    cadre = _ScopedCadreField(required=False, allow_null=True)
    base_points = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True
    )
    role = serializers.ChoiceField(choices=PointsRole.choices, required=False, allow_blank=True)


class PointsCityResultInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40)
    occurred_on = serializers.DateField()
    base_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    lead_unit = _ScopedUnitField()
    responsible_units = _ScopedUnitField(many=True, required=False)
    evidence = serializers.CharField(allow_blank=True)


class PointsReviewInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="考核积分台账（本人管辖范围内）"),
    retrieve=extend_schema(summary="考核积分详情"),
    create=extend_schema(
        summary="登记考核积分（待审核）",
        request=PointsEntryInputSerializer,
        responses={201: PointsEntrySerializer},
    ),
)
class PointsEntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PointsEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filtersets.PointsEntryFilterSet
    pagination_class = DefaultCursorPagination
    queryset = PointsEntry.objects.none()

    def get_queryset(self):
        return points.points_ledger(self.request.user)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.action == "create":
            return PointsEntryInputSerializer
        if self.action == "review":
            return PointsReviewInputSerializer
        return PointsEntrySerializer

    def create(self, request, *args, **kwargs):
        if not points.can_submit_points(request.user):
            self.permission_denied(request, message=_("您的角色不能登记考核积分"))
        serializer = PointsEntryInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        entry = points.points_entry_submit(actor=request.user, **serializer.validated_data)
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="审核考核积分（通过或退回，退回须填写意见；不能审核本人提交的积分）",
        request=PointsReviewInputSerializer,
        responses={200: PointsEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        entry = self.get_object()
        serializer = PointsReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            entry = points.points_entry_review(
                actor=request.user, entry=entry, **serializer.validated_data
            )
        except points.ReviewConflict as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(PointsEntrySerializer(entry).data)


@extend_schema_view(
    create=extend_schema(
        summary="登记市级考核得失分：牵头部门和责任部门按倍数计分",
        request=PointsCityResultInputSerializer,
        responses={201: PointsEntrySerializer(many=True)},
    )
)
class PointsCityResultViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PointsCityResultInputSerializer
    queryset = PointsEntry.objects.none()

    def create(self, request, *args, **kwargs):
        if not points.is_points_reviewer(request.user):
            self.permission_denied(request, message=_("市级考核得失分由组织部门登记"))
        serializer = PointsCityResultInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        entries = points.points_city_result_record(actor=request.user, **serializer.validated_data)
        return Response(
            PointsEntrySerializer(entries, many=True).data, status=status.HTTP_201_CREATED
        )


def register(router):
    router.register("assessment/points-entries", PointsEntryViewSet, basename="points-entry")
    router.register(
        "assessment/points-city-results", PointsCityResultViewSet, basename="points-city-result"
    )

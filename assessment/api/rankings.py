"""REST API of the rankings, the consequences, the three links and the quarterly review (DOMAIN
§2; ZJK 14; X) under /api/v1/assessment/.

`ranking-groups/`: CRUD through `ranking_group_save` / `ranking_group_delete`,
`POST …/{id}/members/` → `ranking_group_members_set`. `rankings/`: the places (read-only;
filters group, year, quarter). `consequences/`: read-only (filters kind, cause, year, quarter,
unit, cadre). `supervision-links/`: list, create (→ `supervision_link_save`), delete.
`quarterly-runs/`: the runs (organisation department), `POST` starts one (→ `quarterly_run_start`).
Every rule lives in the services; their errors answer 400 (fields), 403 or 404."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from cadre.api.pagination import DefaultCursorPagination
from cadre.models import Cadre, Unit

from .. import filtersets, rankings
from ..choices import ConsequenceCause, ConsequenceKind, LinkKind, RankingKind, RunStatus
from ..models import Consequence, QuarterlyRun, RankingEntry, RankingGroup, SupervisionLink
from ..quarterly import quarterly_run_start
from .serializers import choice

# --- fields -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the user may see; another is "not found", as on the pages."""

    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedCadreField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Cadre.objects.restrict(self.context["request"].user)


# --- ranking groups ---------------------------------------------------------------------------


class RankingGroupSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind = choice("RankingKind", RankingKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    cadres = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RankingGroup
        fields = [
            "id",
            "unit",
            "unit_name",
            "name",
            "kind",
            "kind_display",
            "top_n",
            "bottom_n",
            "cadres",
            "units",
        ]
        read_only_fields = fields


class RankingGroupInputSerializer(serializers.Serializer):
    unit = _ScopedUnitField()
    name = serializers.CharField(max_length=100)
    kind = choice("RankingKind", RankingKind)
    top_n = serializers.IntegerField(min_value=0, max_value=rankings.MAX_PLACES, default=3)
    bottom_n = serializers.IntegerField(min_value=0, max_value=rankings.MAX_PLACES, default=3)


class RankingMembersInputSerializer(serializers.Serializer):
    cadres = _ScopedCadreField(many=True, required=False)
    units = _ScopedUnitField(many=True, required=False)


@extend_schema_view(
    list=extend_schema(summary="排名组（本人管辖范围内）"),
    retrieve=extend_schema(summary="排名组详情"),
    create=extend_schema(
        summary="新建排名组",
        request=RankingGroupInputSerializer,
        responses={201: RankingGroupSerializer},
    ),
    update=extend_schema(
        summary="修改排名组", request=RankingGroupInputSerializer, responses=RankingGroupSerializer
    ),
    partial_update=extend_schema(
        summary="修改排名组（部分字段）",
        request=RankingGroupInputSerializer,
        responses=RankingGroupSerializer,
    ),
    destroy=extend_schema(summary="删除尚无排名结果的排名组"),
)
class RankingGroupViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RankingGroupSerializer
    pagination_class = DefaultCursorPagination
    queryset = RankingGroup.objects.none()

    def get_queryset(self):
        return rankings.ranking_groups(self.request.user).prefetch_related("cadres", "units")

    def _input(self, partial=False, instance=None):
        serializer = RankingGroupInputSerializer(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if instance is not None:
            for name in ("unit", "name", "kind", "top_n", "bottom_n"):
                data.setdefault(name, getattr(instance, name))
        return data

    def _answer(self, group, code=status.HTTP_200_OK):
        group = self.get_queryset().get(pk=group.pk)
        return Response(RankingGroupSerializer(group).data, status=code)

    def create(self, request, *args, **kwargs):
        if not rankings.can_manage_rankings(request.user):
            self.permission_denied(request, message=_("排名组由组织部门设置"))
        group = rankings.ranking_group_save(actor=request.user, **self._input())
        return self._answer(group, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        group = self.get_object()
        partial = kwargs.get("partial", False)
        data = self._input(partial=partial, instance=group)
        group = rankings.ranking_group_save(actor=request.user, group=group, **data)
        return self._answer(group)

    def destroy(self, request, *args, **kwargs):
        rankings.ranking_group_delete(actor=request.user, group=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="设置排名成员（干部组填 cadres，单位组填 units；整体替换）",
        request=RankingMembersInputSerializer,
        responses={200: RankingGroupSerializer},
    )
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        group = self.get_object()
        serializer = RankingMembersInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        group = rankings.ranking_group_members_set(
            actor=request.user,
            group=group,
            cadres=serializer.validated_data.get("cadres", []),
            units=serializer.validated_data.get("units", []),
        )
        return self._answer(group)


# --- rankings ---------------------------------------------------------------------------------


class RankingEntrySerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, default=None)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    change = serializers.SerializerMethodField()

    class Meta:
        model = RankingEntry
        fields = [
            "id",
            "group",
            "group_name",
            "year",
            "quarter",
            "cadre",
            "cadre_name",
            "unit",
            "unit_name",
            "score",
            "rank",
            "size",
            "previous_rank",
            "change",
            "is_top",
            "is_bottom",
        ]
        read_only_fields = fields

    def get_change(self, entry) -> int | None:
        """Places climbed since last quarter (negative: fell); null when not ranked before."""
        if entry.previous_rank is None:
            return None
        return entry.previous_rank - entry.rank


class RankingPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema_view(
    list=extend_schema(summary="排名结果（可按排名组、年度、季度筛选）"),
    retrieve=extend_schema(summary="排名结果详情"),
)
class RankingEntryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RankingEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filtersets.RankingEntryFilterSet
    pagination_class = RankingPagination
    queryset = RankingEntry.objects.none()

    def get_queryset(self):
        return (
            RankingEntry.objects.filter(group__in=rankings.ranking_groups(self.request.user))
            .select_related("group", "cadre", "unit")
            .order_by("group_id", "-year", "-quarter", "rank", "pk")
        )


# --- consequences -----------------------------------------------------------------------------


class ConsequenceSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit = serializers.IntegerField(source="cadre.unit_id", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    kind = choice("ConsequenceKind", ConsequenceKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    cause = choice("ConsequenceCause", ConsequenceCause, read_only=True)
    cause_display = serializers.CharField(source="get_cause_display", read_only=True)

    class Meta:
        model = Consequence
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit",
            "unit_name",
            "kind",
            "kind_display",
            "cause",
            "cause_display",
            "occurrence",
            "year",
            "quarter",
            "detail",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="考核结果运用（只读，按规则由季度总评产生）"),
    retrieve=extend_schema(summary="考核结果运用详情"),
)
class ConsequenceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConsequenceSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filtersets.ConsequenceFilterSet
    pagination_class = DefaultCursorPagination
    queryset = Consequence.objects.none()

    def get_queryset(self):
        return rankings.consequences_for(self.request.user)


# --- the three links --------------------------------------------------------------------------


class SupervisionLinkSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind = choice("LinkKind", LinkKind, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SupervisionLink
        fields = ["id", "cadre", "cadre_name", "unit", "unit_name", "kind", "kind_display"]
        read_only_fields = fields


class SupervisionLinkInputSerializer(serializers.Serializer):
    cadre = _ScopedCadreField()
    unit = _ScopedUnitField()
    kind = choice("LinkKind", LinkKind)


class SupervisionLinkFilterSet(django_filters.FilterSet):
    unit = django_filters.NumberFilter(method="by_unit", label=_("挂钩单位（含下级）"))
    cadre = django_filters.NumberFilter(field_name="cadre_id", label=_("干部"))
    kind = django_filters.ChoiceFilter(choices=LinkKind.choices, label=_("挂钩方式"))

    class Meta:
        model = SupervisionLink
        fields = ["unit", "cadre", "kind"]

    def by_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


@extend_schema_view(
    list=extend_schema(summary="考核挂钩关系（三个挂钩）"),
    retrieve=extend_schema(summary="挂钩关系详情"),
    create=extend_schema(
        summary="设置挂钩关系（同一干部和单位再次设置即修改挂钩方式）",
        request=SupervisionLinkInputSerializer,
        responses={201: SupervisionLinkSerializer},
    ),
    destroy=extend_schema(summary="解除挂钩关系"),
)
class SupervisionLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SupervisionLinkSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SupervisionLinkFilterSet
    pagination_class = DefaultCursorPagination
    queryset = SupervisionLink.objects.none()

    def get_queryset(self):
        return rankings.supervision_links(self.request.user)

    def create(self, request, *args, **kwargs):
        if not rankings.can_manage_rankings(request.user):
            self.permission_denied(request, message=_("考核挂钩关系由组织部门设置"))
        serializer = SupervisionLinkInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        link = rankings.supervision_link_save(actor=request.user, **serializer.validated_data)
        return Response(SupervisionLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        rankings.supervision_link_delete(actor=request.user, link=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the quarterly review ---------------------------------------------------------------------


class QuarterlyRunSerializer(serializers.ModelSerializer):
    status = choice("RunStatus", RunStatus, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = QuarterlyRun
        fields = [
            "id",
            "year",
            "quarter",
            "status",
            "status_display",
            "step",
            "percent",
            "counts",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class QuarterlyRunInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


@extend_schema_view(
    list=extend_schema(summary="季度总评运行记录（组织部门）"),
    retrieve=extend_schema(summary="季度总评运行进度"),
    create=extend_schema(
        summary="启动季度总评（同一季度正在运行时返回该次运行）",
        request=QuarterlyRunInputSerializer,
        responses={202: QuarterlyRunSerializer},
    ),
)
class QuarterlyRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = QuarterlyRunSerializer
    pagination_class = DefaultCursorPagination
    queryset = QuarterlyRun.objects.none()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not rankings.can_manage_rankings(request.user):
            self.permission_denied(request, message=_("季度总评由组织部门启动"))

    def get_queryset(self):
        return QuarterlyRun.objects.all()

    def create(self, request, *args, **kwargs):
        serializer = QuarterlyRunInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = quarterly_run_start(actor=request.user, **serializer.validated_data)
        return Response(QuarterlyRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


def register(router):
    router.register("assessment/ranking-groups", RankingGroupViewSet, basename="ranking-group")
    router.register("assessment/rankings", RankingEntryViewSet, basename="ranking-entry")
    router.register("assessment/consequences", ConsequenceViewSet, basename="consequence")
    router.register(
        "assessment/supervision-links", SupervisionLinkViewSet, basename="supervision-link"
    )
    router.register("assessment/quarterly-runs", QuarterlyRunViewSet, basename="quarterly-run")

"""REST API of the annual assessment (年度考核, DOMAIN §2; F 5, F 7) under /api/v1/assessment/.

Every queryset comes from `restrict(user, action)`. A cycle outside the user's jurisdiction is
not found (404) whatever the request; a write on a cycle in view scope that the user's roles may
not make is refused (403). Writes are made by assessment.services only — the quota, the
accountability blockers and the all-or-nothing save of a unit's grades live there; a refused
save answers 400 with the service's messages (keyed by cadre id, or non_field_errors for the
quota)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.choices import CadreStatus
from cadre.models import Cadre, Unit

from .. import services
from ..choices import Grade
from ..filtersets import AnnualGradeFilterSet, CycleFilterSet
from ..models import (
    WRITE_ROLES,
    AnnualGrade,
    AssessmentCycle,
    TeamAssessment,
    UnitQuota,
    unit_scope_q,
)
from .serializers import (
    AnnualGradeSerializer,
    CycleCreateSerializer,
    CycleDetailSerializer,
    CycleSerializer,
    GradesInputSerializer,
    QuotaInputSerializer,
    QuotaQuerySerializer,
    QuotaStatusSerializer,
    TeamAssessmentSerializer,
    TeamInputSerializer,
)

_ERROR_TEXTS = {
    400: "字段错误：{字段: [消息]}；某位干部的错误以干部编号为键；优秀比例等不属于某个字段的错误在 "
    "non_field_errors",
    403: "您的角色不能执行此操作",
    404: "不存在，或不在您的管辖范围内",
}


def errors(*codes):
    return {code: OpenApiResponse(description=_ERROR_TEXTS[code]) for code in codes}


# --- filters ----------------------------------------------------------------------------------


# --- quota figures of many units at once ------------------------------------------------------


def quota_statuses(cycles) -> dict[int, list[dict]]:
    """{cycle id: [quota status]} for the units of each cycle that have grades or a quota row,
    in unit order. The figures are those of `services.quota_status` (participants = serving
    cadres or graded, if more; cap = participants × ratio with the list's rounding), read in a
    fixed number of queries however many cycles and units. The cycles' `quota_list.items` are
    expected prefetched."""
    cycles = list(cycles)
    if not cycles:
        return {}
    ids = [c.pk for c in cycles]
    quotas = {
        (q.cycle_id, q.unit_id): q
        for q in UnitQuota.objects.filter(cycle_id__in=ids).select_related("unit")
    }
    counts = {
        (row["cycle_id"], row["unit_id"]): (row["graded"], row["excellent"])
        for row in AnnualGrade.objects.filter(cycle_id__in=ids)
        .order_by()
        .values("cycle_id", "unit_id")
        .annotate(graded=Count("id"), excellent=Count("id", filter=Q(grade=Grade.EXCELLENT)))
    }
    units = {q.unit_id: q.unit for q in quotas.values()}
    missing = {unit_id for _cycle, unit_id in counts} - set(units)
    if missing:
        units.update({u.pk: u for u in Unit.objects.filter(pk__in=missing)})
    # Serving cadres per unit and post level, so that each cycle counts only the cadres its
    # organising unit manages (services.assessed_cadres).
    by_level: dict[int, list[tuple[int | None, int]]] = {}
    for unit_id, order, n in (
        Cadre.objects.filter(unit_id__in=list(units), status=CadreStatus.ACTIVE)
        .order_by()
        .values("unit_id", "post_level__order")
        .annotate(n=Count("id"))
        .values_list("unit_id", "post_level__order", "n")
    ):
        by_level.setdefault(unit_id, []).append((order, n))

    def serving_for(cycle, unit_id):
        limit = cycle.unit.manages_up_to.order if cycle.unit.manages_up_to_id else None
        return sum(
            n
            for order, n in by_level.get(unit_id, [])
            if limit is None or order is None or order <= limit
        )

    found: dict[int, list[dict]] = {c.pk: [] for c in cycles}
    by_id = {c.pk: c for c in cycles}
    for cycle_id, unit_id in set(quotas) | set(counts):
        cycle, quota = by_id[cycle_id], quotas.get((cycle_id, unit_id))
        raised = bool(quota and quota.raised)
        ratio, rounding = services.quota_ratio(cycle, raised)
        graded, excellent = counts.get((cycle_id, unit_id), (0, 0))
        participants = max(serving_for(cycle, unit_id), graded)
        cap = services.quota_cap(participants, ratio, rounding)
        found[cycle_id].append(
            {
                "unit": units[unit_id],
                "raised": raised,
                "raised_reason": quota.raised_reason if quota else "",
                "ratio": ratio,
                "participants": participants,
                "graded": graded,
                "cap": cap,
                "excellent": excellent,
                "remaining": cap - excellent,
            }
        )
    for rows in found.values():
        rows.sort(key=lambda row: row["unit"].path)
    return found


# --- viewsets ---------------------------------------------------------------------------------


class ScopedMixin(RestrictedViewSetMixin):
    """Scoped reads, 403 for a write the user's roles do not allow on a row they can see."""

    act_denied = _("年度考核由组织部门办理")


def _may_write(user):
    return user.is_superuser or bool(set(user.roles or []) & WRITE_ROLES)


def _sees_units(user):
    """Whether the user reads the cycle as a unit-level officer (not only their own grade)."""
    return user.is_superuser or unit_scope_q(user) is not None


@extend_schema_view(
    list=extend_schema(summary="年度考核列表（本人管辖范围内）"),
    retrieve=extend_schema(
        summary="年度考核详情：各单位优秀名额、班子等次",
        responses={200: CycleDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["年度考核"])
class CycleViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """年度考核：确定优秀等次比例、评定干部和班子等次（含担当作为情况）、确定等次、反馈结果。"""

    queryset = AssessmentCycle.objects.none()
    serializer_class = CycleSerializer
    filterset_class = CycleFilterSet

    def get_queryset(self):
        qs = self.scoped()
        if self.action == "list":
            return qs.select_related("unit__manages_up_to", "quota_list").prefetch_related(
                "quota_list__items"
            )
        if self.action == "retrieve":
            return self._detail_queryset(qs)
        return qs

    def _detail_queryset(self, qs):
        teams = TeamAssessment.objects.restrict(self.request.user).select_related("unit")
        return qs.select_related(
            "unit__manages_up_to", "quota_list", "blockers_list"
        ).prefetch_related(
            "quota_list__items", "blockers_list__items", Prefetch("teams", queryset=teams)
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CycleDetailSerializer
        return super().get_serializer_class()

    def _attach_quotas(self, cycles):
        found = quota_statuses(cycles) if _sees_units(self.request.user) else {}
        for cycle in cycles:
            cycle.quota_statuses = found.get(cycle.pk, [])
        return cycles

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(self._attach_quotas(page), many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        cycle = self.get_object()
        return Response(self.get_serializer(self._attach_quotas([cycle])[0]).data)

    def _detail(self, pk, status_code=status.HTTP_200_OK):
        cycle = self._detail_queryset(self.scoped()).get(pk=pk)
        self._attach_quotas([cycle])
        data = CycleDetailSerializer(cycle, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(
        summary="开展年度考核",
        request=CycleCreateSerializer,
        responses={201: CycleDetailSerializer, **errors(400, 403)},
    )
    def create(self, request):
        if not _may_write(request.user):
            self.permission_denied(request, message=self.act_denied)
        cycle = services.cycle_open(actor=request.user, **self.input(CycleCreateSerializer))
        return self._detail(cycle.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="确定等次（写入干部实绩档案）",
        request=None,
        responses={200: CycleDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        cycle = self.get_object()
        services.cycle_close(actor=request.user, cycle=cycle)
        return self._detail(cycle.pk)

    @extend_schema(
        summary="向干部反馈考核结果",
        request=None,
        responses={200: CycleDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="feed-back")
    def feed_back(self, request, pk=None):
        cycle = self.get_object()
        services.cycle_feed_back(actor=request.user, cycle=cycle)
        return self._detail(cycle.pk)

    @extend_schema(
        summary="设置单位优秀等次比例（年度绩效考评排名靠前的上浮）",
        request=QuotaInputSerializer,
        responses={200: QuotaStatusSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=QuotaInputSerializer)
    def quotas(self, request, pk=None):
        cycle = self.get_object()
        data = self.input(QuotaInputSerializer)
        try:
            services.unit_quota_set(
                actor=request.user,
                cycle=cycle,
                unit=data["unit"],
                raised=data["raised"],
                reason=data["reason"],
            )
        except DjangoValidationError as exc:
            # The service names the reason after the model field; here it was sent as `reason`.
            if hasattr(exc, "error_dict") and "raised_reason" in exc.error_dict:
                exc.error_dict["reason"] = exc.error_dict.pop("raised_reason")
            raise
        return Response(QuotaStatusSerializer(self._quota(cycle, data["unit"])).data)

    @staticmethod
    def _quota(cycle, unit):
        figures = services.quota_status(cycle, unit)
        quota = UnitQuota.objects.filter(cycle=cycle, unit=unit).only("raised_reason").first()
        return {**figures, "raised_reason": quota.raised_reason if quota else ""}

    @extend_schema(
        summary="查询单位优秀名额",
        parameters=[
            OpenApiParameter("unit", int, required=True, description="被考核单位编号"),
        ],
        request=None,
        responses={200: QuotaStatusSerializer, **errors(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=QuotaStatusSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def quota(self, request, pk=None):
        cycle = self.get_object()
        if not _sees_units(request.user):
            self.permission_denied(request, message=_("您只能查看本人的考核结果"))
        unit = self.input(QuotaQuerySerializer, data=request.query_params)["unit"]
        if not unit.path.startswith(cycle.unit.path):
            raise DjangoValidationError({"unit": _("该单位不在本次考核范围内")})
        return Response(QuotaStatusSerializer(self._quota(cycle, unit)).data)

    @extend_schema(
        summary="评定一个单位干部的年度考核等次（整体保存）",
        description=(
            "rows 为该单位干部的等次和担当作为情况，全部通过才保存。某位干部的错误以干部编号为键；"
            "超出优秀比例的错误在 non_field_errors。"
        ),
        request=GradesInputSerializer,
        responses={200: AnnualGradeSerializer(many=True), **errors(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        serializer_class=GradesInputSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def grades(self, request, pk=None):
        cycle = self.get_object()
        data = self.input(GradesInputSerializer)
        saved = services.annual_grades_save(
            actor=request.user, cycle=cycle, unit=data["unit"], rows=data["rows"]
        )
        rows = AnnualGrade.objects.filter(pk__in=[g.pk for g in saved]).select_related(
            "cycle", "cadre", "unit"
        )
        return Response(AnnualGradeSerializer(rows, many=True).data)

    @extend_schema(
        summary="评定领导班子年度考核等次",
        request=TeamInputSerializer,
        responses={200: TeamAssessmentSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=TeamInputSerializer)
    def teams(self, request, pk=None):
        cycle = self.get_object()
        team = services.team_grade_save(
            actor=request.user, cycle=cycle, **self.input(TeamInputSerializer)
        )
        return Response(TeamAssessmentSerializer(team).data)


@extend_schema_view(
    list=extend_schema(summary="年度考核等次列表"),
    retrieve=extend_schema(
        summary="年度考核等次详情", responses={200: AnnualGradeSerializer, **errors(404)}
    ),
)
@extend_schema(tags=["年度考核"])
class AnnualGradeViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """干部年度考核等次（只读，经年度考核评定）；干部本人只能看到已反馈的本人等次。"""

    queryset = AnnualGrade.objects.none()
    serializer_class = AnnualGradeSerializer
    filterset_class = AnnualGradeFilterSet

    def get_queryset(self):
        return self.scoped().select_related("cycle", "cadre", "unit")

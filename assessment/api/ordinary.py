"""REST API of the ordinary assessment (平时考核, DOMAIN §2, X) under /api/v1/assessment/:
weekly records (每周纪实), monthly summaries (月度小结) with their review, and the quarterly
reviews (季度总评, read-only: the quarterly job writes them).

Every list starts from `restrict(user, "view")`, so a cadre user sees their own rows only. A
record is written by `assessment.ordinary`: a cadre outside the user's view is not found (404),
one in view the user may not write for is refused (403); a week or month that has not begun is a
field error (400). Posting a week or month already kept updates it (200) instead of creating
(201)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.pagination import DefaultCursorPagination
from cadre.models import Cadre, Unit

from .. import ordinary
from ..models import MonthlySummary, QuarterlyReview, WeeklyRecord

_ERROR_TEXTS = {
    400: "字段错误：{字段: [消息]}；不属于某个字段的错误在 non_field_errors",
    403: "您的角色不能为该干部填写或审阅",
    404: "不存在，或不在您的管辖范围内",
}
TAG = "平时考核"


def errors(*codes):
    return {code: OpenApiResponse(description=_ERROR_TEXTS[code]) for code in codes}


# --- serializers ------------------------------------------------------------------------------


class WeeklyRecordSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit = serializers.IntegerField(source="cadre.unit_id", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by", read_only=True, default="")

    class Meta:
        model = WeeklyRecord
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit",
            "week_start",
            "work_done",
            "next_plan",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields


class MonthlySummarySerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit = serializers.IntegerField(source="cadre.unit_id", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by", read_only=True, default="")
    reviewed_by_name = serializers.CharField(source="reviewed_by", read_only=True, default="")

    class Meta:
        model = MonthlySummary
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit",
            "month",
            "summary",
            "review",
            "reviewed_by_name",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields


class QuarterlyReviewSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = QuarterlyReview
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "year",
            "quarter",
            "unit",
            "unit_name",
            "weeks_recorded",
            "months_summarised",
            "points",
            "evaluation_score",
            "score",
            "grade",
            "grade_label",
            "computed_at",
        ]
        read_only_fields = fields


class _CadreInput(serializers.Serializer):
    cadre = serializers.IntegerField(
        label=_("干部"), required=False, help_text=_("不填则为本人（账号关联的干部）")
    )


class WeeklyRecordInputSerializer(_CadreInput):
    week_start = serializers.DateField(
        label=_("周（周一）"), help_text=_("该周任意一天，按该周周一登记；不能是尚未开始的周")
    )
    work_done = serializers.CharField(label=_("本周工作纪实"), max_length=5000)
    next_plan = serializers.CharField(
        label=_("下周工作计划"), max_length=5000, required=False, allow_blank=True, default=""
    )


class MonthlySummaryInputSerializer(_CadreInput):
    month = serializers.DateField(
        label=_("月份"), help_text=_("该月任意一天，按当月1日登记；不能是尚未开始的月份")
    )
    summary = serializers.CharField(label=_("月度小结"), max_length=10000)


class ReviewInputSerializer(serializers.Serializer):
    review = serializers.CharField(label=_("审阅意见"), max_length=5000)


# --- filters ----------------------------------------------------------------------------------


def _within_unit(queryset, value):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(cadre__unit__path__startswith=unit.path)


class _PeriodFilterSet(django_filters.FilterSet):
    """cadre, unit (and the units below), and a period: year and quarter, or since/until."""

    date_field = ""
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("年度"), method="filter_year")
    quarter = django_filters.NumberFilter(
        label=_("季度（与年度同用）"), method="filter_quarter", min_value=1, max_value=4
    )
    since = django_filters.DateFilter(label=_("起始日期"), method="filter_since")
    until = django_filters.DateFilter(label=_("截止日期"), method="filter_until")

    def filter_unit(self, queryset, name, value):
        return _within_unit(queryset, value)

    def filter_year(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__year": value})

    def filter_quarter(self, queryset, name, value):
        year = self.form.cleaned_data.get("year")
        if not year or not 1 <= int(value) <= 4:
            return queryset
        first, last = ordinary.quarter_bounds(int(year), int(value))
        return queryset.filter(**{f"{self.date_field}__range": (first, last)})

    def filter_since(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_until(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})


class WeeklyRecordFilterSet(_PeriodFilterSet):
    date_field = "week_start"

    class Meta:
        model = WeeklyRecord
        fields = ["cadre", "unit", "year", "quarter", "since", "until"]


class MonthlySummaryFilterSet(_PeriodFilterSet):
    date_field = "month"
    reviewed = django_filters.BooleanFilter(label=_("已审阅"), method="filter_reviewed")

    class Meta:
        model = MonthlySummary
        fields = ["cadre", "unit", "year", "quarter", "since", "until", "reviewed"]

    def filter_reviewed(self, queryset, name, value):
        return queryset.exclude(review="") if value else queryset.filter(review="")


class QuarterlyReviewFilterSet(django_filters.FilterSet):
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("年度"))
    quarter = django_filters.NumberFilter(label=_("季度"))

    class Meta:
        model = QuarterlyReview
        fields = ["cadre", "unit", "year", "quarter"]

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


# --- viewsets ---------------------------------------------------------------------------------


class _ScopedMixin:
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return self.queryset.model.objects.restrict(self.request.user, "view").select_related(
            *self.related
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def target_cadre(self, data):
        """The cadre written for: the one named, else the user's own; 404 outside their view."""
        user = self.request.user
        pk = data.get("cadre") or user.cadre_id
        if not pk:
            raise serializers.ValidationError({"cadre": [_("请指定干部")]})
        return get_object_or_404(Cadre.objects.restrict(user, "view"), pk=pk)

    def input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def saved(self, row, created):
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        data = self.get_serializer(self.get_queryset().get(pk=row.pk)).data
        return Response(data, status=code)


@extend_schema_view(
    list=extend_schema(summary="每周纪实列表"),
    retrieve=extend_schema(
        summary="每周纪实", responses={200: WeeklyRecordSerializer, **errors(404)}
    ),
)
@extend_schema(tags=[TAG])
class WeeklyRecordViewSet(
    _ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """每周纪实：干部本人、所在单位领导或组织部门填写；同一周再次提交即为修改。"""

    queryset = WeeklyRecord.objects.none()
    serializer_class = WeeklyRecordSerializer
    filterset_class = WeeklyRecordFilterSet
    related = ("cadre", "recorded_by")

    @extend_schema(
        summary="填写（或修改）每周纪实",
        request=WeeklyRecordInputSerializer,
        responses={
            201: WeeklyRecordSerializer,
            200: WeeklyRecordSerializer,
            **errors(400, 403, 404),
        },
    )
    def create(self, request, *args, **kwargs):
        data = self.input(WeeklyRecordInputSerializer)
        record, created = ordinary.weekly_record_upsert(
            actor=request.user,
            cadre=self.target_cadre(data),
            week_start=data["week_start"],
            work_done=data["work_done"],
            next_plan=data.get("next_plan", ""),
        )
        return self.saved(record, created)


@extend_schema_view(
    list=extend_schema(summary="月度小结列表"),
    retrieve=extend_schema(
        summary="月度小结", responses={200: MonthlySummarySerializer, **errors(404)}
    ),
)
@extend_schema(tags=[TAG])
class MonthlySummaryViewSet(
    _ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """月度小结：干部本人、所在单位领导或组织部门填写；单位领导或组织部门审阅，已审阅的不能再修改。"""

    queryset = MonthlySummary.objects.none()
    serializer_class = MonthlySummarySerializer
    filterset_class = MonthlySummaryFilterSet
    related = ("cadre", "recorded_by", "reviewed_by")

    @extend_schema(
        summary="填写（或修改）月度小结",
        request=MonthlySummaryInputSerializer,
        responses={
            201: MonthlySummarySerializer,
            200: MonthlySummarySerializer,
            **errors(400, 403, 404),
        },
    )
    def create(self, request, *args, **kwargs):
        data = self.input(MonthlySummaryInputSerializer)
        row, created = ordinary.monthly_summary_upsert(
            actor=request.user,
            cadre=self.target_cadre(data),
            month=data["month"],
            summary=data["summary"],
        )
        return self.saved(row, created)

    @extend_schema(
        summary="审阅月度小结",
        request=ReviewInputSerializer,
        responses={200: MonthlySummarySerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        summary = self.get_object()
        data = self.input(ReviewInputSerializer)
        ordinary.monthly_summary_review(actor=request.user, summary=summary, review=data["review"])
        return self.saved(summary, False)


@extend_schema(tags=[TAG])
class QuarterlyReviewViewSet(_ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """季度总评（只读）：由季度总评任务根据纪实、积分和360度评价生成。"""

    queryset = QuarterlyReview.objects.none()
    serializer_class = QuarterlyReviewSerializer
    filterset_class = QuarterlyReviewFilterSet
    related = ("cadre", "unit")


def register(router):
    router.register("assessment/weekly-records", WeeklyRecordViewSet, basename="assessment-week")
    router.register(
        "assessment/monthly-summaries", MonthlySummaryViewSet, basename="assessment-month"
    )
    router.register(
        "assessment/quarterly-reviews", QuarterlyReviewViewSet, basename="assessment-quarterly"
    )

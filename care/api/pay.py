"""REST API of the pay tilt (F 18) under /api/v1/care/.

`assessment-bonuses/`: the annual assessment bonuses the user may read (a cadre: their own);
create → `bonus_record` (the snapshot of post level, rank and unit is taken by the service; a
second bonus of the same cadre and year answers 400); update/partial update of `amount` (and a
`note`) → `bonus_correct`, logged. `pay-tilt/?county=&year=`: the F 18 check of a county of the
jurisdiction — per post level and per rank the township organs' average against the county
departments', the shortfalls, and the hardship tilt inside the township organs."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin

from .. import filtersets_pay as filtersets
from .. import pay
from ..models import AssessmentBonus
from ..models.common import can_read, can_write
from .leave import ScopedCadreField


class AssessmentBonusSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True, default=None)
    side_display = serializers.CharField(source="get_side_display", read_only=True)
    post_level_name = serializers.CharField(source="post_level.name", read_only=True, default=None)
    rank_name = serializers.CharField(source="rank.name", read_only=True, default=None)

    class Meta:
        model = AssessmentBonus
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "year",
            "amount",
            "unit",
            "unit_name",
            "county",
            "county_name",
            "side",
            "side_display",
            "hardship_area",
            "post_level",
            "post_level_name",
            "rank",
            "rank_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BonusInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField()
    year = serializers.IntegerField(min_value=pay.MIN_YEAR, max_value=pay.MAX_YEAR)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class BonusCorrectSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="年度考核奖"),
    retrieve=extend_schema(summary="年度考核奖详情"),
    create=extend_schema(
        summary="登记年度考核奖（自动记录职务层次、职级和单位类别）",
        request=BonusInputSerializer,
        responses={201: AssessmentBonusSerializer},
    ),
    update=extend_schema(
        summary="更正年度考核奖金额",
        request=BonusCorrectSerializer,
        responses={200: AssessmentBonusSerializer},
    ),
    partial_update=extend_schema(
        summary="更正年度考核奖金额",
        request=BonusCorrectSerializer,
        responses={200: AssessmentBonusSerializer},
    ),
)
class AssessmentBonusViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = AssessmentBonus.objects.all()
    serializer_class = AssessmentBonusSerializer
    filterset_class = filtersets.AssessmentBonusFilterSet
    act_denied = _("年度考核奖由组织部门登记")

    def get_queryset(self):
        return self.scoped().select_related("cadre", "unit", "county", "post_level", "rank")

    def create(self, request, *args, **kwargs):
        if not can_write(request.user):
            self.permission_denied(request, message=self.act_denied)
        data = self.input(BonusInputSerializer)
        bonus = pay.bonus_record(actor=request.user, **data)
        return self.created(AssessmentBonusSerializer, self.get_queryset().get(pk=bonus.pk))

    def update(self, request, *args, **kwargs):
        bonus = self.get_object()
        if not can_write(request.user):
            self.permission_denied(request, message=self.act_denied)
        data = self.input(BonusCorrectSerializer)
        pay.bonus_correct(actor=request.user, bonus=bonus, **data)
        bonus = self.get_queryset().get(pk=bonus.pk)
        return Response(
            AssessmentBonusSerializer(bonus, context=self.get_serializer_context()).data
        )

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class TiltSideSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class TiltGroupSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    id = serializers.IntegerField(source="key")
    name = serializers.CharField()
    township = TiltSideSerializer()
    county_department = TiltSideSerializer(source="county")
    difference = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    verdict = serializers.CharField()
    shortfall = serializers.BooleanField(source="is_shortfall")


class TiltHardshipSerializer(serializers.Serializer):
    hardship = TiltSideSerializer()
    others = TiltSideSerializer()
    difference = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    verdict = serializers.CharField()
    flagged = serializers.BooleanField()


class TiltCheckSerializer(serializers.Serializer):
    county = serializers.IntegerField(source="county.pk")
    county_name = serializers.CharField(source="county.name")
    year = serializers.IntegerField()
    township_count = serializers.IntegerField()
    county_department_count = serializers.IntegerField()
    shortfall_count = serializers.SerializerMethodField()
    by_post_level = TiltGroupSerializer(many=True)
    by_rank = TiltGroupSerializer(many=True)
    hardship = TiltHardshipSerializer()

    def get_shortfall_count(self, check) -> int:
        return len(check.shortfalls)


@extend_schema_view(
    list=extend_schema(
        summary="乡镇机关年度考核奖高于县直机关同职务（职级）人员情况",
        parameters=[
            OpenApiParameter("county", int, required=True, description="县（行政区）编号"),
            OpenApiParameter("year", int, required=True),
        ],
        responses={200: TiltCheckSerializer},
    )
)
class PayTiltViewSet(RestrictedViewSetMixin, viewsets.GenericViewSet):
    queryset = AssessmentBonus.objects.all()
    serializer_class = TiltCheckSerializer
    filter_backends = []
    pagination_class = None

    def list(self, request):
        user = request.user
        if not can_read(user):
            self.permission_denied(request, message=_("您的角色不能查看年度考核奖比较"))
        params = request.query_params
        errors = {}
        county_id = str(params.get("county", ""))
        year = str(params.get("year", ""))
        if not county_id.isdigit():
            errors["county"] = [_("请指定县（行政区）编号")]
        if not (year.isdigit() and pay.MIN_YEAR <= int(year) <= pay.MAX_YEAR):
            errors["year"] = [_("请填写有效年度")]
        if errors:
            raise DRFValidationError(errors)
        county = get_object_or_404(pay.counties_for(user), pk=int(county_id))
        check = pay.tilt_check(user, county, int(year))
        return Response(TiltCheckSerializer(check).data)


def register(router):
    router.register("care/assessment-bonuses", AssessmentBonusViewSet, basename="care-bonus")
    router.register("care/pay-tilt", PayTiltViewSet, basename="care-pay-tilt")

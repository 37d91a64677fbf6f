"""REST API of paid annual leave and overtime time off (F 19, ZJK 12(五)) under /api/v1/care/.

`leave-plans/`: the plans the user may read (a cadre: their own); create → `leave_plan_save`
(records or revises the year's plan with the entitlement). `leave-records/`: leave taken;
create → `leave_record` (working days; overlaps, annual leave beyond the entitlement and time
off beyond the overtime balance answer 400). `overtime-records/`: create → `overtime_record`.
`leave-overview/?year=&unit=&leaders=&name=`: per cadre the year's entitlement, plan, taken,
remaining and the overtime figures; `leaders=true` is the 领导干部带头休假 view with usage rates."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Cadre, Unit

from .. import filtersets_leave as filtersets
from .. import leave
from ..choices import LeaveKind
from ..models import LeavePlan, LeaveRecord, OvertimeRecord
from ..models.common import can_read, can_write


@extend_schema_field(OpenApiTypes.INT)
class ScopedCadreField(serializers.PrimaryKeyRelatedField):
    """A cadre the user may see; another is "not found", as on the pages."""

    def get_queryset(self):
        return Cadre.objects.restrict(self.context["request"].user).select_related("unit")


@extend_schema_field(OpenApiTypes.INT)
class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user)


class _CadreRowSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)


class LeavePlanSerializer(_CadreRowSerializer):
    class Meta:
        model = LeavePlan
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "year",
            "entitlement_list",
            "service_years",
            "entitlement_days",
            "planned_days",
            "planned_periods",
            "created_at",
        ]
        read_only_fields = fields


class LeavePlanInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    planned_days = serializers.IntegerField(min_value=0, max_value=366)
    planned_periods = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class LeaveRecordSerializer(_CadreRowSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = LeaveRecord
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "kind",
            "kind_display",
            "year",
            "start_on",
            "end_on",
            "days",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class LeaveRecordInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField()
    kind = serializers.ChoiceField(choices=LeaveKind.choices)
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OvertimeRecordSerializer(_CadreRowSerializer):
    class Meta:
        model = OvertimeRecord
        fields = ["id", "cadre", "cadre_name", "unit_name", "worked_on", "days", "reason"]
        read_only_fields = fields


class OvertimeInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField()
    worked_on = serializers.DateField()
    days = serializers.DecimalField(max_digits=3, decimal_places=1)
    reason = serializers.CharField(max_length=200)


class _CreateMixin:
    """create → the service with the input serializer's data, answering the row made."""

    input_serializer = None
    service = None

    def create(self, request, *args, **kwargs):
        if not can_write(request.user):
            self.permission_denied(request, message=self.act_denied)
        data = self.input(self.input_serializer)
        obj = type(self).service(actor=request.user, **data)
        obj = self.get_queryset().get(pk=obj.pk)
        return self.created(self.serializer_class, obj)


class _Base(
    _CreateMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    act_denied = _("休假由组织部门登记")

    def get_queryset(self):
        return self.scoped().select_related("cadre", "cadre__unit")


@extend_schema_view(
    list=extend_schema(summary="年度休假计划"),
    create=extend_schema(
        summary="制定（修改）年度休假计划",
        request=LeavePlanInputSerializer,
        responses={201: LeavePlanSerializer},
    ),
)
class LeavePlanViewSet(_Base):
    queryset = LeavePlan.objects.all()
    serializer_class = LeavePlanSerializer
    filterset_class = filtersets.LeavePlanFilterSet
    input_serializer = LeavePlanInputSerializer
    service = staticmethod(leave.leave_plan_save)


@extend_schema_view(
    list=extend_schema(summary="休假记录（年休假、加班补休）"),
    create=extend_schema(
        summary="登记休假（按工作日计算）",
        request=LeaveRecordInputSerializer,
        responses={201: LeaveRecordSerializer},
    ),
)
class LeaveRecordViewSet(_Base):
    queryset = LeaveRecord.objects.all()
    serializer_class = LeaveRecordSerializer
    filterset_class = filtersets.LeaveRecordFilterSet
    input_serializer = LeaveRecordInputSerializer
    service = staticmethod(leave.leave_record)


@extend_schema_view(
    list=extend_schema(summary="加班记录"),
    create=extend_schema(
        summary="登记加班（折合0.5或1天）",
        request=OvertimeInputSerializer,
        responses={201: OvertimeRecordSerializer},
    ),
)
class OvertimeRecordViewSet(_Base):
    queryset = OvertimeRecord.objects.all()
    serializer_class = OvertimeRecordSerializer
    filterset_class = filtersets.OvertimeRecordFilterSet
    input_serializer = OvertimeInputSerializer
    service = staticmethod(leave.overtime_record)


class OverviewRowSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(source="cadre.pk")
    cadre_name = serializers.CharField(source="cadre.name")
    unit_name = serializers.CharField(source="cadre.unit.name")
    post = serializers.CharField(source="cadre.post")
    is_leader = serializers.BooleanField()
    entitlement = serializers.IntegerField()
    entitlement_reason = serializers.CharField()
    has_plan = serializers.BooleanField()
    planned = serializers.IntegerField(allow_null=True)
    taken = serializers.DecimalField(max_digits=6, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=6, decimal_places=1)
    usage_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    overtime_earned = serializers.DecimalField(max_digits=6, decimal_places=1)
    overtime_used = serializers.DecimalField(max_digits=6, decimal_places=1)
    overtime_balance = serializers.DecimalField(max_digits=6, decimal_places=1)


@extend_schema_view(
    list=extend_schema(
        summary="年度休假总览（应休、计划、已休、剩余、加班补休）",
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("unit", int),
            OpenApiParameter("leaders", bool, description="只看领导干部（领导干部带头休假）"),
            OpenApiParameter("name", str),
        ],
    )
)
class LeaveOverviewViewSet(RestrictedViewSetMixin, viewsets.GenericViewSet):
    queryset = Cadre.objects.all()
    serializer_class = OverviewRowSerializer
    filter_backends = []

    def list(self, request):
        user = request.user
        params = request.query_params
        year = params.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
        year = year or timezone.localdate().year
        unit = None
        if str(params.get("unit", "")).isdigit():
            unit = Unit.objects.restrict(user).filter(pk=int(params["unit"])).first()
            if unit is None:
                return self._empty()
        if can_read(user):
            cadres = leave.overview_cadres(
                user,
                year=year,
                unit=unit,
                leaders_only=params.get("leaders") in ("1", "true", "True"),
                name=params.get("name", ""),
            )
        else:
            own = Cadre.objects.filter(pk=getattr(user, "cadre_id", None) or 0)
            cadres = leave.overview_queryset(own, year)
        page = self.paginate_queryset(cadres.order_by("-id"))
        rows = leave.overview_rows(page, year)
        return self.get_paginated_response(OverviewRowSerializer(rows, many=True).data)

    def _empty(self):
        page = self.paginate_queryset(Cadre.objects.none().order_by("-id"))
        return self.get_paginated_response(OverviewRowSerializer(page, many=True).data)


def register(router):
    router.register("care/leave-plans", LeavePlanViewSet, basename="care-leave-plan")
    router.register("care/leave-records", LeaveRecordViewSet, basename="care-leave-record")
    router.register("care/overtime-records", OvertimeRecordViewSet, basename="care-overtime")
    router.register("care/leave-overview", LeaveOverviewViewSet, basename="care-leave-overview")

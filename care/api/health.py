"""REST API of the health check-ups (F 19) under /api/v1/care/.

`checkup-plans/`: the plans the user may read, with progress (filters of
`CheckupPlanFilterSet`); create → `checkup_plan_create` (enrols the cadres the unit manages);
`POST …/{id}/enrol/` → `checkup_plan_enrol` (adds newcomers, idempotent).
`checkup-records/`: the enrolled cadres (filters of `CheckupRecordFilterSet`); update
(PUT/PATCH) → `checkup_record_attend` (status `attended`) or `checkup_record_exempt` (status
`exempted`). The conclusion and health advice are null for a reader who may not see them
(the cadre themself and the organisation department only). Errors answer 400 (fields), 403, 404
or 409 (a transition the record's state does not allow)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Unit

from .. import filtersets_health as filtersets
from .. import health
from ..choices import CheckupStatus
from ..models import CheckupPlan, CheckupRecord


class CheckupPlanSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    enrolled = serializers.IntegerField(read_only=True, default=None)
    attended = serializers.IntegerField(read_only=True, default=None)
    pending = serializers.IntegerField(read_only=True, default=None)
    exempted = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = CheckupPlan
        fields = [
            "id",
            "unit",
            "unit_name",
            "year",
            "title",
            "standard_items",
            "institution",
            "start_on",
            "deadline",
            "extras_list",
            "created_at",
            "enrolled",
            "attended",
            "pending",
            "exempted",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ScopedUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user)


class CheckupPlanInputSerializer(serializers.Serializer):
    unit = _ScopedUnitField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    standard_items = serializers.CharField()
    institution = serializers.CharField(max_length=100, required=False, allow_blank=True)
    start_on = serializers.DateField()
    deadline = serializers.DateField()


class EnrolResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()


class CheckupRecordSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    conclusion = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = CheckupRecord
        fields = [
            "id",
            "plan",
            "year",
            "cadre",
            "cadre_name",
            "unit_name",
            "extra_items",
            "status",
            "status_display",
            "attended_on",
            "conclusion",
            "follow_up",
            "exemption_reason",
            "reminded_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _readable(self, record):
        return health.can_read_conclusion(self.context["request"].user, record)

    def get_conclusion(self, record) -> str | None:
        return record.conclusion if self._readable(record) else None

    def get_follow_up(self, record) -> str | None:
        return record.follow_up if self._readable(record) else None


class CheckupAttendanceInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[CheckupStatus.ATTENDED, CheckupStatus.EXEMPTED],
        help_text="attended：已体检（须填体检日期）；exempted：免检（须填免检原因）",
    )
    attended_on = serializers.DateField(required=False, allow_null=True)
    conclusion = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")
    exemption_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )


@extend_schema_view(
    list=extend_schema(summary="年度体检计划（本人管辖范围内）"),
    retrieve=extend_schema(summary="体检计划详情及进度"),
    create=extend_schema(
        summary="新建年度体检计划并按干部管理权限纳入干部",
        request=CheckupPlanInputSerializer,
        responses={201: CheckupPlanSerializer},
    ),
)
class CheckupPlanViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CheckupPlan.objects.all()
    serializer_class = CheckupPlanSerializer
    filterset_class = filtersets.CheckupPlanFilterSet
    act_denied = _("健康体检由组织部门办理")

    def get_queryset(self):
        return health.with_progress(health.plan_list(self.request.user))

    def create(self, request, *args, **kwargs):
        if not health.can_write(request.user):
            self.permission_denied(request, message=self.act_denied)
        data = self.input(CheckupPlanInputSerializer)
        plan = health.checkup_plan_create(actor=request.user, **data)
        plan = self.get_queryset().get(pk=plan.pk)
        return self.created(CheckupPlanSerializer, plan)

    @extend_schema(
        summary="补充纳入新到任干部（重复执行不会重复纳入）",
        request=None,
        responses={200: EnrolResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        plan = self.get_object()
        added = health.checkup_plan_enrol(actor=request.user, plan=plan)
        return Response({"added": added})


@extend_schema_view(
    list=extend_schema(summary="体检记录（健康档案）"),
    retrieve=extend_schema(summary="体检记录详情"),
    update=extend_schema(
        summary="登记体检情况或免检",
        request=CheckupAttendanceInputSerializer,
        responses={200: CheckupRecordSerializer},
    ),
    partial_update=extend_schema(
        summary="登记体检情况或免检",
        request=CheckupAttendanceInputSerializer,
        responses={200: CheckupRecordSerializer},
    ),
)
class CheckupRecordViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CheckupRecord.objects.all()
    serializer_class = CheckupRecordSerializer
    filterset_class = filtersets.CheckupRecordFilterSet
    act_denied = _("健康体检由组织部门办理")

    def get_queryset(self):
        return health.record_list(self.request.user)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        data = self.input(CheckupAttendanceInputSerializer)
        if data["status"] == CheckupStatus.EXEMPTED:
            record = health.checkup_record_exempt(
                actor=request.user, record=record, reason=data["exemption_reason"]
            )
        else:
            record = health.checkup_record_attend(
                actor=request.user,
                record=record,
                attended_on=data.get("attended_on"),
                conclusion=data["conclusion"],
                follow_up=data["follow_up"],
            )
        record = self.get_queryset().get(pk=record.pk)
        return Response(CheckupRecordSerializer(record, context=self.get_serializer_context()).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


def register(router):
    router.register("care/checkup-plans", CheckupPlanViewSet, basename="care-checkup-plan")
    router.register("care/checkup-records", CheckupRecordViewSet, basename="care-checkup-record")

"""REST API of priority promotion and exceptional promotion under /api/v1/incentives/.

`priority-records/`: the links to priority situations (filters of `PriorityRecordFilterSet`),
create → `priority_link`, `POST …/{id}/withdraw/` → `priority_withdraw`.
`priority-auto/`: the cadres recognised from their 优秀 streak (F 7).
`candidate-lists/`: create → `candidate_list_open`; `check`, `submit`, `close` actions.
`candidates/`: create → `candidate_add`, delete → `candidate_remove`; `check`, `decide`,
`confirm-age` actions. Every rule lives in `incentives.selection`; its errors answer 400
(fields), 403, 404, or 409 for a transition the record is no longer in a state for."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Cadre, PostLevel, Unit

from .. import filtersets_selection as filtersets
from .. import selection
from ..models import Candidate, CandidateList, PriorityRecord
from ..models.common import can_write

WRITE_DENIED = _("优先提拔和破格提拔由组织部门办理")


@extend_schema_field(OpenApiTypes.INT)
class _ScopedCadreField(serializers.PrimaryKeyRelatedField):
    """A cadre the user may see; another is "not found", as on the pages."""

    def get_queryset(self):
        return Cadre.objects.restrict(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedListField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CandidateList.objects.restrict(self.context["request"].user)


# --- priority ---------------------------------------------------------------------------------


class PriorityRecordSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    list_version = serializers.IntegerField(source="situations_list.version", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = PriorityRecord
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "situations_list",
            "list_version",
            "situation_code",
            "situation_label",
            "evidence",
            "evidence_on",
            "status",
            "status_display",
            "withdrawn_reason",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class PriorityLinkInputSerializer(serializers.Serializer):
    cadre = _ScopedCadreField()
    situation_code = serializers.CharField(max_length=40)
    evidence = serializers.CharField(allow_blank=True)
    evidence_on = serializers.DateField()


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


def _deny_unless_writer(view, request):
    if not can_write(request.user):
        view.permission_denied(request, message=WRITE_DENIED)


class PriorityRecordViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PriorityRecord.objects.none()
    serializer_class = PriorityRecordSerializer
    filterset_class = filtersets.PriorityRecordFilterSet
    act_denied = WRITE_DENIED

    def get_queryset(self):
        return selection.priority_records(self.request.user)

    def scoped(self, action_name="view"):
        return PriorityRecord.objects.restrict(self.request.user, action_name)

    @extend_schema(
        summary="登记优先提拔使用情形",
        request=PriorityLinkInputSerializer,
        responses={201: PriorityRecordSerializer},
    )
    def create(self, request, *args, **kwargs):
        _deny_unless_writer(self, request)
        record = selection.priority_link(
            actor=request.user, **self.input(PriorityLinkInputSerializer)
        )
        return self.created(PriorityRecordSerializer, record)

    @extend_schema(
        summary="撤销优先提拔使用情形（须填写理由）",
        request=ReasonInputSerializer,
        responses={200: PriorityRecordSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=ReasonInputSerializer)
    def withdraw(self, request, pk=None):
        record = self.get_object()
        data = self.input(ReasonInputSerializer)
        record = selection.priority_withdraw(actor=request.user, record=record, **data)
        return Response(PriorityRecordSerializer(record).data)


class StreakSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(source="cadre.pk")
    cadre_name = serializers.CharField(source="cadre.name")
    unit_name = serializers.CharField(source="cadre.unit.name")
    post = serializers.CharField(source="cadre.post")
    streak = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField())


class PriorityAutoViewSet(viewsets.ViewSet):
    """连续多年年度考核优秀 (F 7): the cadres in the user's scope whose fixed annual grades are
    优秀 at least the item's `min_years` years running."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="自动识别：连续多年年度考核优秀的干部", responses=StreakSerializer(many=True)
    )
    def list(self, request):
        unit = None
        value = request.query_params.get("unit")
        if str(value or "").isdigit():
            unit = Unit.objects.restrict(request.user).filter(pk=int(value)).first()
        item, rows = selection.excellent_streak_cadres(
            request.user, search=request.query_params.get("q", ""), unit=unit
        )
        return Response(
            {
                "situation_code": item.code if item else None,
                "min_years": (item.params or {}).get("min_years") if item else None,
                "results": StreakSerializer(rows, many=True).data,
            }
        )


# --- exceptional promotion --------------------------------------------------------------------


class CandidateListSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    paths_version = serializers.IntegerField(source="paths_list.version", read_only=True)
    checks_version = serializers.IntegerField(source="checks_list.version", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CandidateList
        fields = [
            "id",
            "unit",
            "unit_name",
            "title",
            "year",
            "paths_list",
            "paths_version",
            "checks_list",
            "checks_version",
            "status",
            "status_display",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class CandidateListInputSerializer(serializers.Serializer):
    unit = _ScopedUnitField()
    title = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CandidateSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    post = serializers.CharField(source="cadre.post", read_only=True)
    target_level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    appointment_form_url = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = [
            "id",
            "candidate_list",
            "cadre",
            "cadre_name",
            "unit_name",
            "post",
            "path_code",
            "path_label",
            "target_post",
            "target_level",
            "deeds",
            "healthy",
            "outstanding",
            "recognised",
            "check_results",
            "checks_passed",
            "checked_at",
            "status",
            "status_display",
            "decision_note",
            "appointment_form_url",
        ]
        read_only_fields = fields

    def get_appointment_form_url(self, obj) -> str:
        return selection.appointment_form_url(obj)


class CandidateInputSerializer(serializers.Serializer):
    candidate_list = _ScopedListField()
    cadre = _ScopedCadreField()
    path_code = serializers.CharField(max_length=40)
    target_post = serializers.CharField(allow_blank=True)
    target_level = serializers.SlugRelatedField(
        slug_field="code", queryset=PostLevel.objects.all(), required=False, allow_null=True
    )
    deeds = serializers.CharField(allow_blank=True)
    healthy = serializers.BooleanField(required=False, default=False)
    outstanding = serializers.BooleanField(required=False, default=False)
    recognised = serializers.BooleanField(required=False, default=False)


class DecideInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class ConfirmAgeInputSerializer(serializers.Serializer):
    healthy = serializers.BooleanField()
    outstanding = serializers.BooleanField()
    recognised = serializers.BooleanField()


class CandidateListViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CandidateList.objects.none()
    serializer_class = CandidateListSerializer
    filterset_class = filtersets.CandidateListFilterSet
    act_denied = WRITE_DENIED

    def get_queryset(self):
        return selection.candidate_lists(self.request.user)

    def scoped(self, action_name="view"):
        return CandidateList.objects.restrict(self.request.user, action_name)

    @extend_schema(
        summary="新建破格提拔人选名单",
        request=CandidateListInputSerializer,
        responses={201: CandidateListSerializer},
    )
    def create(self, request, *args, **kwargs):
        _deny_unless_writer(self, request)
        data = self.input(CandidateListInputSerializer)
        candidate_list = selection.candidate_list_open(actor=request.user, **data)
        return self.created(CandidateListSerializer, candidate_list)

    @extend_schema(
        summary="核查名单全部人选的破格条件", request=None, responses=CandidateSerializer(many=True)
    )
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        candidate_list = self.get_object()
        candidates = selection.candidates_check(actor=request.user, candidate_list=candidate_list)
        return Response(CandidateSerializer(candidates, many=True).data)

    @extend_schema(
        summary="提交党委（党组）研究",
        request=NoteInputSerializer,
        responses=CandidateListSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=NoteInputSerializer)
    def submit(self, request, pk=None):
        candidate_list = self.get_object()
        data = self.input(NoteInputSerializer)
        done = selection.candidate_list_submit(
            actor=request.user, candidate_list=candidate_list, **data
        )
        return Response(CandidateListSerializer(done).data)

    @extend_schema(
        summary="办结名单", request=NoteInputSerializer, responses=CandidateListSerializer
    )
    @action(detail=True, methods=["post"], serializer_class=NoteInputSerializer)
    def close(self, request, pk=None):
        candidate_list = self.get_object()
        data = self.input(NoteInputSerializer)
        done = selection.candidate_list_close(
            actor=request.user, candidate_list=candidate_list, **data
        )
        return Response(CandidateListSerializer(done).data)


class CandidateViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Candidate.objects.none()
    serializer_class = CandidateSerializer
    filterset_class = filtersets.CandidateFilterSet
    act_denied = WRITE_DENIED

    def get_queryset(self):
        return (
            Candidate.objects.restrict(self.request.user)
            .select_related("cadre", "cadre__unit", "target_level")
            .order_by("candidate_list_id", "pk")
        )

    def scoped(self, action_name="view"):
        return Candidate.objects.restrict(self.request.user, action_name)

    @extend_schema(
        summary="添加破格提拔人选",
        request=CandidateInputSerializer,
        responses={201: CandidateSerializer},
    )
    def create(self, request, *args, **kwargs):
        _deny_unless_writer(self, request)
        data = self.input(CandidateInputSerializer)
        candidate = selection.candidate_add(actor=request.user, **data)
        return self.created(CandidateSerializer, candidate)

    @extend_schema(summary="移出人选（名单酝酿中）", request=None, responses={204: None})
    def destroy(self, request, pk=None):
        candidate = self.get_object()
        selection.candidate_remove(actor=request.user, candidate=candidate)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="核查该人选的破格条件", request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        candidate = selection.candidate_check(actor=request.user, candidate=self.get_object())
        return Response(CandidateSerializer(candidate).data)

    @extend_schema(
        summary="记录党委（党组）研究意见",
        request=DecideInputSerializer,
        responses=CandidateSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=DecideInputSerializer)
    def decide(self, request, pk=None):
        candidate = self.get_object()
        data = self.input(DecideInputSerializer)
        candidate = selection.candidate_decide(actor=request.user, candidate=candidate, **data)
        return Response(CandidateSerializer(candidate).data)

    @extend_schema(
        summary="确认55岁以上人选身体健康、实绩突出、群众认可（张家口第五条）",
        request=ConfirmAgeInputSerializer,
        responses=CandidateSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="confirm-age",
        serializer_class=ConfirmAgeInputSerializer,
    )
    def confirm_age(self, request, pk=None):
        candidate = self.get_object()
        data = self.input(ConfirmAgeInputSerializer)
        candidate = selection.candidate_confirm_age(actor=request.user, candidate=candidate, **data)
        return Response(CandidateSerializer(candidate).data)


def register(router):
    router.register(
        "incentives/priority-records", PriorityRecordViewSet, basename="incentives-priority"
    )
    router.register(
        "incentives/priority-auto", PriorityAutoViewSet, basename="incentives-priority-auto"
    )
    router.register(
        "incentives/candidate-lists", CandidateListViewSet, basename="incentives-candidate-list"
    )
    router.register("incentives/candidates", CandidateViewSet, basename="incentives-candidate")

"""REST API of the talks (谈心谈话, F 16, X) under /api/v1/care/.

`talks/`: the talks the user may read (`TalkFilterSet`); create → `talk_record` (with
`obligation` or `request` it closes that due talk or request). The confidential content is
answered only to whom `can_read_confidential` allows; others get null.
`talk-obligations/`: the 五必谈 due talks; `…/{id}/assign/`, `…/{id}/cancel/`.
`talk-requests/`: the cadres' requests (a cadre user creates their own); `…/{id}/accept/`,
`…/{id}/decline/`; the content only for the cadre and the organisation department.
`misfortune-reports/`: trigger 5; create → `misfortune_report`.
Every rule lives in `care.talks`; its errors answer 400 (fields), 403, 404 or 409."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Cadre

from .. import filtersets_talks as filtersets
from .. import talks
from ..choices import TalkKind
from ..models import MisfortuneReport, Talk, TalkObligation, TalkRequest
from ..models.common import can_write


@extend_schema_field(
    {
        "type": "string",
        "description": "；".join(f"{value}：{label}" for value, label in TalkKind.choices),
    }
)
class TalkKindField(serializers.ChoiceField):
    """The talk's kind, its values listed in the description: another part of the care app
    has a `kind` of its own, and two choice sets under one name would collide as enums."""

    def __init__(self, **kwargs):
        super().__init__(choices=TalkKind.choices, **kwargs)


class TalkSerializer(serializers.ModelSerializer):
    kind = TalkKindField(read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    confidential_content = serializers.SerializerMethodField()

    class Meta:
        model = Talk
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "talker_name",
            "talker_cadre",
            "kind",
            "kind_display",
            "held_on",
            "place",
            "summary",
            "follow_up",
            "confidential",
            "confidential_content",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_confidential_content(self, talk):
        request = self.context.get("request")
        user = request.user if request is not None else None
        if talk.confidential_content and talks.can_read_confidential(user, talk):
            return talk.confidential_content
        return None


class TalkObligationSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = TalkObligation
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "trigger_code",
            "trigger_label",
            "triggers_list",
            "reason",
            "responsible_unit",
            "responsible_unit_name",
            "assignee",
            "created_on",
            "due_on",
            "status",
            "status_display",
            "overdue",
            "reminded_at",
            "escalated_at",
            "talk",
            "cancel_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obligation):
        return talks.is_overdue(obligation)


class TalkApplicationSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    content = serializers.SerializerMethodField()

    class Meta:
        model = TalkRequest
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "topic",
            "content",
            "preferred_talker",
            "status",
            "status_display",
            "response",
            "talk",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_content(self, obj):
        request = self.context.get("request")
        user = request.user if request is not None else None
        return obj.content if talks.can_read_request_content(user, obj) else None


class TalkMisfortuneReportSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = MisfortuneReport
        fields = ["id", "cadre", "cadre_name", "occurred_on", "description", "created_at"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _Scoped(serializers.PrimaryKeyRelatedField):
    """A row the user may act on; another is "not found", as on the pages."""

    def __init__(self, model, action_name="change", **kwargs):
        self.model = model
        self.action_name = action_name
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.restrict(self.context["request"].user, self.action_name)


class TalkRecordInputSerializer(serializers.Serializer):
    cadre = _Scoped(Cadre)
    talker_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    talker_cadre = _Scoped(Cadre, "view", required=False, allow_null=True)
    kind = TalkKindField()
    held_on = serializers.DateField()
    summary = serializers.CharField(allow_blank=True)
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    confidential = serializers.BooleanField(required=False, default=False)
    confidential_content = serializers.CharField(required=False, allow_blank=True, default="")
    obligation = _Scoped(TalkObligation, required=False, allow_null=True)
    request = _Scoped(TalkRequest, required=False, allow_null=True)


class TalkObligationAssignInputSerializer(serializers.Serializer):
    assignee = serializers.IntegerField()


class TalkObligationCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class TalkApplicationInputSerializer(serializers.Serializer):
    topic = serializers.CharField(max_length=200, allow_blank=True)
    content = serializers.CharField(allow_blank=True)
    preferred_talker = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class TalkApplicationAnswerInputSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, default="")


class TalkMisfortuneInputSerializer(serializers.Serializer):
    cadre = _Scoped(Cadre)
    occurred_on = serializers.DateField()
    description = serializers.CharField(allow_blank=True)


def _require_write(viewset, request):
    if not can_write(request.user):
        viewset.permission_denied(request, message=_("谈心谈话由组织部门办理"))


@extend_schema_view(
    list=extend_schema(summary="谈心谈话记录（保密内容仅谈话双方和组织部门可见）"),
    retrieve=extend_schema(summary="谈心谈话记录详情"),
    create=extend_schema(
        summary="登记谈话（关联应谈事项或谈话申请的，同时办结）",
        request=TalkRecordInputSerializer,
        responses={201: TalkSerializer},
    ),
)
class TalkViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Talk.objects.none()
    serializer_class = TalkSerializer
    filterset_class = filtersets.TalkFilterSet

    def get_queryset(self):
        return talks.talk_list(self.request.user)

    def create(self, request, *args, **kwargs):
        _require_write(self, request)
        data = self.input(TalkRecordInputSerializer)
        talk = talks.talk_record(actor=request.user, **data)
        return self.created(TalkSerializer, talk)


@extend_schema_view(
    list=extend_schema(summary="五必谈应谈事项"),
    retrieve=extend_schema(summary="五必谈应谈事项详情"),
)
class ObligationViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = TalkObligation.objects.none()
    serializer_class = TalkObligationSerializer
    filterset_class = filtersets.ObligationFilterSet

    def get_queryset(self):
        return talks.obligation_list(self.request.user)

    @extend_schema(
        summary="交办（责任单位组织部门的用户）",
        request=TalkObligationAssignInputSerializer,
        responses={200: TalkObligationSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=TalkObligationAssignInputSerializer)
    def assign(self, request, pk=None):
        obligation = self.get_object()
        _require_write(self, request)
        data = self.input(TalkObligationAssignInputSerializer)
        assignee = talks.assignable_users(obligation).filter(pk=data["assignee"]).first()
        if assignee is None:
            raise serializers.ValidationError(
                {"assignee": [_("承办人须为责任单位组织部门的在职用户")]}
            )
        obligation = talks.obligation_assign(
            actor=request.user, obligation=obligation, assignee=assignee
        )
        return Response(TalkObligationSerializer(obligation).data)

    @extend_schema(
        summary="取消（须填写原因）",
        request=TalkObligationCancelInputSerializer,
        responses={200: TalkObligationSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=TalkObligationCancelInputSerializer)
    def cancel(self, request, pk=None):
        obligation = self.get_object()
        _require_write(self, request)
        data = self.input(TalkObligationCancelInputSerializer)
        obligation = talks.obligation_cancel(
            actor=request.user, obligation=obligation, reason=data["reason"]
        )
        return Response(TalkObligationSerializer(obligation).data)


@extend_schema_view(
    list=extend_schema(summary="谈话申请（向组织说说心里话）"),
    retrieve=extend_schema(summary="谈话申请详情（内容仅本人和组织部门可见）"),
    create=extend_schema(
        summary="干部本人提出谈话申请",
        request=TalkApplicationInputSerializer,
        responses={201: TalkApplicationSerializer},
    ),
)
class TalkRequestViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = TalkRequest.objects.none()
    serializer_class = TalkApplicationSerializer
    filterset_class = filtersets.TalkRequestFilterSet

    def get_queryset(self):
        return talks.request_list(self.request.user)

    def create(self, request, *args, **kwargs):
        data = self.input(TalkApplicationInputSerializer)
        talk_request = talks.talk_request_submit(actor=request.user, **data)
        return self.created(TalkApplicationSerializer, talk_request)

    def _answer(self, request, service):
        talk_request = self.get_object()
        _require_write(self, request)
        data = self.input(TalkApplicationAnswerInputSerializer)
        talk_request = service(actor=request.user, request=talk_request, **data)
        return Response(TalkApplicationSerializer(talk_request, context={"request": request}).data)

    @extend_schema(
        summary="受理",
        request=TalkApplicationAnswerInputSerializer,
        responses={200: TalkApplicationSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=TalkApplicationAnswerInputSerializer)
    def accept(self, request, pk=None):
        return self._answer(request, talks.talk_request_accept)

    @extend_schema(
        summary="不予受理（须填写答复意见）",
        request=TalkApplicationAnswerInputSerializer,
        responses={200: TalkApplicationSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=TalkApplicationAnswerInputSerializer)
    def decline(self, request, pk=None):
        return self._answer(request, talks.talk_request_decline)


@extend_schema_view(
    list=extend_schema(summary="家庭变故报告（五必谈情形五）"),
    retrieve=extend_schema(summary="家庭变故报告详情"),
    create=extend_schema(
        summary="报告家庭变故（生成应谈事项）",
        request=TalkMisfortuneInputSerializer,
        responses={201: TalkMisfortuneReportSerializer},
    ),
)
class MisfortuneReportViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = MisfortuneReport.objects.none()
    serializer_class = TalkMisfortuneReportSerializer
    filterset_class = filtersets.MisfortuneReportFilterSet

    def get_queryset(self):
        return talks.misfortune_list(self.request.user)

    def create(self, request, *args, **kwargs):
        _require_write(self, request)
        data = self.input(TalkMisfortuneInputSerializer)
        report = talks.misfortune_report(actor=request.user, **data)
        return self.created(TalkMisfortuneReportSerializer, report)


def register(router):
    router.register("care/talks", TalkViewSet, basename="care-talk")
    router.register("care/talk-obligations", ObligationViewSet, basename="care-talk-obligation")
    router.register("care/talk-requests", TalkRequestViewSet, basename="care-talk-request")
    router.register(
        "care/misfortune-reports", MisfortuneReportViewSet, basename="care-misfortune-report"
    )

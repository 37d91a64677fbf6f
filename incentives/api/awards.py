"""REST API of awards and exemplars (评选表彰与先进典型, F 4, ZJK 12(二), J, X) under
/api/v1/incentives/.

`award-campaigns/`: list, create → `campaign_create`, retrieve; `POST …/{id}/close-nominations/`,
`…/start-notice/`, `…/award/` → `campaign_transition`. `award-nominations/`: list, create →
`nominate`, retrieve; `…/approve/`, `…/reject/`, `…/withdraw/`. `award-objections/`: list,
create → `objection_record`; `…/resolve/` → `objection_resolve`. `exemplars/`: list, create →
`exemplar_add`, retrieve. Every rule lives in `incentives.awards`; its errors answer 400
(fields), 403, 404, or 409 for a step the record's state does not allow."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Cadre, Unit

from .. import awards
from ..filtersets_awards import (
    AwardCampaignFilterSet,
    ExemplarFilterSet,
    NominationFilterSet,
    ObjectionFilterSet,
)
from ..models import AwardCampaign, Exemplar, Nomination, Objection
from ..models.common import can_write

WRITE_DENIED = _("评选表彰由组织部门办理")


@extend_schema_field(OpenApiTypes.INT)
class _ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the user may see; another is "not found", as on the pages."""

    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedCadreField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Cadre.objects.restrict(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedCampaignField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return awards.campaigns_for(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedNominationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return awards.nominations_for(self.context["request"].user)


class AwardObjectionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recorded_by = serializers.StringRelatedField()
    resolved_by = serializers.StringRelatedField()

    class Meta:
        model = Objection
        fields = [
            "id",
            "nomination",
            "received_on",
            "content",
            "submitter",
            "status",
            "status_display",
            "resolution",
            "recorded_by",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields


class AwardNominationSerializer(serializers.ModelSerializer):
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, default=None)
    nominee_unit_name = serializers.CharField(
        source="nominee_unit.name", read_only=True, default=None
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    nominated_by = serializers.StringRelatedField()

    class Meta:
        model = Nomination
        fields = [
            "id",
            "campaign",
            "campaign_title",
            "cadre",
            "cadre_name",
            "nominee_unit",
            "nominee_unit_name",
            "deeds",
            "status",
            "status_display",
            "review_note",
            "awarded_on",
            "nominated_by",
            "created_at",
        ]
        read_only_fields = fields


class AwardCampaignSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.StringRelatedField()

    class Meta:
        model = AwardCampaign
        fields = [
            "id",
            "unit",
            "unit_name",
            "kinds_list",
            "kind_code",
            "kind_label",
            "title",
            "year",
            "description",
            "nomination_deadline",
            "notice_days",
            "notice_start",
            "notice_end",
            "status",
            "status_display",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ExemplarSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, default=None)
    collective_name = serializers.CharField(source="collective.name", read_only=True, default=None)

    class Meta:
        model = Exemplar
        fields = [
            "id",
            "unit",
            "unit_name",
            "cadre",
            "cadre_name",
            "collective",
            "collective_name",
            "title",
            "year",
            "deeds",
            "publicity",
            "nomination",
            "created_at",
        ]
        read_only_fields = fields


class AwardCampaignInputSerializer(serializers.Serializer):
    unit = _ScopedUnitField()
    kind_code = serializers.CharField(max_length=40, help_text="表彰种类代码（评选表彰种类清单）")
    title = serializers.CharField(max_length=200, allow_blank=True)
    year = serializers.IntegerField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    nomination_deadline = serializers.DateField(required=False, allow_null=True, default=None)


class AwardStepInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AwardNominationInputSerializer(serializers.Serializer):
    campaign = _ScopedCampaignField()
    cadre = _ScopedCadreField(required=False, allow_null=True, default=None)
    unit = _ScopedUnitField(required=False, allow_null=True, default=None)
    deeds = serializers.CharField(allow_blank=True)


class AwardObjectionInputSerializer(serializers.Serializer):
    nomination = _ScopedNominationField()
    received_on = serializers.DateField()
    content = serializers.CharField(allow_blank=True)
    submitter = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class AwardObjectionResolveInputSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(help_text="true：反映属实（不予表彰）；false：反映不实")
    resolution = serializers.CharField(allow_blank=True)


class ExemplarInputSerializer(serializers.Serializer):
    cadre = _ScopedCadreField(required=False, allow_null=True, default=None)
    collective = _ScopedUnitField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200, allow_blank=True)
    year = serializers.IntegerField()
    deeds = serializers.CharField(allow_blank=True)
    publicity = serializers.CharField(required=False, allow_blank=True, default="")


class _Base(RestrictedViewSetMixin):
    act_denied = WRITE_DENIED

    def require_write(self):
        if not can_write(self.request.user):
            self.permission_denied(self.request, message=WRITE_DENIED)


@extend_schema_view(
    list=extend_schema(summary="评选表彰活动（本人管辖范围内）"),
    retrieve=extend_schema(summary="评选表彰活动详情"),
    create=extend_schema(
        summary="发起评选表彰活动（种类取自评选表彰种类清单）",
        request=AwardCampaignInputSerializer,
        responses={201: AwardCampaignSerializer},
    ),
)
class AwardCampaignViewSet(
    _Base,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = AwardCampaign.objects.all()
    serializer_class = AwardCampaignSerializer
    filterset_class = AwardCampaignFilterSet

    def get_queryset(self):
        return awards.campaigns_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return AwardCampaignInputSerializer
        if self.action in ("close_nominations", "start_notice", "award"):
            return AwardStepInputSerializer
        return AwardCampaignSerializer

    def create(self, request, *args, **kwargs):
        self.require_write()
        data = self.input(AwardCampaignInputSerializer)
        campaign = awards.campaign_create(actor=request.user, **data)
        return self.created(AwardCampaignSerializer, campaign)

    def _step(self, name):
        campaign = self.get_object()
        data = self.input(AwardStepInputSerializer)
        campaign = awards.campaign_transition(
            actor=self.request.user, campaign=campaign, name=name, note=data["note"]
        )
        return Response(AwardCampaignSerializer(campaign).data)

    @extend_schema(
        summary="截止推荐，进入审核",
        request=AwardStepInputSerializer,
        responses=AwardCampaignSerializer,
    )
    @action(detail=True, methods=["post"], url_path="close-nominations")
    def close_nominations(self, request, pk=None):
        return self._step("close_nominations")

    @extend_schema(
        summary="开始公示（审核通过的人选进入公示，公示期按工作日计算）",
        request=AwardStepInputSerializer,
        responses=AwardCampaignSerializer,
    )
    @action(detail=True, methods=["post"], url_path="start-notice")
    def start_notice(self, request, pk=None):
        return self._step("start_notice")

    @extend_schema(
        summary="表彰（公示期满且异议均已核查办结；一事一奖审核后直接表彰）",
        request=AwardStepInputSerializer,
        responses=AwardCampaignSerializer,
    )
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        return self._step("award")


@extend_schema_view(
    list=extend_schema(summary="推荐人选"),
    retrieve=extend_schema(summary="推荐人选详情"),
    create=extend_schema(
        summary="推荐人选（干部，或集体类表彰推荐单位）",
        request=AwardNominationInputSerializer,
        responses={201: AwardNominationSerializer},
    ),
)
class NominationViewSet(
    _Base,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Nomination.objects.all()
    serializer_class = AwardNominationSerializer
    filterset_class = NominationFilterSet

    def get_queryset(self):
        return awards.nominations_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return AwardNominationInputSerializer
        if self.action in ("approve", "reject", "withdraw"):
            return AwardStepInputSerializer
        return AwardNominationSerializer

    def create(self, request, *args, **kwargs):
        self.require_write()
        data = self.input(AwardNominationInputSerializer)
        nomination = awards.nominate(actor=request.user, **data)
        return self.created(AwardNominationSerializer, nomination)

    @extend_schema(
        summary="审核通过", request=AwardStepInputSerializer, responses=AwardNominationSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        nomination = self.get_object()
        data = self.input(AwardStepInputSerializer)
        nomination = awards.nomination_review(
            actor=request.user, nomination=nomination, approve=True, note=data["note"]
        )
        return Response(AwardNominationSerializer(nomination).data)

    @extend_schema(
        summary="审核未通过（须填写审核意见）",
        request=AwardStepInputSerializer,
        responses=AwardNominationSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        nomination = self.get_object()
        data = self.input(AwardStepInputSerializer)
        nomination = awards.nomination_review(
            actor=request.user, nomination=nomination, approve=False, note=data["note"]
        )
        return Response(AwardNominationSerializer(nomination).data)

    @extend_schema(
        summary="撤回推荐", request=AwardStepInputSerializer, responses=AwardNominationSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        nomination = self.get_object()
        data = self.input(AwardStepInputSerializer)
        nomination = awards.nomination_withdraw(
            actor=request.user, nomination=nomination, note=data["note"]
        )
        return Response(AwardNominationSerializer(nomination).data)


@extend_schema_view(
    list=extend_schema(summary="公示异议"),
    create=extend_schema(
        summary="登记公示异议（公示期内、对公示中的人选）",
        request=AwardObjectionInputSerializer,
        responses={201: AwardObjectionSerializer},
    ),
)
class ObjectionViewSet(
    _Base, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = Objection.objects.all()
    serializer_class = AwardObjectionSerializer
    filterset_class = ObjectionFilterSet

    def get_queryset(self):
        return awards.objections_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return AwardObjectionInputSerializer
        if self.action == "resolve":
            return AwardObjectionResolveInputSerializer
        return AwardObjectionSerializer

    def create(self, request, *args, **kwargs):
        self.require_write()
        data = self.input(AwardObjectionInputSerializer)
        objection = awards.objection_record(actor=request.user, **data)
        return self.created(AwardObjectionSerializer, objection)

    @extend_schema(
        summary="核查办结公示异议（属实则不予表彰）",
        request=AwardObjectionResolveInputSerializer,
        responses=AwardObjectionSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        objection = self.get_object()
        data = self.input(AwardObjectionResolveInputSerializer)
        objection = awards.objection_resolve(actor=request.user, objection=objection, **data)
        return Response(AwardObjectionSerializer(objection).data)


@extend_schema_view(
    list=extend_schema(summary="先进典型库"),
    retrieve=extend_schema(summary="先进典型详情"),
    create=extend_schema(
        summary="登记先进典型（干部或先进集体二选一）",
        request=ExemplarInputSerializer,
        responses={201: ExemplarSerializer},
    ),
)
class ExemplarViewSet(
    _Base,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Exemplar.objects.all()
    serializer_class = ExemplarSerializer
    filterset_class = ExemplarFilterSet

    def get_queryset(self):
        return awards.exemplars_for(self.request.user)

    def get_serializer_class(self):
        return ExemplarInputSerializer if self.action == "create" else ExemplarSerializer

    def create(self, request, *args, **kwargs):
        self.require_write()
        data = self.input(ExemplarInputSerializer)
        exemplar = awards.exemplar_add(actor=request.user, **data)
        return self.created(ExemplarSerializer, exemplar)


def register(router):
    router.register("incentives/award-campaigns", AwardCampaignViewSet, basename="award-campaign")
    router.register("incentives/award-nominations", NominationViewSet, basename="award-nomination")
    router.register("incentives/award-objections", ObjectionViewSet, basename="award-objection")
    router.register("incentives/exemplars", ExemplarViewSet, basename="exemplar")

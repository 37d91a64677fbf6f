"""REST API of the ledger of handled and disciplined cadres (F 15), 能上能下 (F 11, ZJK 6) and the
expiry reviews (X 能下再上), under /api/v1/incentives/.

`sanctions/`: list (filters of `SanctionFilterSet`), create → `sanction_record`, retrieve;
`POST …/{id}/confirm-kind/`, `POST …/{id}/revoke/`, `GET|POST …/{id}/trackings/`.
`adjustments/`: list, create → `adjustment_record`, retrieve.
`reviews/`: list (open first), retrieve, `POST …/{id}/decide/` → `review_decide`.
Every rule lives in `incentives.ledger`; its errors answer 400 (fields), 403, 404 or 409 (the
record is no longer in a state the step starts from)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Cadre, PostLevel

from .. import filtersets_ledger as filtersets
from .. import ledger
from ..choices import DownAction, ReviewDecision
from ..models import Adjustment, ExpiryReview, Sanction, SanctionTracking
from ..models.common import can_write


@extend_schema_field(OpenApiTypes.INT)
class _ScopedCadreField(serializers.PrimaryKeyRelatedField):
    """A cadre the user may see; another is "not found", as on the pages."""

    def get_queryset(self):
        return Cadre.objects.restrict(self.context["request"].user).select_related(
            "unit", "post_level"
        )


RATING_HELP = "评价：good（好）、fair（一般）、poor（差）"


def _rating(**kwargs):
    # One plain string for the three ratings: the same choice set under three field names
    # would give the schema three names for one enum.
    return serializers.CharField(max_length=10, help_text=RATING_HELP, **kwargs)


class TrackingSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField()
    attitude = _rating(read_only=True)
    work = _rating(read_only=True)
    public_opinion = _rating(read_only=True)

    class Meta:
        model = SanctionTracking
        fields = [
            "id",
            "tracked_on",
            "attitude",
            "attitude_note",
            "work",
            "work_note",
            "public_opinion",
            "public_opinion_note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class SanctionSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = Sanction
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "kinds_list",
            "kind_code",
            "kind_label",
            "category",
            "impact_months",
            "decided_on",
            "impact_until",
            "authority",
            "document_number",
            "reason",
            "matter",
            "status",
            "status_display",
            "review",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_review(self, obj):
        """The id of the expiry review, once opened."""
        return getattr(obj, "review_pk", None)


class SanctionInputSerializer(serializers.Serializer):
    cadre = _ScopedCadreField()
    kind_code = serializers.CharField(max_length=40, help_text="处理处分种类代码（本地区清单）")
    decided_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)
    authority = serializers.CharField(max_length=100, required=False, allow_blank=True)
    document_number = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ConfirmKindInputSerializer(serializers.Serializer):
    kind_code = serializers.CharField(max_length=40)


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class TrackingInputSerializer(serializers.Serializer):
    tracked_on = serializers.DateField()
    attitude = _rating()
    attitude_note = serializers.CharField(required=False, allow_blank=True, default="")
    work = _rating()
    work_note = serializers.CharField(required=False, allow_blank=True, default="")
    public_opinion = _rating()
    public_opinion_note = serializers.CharField(required=False, allow_blank=True, default="")


class AdjustmentSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "action",
            "action_display",
            "situations_list",
            "situation_codes",
            "situation_labels",
            "reason",
            "decided_on",
            "from_post",
            "from_level",
            "to_post",
            "to_level",
            "impact_list",
            "impact_months",
            "impact_until",
            "status",
            "status_display",
            "reinstated_on",
            "reinstated_post",
            "created_at",
        ]
        read_only_fields = fields


class AdjustmentInputSerializer(serializers.Serializer):
    cadre = _ScopedCadreField()
    action = serializers.ChoiceField(choices=DownAction.choices)
    situation_codes = serializers.ListField(child=serializers.CharField(max_length=40))
    reason = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField()
    to_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    to_level = serializers.PrimaryKeyRelatedField(
        queryset=PostLevel.objects.all(), required=False, allow_null=True
    )


class ReviewSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = ExpiryReview
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "sanction",
            "adjustment",
            "opened_on",
            "status",
            "status_display",
            "decision",
            "decision_display",
            "analysis",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class ReviewDecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    analysis = serializers.CharField(allow_blank=True)
    reinstated_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reinstated_level = serializers.PrimaryKeyRelatedField(
        queryset=PostLevel.objects.all(), required=False, allow_null=True
    )


class _LedgerViewSet(RestrictedViewSetMixin):
    act_denied = _("受处理处分干部台账和能上能下由组织部门办理")

    def require_write(self):
        if not can_write(self.request.user):
            self.permission_denied(self.request, message=self.act_denied)


@extend_schema_view(
    list=extend_schema(summary="受处理处分干部台账（本人管辖范围内）"),
    retrieve=extend_schema(summary="受处理处分记录详情"),
)
class SanctionViewSet(
    _LedgerViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Sanction.objects.none()
    serializer_class = SanctionSerializer
    filterset_class = filtersets.SanctionFilterSet

    def get_queryset(self):
        return ledger.sanction_ledger(self.request.user).annotate(review_pk=F("review__id"))

    def _answer(self, sanction, status_code=status.HTTP_200_OK):
        sanction = self.get_queryset().get(pk=sanction.pk)
        return Response(
            SanctionSerializer(sanction, context=self.get_serializer_context()).data,
            status=status_code,
        )

    @extend_schema(
        summary="登记受处理处分干部（影响期按本地区清单计算）",
        request=SanctionInputSerializer,
        responses={201: SanctionSerializer},
    )
    def create(self, request, *args, **kwargs):
        self.require_write()
        data = self.input(SanctionInputSerializer)
        sanction = ledger.sanction_record(actor=request.user, **data)
        return self._answer(sanction, status.HTTP_201_CREATED)

    @extend_schema(
        summary="确认处理处分种类（问责决定登记的待确认记录）",
        request=ConfirmKindInputSerializer,
        responses={200: SanctionSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="confirm-kind",
        serializer_class=ConfirmKindInputSerializer,
    )
    def confirm_kind(self, request, pk=None):
        sanction = self.get_object()
        data = self.input(ConfirmKindInputSerializer)
        return self._answer(
            ledger.sanction_confirm_kind(actor=request.user, sanction=sanction, **data)
        )

    @extend_schema(
        summary="撤销处理处分记录（须填写理由）",
        request=RevokeInputSerializer,
        responses={200: SanctionSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=RevokeInputSerializer)
    def revoke(self, request, pk=None):
        sanction = self.get_object()
        data = self.input(RevokeInputSerializer)
        return self._answer(ledger.sanction_revoke(actor=request.user, sanction=sanction, **data))

    @extend_schema(
        summary="跟踪了解记录（GET 列出，POST 登记）",
        request=TrackingInputSerializer,
        responses={200: TrackingSerializer(many=True), 201: TrackingSerializer},
    )
    @action(detail=True, methods=["get", "post"], serializer_class=TrackingInputSerializer)
    def trackings(self, request, pk=None):
        sanction = self.get_object()
        if request.method == "GET":
            rows = sanction.trackings.select_related("recorded_by")
            return Response(TrackingSerializer(rows, many=True).data)
        data = self.input(TrackingInputSerializer)
        tracking = ledger.sanction_tracking_add(actor=request.user, sanction=sanction, **data)
        return Response(TrackingSerializer(tracking).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="能上能下记录（本人管辖范围内）"),
    retrieve=extend_schema(summary="能上能下记录详情"),
)
class AdjustmentViewSet(
    _LedgerViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Adjustment.objects.none()
    serializer_class = AdjustmentSerializer
    filterset_class = filtersets.AdjustmentFilterSet

    def get_queryset(self):
        return ledger.adjustment_ledger(self.request.user)

    @extend_schema(
        summary="登记免职、调整、降职（能上能下）",
        request=AdjustmentInputSerializer,
        responses={201: AdjustmentSerializer},
    )
    def create(self, request, *args, **kwargs):
        self.require_write()
        data = self.input(AdjustmentInputSerializer)
        adjustment = ledger.adjustment_record(actor=request.user, **data)
        return self.created(AdjustmentSerializer, adjustment)


@extend_schema_view(
    list=extend_schema(summary="影响期满研判（待研判在前）"),
    retrieve=extend_schema(summary="影响期满研判详情"),
)
class ReviewViewSet(
    _LedgerViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ExpiryReview.objects.none()
    serializer_class = ReviewSerializer
    filterset_class = filtersets.ExpiryReviewFilterSet

    def get_queryset(self):
        return ledger.review_queue(self.request.user)

    @extend_schema(
        summary="作出研判结论（按程序正常使用、重新使用或继续考察）",
        request=ReviewDecideInputSerializer,
        responses={200: ReviewSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=ReviewDecideInputSerializer)
    def decide(self, request, pk=None):
        review = self.get_object()
        data = self.input(ReviewDecideInputSerializer)
        review = ledger.review_decide(actor=request.user, review=review, **data)
        review = self.get_queryset().get(pk=review.pk)
        return Response(ReviewSerializer(review, context=self.get_serializer_context()).data)


def register(router):
    router.register("incentives/sanctions", SanctionViewSet, basename="incentives-sanction")
    router.register("incentives/adjustments", AdjustmentViewSet, basename="incentives-adjustment")
    router.register("incentives/reviews", ReviewViewSet, basename="incentives-review")

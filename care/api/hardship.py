"""REST API of hardship help (F 17) and the care funds (ZJK 12(四)) under /api/v1/care/.

`hardship-applications/`: the applications the user may read (a cadre: their own); create →
`application_submit` (staff for a cadre they manage, a cadre for themself);
`POST …/{id}/approve/`, `…/reject/`, `…/close/` → the review services (a status that does not
allow the step answers 409). `care-funds/`: the funds with their balances; create →
`fund_create`; `POST …/{id}/deposit/`, `…/disburse/` → `fund_deposit` / `fund_disburse` (an
overdraft answers 400 "基金余额不足"). `fund-entries/?fund=`: the ledger lines, read-only."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin

from .. import filtersets_hardship as filtersets
from .. import hardship
from ..models import CareFund, FundEntry, HardshipApplication
from ..models.common import can_write
from .leave import ScopedCadreField, ScopedUnitField


class ApplicationSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HardshipApplication
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "categories_list",
            "category_code",
            "category_label",
            "description",
            "amount_requested",
            "status",
            "status_display",
            "amount_granted",
            "review_note",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields


class ApplicationInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField(required=False, help_text="干部本人申请时可不填")
    category = serializers.CharField(max_length=40, help_text="困难帮扶类别代码")
    description = serializers.CharField()
    amount_requested = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )


class ApproveInputSerializer(serializers.Serializer):
    amount_granted = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class CloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="困难帮扶申请"),
    create=extend_schema(
        summary="提交困难帮扶申请",
        request=ApplicationInputSerializer,
        responses={201: ApplicationSerializer},
    ),
)
class ApplicationViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = HardshipApplication.objects.all()
    serializer_class = ApplicationSerializer
    filterset_class = filtersets.HardshipApplicationFilterSet
    act_denied = _("困难帮扶申请由组织部门审核")

    def get_queryset(self):
        return hardship.applications_for(self.request.user)

    def create(self, request, *args, **kwargs):
        data = self.input(ApplicationInputSerializer)
        cadre = data.pop("cadre", None)
        if cadre is None and getattr(request.user, "cadre_id", None):
            cadre = request.user.cadre
        if cadre is None:
            raise serializers.ValidationError({"cadre": [_("请选择申请人")]})
        obj = hardship.application_submit(actor=request.user, cadre=cadre, **data)
        return self.created(ApplicationSerializer, self.get_queryset().get(pk=obj.pk))

    def _answer(self, obj):
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(ApplicationSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(summary="批准", request=ApproveInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], serializer_class=ApproveInputSerializer)
    def approve(self, request, pk=None):
        obj = self.get_object()
        data = self.input(ApproveInputSerializer)
        return self._answer(
            hardship.application_approve(actor=request.user, application=obj, **data)
        )

    @extend_schema(
        summary="不予批准（须填写理由）",
        request=RejectInputSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=RejectInputSerializer)
    def reject(self, request, pk=None):
        obj = self.get_object()
        data = self.input(RejectInputSerializer)
        return self._answer(
            hardship.application_reject(actor=request.user, application=obj, **data)
        )

    @extend_schema(summary="办结", request=CloseInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], serializer_class=CloseInputSerializer)
    def close(self, request, pk=None):
        obj = self.get_object()
        data = self.input(CloseInputSerializer)
        return self._answer(hardship.application_close(actor=request.user, application=obj, **data))


class FundSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = CareFund
        fields = ["id", "unit", "unit_name", "name", "balance", "note", "created_at"]
        read_only_fields = fields


class FundInputSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    name = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FundEntrySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = FundEntry
        fields = [
            "id",
            "fund",
            "kind",
            "kind_display",
            "amount",
            "balance_after",
            "application",
            "note",
            "at",
        ]
        read_only_fields = fields


class DepositInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(max_length=200, allow_blank=True)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedApplicationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return HardshipApplication.objects.restrict(self.context["request"].user)


class DisburseInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    application = _ScopedApplicationField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="关爱基金及余额"),
    create=extend_schema(
        summary="设立关爱基金", request=FundInputSerializer, responses={201: FundSerializer}
    ),
)
class FundViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CareFund.objects.all()
    serializer_class = FundSerializer
    filterset_class = filtersets.CareFundFilterSet
    act_denied = _("关爱基金由组织部门管理")

    def get_queryset(self):
        return hardship.funds_for(self.request.user)

    def create(self, request, *args, **kwargs):
        if not can_write(request.user):
            self.permission_denied(request, message=self.act_denied)
        fund = hardship.fund_create(actor=request.user, **self.input(FundInputSerializer))
        return self.created(FundSerializer, self.get_queryset().get(pk=fund.pk))

    @extend_schema(
        summary="资金拨入", request=DepositInputSerializer, responses=FundEntrySerializer
    )
    @action(detail=True, methods=["post"], serializer_class=DepositInputSerializer)
    def deposit(self, request, pk=None):
        fund = self.get_object()
        entry = hardship.fund_deposit(
            actor=request.user, fund=fund, **self.input(DepositInputSerializer)
        )
        return self.created(FundEntrySerializer, entry)

    @extend_schema(
        summary="资金支出（余额不足时拒绝）",
        request=DisburseInputSerializer,
        responses=FundEntrySerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=DisburseInputSerializer)
    def disburse(self, request, pk=None):
        fund = self.get_object()
        entry = hardship.fund_disburse(
            actor=request.user, fund=fund, **self.input(DisburseInputSerializer)
        )
        return self.created(FundEntrySerializer, entry)


@extend_schema_view(list=extend_schema(summary="基金收支明细"))
class FundEntryViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = FundEntry.objects.all()
    serializer_class = FundEntrySerializer
    filterset_class = filtersets.FundEntryFilterSet

    def get_queryset(self):
        return hardship.entries_for(self.request.user)


def register(router):
    router.register(
        "care/hardship-applications", ApplicationViewSet, basename="care-hardship-application"
    )
    router.register("care/care-funds", FundViewSet, basename="care-fund")
    router.register("care/fund-entries", FundEntryViewSet, basename="care-fund-entry")

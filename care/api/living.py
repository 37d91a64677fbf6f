"""REST API of living conditions (F 20) under /api/v1/care/.

`housing-rooms/`: the townships' turnover-housing rooms; create / update (PUT, PATCH) →
`room_save`; `POST …/{id}/status/` → `room_set_status`; `POST …/{id}/allocate/` →
`housing_allocate` (the room must be vacant, the cadre without a room).
`housing-allocations/`: who lives where; `POST …/{id}/move-out/` → `housing_move_out`.
`housing-waiting/`: the waiting list with each application's `position` in its township's
queue; create → `housing_apply`; `POST …/{id}/withdraw/` → `housing_withdraw`.
`facilities/`: the recorded facilities; create → `facility_update` (records or changes the
state of one facility of a township); `GET facilities/matrix/` → townships × five facilities
(missing rows are `none`, 未建) with the counts per state."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin

from .. import filtersets_living as filtersets
from .. import living
from ..choices import FacilityState, RoomStatus
from ..models import Facility, HousingAllocation, HousingApplication, HousingRoom
from ..models.common import can_write
from .leave import ScopedCadreField, ScopedUnitField


class RoomSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HousingRoom
        fields = [
            "id",
            "unit",
            "unit_name",
            "building",
            "number",
            "area",
            "status",
            "status_display",
            "note",
        ]
        read_only_fields = fields


class RoomInputSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    building = serializers.CharField(max_length=50)
    number = serializers.CharField(max_length=20)
    area = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RoomStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[RoomStatus.VACANT, RoomStatus.REPAIR])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AllocateInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField()
    start_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AllocationSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    room_label = serializers.CharField(source="room.__str__", read_only=True)

    class Meta:
        model = HousingAllocation
        fields = ["id", "room", "room_label", "cadre", "cadre_name", "start_on", "end_on", "note"]
        read_only_fields = fields


class MoveOutInputSerializer(serializers.Serializer):
    end_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class _Writable(RestrictedViewSetMixin):
    act_denied = _("周转住房和五小设施由组织部门管理")

    def require_writer(self):
        if not can_write(self.request.user):
            self.permission_denied(self.request, message=self.act_denied)

    def answer(self, serializer_class, obj):
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(serializer_class(obj, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="周转住房房源"),
    create=extend_schema(
        summary="登记房间", request=RoomInputSerializer, responses={201: RoomSerializer}
    ),
    update=extend_schema(summary="修改房间", request=RoomInputSerializer, responses=RoomSerializer),
    partial_update=extend_schema(
        summary="修改房间", request=RoomInputSerializer, responses=RoomSerializer
    ),
)
class RoomViewSet(
    _Writable,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = HousingRoom.objects.all()
    serializer_class = RoomSerializer
    filterset_class = filtersets.HousingRoomFilterSet

    def get_queryset(self):
        return self.scoped().select_related("unit")

    def create(self, request, *args, **kwargs):
        self.require_writer()
        room = living.room_save(actor=request.user, **self.input(RoomInputSerializer))
        return self.created(RoomSerializer, self.get_queryset().get(pk=room.pk))

    def update(self, request, *args, **kwargs):
        room = self.get_object()
        data = {
            "unit": room.unit_id,
            "building": room.building,
            "number": room.number,
            "area": room.area,
            "note": room.note,
        }
        data.update(request.data.items() if hasattr(request.data, "items") else {})
        room = living.room_save(
            actor=request.user, room=room, **self.input(RoomInputSerializer, data)
        )
        return self.answer(RoomSerializer, room)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(summary="设置房间状态（空置/维修中）", request=RoomStatusInputSerializer)
    @action(detail=True, methods=["post"], serializer_class=RoomStatusInputSerializer)
    def status(self, request, pk=None):
        room = self.get_object()
        data = self.input(RoomStatusInputSerializer)
        return self.answer(
            RoomSerializer, living.room_set_status(actor=request.user, room=room, **data)
        )

    @extend_schema(
        summary="分配入住", request=AllocateInputSerializer, responses={201: AllocationSerializer}
    )
    @action(detail=True, methods=["post"], serializer_class=AllocateInputSerializer)
    def allocate(self, request, pk=None):
        room = self.get_object()
        allocation = living.housing_allocate(
            actor=request.user, room=room, **self.input(AllocateInputSerializer)
        )
        return self.created(AllocationSerializer, allocation)


@extend_schema_view(list=extend_schema(summary="周转住房入住记录"))
class AllocationViewSet(
    _Writable, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = HousingAllocation.objects.all()
    serializer_class = AllocationSerializer
    filterset_class = filtersets.HousingAllocationFilterSet

    def get_queryset(self):
        return self.scoped().select_related("room", "room__unit", "cadre")

    @extend_schema(
        summary="办理退房", request=MoveOutInputSerializer, responses=AllocationSerializer
    )
    @action(
        detail=True, methods=["post"], url_path="move-out", serializer_class=MoveOutInputSerializer
    )
    def move_out(self, request, pk=None):
        allocation = self.get_object()
        data = self.input(MoveOutInputSerializer)
        return self.answer(
            AllocationSerializer,
            living.housing_move_out(actor=request.user, allocation=allocation, **data),
        )


class WaitingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    position = serializers.SerializerMethodField()

    class Meta:
        model = HousingApplication
        fields = [
            "id",
            "unit",
            "unit_name",
            "cadre",
            "cadre_name",
            "applied_on",
            "reason",
            "status",
            "status_display",
            "position",
            "allocation",
        ]
        read_only_fields = fields

    def get_position(self, obj) -> int | None:
        return getattr(obj, "position", None) if obj.status == "waiting" else None


class ApplyInputSerializer(serializers.Serializer):
    cadre = ScopedCadreField()
    unit = ScopedUnitField()
    reason = serializers.CharField(max_length=300)
    applied_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="周转住房轮候名单（按申请日期排队）"),
    create=extend_schema(
        summary="登记周转住房申请", request=ApplyInputSerializer, responses={201: WaitingSerializer}
    ),
)
class WaitingViewSet(
    _Writable,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = HousingApplication.objects.all()
    serializer_class = WaitingSerializer
    filterset_class = filtersets.HousingApplicationFilterSet

    def get_queryset(self):
        return living.waiting_list(self.request.user)

    def create(self, request, *args, **kwargs):
        self.require_writer()
        application = living.housing_apply(actor=request.user, **self.input(ApplyInputSerializer))
        return self.created(WaitingSerializer, self.get_queryset().get(pk=application.pk))

    @extend_schema(summary="撤回申请", request=None, responses=WaitingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        return self.answer(
            WaitingSerializer, living.housing_withdraw(actor=request.user, application=application)
        )


class FacilitySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Facility
        fields = [
            "id",
            "unit",
            "unit_name",
            "kinds_list",
            "kind_code",
            "kind_label",
            "state",
            "state_display",
            "note",
            "updated_on",
        ]
        read_only_fields = fields


class FacilityInputSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    kind_code = serializers.CharField(max_length=40)
    state = serializers.ChoiceField(choices=FacilityState.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    updated_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="五小设施（已登记）"),
    create=extend_schema(
        summary="登记或更新一项五小设施的状态",
        request=FacilityInputSerializer,
        responses={201: FacilitySerializer},
    ),
)
class FacilityViewSet(
    _Writable,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    filterset_class = filtersets.FacilityFilterSet

    def get_queryset(self):
        return self.scoped().select_related("unit")

    def create(self, request, *args, **kwargs):
        self.require_writer()
        facility = living.facility_update(actor=request.user, **self.input(FacilityInputSerializer))
        return self.created(FacilitySerializer, self.get_queryset().get(pk=facility.pk))

    @extend_schema(summary="乡镇×五小设施矩阵（未登记按“未建”）", request=None, responses=None)
    @action(detail=False, methods=["get"])
    def matrix(self, request):
        units = living.townships(request.user)
        if request.query_params.get("remote") in ("1", "true", "True"):
            units = units.filter(is_remote_township=True)
        matrix = living.facility_matrix(units)
        return Response(
            {
                "kinds": [{"code": i.code, "label": i.label} for i in matrix.kinds],
                "townships": [
                    {
                        "unit": row.unit.pk,
                        "unit_name": row.unit.name,
                        "is_remote_township": row.unit.is_remote_township,
                        "states": {code: state for code, _i, _f, state in row.cells},
                    }
                    for row in matrix.rows
                ],
                "counts": matrix.counts,
            }
        )


def register(router):
    router.register("care/housing-rooms", RoomViewSet, basename="care-housing-room")
    router.register(
        "care/housing-allocations", AllocationViewSet, basename="care-housing-allocation"
    )
    router.register("care/housing-waiting", WaitingViewSet, basename="care-housing-waiting")
    router.register("care/facilities", FacilityViewSet, basename="care-facility")

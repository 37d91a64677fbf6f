"""Living conditions of township cadres (F 20 改善基层干部生活环境).

Turnover housing (周转住房): the rooms of each township, the waiting list (served in order of
application), allocation of a vacant room to a cadre (the cadre leaves the waiting list) and
moving out (the room is vacant again). One open allocation per room and per cadre, kept by the
database; the room row is locked while it is allocated.

The five small facilities (五小设施: 小食堂、小厕所、小澡堂、小图书室、小文体室, items of
`care.facility_kinds`) of each township, remote or poor townships first (持续推进偏远或经济困难
乡镇的“五小设施”建设): a facility without a row is 未建.

Writes: `room_save`, `room_set_status`, `housing_apply`, `housing_withdraw`,
`housing_allocate`, `housing_move_out`, `facility_update`. Reads: `waiting_list`,
`facility_matrix`."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import UnitKind
from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, Unit
from cadre.selectors import policy_items

from .choices import KIND_FACILITY_KINDS, FacilityState, LogSubject, RoomStatus, WaitingStatus
from .leave import list_for_unit, lists_by_unit
from .models import Facility, HousingAllocation, HousingApplication, HousingRoom
from .models.common import can_write, log

TOWNSHIP_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET)
# Room statuses set by hand; 已入住 follows allocations only.
MANUAL_ROOM_STATUSES = {RoomStatus.VACANT, RoomStatus.REPAIR}


def _require_writer(actor):
    if not can_write(actor):
        raise PermissionDenied(_("周转住房和五小设施由组织部门管理"))


def townships(user, action="view"):
    """Townships and streets in the user's jurisdiction, remote townships first."""
    return (
        Unit.objects.restrict(user, action)
        .filter(kind__in=TOWNSHIP_KINDS)
        .order_by("-is_remote_township", "-is_hardship_area", "path")
    )


def _require_township(actor, unit, field_name="unit"):
    if unit is None or not townships(actor, "change").filter(pk=unit.pk).exists():
        raise ValidationError({field_name: _("请选择您管辖范围内的乡镇（街道）")})


def _require_cadre(actor, cadre):
    if cadre is None or not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})


# --- rooms --------------------------------------------------------------------------------------


@transaction.atomic
def room_save(
    *,
    actor,
    unit: Unit,
    building: str,
    number: str,
    area=None,
    note: str = "",
    room: HousingRoom | None = None,
) -> HousingRoom:
    """Add a room to a township's turnover housing, or correct one."""
    _require_writer(actor)
    _require_township(actor, unit)
    errors = {}
    building, number = str(building or "").strip(), str(number or "").strip()
    if not building:
        errors["building"] = _("请填写楼栋")
    if not number:
        errors["number"] = _("请填写房号")
    if area not in (None, ""):
        try:
            area = Decimal(str(area))
        except (InvalidOperation, ValueError):
            area = None
            errors["area"] = _("请输入有效面积")
        else:
            if not area.is_finite() or area <= 0 or area >= Decimal("100000"):
                errors["area"] = _("面积须大于0")
    else:
        area = None
    if errors:
        raise ValidationError(errors)
    if room is None:
        room = HousingRoom(status=RoomStatus.VACANT)
        action = "room_added"
    else:
        room = (
            HousingRoom.objects.restrict(actor, "change")
            .select_for_update()
            .filter(pk=room.pk)
            .first()
        )
        if room is None:
            raise Http404
        if room.status == RoomStatus.OCCUPIED and room.unit_id != unit.pk:
            raise ValidationError({"unit": _("已入住的房间不能改到其他乡镇")})
        action = "room_changed"
    room.unit, room.building, room.number = unit, building, number
    room.area, room.note = area, str(note or "").strip()
    room.full_clean(exclude=["unit"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:
        raise ValidationError({"number": _("该乡镇已有同一楼栋、房号的房间")}) from None
    log(LogSubject.HOUSING, room, action, actor=actor, note=str(room))
    return room


@transaction.atomic
def room_set_status(*, actor, room: HousingRoom, status: str, note: str = "") -> HousingRoom:
    """Put a vacant room under repair or back into use. An occupied room changes only by
    moving out."""
    _require_writer(actor)
    locked = (
        HousingRoom.objects.restrict(actor, "change").select_for_update().filter(pk=room.pk).first()
    )
    if locked is None:
        raise Http404
    if status not in MANUAL_ROOM_STATUSES:
        raise ValidationError({"status": _("只能设为空置或维修中")})
    if locked.status == RoomStatus.OCCUPIED:
        raise TransitionConflict(_("房间已入住，须先办理退房"))
    previous = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    log(
        LogSubject.HOUSING,
        locked,
        "room_status",
        actor=actor,
        from_status=previous,
        to_status=status,
        note=note,
    )
    return locked


# --- waiting list -------------------------------------------------------------------------------


def _position():
    """1 + the waiting applications of the same township applied earlier (ties by entry)."""
    ahead = (
        HousingApplication.objects.filter(unit=OuterRef("unit"), status=WaitingStatus.WAITING)
        .filter(
            Q(applied_on__lt=OuterRef("applied_on"))
            | Q(applied_on=OuterRef("applied_on"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead), Value(0), output_field=IntegerField()) + 1


def waiting_list(user):
    """Applications the user may see; waiting ones carry their `position` in the queue of
    their township (by date of application)."""
    return (
        HousingApplication.objects.restrict(user)
        .select_related("unit", "cadre", "cadre__unit", "allocation", "allocation__room")
        .annotate(position=_position())
        .order_by("unit__path", "status", "applied_on", "pk")
    )


@transaction.atomic
def housing_apply(
    *, actor, cadre: Cadre, unit: Unit, reason: str, applied_on: date | None = None
) -> HousingApplication:
    """Put a cadre on a township's waiting list."""
    _require_writer(actor)
    _require_cadre(actor, cadre)
    _require_township(actor, unit)
    errors = {}
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写申请理由")
    applied_on = applied_on or timezone.localdate()
    if applied_on > timezone.localdate():
        errors["applied_on"] = _("申请日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    Cadre.objects.select_for_update(of=("self",)).filter(pk=cadre.pk).first()
    if HousingAllocation.objects.filter(cadre=cadre, end_on__isnull=True).exists():
        raise ValidationError({"cadre": _("该干部已入住周转住房")})
    application = HousingApplication(
        unit=unit, cadre=cadre, applied_on=applied_on, reason=reason, created_by=actor
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError({"cadre": _("该干部已在轮候名单中")}) from None
    log(
        LogSubject.HOUSING,
        application,
        "applied",
        actor=actor,
        to_status=WaitingStatus.WAITING,
        note=f"{cadre.name} {unit.name}",
    )
    return application


def _lock_application(actor, application):
    locked = (
        HousingApplication.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=application.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


@transaction.atomic
def housing_withdraw(*, actor, application: HousingApplication, note: str = ""):
    """Take an application off the waiting list."""
    _require_writer(actor)
    locked = _lock_application(actor, application)
    if locked.status != WaitingStatus.WAITING:
        raise TransitionConflict(
            _("申请当前状态为“%(status)s”，不能撤回") % {"status": locked.get_status_display()}
        )
    locked.status = WaitingStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    log(
        LogSubject.HOUSING,
        locked,
        "withdrawn",
        actor=actor,
        from_status=WaitingStatus.WAITING,
        to_status=WaitingStatus.WITHDRAWN,
        note=note,
    )
    return locked


# --- allocation ---------------------------------------------------------------------------------


@transaction.atomic
def housing_allocate(
    *, actor, room: HousingRoom, cadre: Cadre, start_on: date | None = None, note: str = ""
) -> HousingAllocation:
    """Let a vacant room to a cadre. The room must be vacant and the cadre without a room; the
    cadre's waiting application (if any) is marked allocated."""
    _require_writer(actor)
    _require_cadre(actor, cadre)
    locked = (
        HousingRoom.objects.restrict(actor, "change").select_for_update().filter(pk=room.pk).first()
    )
    if locked is None:
        raise Http404
    if locked.status != RoomStatus.VACANT:
        raise ValidationError(
            {
                "room": _("房间当前为“%(status)s”，不能分配")
                % {"status": locked.get_status_display()}
            }
        )
    start_on = start_on or timezone.localdate()
    if HousingAllocation.objects.filter(cadre=cadre, end_on__isnull=True).exists():
        raise ValidationError({"cadre": _("该干部已入住周转住房，须先退房")})
    allocation = HousingAllocation(
        room=locked, cadre=cadre, start_on=start_on, note=str(note or "").strip(), created_by=actor
    )
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError:
        raise ValidationError({"room": _("房间或干部已有未结束的入住记录")}) from None
    locked.status = RoomStatus.OCCUPIED
    locked.save(update_fields=["status"])
    waiting = (
        HousingApplication.objects.select_for_update()
        .filter(cadre=cadre, status=WaitingStatus.WAITING)
        .first()
    )
    if waiting is not None:
        waiting.status = WaitingStatus.ALLOCATED
        waiting.allocation = allocation
        waiting.save(update_fields=["status", "allocation"])
        log(
            LogSubject.HOUSING,
            waiting,
            "allocated",
            actor=actor,
            from_status=WaitingStatus.WAITING,
            to_status=WaitingStatus.ALLOCATED,
            note=str(locked),
        )
    log(
        LogSubject.HOUSING,
        locked,
        "allocated",
        actor=actor,
        from_status=RoomStatus.VACANT,
        to_status=RoomStatus.OCCUPIED,
        note=cadre.name,
    )
    return allocation


@transaction.atomic
def housing_move_out(
    *, actor, allocation: HousingAllocation, end_on: date | None = None, note: str = ""
) -> HousingAllocation:
    """The cadre leaves the room: the allocation ends and the room is vacant again."""
    _require_writer(actor)
    locked = (
        HousingAllocation.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=allocation.pk)
        .first()
    )
    if locked is None:
        raise Http404
    if locked.end_on is not None:
        raise TransitionConflict(_("该入住记录已办理退房"))
    end_on = end_on or timezone.localdate()
    if end_on < locked.start_on:
        raise ValidationError({"end_on": _("退房日期不能早于入住日期")})
    room = HousingRoom.objects.select_for_update().get(pk=locked.room_id)
    locked.end_on = end_on
    if note:
        locked.note = (f"{locked.note}；{note}" if locked.note else note)[:200]
    locked.save(update_fields=["end_on", "note"])
    room.status = RoomStatus.VACANT
    room.save(update_fields=["status"])
    log(
        LogSubject.HOUSING,
        room,
        "moved_out",
        actor=actor,
        from_status=RoomStatus.OCCUPIED,
        to_status=RoomStatus.VACANT,
        note=f"{locked.cadre.name} {end_on}",
    )
    return locked


# --- the five small facilities ------------------------------------------------------------------


@dataclass
class MatrixRow:
    unit: Unit
    cells: list  # [(code, item or None, Facility or None, state)]

    @property
    def built(self):
        return sum(1 for *_cell, state in self.cells if state == FacilityState.IN_USE)


@dataclass
class Matrix:
    kinds: list  # items of the default list, the columns
    rows: list = field(default_factory=list)
    # {kind code: {state: count}}
    counts: dict = field(default_factory=dict)


def facility_matrix(units) -> Matrix:
    """Townships × the five facilities with their state (no row: 未建), and per facility the
    count of townships in each state. `units` is a queryset of townships (already scoped and
    ordered); three queries whatever their number."""
    units = list(units)
    lists = lists_by_unit(KIND_FACILITY_KINDS)
    _default, columns = list_for_unit(lists, None)
    facilities = {
        (f.unit_id, f.kind_code): f for f in Facility.objects.filter(unit__in=[u.pk for u in units])
    }
    matrix = Matrix(kinds=columns)
    codes = [item.code for item in columns]
    matrix.counts = {code: {state: 0 for state in FacilityState.values} for code in codes}
    for unit in units:
        _list, items = list_for_unit(lists, unit)
        by_code = {item.code: item for item in items}
        cells = []
        for code in codes:
            item = by_code.get(code)
            facility = facilities.get((unit.pk, code))
            state = facility.state if facility else FacilityState.NONE
            cells.append((code, item, facility, state))
            matrix.counts[code][state] += 1
        matrix.rows.append(MatrixRow(unit=unit, cells=cells))
    return matrix


@transaction.atomic
def facility_update(
    *,
    actor,
    unit: Unit,
    kind_code: str,
    state: str,
    note: str = "",
    updated_on: date | None = None,
) -> Facility:
    """Record the state of one of a township's five small facilities."""
    _require_writer(actor)
    _require_township(actor, unit)
    policy_list, items = policy_items(KIND_FACILITY_KINDS, unit)
    item = next((i for i in items if i.code == str(kind_code or "").strip()), None)
    errors = {}
    if item is None:
        errors["kind_code"] = _("请选择五小设施清单中的设施")
    if state not in FacilityState.values:
        errors["state"] = _("请选择设施状态")
    updated_on = updated_on or timezone.localdate()
    if updated_on > timezone.localdate():
        errors["updated_on"] = _("更新日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    facility = Facility.objects.select_for_update().filter(unit=unit, kind_code=item.code).first()
    previous = facility.state if facility else FacilityState.NONE
    if facility is None:
        facility = Facility(unit=unit, kind_code=item.code)
    facility.kinds_list = policy_list
    facility.kind_label = item.label
    facility.state = state
    facility.note = str(note or "").strip()
    facility.updated_on = updated_on
    try:
        with transaction.atomic():
            facility.save()
    except IntegrityError:
        raise TransitionConflict(_("该设施刚被他人更新，请刷新后重试")) from None
    log(
        LogSubject.FACILITY,
        facility,
        "updated",
        actor=actor,
        from_status=previous,
        to_status=state,
        note=facility.note,
    )
    return facility

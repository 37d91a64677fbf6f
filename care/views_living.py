"""Pages of living conditions (F 20): turnover housing — the rooms of the townships with their
occupants (export), a room with its history, allocating and moving out, the waiting list in
order of application — and the five small facilities: the matrix townships × facilities with
the counts per state (export) and the form to update one facility.

Reads go through `restrict(user)` (a township outside the jurisdiction is not found); writes
through `care.living`, whose errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.pages import add_service_errors, unit_options, xlsx_response
from cadre.pagination import CappedPaginator
from cadre.selectors import policy_items

from . import filtersets_living as filtersets
from . import forms_living as forms
from . import living
from .choices import KIND_FACILITY_KINDS, FacilityState, LogSubject, RoomStatus, WaitingStatus
from .models import Facility, HousingAllocation, HousingApplication, HousingRoom
from .models.common import can_write
from .views_leave import (
    is_filtered,
    labelled_timeline,
    require_read,
    require_write,
    selected_unit,
)

PER_PAGE = 50


def _open_allocations():
    return HousingAllocation.objects.filter(room=OuterRef("pk"), end_on__isnull=True)


def _rooms(request):
    user = request.user
    rooms = (
        HousingRoom.objects.restrict(user)
        .select_related("unit")
        .annotate(
            occupant=Subquery(_open_allocations().values("cadre__name")[:1]),
            occupied_since=Subquery(_open_allocations().values("start_on")[:1]),
            allocation_id=Subquery(_open_allocations().values("pk")[:1]),
        )
    )
    filterset = filtersets.HousingRoomFilterSet(request.GET, queryset=rooms)
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


@login_required
def housing(request):
    """The turnover-housing rooms of the townships in the jurisdiction and who lives there."""
    user = request.user
    require_read(user)
    filterset, rows = _rooms(request)
    paginator = CappedPaginator(rows, PER_PAGE, count_queryset=rows.values("pk"))
    page = paginator.get_page(request.GET.get("page"))
    waiting = HousingApplication.objects.restrict(user).filter(status=WaitingStatus.WAITING)
    return render(
        request,
        "care/living/housing.html",
        {
            "tab": "housing",
            "page": page,
            "statuses": RoomStatus.choices,
            "status": filterset.data.get("status", ""),
            "unit_options": unit_options(
                user, filterset.data.get("unit", ""), living.townships(user)
            ),
            "waiting_count": waiting.count(),
            "can_write": can_write(user),
            "cadre": request.GET.get("cadre", ""),
            "is_filtered": is_filtered(request),
        },
    )


@login_required
def housing_export(request):
    user = request.user
    require_read(user)
    _filterset, rows = _rooms(request)
    columns = [
        (_("乡镇"), lambda r: r.unit.name),
        (_("楼栋"), lambda r: r.building),
        (_("房号"), lambda r: r.number),
        (_("面积（㎡）"), lambda r: float(r.area) if r.area else ""),
        (_("状态"), lambda r: r.get_status_display()),
        (_("入住干部"), lambda r: r.occupant or ""),
        (_("入住日期"), lambda r: r.occupied_since or ""),
        (_("备注"), lambda r: r.note),
    ]
    return xlsx_response(
        _("周转住房"),
        _("周转住房"),
        "turnover-housing",
        columns,
        rows.iterator(chunk_size=2000),
        dated=True,
    )


def _room_context(request, room, **forms_bound):
    user = request.user
    allocations = room.allocations.select_related("cadre", "cadre__unit").order_by("-start_on")
    current = next((a for a in allocations if a.end_on is None), None)
    writer = can_write(user)
    initial = {"cadre": request.GET.get("cadre")} if request.GET.get("cadre") else {}
    return {
        "tab": "housing",
        "room": room,
        "allocations": allocations,
        "current": current,
        "timeline": labelled_timeline(LogSubject.HOUSING, room),
        "allocate_form": forms_bound.get("allocate")
        or (
            forms.AllocateForm(user=user, initial=initial)
            if writer and room.status == RoomStatus.VACANT
            else None
        ),
        "move_out_form": forms_bound.get("move_out")
        or (forms.MoveOutForm() if writer and current else None),
        "status_form": forms_bound.get("status")
        or (
            forms.RoomStatusForm(initial={"status": room.status})
            if writer and room.status != RoomStatus.OCCUPIED
            else None
        ),
        "can_write": writer,
    }


@login_required
def room_detail(request, pk):
    user = request.user
    require_read(user)
    room = get_object_or_404(HousingRoom.objects.restrict(user).select_related("unit"), pk=pk)
    return render(request, "care/living/room.html", _room_context(request, room))


@login_required
@require_http_methods(["GET", "POST"])
def room_form(request, pk=None):
    user = request.user
    require_write(user)
    room = None
    initial = {}
    if pk is not None:
        room = get_object_or_404(HousingRoom.objects.restrict(user, "change"), pk=pk)
        initial = {
            "unit": room.unit_id,
            "building": room.building,
            "number": room.number,
            "area": room.area,
            "note": room.note,
        }
    form = forms.RoomForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = living.room_save(actor=user, room=room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存房间：%(room)s。") % {"room": saved})
            return redirect("care:housing_room", saved.pk)
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "housing",
            "form": form,
            "title": _("修改房间") if room else _("登记周转住房房间"),
            "cancel_url": reverse("care:housing"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def room_status(request, pk):
    user = request.user
    room = get_object_or_404(HousingRoom.objects.restrict(user).select_related("unit"), pk=pk)
    require_write(user)
    form = forms.RoomStatusForm(request.POST)
    if form.is_valid():
        try:
            living.room_set_status(actor=user, room=room, **form.cleaned_data)
        except living.TransitionConflict as error:
            messages.error(request, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
            return render(
                request,
                "care/living/room.html",
                _room_context(request, room, status=form),
                status=400,
            )
        else:
            messages.success(request, _("房间状态已更新。"))
    return redirect("care:housing_room", room.pk)


@login_required
@require_POST
def allocate(request, pk):
    user = request.user
    room = get_object_or_404(HousingRoom.objects.restrict(user).select_related("unit"), pk=pk)
    require_write(user)
    form = forms.AllocateForm(request.POST, user=user)
    if form.is_valid():
        try:
            allocation = living.housing_allocate(actor=user, room=room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已将%(room)s分配给%(name)s。") % {"room": room, "name": allocation.cadre.name},
            )
            return redirect("care:housing_room", room.pk)
    room.refresh_from_db()
    return render(
        request, "care/living/room.html", _room_context(request, room, allocate=form), status=400
    )


@login_required
@require_POST
def move_out(request, pk):
    user = request.user
    allocation = get_object_or_404(
        HousingAllocation.objects.restrict(user).select_related("room", "room__unit"), pk=pk
    )
    require_write(user)
    form = forms.MoveOutForm(request.POST)
    if form.is_valid():
        try:
            living.housing_move_out(actor=user, allocation=allocation, **form.cleaned_data)
        except living.TransitionConflict as error:
            messages.error(request, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已办理退房，房间已空置。"))
            return redirect("care:housing_room", allocation.room_id)
    room = allocation.room
    room.refresh_from_db()
    return render(
        request, "care/living/room.html", _room_context(request, room, move_out=form), status=400
    )


# --- waiting list -------------------------------------------------------------------------------


@login_required
def waiting(request):
    """The waiting list: per township in order of application (排队顺序); past applications
    (allocated, withdrawn) below."""
    user = request.user
    require_read(user)
    data = request.GET.copy()
    data.setdefault("status", WaitingStatus.WAITING)
    filterset = filtersets.HousingApplicationFilterSet(data, queryset=living.waiting_list(user))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = CappedPaginator(rows, PER_PAGE, count_queryset=rows.values("pk"))
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/living/waiting.html",
        {
            "tab": "housing",
            "page": page,
            "statuses": WaitingStatus.choices,
            "status": filterset.data.get("status", ""),
            "name": filterset.data.get("name", ""),
            "unit_options": unit_options(
                user, filterset.data.get("unit", ""), living.townships(user)
            ),
            "can_write": can_write(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    user = request.user
    require_write(user)
    form = forms.HousingApplyForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            application = living.housing_apply(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已将%(name)s列入%(unit)s周转住房轮候名单。")
                % {"name": application.cadre.name, "unit": application.unit.name},
            )
            return redirect("care:housing_waiting")
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "housing",
            "form": form,
            "title": _("周转住房申请"),
            "cancel_url": reverse("care:housing_waiting"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def withdraw(request, pk):
    user = request.user
    application = get_object_or_404(HousingApplication.objects.restrict(user), pk=pk)
    require_write(user)
    try:
        living.housing_withdraw(actor=user, application=application)
    except living.TransitionConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已撤回该申请。"))
    return redirect("care:housing_waiting")


# --- the five small facilities ------------------------------------------------------------------


def _townships(request):
    user = request.user
    units = living.townships(user)
    unit = selected_unit(user, request.GET.get("unit"))
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    remote = request.GET.get("remote") == "1"
    if remote:
        units = units.filter(is_remote_township=True)
    return units, unit, remote


@login_required
def facilities(request):
    """Townships × the five small facilities (no record: 未建), remote townships first, with
    the number of townships in each state per facility."""
    user = request.user
    require_read(user)
    units, unit, remote = _townships(request)
    paginator = CappedPaginator(units, PER_PAGE, count_queryset=units.values("pk"))
    page = paginator.get_page(request.GET.get("page"))
    matrix = living.facility_matrix(page.object_list)
    totals = (
        living.facility_matrix(units.only("id", "path")).counts
        if paginator.num_pages > 1
        else matrix.counts
    )
    return render(
        request,
        "care/living/facilities.html",
        {
            "tab": "facilities",
            "page": page,
            "matrix": matrix,
            "count_rows": [
                (label, [totals[item.code][state] for item in matrix.kinds])
                for state, label in FacilityState.choices
            ],
            "unit_options": unit_options(user, unit.pk if unit else ""),
            "remote": remote,
            "can_write": can_write(user),
        },
    )


@login_required
def facilities_export(request):
    user = request.user
    require_read(user)
    units, _unit, _remote = _townships(request)
    matrix = living.facility_matrix(units)
    labels = dict(FacilityState.choices)
    columns = [
        (_("乡镇"), lambda r: r.unit.name),
        (_("偏远乡镇"), lambda r: _("是") if r.unit.is_remote_township else ""),
        (_("困难地区"), lambda r: _("是") if r.unit.is_hardship_area else ""),
    ] + [
        (item.label, lambda r, i=i: str(labels.get(r.cells[i][3], r.cells[i][3])))
        for i, item in enumerate(matrix.kinds)
    ]
    return xlsx_response(
        _("五小设施"), _("五小设施建设情况"), "facilities", columns, matrix.rows, dated=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request, unit_pk, code):
    user = request.user
    require_read(user)
    unit = get_object_or_404(living.townships(user), pk=unit_pk)
    require_write(user)
    _list, items = policy_items(KIND_FACILITY_KINDS, unit)
    item = next((i for i in items if i.code == code), None)
    if item is None:
        raise Http404
    current = Facility.objects.filter(unit=unit, kind_code=code).first()
    initial = {"state": current.state, "note": current.note} if current else {}
    form = forms.FacilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            living.facility_update(actor=user, unit=unit, kind_code=code, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except living.TransitionConflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("已更新%(unit)s%(item)s。") % {"unit": unit.name, "item": item.label}
            )
            return redirect("care:facilities")
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "facilities",
            "form": form,
            "title": f"{unit.name}：{item.label}",
            "cancel_url": reverse("care:facilities"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )

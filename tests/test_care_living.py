"""Living conditions (F 20): turnover-housing rooms, the waiting list in order of application,
allocation of vacant rooms (one open allocation per room and per cadre), moving out, and the
five small facilities of each township (missing rows are 未建), remote townships first."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from cadre.choices import Role, UnitKind, UnitLevel
from care import living
from care.choices import FacilityState, RoomStatus, WaitingStatus
from care.models import CareLog, Facility, HousingAllocation
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=TZ)
D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(tree, make_user):
    remote = UnitFactory(
        name="甲县二乡",
        code="CA2",
        kind=UnitKind.TOWNSHIP,
        level=UnitLevel.TOWNSHIP,
        parent=tree.county_a,
        is_remote_township=True,
    )

    def cadre(name, unit=tree.township_a1):
        return CadreFactory(name=name, unit=unit, post_level=level("township_deputy"))

    return type(
        "World",
        (),
        {
            "remote": remote,
            "a": cadre("赵一"),
            "a2": cadre("钱二"),
            "a3": cadre("孙三"),
            "b": cadre("李四", tree.township_b1),
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
        },
    )


def room(world, unit, number="101", building="1号楼"):
    return living.room_save(actor=world.org, unit=unit, building=building, number=number, area="36")


def apply(world, cadre, unit, applied_on):
    return living.housing_apply(
        actor=world.org, cadre=cadre, unit=unit, reason="家在外地", applied_on=applied_on
    )


# --- rooms --------------------------------------------------------------------------------------


def test_room_added_vacant(world, tree):
    added = room(world, tree.township_a1)

    assert added.status == RoomStatus.VACANT
    assert CareLog.objects.filter(subject="housing", subject_id=added.pk).exists()


def test_same_room_number_twice_is_refused(world, tree):
    room(world, tree.township_a1)

    with pytest.raises(ValidationError) as error:
        room(world, tree.township_a1)

    assert "number" in error.value.message_dict


def test_rooms_belong_to_townships_in_jurisdiction(world, tree):
    with pytest.raises(ValidationError):
        room(world, tree.dept_a)
    with pytest.raises(ValidationError):
        room(world, tree.township_b1)


def test_read_only_role_cannot_add_rooms(world, tree):
    with pytest.raises(PermissionDenied):
        living.room_save(actor=world.auditor, unit=tree.township_a1, building="1", number="1")


# --- waiting list -------------------------------------------------------------------------------


def positions(user):
    return [
        (a.cadre.name, a.position)
        for a in living.waiting_list(user).filter(status=WaitingStatus.WAITING)
    ]


def test_queue_position_follows_the_date_of_application(world, tree):
    apply(world, world.a, tree.township_a1, D(2025, 9, 3))
    apply(world, world.a2, tree.township_a1, D(2025, 8, 1))
    apply(world, world.a3, tree.township_a1, D(2025, 9, 3))

    assert sorted(positions(world.org), key=lambda p: p[1]) == [
        ("钱二", 1),
        ("赵一", 2),
        ("孙三", 3),
    ]


def test_withdrawing_moves_the_queue_up(world, tree):
    first = apply(world, world.a2, tree.township_a1, D(2025, 8, 1))
    apply(world, world.a, tree.township_a1, D(2025, 9, 3))

    living.housing_withdraw(actor=world.org, application=first)

    assert positions(world.org) == [("赵一", 1)]
    with pytest.raises(living.TransitionConflict):
        living.housing_withdraw(actor=world.org, application=first)


def test_one_waiting_application_per_cadre(world, tree):
    apply(world, world.a, tree.township_a1, D(2025, 8, 1))

    with pytest.raises(ValidationError) as error:
        apply(world, world.a, world.remote, D(2025, 8, 2))

    assert "已在轮候名单" in error.value.message_dict["cadre"][0]


def test_queues_are_per_township(world, tree):
    apply(world, world.a, tree.township_a1, D(2025, 9, 1))
    apply(world, world.a2, world.remote, D(2025, 9, 2))

    assert sorted(positions(world.org)) == [("赵一", 1), ("钱二", 1)]


def test_waiting_list_outside_jurisdiction_is_absent(world, tree):
    living.housing_apply(
        actor=world.org_b, cadre=world.b, unit=tree.township_b1, reason="外地", applied_on=None
    )

    assert positions(world.org) == []


# --- allocation ---------------------------------------------------------------------------------


def test_allocation_takes_the_cadre_off_the_waiting_list(world, tree):
    vacant = room(world, tree.township_a1)
    waiting = apply(world, world.a, tree.township_a1, D(2025, 8, 1))

    allocation = living.housing_allocate(actor=world.org, room=vacant, cadre=world.a)

    waiting.refresh_from_db()
    vacant.refresh_from_db()
    assert vacant.status == RoomStatus.OCCUPIED
    assert (waiting.status, waiting.allocation) == (WaitingStatus.ALLOCATED, allocation)
    assert allocation.start_on == D(2025, 11, 20)


def test_only_a_vacant_room_is_allocated(world, tree):
    taken = room(world, tree.township_a1)
    living.housing_allocate(actor=world.org, room=taken, cadre=world.a)
    repair = room(world, tree.township_a1, "102")
    living.room_set_status(actor=world.org, room=repair, status=RoomStatus.REPAIR)

    for target in (taken, repair):
        with pytest.raises(ValidationError) as error:
            living.housing_allocate(actor=world.org, room=target, cadre=world.a2)
        assert "不能分配" in error.value.message_dict["room"][0]


def test_a_cadre_holds_one_room_at_a_time(world, tree):
    living.housing_allocate(actor=world.org, room=room(world, tree.township_a1), cadre=world.a)

    with pytest.raises(ValidationError) as error:
        living.housing_allocate(
            actor=world.org, room=room(world, tree.township_a1, "102"), cadre=world.a
        )

    assert "须先退房" in error.value.message_dict["cadre"][0]


def test_database_keeps_one_open_allocation_per_room_and_per_cadre(world, tree):
    first = room(world, tree.township_a1)
    second = room(world, tree.township_a1, "102")
    HousingAllocation.objects.create(room=first, cadre=world.a, start_on=D(2025, 1, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        HousingAllocation.objects.create(room=first, cadre=world.a2, start_on=D(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        HousingAllocation.objects.create(room=second, cadre=world.a, start_on=D(2025, 1, 1))


def test_moving_out_ends_the_allocation_and_frees_the_room(world, tree):
    target = room(world, tree.township_a1)
    allocation = living.housing_allocate(
        actor=world.org, room=target, cadre=world.a, start_on=D(2025, 3, 1)
    )

    with pytest.raises(ValidationError):
        living.housing_move_out(actor=world.org, allocation=allocation, end_on=D(2025, 2, 1))
    living.housing_move_out(actor=world.org, allocation=allocation, end_on=D(2025, 10, 31))

    target.refresh_from_db()
    allocation.refresh_from_db()
    assert (target.status, allocation.end_on) == (RoomStatus.VACANT, D(2025, 10, 31))
    with pytest.raises(living.TransitionConflict):
        living.housing_move_out(actor=world.org, allocation=allocation)
    living.housing_allocate(actor=world.org, room=target, cadre=world.a2)


def test_an_occupied_room_changes_status_only_by_moving_out(world, tree):
    target = room(world, tree.township_a1)
    living.housing_allocate(actor=world.org, room=target, cadre=world.a)

    with pytest.raises(living.TransitionConflict):
        living.room_set_status(actor=world.org, room=target, status=RoomStatus.REPAIR)


def test_allocation_outside_jurisdiction_is_not_found(world, tree):
    other = living.room_save(actor=world.org_b, unit=tree.township_b1, building="1", number="1")

    with pytest.raises(Http404):
        living.housing_allocate(actor=world.org, room=other, cadre=world.a)


# --- the five small facilities ------------------------------------------------------------------


def test_missing_facilities_show_as_not_built_and_remote_townships_come_first(world, tree):
    living.facility_update(
        actor=world.org, unit=tree.township_a1, kind_code="canteen", state=FacilityState.IN_USE
    )

    matrix = living.facility_matrix(living.townships(world.org))

    assert [i.code for i in matrix.kinds] == ["canteen", "toilet", "bathhouse", "library", "sports"]
    assert [r.unit for r in matrix.rows] == [world.remote, tree.township_a1]
    states = {r.unit.name: [cell[3] for cell in r.cells] for r in matrix.rows}
    assert states["甲县一镇"] == ["in_use", "none", "none", "none", "none"]
    assert states["甲县二乡"] == ["none"] * 5
    assert matrix.counts["canteen"] == {
        **dict.fromkeys(FacilityState.values, 0),
        "in_use": 1,
        "none": 1,
    }


def test_facility_update_records_the_state_once_per_township_and_kind(world, tree):
    living.facility_update(
        actor=world.org, unit=world.remote, kind_code="bathhouse", state=FacilityState.BUILDING
    )
    facility = living.facility_update(
        actor=world.org,
        unit=world.remote,
        kind_code="bathhouse",
        state=FacilityState.IN_USE,
        note="已投入使用",
    )

    assert Facility.objects.filter(unit=world.remote).count() == 1
    assert (facility.state, facility.kind_label) == (FacilityState.IN_USE, "小澡堂")
    line = CareLog.objects.filter(subject="facility", subject_id=facility.pk).last()
    assert (line.from_status, line.to_status) == ("building", "in_use")


def test_facility_kind_outside_the_list_is_refused(world):
    with pytest.raises(ValidationError) as error:
        living.facility_update(
            actor=world.org, unit=world.remote, kind_code="pool", state=FacilityState.IN_USE
        )

    assert "kind_code" in error.value.message_dict


def test_facilities_of_townships_outside_jurisdiction_are_refused_and_absent(world, tree):
    with pytest.raises(ValidationError):
        living.facility_update(
            actor=world.org, unit=tree.township_b1, kind_code="canteen", state="in_use"
        )

    assert tree.township_b1 not in [
        r.unit for r in living.facility_matrix(living.townships(world.org)).rows
    ]

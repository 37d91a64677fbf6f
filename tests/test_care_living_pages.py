"""Turnover-housing and five-small-facilities pages, exports, API and admin, inside the
jurisdiction and in a constant number of queries."""

import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role, UnitKind, UnitLevel
from care import living
from care.choices import FacilityState, RoomStatus, WaitingStatus
from care.models import Facility, HousingApplication, HousingRoom
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=TZ)
D = datetime.date
HOUSING = reverse("care:housing")
WAITING = reverse("care:housing_waiting")
FACILITIES = reverse("care:facilities")
API = "/api/v1/care/"


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
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a")
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b")
    w = type(
        "World",
        (),
        {
            "remote": remote,
            "org": org,
            "org_b": org_b,
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_a"),
            "a": CadreFactory(
                name="赵一", unit=tree.township_a1, post_level=level("township_deputy")
            ),
            "a2": CadreFactory(
                name="钱二", unit=tree.township_a1, post_level=level("township_deputy")
            ),
        },
    )
    w.room_a = living.room_save(actor=org, unit=tree.township_a1, building="1号楼", number="101")
    w.room_b = living.room_save(actor=org_b, unit=tree.township_b1, building="1号楼", number="901")
    return w


def login(client, user):
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response, testid, attr):
    return [
        int(m)
        for m in re.findall(rf'data-testid="{testid}" {attr}="(\d+)"', response.content.decode())
    ]


def workbook_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


# --- housing ------------------------------------------------------------------------------------


def test_housing_lists_rooms_in_jurisdiction_with_occupants(client, world):
    living.housing_allocate(actor=world.org, room=world.room_a, cadre=world.a)

    response = login(client, world.org).get(HOUSING)

    assert ids(response, "room-row", "data-room") == [world.room_a.pk]
    assert "赵一" in response.content.decode()


def test_housing_queries_do_not_grow(client, world, tree, django_assert_max_num_queries):
    for n in range(20):
        living.room_save(actor=world.org, unit=tree.township_a1, building="2号楼", number=str(n))
    login(client, world.org)

    with django_assert_max_num_queries(10):
        response = client.get(HOUSING)

    assert len(ids(response, "room-row", "data-room")) == 21


def test_housing_export(client, world):
    living.housing_allocate(actor=world.org, room=world.room_a, cadre=world.a)

    rows = workbook_rows(login(client, world.org).get(reverse("care:housing_export")))

    assert rows[1][:3] == ("甲县一镇", "1号楼", "101")
    assert rows[1][5] == "赵一"
    assert len(rows) == 2


def test_room_outside_jurisdiction_is_not_found(client, world):
    login(client, world.org)

    assert client.get(reverse("care:housing_room", args=[world.room_b.pk])).status_code == 404
    url = reverse("care:housing_allocate", args=[world.room_b.pk])
    assert client.post(url, {"cadre": world.a.pk, "start_on": "2025-11-20"}).status_code == 404


def test_allocate_and_move_out_on_the_room_page(client, world):
    login(client, world.org)
    page = client.get(reverse("care:housing_room", args=[world.room_a.pk]))
    assert "data-confirm" in page.content.decode()

    client.post(
        reverse("care:housing_allocate", args=[world.room_a.pk]),
        {"cadre": world.a.pk, "start_on": "2025-11-01"},
    )
    world.room_a.refresh_from_db()
    assert world.room_a.status == RoomStatus.OCCUPIED
    allocation = world.room_a.allocations.get()

    client.post(reverse("care:housing_move_out", args=[allocation.pk]), {"end_on": "2025-11-20"})
    world.room_a.refresh_from_db()
    assert world.room_a.status == RoomStatus.VACANT


def test_allocating_an_occupied_room_shows_the_error(client, world):
    living.housing_allocate(actor=world.org, room=world.room_a, cadre=world.a)

    response = login(client, world.org).post(
        reverse("care:housing_allocate", args=[world.room_a.pk]),
        {"cadre": world.a2.pk, "start_on": "2025-11-20"},
    )

    assert response.status_code == 400
    assert "不能分配" in response.content.decode()


def test_waiting_page_shows_queue_positions_and_withdraws(client, world, tree):
    late = living.housing_apply(
        actor=world.org,
        cadre=world.a,
        unit=tree.township_a1,
        reason="外地",
        applied_on=D(2025, 9, 1),
    )
    early = living.housing_apply(
        actor=world.org,
        cadre=world.a2,
        unit=tree.township_a1,
        reason="外地",
        applied_on=D(2025, 8, 1),
    )
    login(client, world.org)

    body = client.get(WAITING).content.decode()
    order = re.findall(r'data-application="(\d+)">\s*<td data-testid="position">(\d+)', body)
    assert order == [(str(early.pk), "1"), (str(late.pk), "2")]

    client.post(reverse("care:housing_withdraw", args=[early.pk]))
    early.refresh_from_db()
    assert early.status == WaitingStatus.WITHDRAWN


def test_apply_form_puts_the_cadre_on_the_waiting_list(client, world, tree):
    response = login(client, world.org).post(
        reverse("care:housing_apply"),
        {
            "cadre": world.a.pk,
            "unit": tree.township_a1.pk,
            "applied_on": "2025-11-01",
            "reason": "外地",
        },
    )

    assert response.status_code == 302
    assert HousingApplication.objects.get().cadre == world.a


def test_read_only_role_cannot_add_rooms(client, world):
    assert login(client, world.auditor).get(reverse("care:housing_room_new")).status_code == 403
    assert login(client, world.inspector).get(HOUSING).status_code == 403


# --- facilities ---------------------------------------------------------------------------------


def test_facility_matrix_page(client, world, tree):
    living.facility_update(
        actor=world.org, unit=world.remote, kind_code="canteen", state=FacilityState.IN_USE
    )

    response = login(client, world.org).get(FACILITIES)

    body = response.content.decode()
    assert ids(response, "township-row", "data-unit") == [world.remote.pk, tree.township_a1.pk]
    assert body.count('data-state="none"') == 9
    assert body.count('data-state="in_use"') == 1
    assert "未建" in body and 'data-testid="remote"' in body


def test_facility_matrix_remote_only(client, world, tree):
    response = login(client, world.org).get(FACILITIES + "?remote=1")

    assert ids(response, "township-row", "data-unit") == [world.remote.pk]


def test_facility_matrix_queries_do_not_grow(client, world, tree, django_assert_max_num_queries):
    for n in range(15):
        unit = UnitFactory(
            name=f"甲县乡{n}",
            kind=UnitKind.TOWNSHIP,
            level=UnitLevel.TOWNSHIP,
            parent=tree.county_a,
        )
        living.facility_update(actor=world.org, unit=unit, kind_code="toilet", state="planned")
    login(client, world.org)

    with django_assert_max_num_queries(12):
        response = client.get(FACILITIES)

    assert len(ids(response, "township-row", "data-unit")) == 17


def test_facility_export(client, world, tree):
    living.facility_update(
        actor=world.org, unit=tree.township_a1, kind_code="library", state="needs_repair"
    )

    rows = workbook_rows(login(client, world.org).get(reverse("care:facilities_export")))

    assert rows[0][:4] == ("乡镇", "偏远乡镇", "困难地区", "小食堂")
    assert rows[1][:2] == ("甲县二乡", "是")
    assert rows[2][0] == "甲县一镇" and rows[2][6] == "需维修改造"


def test_facility_edit_form(client, world, tree):
    url = reverse("care:facility_edit", args=[tree.township_a1.pk, "sports"])

    response = login(client, world.org).post(
        url, {"state": "building", "updated_on": "2025-11-20", "note": "在建"}
    )

    assert response.status_code == 302
    assert Facility.objects.get(unit=tree.township_a1).state == FacilityState.BUILDING


def test_facility_edit_outside_jurisdiction_is_not_found(client, world, tree):
    url = reverse("care:facility_edit", args=[tree.township_b1.pk, "sports"])

    assert login(client, world.org).get(url).status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_api_rooms_allocate_move_out(world, tree):
    client = api(world.org)

    created = client.post(
        f"{API}housing-rooms/",
        {"unit": tree.township_a1.pk, "building": "3号楼", "number": "301"},
        format="json",
    ).json()
    allocated = client.post(
        f"{API}housing-rooms/{created['id']}/allocate/", {"cadre": world.a.pk}, format="json"
    )
    again = client.post(
        f"{API}housing-rooms/{created['id']}/allocate/", {"cadre": world.a2.pk}, format="json"
    )
    moved = client.post(f"{API}housing-allocations/{allocated.json()['id']}/move-out/", {})
    twice = client.post(f"{API}housing-allocations/{allocated.json()['id']}/move-out/", {})

    assert allocated.status_code == 201
    assert again.status_code == 400 and "room" in again.json()
    assert moved.status_code == 200 and moved.json()["end_on"] == "2025-11-20"
    assert twice.status_code == 409
    assert HousingRoom.objects.get(pk=created["id"]).status == RoomStatus.VACANT


def test_api_rooms_in_jurisdiction_only(world):
    rooms = api(world.org).get(f"{API}housing-rooms/").json()["results"]

    assert [r["id"] for r in rooms] == [world.room_a.pk]
    assert api(world.org).get(f"{API}housing-rooms/{world.room_b.pk}/").status_code == 404


def test_api_read_only_role_cannot_write(world, tree):
    client = api(world.auditor)

    assert (
        client.post(
            f"{API}housing-rooms/",
            {"unit": tree.township_a1.pk, "building": "3", "number": "1"},
            format="json",
        ).status_code
        == 403
    )
    url = f"{API}housing-rooms/{world.room_a.pk}/allocate/"
    assert client.post(url, {"cadre": world.a.pk}, format="json").status_code == 403


def test_api_waiting_list_positions_and_withdraw(world, tree):
    client = api(world.org)
    for cadre, day in ((world.a, "2025-09-01"), (world.a2, "2025-08-01")):
        client.post(
            f"{API}housing-waiting/",
            {"cadre": cadre.pk, "unit": tree.township_a1.pk, "reason": "外地", "applied_on": day},
            format="json",
        )

    listed = client.get(f"{API}housing-waiting/?status=waiting").json()["results"]
    positions = {r["cadre_name"]: r["position"] for r in listed}
    first = next(r for r in listed if r["position"] == 1)
    withdrawn = client.post(f"{API}housing-waiting/{first['id']}/withdraw/")

    assert positions == {"钱二": 1, "赵一": 2}
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_api_facilities_update_and_matrix(world, tree):
    client = api(world.org)

    created = client.post(
        f"{API}facilities/",
        {"unit": world.remote.pk, "kind_code": "toilet", "state": "in_use"},
        format="json",
    )
    matrix = client.get(f"{API}facilities/matrix/").json()

    assert created.status_code == 201
    assert [t["unit_name"] for t in matrix["townships"]] == ["甲县二乡", "甲县一镇"]
    assert matrix["townships"][0]["states"]["toilet"] == "in_use"
    assert matrix["townships"][1]["states"]["toilet"] == "none"
    assert matrix["counts"]["toilet"]["in_use"] == 1


def test_api_room_list_queries_are_constant(world, tree, django_assert_max_num_queries):
    for n in range(20):
        living.room_save(actor=world.org, unit=tree.township_a1, building="5号楼", number=str(n))

    with django_assert_max_num_queries(5):
        response = api(world.org).get(f"{API}housing-rooms/")

    assert len(response.json()["results"]) == 21


def test_admin_rooms_restricted_and_read_only(client, world, make_user, tree):
    from django.contrib.auth.models import Permission

    staff = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_admin", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="housingroom"))

    response = login(client, staff).get(reverse("admin:care_housingroom_changelist"))

    body = response.content.decode()
    assert "101" in body and "901" not in body
    assert client.get(reverse("admin:care_housingroom_add")).status_code == 403


def test_every_living_page_renders(client, world, tree):
    living.housing_allocate(actor=world.org, room=world.room_a, cadre=world.a)
    vacant = living.room_save(actor=world.org, unit=world.remote, building="1", number="1")
    login(client, world.org)
    urls = [
        HOUSING + f"?unit={tree.township_a1.pk}&status=occupied",
        HOUSING + f"?cadre={world.a2.pk}",
        reverse("care:housing_room", args=[world.room_a.pk]),
        reverse("care:housing_room", args=[vacant.pk]) + f"?cadre={world.a2.pk}",
        reverse("care:housing_room_new"),
        reverse("care:housing_room_edit", args=[vacant.pk]),
        WAITING + "?status=allocated",
        reverse("care:housing_apply"),
        FACILITIES + f"?unit={tree.township_a1.pk}",
        reverse("care:facility_edit", args=[world.remote.pk, "canteen"]),
    ]

    for url in urls:
        assert client.get(url).status_code == 200, url


def test_room_status_form_puts_a_room_under_repair(client, world):
    url = reverse("care:housing_room_status", args=[world.room_a.pk])

    login(client, world.org).post(url, {"status": "repair"})

    world.room_a.refresh_from_db()
    assert world.room_a.status == RoomStatus.REPAIR

"""Leave pages, export, API and admin: the overview per cadre of the jurisdiction, the leaders'
view, a cadre's own figures, the forms, all inside the jurisdiction, in a constant number of
queries."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role
from care import leave
from care.choices import LeaveKind
from care.models import LeaveRecord
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=TZ)
D = datetime.date
OVERVIEW = reverse("care:leave_overview")
LEADERS = reverse("care:leave_leaders")
EXPORT = reverse("care:leave_export")
RECORD = reverse("care:leave_record")
PLAN = reverse("care:leave_plan")
API = "/api/v1/care/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(tree, make_user):
    a = CadreFactory(
        name="赵一",
        unit=tree.township_a1,
        work_since=D(2010, 3, 1),
        post_level=level("township_deputy"),
    )
    head = CadreFactory(
        name="钱镇长",
        unit=tree.township_a1,
        work_since=D(2000, 3, 1),
        post_level=level("township_chief"),
    )
    b = CadreFactory(
        name="孙乙",
        unit=tree.township_b1,
        work_since=D(2010, 3, 1),
        post_level=level("township_deputy"),
    )
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a")
    return type(
        "World",
        (),
        {
            "a": a,
            "head": head,
            "b": b,
            "org": org,
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_a"),
            "cadre_user": make_user(Role.CADRE, unit=tree.township_a1, username="gb", cadre=a),
        },
    )


def login(client, user):
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def row_ids(response, testid="leave-row", attr="data-cadre"):
    import re

    return [
        int(m)
        for m in re.findall(rf'data-testid="{testid}" {attr}="(\d+)"', response.content.decode())
    ]


def test_overview_lists_cadres_in_jurisdiction_with_their_figures(client, world):
    leave.leave_plan_save(actor=world.org, cadre=world.a, year=2025, planned_days=6)
    leave.leave_record(
        actor=world.org,
        cadre=world.a,
        kind=LeaveKind.ANNUAL,
        start_on=D(2025, 5, 12),
        end_on=D(2025, 5, 14),
    )

    response = login(client, world.org).get(OVERVIEW)

    assert response.status_code == 200
    assert set(row_ids(response)) == {world.a.pk, world.head.pk}
    body = response.content.decode()
    assert "赵一" in body and "孙乙" not in body


def test_overview_leaders_filter_and_without_plan_filter(client, world):
    leave.leave_plan_save(actor=world.org, cadre=world.head, year=2025, planned_days=6)
    login(client, world.org)

    assert row_ids(client.get(OVERVIEW + "?leaders=1")) == [world.head.pk]
    assert row_ids(client.get(OVERVIEW + "?without_plan=1")) == [world.a.pk]


def test_overview_unit_filter_outside_jurisdiction_is_not_found(client, world, tree):
    response = login(client, world.org).get(OVERVIEW + f"?unit={tree.county_b.pk}")

    assert response.status_code == 404


def test_overview_queries_do_not_grow_with_cadres(
    client, world, tree, django_assert_max_num_queries
):
    for n in range(25):
        cadre = CadreFactory(unit=tree.township_a1, work_since=D(2000 + n % 20, 1, 1))
        leave.overtime_record(
            actor=world.org, cadre=cadre, worked_on=D(2025, 3, 8), days="1", reason="值守"
        )
    login(client, world.org)

    with django_assert_max_num_queries(12):
        response = client.get(OVERVIEW)

    assert len(row_ids(response)) == 27


def test_leaders_page_shows_usage_rate(client, world):
    leave.leave_record(
        actor=world.org,
        cadre=world.head,
        kind=LeaveKind.ANNUAL,
        start_on=D(2025, 5, 12),
        end_on=D(2025, 5, 14),
    )

    response = login(client, world.org).get(LEADERS)

    body = response.content.decode()
    assert row_ids(response, "leader-row") == [world.head.pk]
    assert "20.0%" in body  # 3 of 15 days
    assert "乡科级正职" in body


def test_export_has_the_filtered_rows(client, world):
    response = login(client, world.org).get(EXPORT + "?leaders=1")

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    assert [r[0] for r in rows[1:]] == ["钱镇长"]
    assert rows[1][5] == 15


def test_cadre_user_sees_own_figures_only(client, world):
    response = login(client, world.cadre_user).get(OVERVIEW)

    body = response.content.decode()
    assert response.status_code == 200
    assert "赵一" in body and "钱镇长" not in body
    assert 'data-testid="entitlement">10<' in body


def test_cadre_page_out_of_jurisdiction_is_not_found(client, world):
    login(client, world.org)

    assert client.get(reverse("care:leave_cadre", args=[world.b.pk])).status_code == 404
    assert client.get(reverse("care:leave_cadre", args=[world.a.pk])).status_code == 200


def test_discipline_inspector_cannot_read_leave(client, world):
    assert login(client, world.inspector).get(OVERVIEW).status_code == 403


def test_record_form_shows_the_service_error_on_the_field(client, world):
    login(client, world.org)
    data = {"cadre": world.a.pk, "kind": "annual", "start_on": "2025-06-02", "end_on": "2025-06-30"}

    response = client.post(RECORD, data)

    assert response.status_code == 400
    assert "超出2025年剩余年休假天数" in response.content.decode()
    assert not LeaveRecord.objects.exists()


def test_plan_form_saves_and_redirects_to_the_cadre(client, world):
    login(client, world.org)

    response = client.post(PLAN, {"cadre": world.a.pk, "year": 2025, "planned_days": 5})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("care:leave_cadre", args=[world.a.pk]))


def test_read_only_role_gets_403_on_forms(client, world):
    assert login(client, world.auditor).get(PLAN).status_code == 403


# --- API ----------------------------------------------------------------------------------------


def test_api_records_leave_and_refuses_over_entitlement(world):
    client = api(world.org)
    data = {"cadre": world.a.pk, "kind": "annual", "start_on": "2025-05-12", "end_on": "2025-05-16"}

    created = client.post(API + "leave-records/", data, format="json")
    refused = client.post(
        API + "leave-records/",
        {**data, "start_on": "2025-06-02", "end_on": "2025-06-13"},
        format="json",
    )

    assert created.status_code == 201 and created.json()["days"] == "5.0"
    assert refused.status_code == 400 and "end_on" in refused.json()


def test_api_writes_need_a_write_role(world):
    data = {"cadre": world.a.pk, "year": 2025, "planned_days": 3}

    assert api(world.auditor).post(API + "leave-plans/", data, format="json").status_code == 403


def test_api_cadre_outside_jurisdiction_is_not_found(world):
    data = {"cadre": world.b.pk, "year": 2025, "planned_days": 3}

    response = api(world.org).post(API + "leave-plans/", data, format="json")

    assert response.status_code == 400 and "cadre" in response.json()


def test_api_overview_and_leaders(world):
    leave.overtime_record(
        actor=world.org, cadre=world.a, worked_on=D(2025, 3, 8), days="1", reason="值守"
    )

    everyone = api(world.org).get(API + "leave-overview/?year=2025").json()["results"]
    leaders = api(world.org).get(API + "leave-overview/?leaders=true").json()["results"]

    by_name = {r["cadre_name"]: r for r in everyone}
    assert set(by_name) == {"赵一", "钱镇长"}
    assert by_name["赵一"]["overtime_balance"] == "1.0"
    assert [r["cadre_name"] for r in leaders] == ["钱镇长"]


def test_api_cadre_reads_own_plans_only(world):
    leave.leave_plan_save(actor=world.org, cadre=world.a, year=2025, planned_days=3)
    leave.leave_plan_save(actor=world.org, cadre=world.head, year=2025, planned_days=3)

    results = api(world.cadre_user).get(API + "leave-plans/").json()["results"]

    assert [r["cadre"] for r in results] == [world.a.pk]


def test_api_list_queries_are_constant(world, tree, django_assert_max_num_queries):
    for n in range(20):
        leave.overtime_record(
            actor=world.org,
            cadre=CadreFactory(unit=tree.township_a1),
            worked_on=D(2025, 3, 8),
            days="1",
            reason=f"值守{n}",
        )
    client = api(world.org)

    with django_assert_max_num_queries(6):
        response = client.get(API + "overtime-records/")

    assert len(response.json()["results"]) == 20


def test_admin_lists_only_rows_in_jurisdiction(client, world, make_user, tree):
    leave.leave_plan_save(actor=world.org, cadre=world.a, year=2025, planned_days=3)
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b", is_staff=True)
    leave.leave_plan_save(actor=org_b, cadre=world.b, year=2025, planned_days=3)
    from django.contrib.auth.models import Permission

    org_b.user_permissions.add(Permission.objects.get(codename="view_leaveplan"))

    response = login(client, org_b).get(reverse("admin:care_leaveplan_changelist"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "孙乙" in body and "赵一" not in body


def test_every_leave_page_renders_for_staff(client, world):
    leave.leave_plan_save(actor=world.org, cadre=world.a, year=2025, planned_days=3)
    login(client, world.org)
    urls = [
        OVERVIEW,
        OVERVIEW + "?year=2024&name=赵",
        LEADERS + "?year=2026",
        PLAN + f"?cadre={world.a.pk}",
        RECORD,
        reverse("care:leave_overtime"),
        reverse("care:leave_cadre", args=[world.head.pk]) + "?year=2025",
    ]

    for url in urls:
        assert client.get(url).status_code == 200, url


def test_api_overview_for_a_cadre_is_their_own_row(world):
    results = api(world.cadre_user).get(API + "leave-overview/").json()["results"]

    assert [r["cadre_name"] for r in results] == ["赵一"]
    assert results[0]["entitlement"] == 10

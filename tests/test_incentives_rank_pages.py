"""Pages and API of rank promotion (职级晋升, F 10, F 7): the jurisdiction's list of everyone
eligible now with its filters, pagination and Excel export; one cadre's check with every
reason; out-of-jurisdiction cadres absent or not found; constant query counts."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.choices import Grade
from assessment.models import AnnualGrade, AssessmentCycle
from cadre.choices import Role
from cadre.models import Rank
from cadre.selectors import policy_list_for
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
LIST = reverse("incentives:rank_eligible")
EXPORT = reverse("incentives:rank_eligible_export")
API = "/api/v1/incentives/rank-eligibility/"


def detail(cadre):
    return reverse("incentives:rank_cadre", args=[cadre.pk])


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(tree, make_user):
    class People:
        org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_rank")
        auditor = make_user(Role.AUDITOR, unit=tree.county_a, username="sj_rank")
        org_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb_rank")
        cadre_user = make_user(Role.CADRE, unit=tree.county_a, username="gb_rank")

    return People


def civil_servant(unit, name, rank_code="principal_clerk_3", since=datetime.date(2024, 1, 1)):
    return CadreFactory(
        unit=unit,
        name=name,
        post="科员",
        rank=Rank.objects.get(code=rank_code),
        rank_since=since,
    )


def grade(cadre, year, value):
    cycle, _created = AssessmentCycle.objects.get_or_create(
        year=year,
        unit=cadre.unit.parent or cadre.unit,
        defaults={
            "title": f"{year}年度考核",
            "status": "closed",
            "quota_list": policy_list_for("assessment.grade_quotas", None),
            "blockers_list": policy_list_for("assessment.excellence_blockers", None),
        },
    )
    AnnualGrade.objects.create(
        cycle=cycle, cadre=cadre, unit=cadre.unit, grade=value, responsibility="担当作为情况"
    )


@pytest.fixture
def scene(tree):
    eligible = civil_servant(tree.township_a1, "张可晋")
    excellent = civil_servant(
        tree.dept_a, "李优秀", rank_code="clerk_1", since=datetime.date(2022, 1, 1)
    )
    for year in (2023, 2024, 2025):
        grade(excellent, year, Grade.EXCELLENT)
    short = civil_servant(tree.township_a1, "王未满", since=datetime.date(2025, 3, 1))
    outside = civil_servant(tree.township_b1, "赵乙县")
    return type(
        "Scene",
        (),
        {"eligible": eligible, "excellent": excellent, "short": short, "outside": outside},
    )


def names(response):
    html = response.content.decode()
    return [name for name in ("张可晋", "李优秀", "王未满", "赵乙县") if f">{name}</a>" in html]


def export_names(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [row[0] for row in list(sheet.iter_rows(values_only=True))[1:]]


def as_user(client, user):
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_eligible_in_jurisdiction_priority_first(client, people, scene):
    response = as_user(client, people.org).get(LIST)

    assert response.status_code == 200
    assert set(names(response)) == {"张可晋", "李优秀"}
    html = response.content.decode()
    assert html.index("李优秀") < html.index("张可晋")  # 连续3年优秀: priority first
    assert "连续3年优秀，优先晋升" in html
    assert 'class="active" aria-current="page">职级晋升' in html
    assert "二级主任科员" in html and "四级主任科员" in html


def test_list_filters_by_unit_target_priority_and_name(client, tree, people, scene):
    client = as_user(client, people.org)

    assert names(client.get(LIST, {"unit": tree.dept_a.pk})) == ["李优秀"]
    assert names(client.get(LIST, {"target": "principal_clerk_2"})) == ["张可晋"]
    assert names(client.get(LIST, {"priority": "true"})) == ["李优秀"]
    assert names(client.get(LIST, {"q": "张可"})) == ["张可晋"]


def test_list_empty_state(client, people, scene):
    response = as_user(client, people.org).get(LIST, {"q": "无此人"})

    assert 'data-testid="empty"' in response.content.decode()
    assert "没有符合条件的人员" in response.content.decode()


def test_out_of_jurisdiction_cadres_are_absent_and_not_found(client, people, scene):
    client = as_user(client, people.org)

    assert "赵乙县" not in client.get(LIST).content.decode()
    assert client.get(detail(scene.outside)).status_code == 404
    assert "赵乙县" not in export_names(client.get(EXPORT))
    assert api(people.org).get(f"{API}{scene.outside.pk}/").status_code == 404
    assert scene.outside.pk not in {
        r["cadre_id"] for r in api(people.org).get(API).json()["results"]
    }
    assert names(as_user(client, people.org_b).get(LIST)) == ["赵乙县"]


def test_read_only_role_may_view_and_a_cadre_may_not(client, people, scene):
    assert as_user(client, people.auditor).get(LIST).status_code == 200
    assert as_user(client, people.auditor).get(detail(scene.eligible)).status_code == 200
    assert as_user(client, people.cadre_user).get(LIST).status_code == 403
    assert api(people.cadre_user).get(API).status_code == 403


def test_list_paginates_in_constant_queries(client, tree, people, django_assert_max_num_queries):
    for n in range(55):
        cadre = civil_servant(tree.township_a1, f"批量{n:02d}")
        grade(cadre, 2025, Grade.COMPETENT)
    client = as_user(client, people.org)

    # 17: the rules read each chunk of candidates' facts in a constant number of queries,
    # then one more query loads the full records of the page's rows (names, units, posts).
    with django_assert_max_num_queries(17):
        response = client.get(LIST)

    html = response.content.decode()
    assert html.count('data-testid="rank-row"') == 50
    assert "共 55 条" in html
    assert client.get(LIST, {"page": 2}).content.decode().count('data-testid="rank-row"') == 5


# --- export ---------------------------------------------------------------------------------------


def test_export_has_the_filtered_rows_with_reasons(client, people, scene):
    response = as_user(client, people.org).get(EXPORT)

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "姓名",
        "单位",
        "现任职务",
        "现任职级",
        "任现职级时间",
        "计算任职年限",
        "可晋升职级",
    )
    assert [r[0] for r in rows[1:]] == ["李优秀", "张可晋"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["张可晋"][6] == "二级主任科员"
    assert by_name["张可晋"][5] == "2年5个月"
    assert by_name["李优秀"][7] == "是"
    assert "任三级主任科员已满2年" in by_name["张可晋"][8]


def test_export_follows_the_filters(client, tree, people, scene):
    response = as_user(client, people.org).get(EXPORT, {"unit": tree.township_a1.pk})

    assert export_names(response) == ["张可晋"]


# --- one cadre -----------------------------------------------------------------------------------


def test_cadre_page_shows_every_reason(client, people, scene):
    response = as_user(client, people.org).get(detail(scene.short))

    assert response.status_code == 200
    html = response.content.decode()
    assert "暂不符合职级晋升条件" in html
    assert "任三级主任科员未满2年（计算任职年限1年3个月）" in html
    for code in (
        "applicable",
        "rank_recorded",
        "next_rank",
        "min_years",
        "blocking_grades",
        "holds",
        "restriction",
        "excellent_priority",
    ):
        assert f'data-code="{code}"' in html


def test_cadre_page_checks_on_another_date(client, people, scene):
    response = as_user(client, people.org).get(detail(scene.short), {"on": "2027-03-01"})

    assert "符合职级晋升条件" in response.content.decode()
    assert "暂不符合" not in response.content.decode()


def test_cadre_page_of_an_eligible_priority_cadre(client, people, scene):
    html = as_user(client, people.org).get(detail(scene.excellent)).content.decode()

    assert "符合职级晋升条件" in html and "同等条件下优先晋升职级" in html


# --- API ------------------------------------------------------------------------------------------


def test_api_list_is_scoped_filtered_and_constant(
    tree, people, scene, django_assert_max_num_queries
):
    client = api(people.org)

    with django_assert_max_num_queries(14):
        response = client.get(API)

    assert response.status_code == 200
    body = response.json()
    assert [r["cadre_name"] for r in body["results"]] == ["李优秀", "张可晋"]
    first = body["results"][0]
    assert first["priority"] and first["next_rank"] == "principal_clerk_4"
    assert {r["code"] for r in first["reasons"]} >= {"min_years", "holds", "excellent_priority"}
    assert [
        r["cadre_name"] for r in client.get(API, {"target": "principal_clerk_2"}).json()["results"]
    ] == ["张可晋"]
    assert client.get(API, {"unit": "x"}).status_code == 400


def test_api_list_queries_do_not_grow_with_rows(tree, people, django_assert_max_num_queries):
    for n in range(30):
        cadre = civil_servant(tree.township_a1, f"接口{n:02d}")
        grade(cadre, 2025, Grade.EXCELLENT)

    client = api(people.org)

    with django_assert_max_num_queries(14):
        response = client.get(API, {"page_size": 20})

    assert len(response.json()["results"]) == 20
    assert response.json()["count"] == 30


def test_api_detail_gives_the_reasons(people, scene):
    response = api(people.auditor).get(f"{API}{scene.short.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is False and body["applicable"] is True
    years = next(r for r in body["reasons"] if r["code"] == "min_years")
    assert years["passed"] is False
    assert years["text"] == "任三级主任科员未满2年（计算任职年限1年3个月）"
    assert (
        api(people.auditor).get(f"{API}{scene.short.pk}/", {"on": "2027-03-01"}).json()["eligible"]
    )


def test_api_is_in_the_schema(people):
    response = api(people.org).get("/api/schema/")

    assert b"/api/v1/incentives/rank-eligibility/" in response.content
    assert b"/api/v1/incentives/rank-eligibility/{cadre_id}/" in response.content

"""The REST API of the annual assessment (DOMAIN §2; F 5, F 7): opening a cycle, grading a unit
in one request under the 优秀 quota (400 with the message, nothing saved), the raised ratio,
accountability that rules out 优秀 unless a tolerance case exempted the cadre, closing and
feeding back, what a cadre sees, jurisdiction (404), role limits (403) and query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessment import services
from assessment.choices import CycleStatus, Grade
from assessment.models import AnnualGrade, AssessmentCycle, TeamAssessment, UnitQuota
from cadre.choices import Role
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

YEAR = 2025
CYCLES = "/api/v1/assessment/cycles/"
GRADES = "/api/v1/assessment/grades/"


@pytest.fixture
def api():
    """An API client signed in as the given user."""

    def _login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def township(tree):
    """Twelve serving cadres in township A1: 20% gives two 优秀 places (2.4 rounded down), the
    raised 25% gives three."""
    return [CadreFactory(unit=tree.township_a1, name=f"镇干部{i:02d}") for i in range(12)]


@pytest.fixture
def cycle(staff, tree):
    return services.cycle_open(actor=staff.organisation, unit=tree.county_a, year=YEAR)


def cycle_url(cycle, suffix=""):
    return f"{CYCLES}{cycle.pk}/{suffix}"


def rows(cadres, grade=Grade.COMPETENT):
    return [
        {"cadre": c.pk, "grade": grade, "responsibility": "攻坚克难，主动担当", "comments": ""}
        for c in cadres
    ]


def post_grades(client, cycle, unit, excellent, competent):
    return client.post(
        cycle_url(cycle, "grades/"),
        {"unit": unit.pk, "rows": rows(excellent, Grade.EXCELLENT) + rows(competent)},
        format="json",
    )


def held_to_account(inspector, unit, cadre, *, consider_tolerance=False):
    return tolerance_services.accountability_matter_open(
        actor=inspector,
        handling_unit=unit,
        accountable_body="discipline",
        title="项目推进不力",
        matter_category="project",
        occurred_on=datetime.date(YEAR, 3, 1),
        opened_on=datetime.date(YEAR, 4, 1),
        cadres=[cadre],
        consider_tolerance=consider_tolerance,
    )


# --- opening ----------------------------------------------------------------------------------


def test_organisation_opens_a_cycle_and_finds_it_in_list_and_detail(api, staff, tree):
    client = api(staff.organisation)

    response = client.post(CYCLES, {"unit": tree.county_a.pk, "year": YEAR}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == CycleStatus.OPEN
    assert body["status_label"] == "评定中"
    assert "甲县" in body["title"]
    assert "受到诫勉" in body["blockers"]
    assert body["quotas"] == []
    listed = client.get(CYCLES).json()["results"]
    assert [c["id"] for c in listed] == [body["id"]]
    assert client.get(f"{CYCLES}{body['id']}/").json()["year"] == YEAR


def test_opening_with_bad_input_answers_field_errors_and_opens_nothing(api, staff, tree, cycle):
    client = api(staff.organisation)

    too_early = client.post(CYCLES, {"unit": tree.county_a.pk, "year": 1990}, format="json")
    other_county = client.post(CYCLES, {"unit": tree.county_b.pk, "year": YEAR}, format="json")
    twice = client.post(CYCLES, {"unit": tree.county_a.pk, "year": YEAR}, format="json")

    assert too_early.status_code == 400 and "year" in too_early.json()
    assert other_county.status_code == 400 and "unit" in other_county.json()
    assert twice.status_code == 400
    assert twice.json()["year"] == ["该单位本年度的年度考核已经建立"]
    assert AssessmentCycle.objects.count() == 1


# --- grading a unit under the quota -----------------------------------------------------------


def test_a_unit_is_graded_in_one_request_exactly_at_the_quota(api, staff, tree, cycle, township):
    client = api(staff.organisation)

    response = post_grades(client, cycle, tree.township_a1, township[:2], township[2:])

    assert response.status_code == 200, response.content
    assert len(response.json()) == 12
    assert AnnualGrade.objects.filter(cycle=cycle, grade=Grade.EXCELLENT).count() == 2
    quota = client.get(cycle_url(cycle, "quota/"), {"unit": tree.township_a1.pk}).json()
    assert (quota["participants"], quota["cap"], quota["excellent"]) == (12, 2, 2)
    assert quota["remaining"] == 0


def test_one_over_the_quota_is_refused_with_the_message_and_nothing_is_saved(
    api, staff, tree, cycle, township
):
    response = post_grades(
        api(staff.organisation), cycle, tree.township_a1, township[:3], township[3:]
    )

    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert "名额为2人" in message and "超出1人" in message
    assert not AnnualGrade.objects.filter(cycle=cycle).exists()


def test_errors_of_a_row_are_keyed_by_the_cadre_and_nothing_is_saved(
    api, staff, tree, cycle, township
):
    good, bad_grade, no_text = township[:3]
    body = rows([good]) + [
        {"cadre": bad_grade.pk, "grade": "superb", "responsibility": "主动担当"},
        {"cadre": no_text.pk, "grade": Grade.COMPETENT, "responsibility": " "},
    ]

    shape = api(staff.organisation).post(
        cycle_url(cycle, "grades/"), {"unit": tree.township_a1.pk, "rows": body}, format="json"
    )
    del body[1]
    rule = api(staff.organisation).post(
        cycle_url(cycle, "grades/"), {"unit": tree.township_a1.pk, "rows": body}, format="json"
    )

    assert shape.status_code == 400
    assert set(shape.json()) == {str(bad_grade.pk)}
    assert shape.json()[str(bad_grade.pk)][0].startswith("考核等次")
    assert rule.status_code == 400
    assert rule.json() == {str(no_text.pk): ["请填写担当作为情况"]}
    assert not AnnualGrade.objects.exists()


def test_a_cadre_twice_in_one_request_is_an_error_under_their_id(api, staff, tree, cycle, township):
    response = api(staff.organisation).post(
        cycle_url(cycle, "grades/"),
        {"unit": tree.township_a1.pk, "rows": rows([township[0], township[0]])},
        format="json",
    )

    assert response.status_code == 400
    assert str(township[0].pk) in response.json()
    assert not AnnualGrade.objects.exists()


def test_a_raised_ratio_set_through_the_quotas_endpoint_allows_one_more(
    api, staff, tree, cycle, township
):
    client = api(staff.organisation)
    url = cycle_url(cycle, "quotas/")
    assert (
        post_grades(client, cycle, tree.township_a1, township[:3], township[3:]).status_code == 400
    )

    no_reason = client.post(url, {"unit": tree.township_a1.pk, "raised": True}, format="json")
    raised = client.post(
        url,
        {"unit": tree.township_a1.pk, "raised": True, "reason": "年度绩效考评全县第一"},
        format="json",
    )
    graded = post_grades(client, cycle, tree.township_a1, township[:3], township[3:])

    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert raised.status_code == 200, raised.content
    assert (raised.json()["raised"], raised.json()["cap"]) == (True, 3)
    assert raised.json()["raised_reason"] == "年度绩效考评全县第一"
    assert graded.status_code == 200, graded.content
    assert AnnualGrade.objects.filter(cycle=cycle, grade=Grade.EXCELLENT).count() == 3


def test_an_admonishment_in_the_year_rules_out_excellent(api, staff, tree, cycle, township):
    matter = held_to_account(staff.inspector, tree.county_a, township[0])
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=matter, form="admonish", decided_on=datetime.date(YEAR, 5, 1)
    )

    response = post_grades(
        api(staff.organisation), cycle, tree.township_a1, [township[0]], township[1:]
    )

    assert response.status_code == 400
    assert "诫勉" in response.json()[str(township[0].pk)][0]
    assert not AnnualGrade.objects.exists()


def test_a_cadre_exempted_by_the_tolerance_case_may_be_graded_excellent(
    api, staff, tree, cycle, township
):
    matter = held_to_account(staff.inspector, tree.county_a, township[0], consider_tolerance=True)
    case = matter.cases.get()
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    with pytest.raises(ValidationError):
        tolerance_services.accountability_matter_decide(
            actor=staff.inspector, matter=matter, form="admonish"
        )

    response = post_grades(
        api(staff.organisation), cycle, tree.township_a1, [township[0]], township[1:]
    )

    assert response.status_code == 200, response.content
    assert AnnualGrade.objects.get(cadre=township[0]).grade == Grade.EXCELLENT


def test_a_team_grade_is_saved_and_shown_on_the_cycle(api, staff, tree, cycle):
    client = api(staff.organisation)
    url = cycle_url(cycle, "teams/")

    missing = client.post(
        url, {"unit": tree.township_a1.pk, "grade": "good", "responsibility": ""}, format="json"
    )
    saved = client.post(
        url,
        {"unit": tree.township_a1.pk, "grade": "good", "responsibility": "班子团结，敢于担当"},
        format="json",
    )

    assert missing.status_code == 400 and "responsibility" in missing.json()
    assert saved.status_code == 200, saved.content
    teams = client.get(cycle_url(cycle)).json()["teams"]
    assert [(t["unit_name"], t["grade_label"]) for t in teams] == [("甲县一镇", "好")]


# --- closing and feedback ---------------------------------------------------------------------


def test_grades_are_fixed_when_closed_and_fed_back_after(api, staff, tree, cycle, township):
    client = api(staff.organisation)
    post_grades(client, cycle, tree.township_a1, township[:2], township[2:])

    early = client.post(cycle_url(cycle, "feed-back/"))
    closed = client.post(cycle_url(cycle, "close/"))
    regrade = post_grades(client, cycle, tree.township_a1, [], township[:2])
    fed_back = client.post(cycle_url(cycle, "feed-back/"))

    assert early.status_code == 400
    assert early.json()["non_field_errors"] == ["确定等次后才能反馈考核结果"]
    assert closed.status_code == 200 and closed.json()["status"] == CycleStatus.CLOSED
    assert regrade.status_code == 400
    assert AnnualGrade.objects.filter(cycle=cycle, grade=Grade.EXCELLENT).count() == 2
    assert fed_back.status_code == 200 and fed_back.json()["status"] == CycleStatus.FED_BACK


def test_a_cadre_sees_their_own_grade_only_once_fed_back(
    api, staff, tree, cycle, township, make_user
):
    me = make_user(Role.CADRE, unit=tree.township_a1, cadre=township[0])
    services.annual_grades_save(
        actor=staff.organisation, cycle=cycle, unit=tree.township_a1, rows=rows(township)
    )
    someone_else = AnnualGrade.objects.get(cadre=township[1])
    client = api(me)
    before = client.get(GRADES).json()["results"]

    services.cycle_close(actor=staff.organisation, cycle=cycle)
    services.cycle_feed_back(actor=staff.organisation, cycle=cycle)

    after = client.get(GRADES).json()["results"]
    assert before == []
    assert [(g["cadre_name"], g["grade_label"]) for g in after] == [("镇干部00", "称职")]
    assert client.get(f"{GRADES}{someone_else.pk}/").status_code == 404
    # The cycle shows the cadre no other unit's figures.
    assert client.get(cycle_url(cycle)).json()["quotas"] == []
    assert client.get(cycle_url(cycle, "quota/"), {"unit": tree.township_a1.pk}).status_code == 403


# --- jurisdiction and roles -------------------------------------------------------------------


def test_another_countys_officer_finds_nothing(api, staff, tree, cycle, township, make_user):
    services.annual_grades_save(
        actor=staff.organisation, cycle=cycle, unit=tree.township_a1, rows=rows(township[:1])
    )
    grade = AnnualGrade.objects.get()
    client = api(make_user(Role.ORGANISATION, unit=tree.county_b))

    assert client.get(CYCLES).json()["results"] == []
    assert client.get(GRADES).json()["results"] == []
    assert client.get(cycle_url(cycle)).status_code == 404
    assert client.get(f"{GRADES}{grade.pk}/").status_code == 404
    assert post_grades(client, cycle, tree.township_a1, [], township[1:2]).status_code == 404
    assert client.post(cycle_url(cycle, "close/")).status_code == 404
    assert AnnualGrade.objects.count() == 1
    assert AssessmentCycle.objects.get().status == CycleStatus.OPEN


def test_the_committee_reads_but_may_not_write(api, staff, tree, cycle, township):
    client = api(staff.committee)

    assert client.get(cycle_url(cycle)).status_code == 200
    assert client.post(CYCLES, {"unit": tree.county_a.pk, "year": YEAR - 1}).status_code == 403
    assert post_grades(client, cycle, tree.township_a1, [], township).status_code == 403
    quota = {"unit": tree.township_a1.pk, "raised": True, "reason": "排名第一"}
    assert client.post(cycle_url(cycle, "quotas/"), quota, format="json").status_code == 403
    assert client.post(cycle_url(cycle, "close/")).status_code == 403
    assert AssessmentCycle.objects.count() == 1
    assert not AnnualGrade.objects.exists() and not UnitQuota.objects.exists()
    assert AssessmentCycle.objects.get().status == CycleStatus.OPEN


def test_quota_of_a_unit_outside_the_cycle_is_a_field_error(api, staff, tree, make_user):
    city_org = make_user(Role.ORGANISATION, unit=tree.city)
    county_b_cycle = services.cycle_open(actor=city_org, unit=tree.county_b, year=YEAR)

    response = api(city_org).get(cycle_url(county_b_cycle, "quota/"), {"unit": tree.county_a.pk})

    assert response.status_code == 400 and "unit" in response.json()


# --- lists: filters, figures and query counts -------------------------------------------------


def test_grades_are_filtered_by_unit_subtree_grade_year_and_cadre(
    api, staff, tree, cycle, township
):
    dept = [CadreFactory(unit=tree.dept_a, name=f"局干部{i}") for i in range(5)]
    services.annual_grades_save(
        actor=staff.organisation,
        cycle=cycle,
        unit=tree.township_a1,
        rows=rows(township[:2], Grade.EXCELLENT) + rows(township[2:]),
    )
    services.annual_grades_save(
        actor=staff.organisation, cycle=cycle, unit=tree.dept_a, rows=rows(dept)
    )
    client = api(staff.organisation)

    def count(**params):
        return len(client.get(GRADES, {"page_size": 100, **params}).json()["results"])

    assert count() == 17
    assert count(unit=tree.dept_a.pk) == 5
    assert count(unit=tree.county_a.pk) == 17
    assert count(grade=Grade.EXCELLENT) == 2
    assert count(year=YEAR) == 17 and count(year=YEAR - 1) == 0
    assert count(cadre=dept[0].pk) == 1
    assert count(cycle=cycle.pk, unit=tree.township_a1.pk, grade=Grade.COMPETENT) == 10


def test_quota_figures_on_the_cycle_match_the_service(api, staff, tree, cycle, township):
    dept = [CadreFactory(unit=tree.dept_a) for _ in range(5)]
    services.unit_quota_set(
        actor=staff.organisation, cycle=cycle, unit=tree.township_a1, raised=True, reason="第一"
    )
    services.annual_grades_save(
        actor=staff.organisation,
        cycle=cycle,
        unit=tree.township_a1,
        rows=rows(township[:3], Grade.EXCELLENT) + rows(township[3:6]),
    )
    services.annual_grades_save(
        actor=staff.organisation, cycle=cycle, unit=tree.dept_a, rows=rows(dept[:1])
    )

    quotas = api(staff.organisation).get(cycle_url(cycle)).json()["quotas"]

    assert [q["unit_name"] for q in quotas] == ["甲县一镇", "甲县发改局"]
    for shown in quotas:
        unit = tree.township_a1 if shown["unit"] == tree.township_a1.pk else tree.dept_a
        expected = services.quota_status(cycle, unit)
        for key in ("raised", "participants", "graded", "cap", "excellent", "remaining"):
            assert shown[key] == expected[key], key
    assert quotas[0]["ratio"] == "0.2500" and quotas[1]["ratio"] == "0.2000"


def _grade_some(org, county, year, units):
    cycle = services.cycle_open(actor=org, unit=county, year=year)
    for unit in units:
        people = [CadreFactory(unit=unit) for _ in range(5)]
        services.annual_grades_save(
            actor=org,
            cycle=cycle,
            unit=unit,
            rows=rows(people[:1], Grade.EXCELLENT) + rows(people[1:]),
        )
    services.unit_quota_set(actor=org, cycle=cycle, unit=units[0], raised=True, reason="第一")
    return cycle


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_lists_run_a_constant_number_of_queries(api, staff, tree, django_assert_max_num_queries):
    client = api(staff.organisation)
    client.get(CYCLES)  # the first request of a session also writes the session
    _grade_some(staff.organisation, tree.county_a, YEAR - 2, [tree.township_a1])
    small = (_queries(client, CYCLES), _queries(client, GRADES))

    _grade_some(staff.organisation, tree.county_a, YEAR - 1, [tree.township_a1, tree.dept_a])
    _grade_some(staff.organisation, tree.county_a, YEAR, [tree.township_a1, tree.dept_a])
    large = (_queries(client, CYCLES), _queries(client, GRADES))

    assert [rows for _n, rows in small] == [1, 5] and [rows for _n, rows in large] == [3, 25]
    assert [n for n, _rows in small] == [n for n, _rows in large]
    with django_assert_max_num_queries(7):
        client.get(CYCLES)
    with django_assert_max_num_queries(3):
        client.get(GRADES)


# --- schema -----------------------------------------------------------------------------------


def test_schema_documents_the_assessment_api(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    assert "/api/v1/assessment/cycles/{id}/grades/" in schema
    assert "AssessmentGradeEnum" in schema and "AssessmentCycleStatusEnum" in schema


def test_browsable_api_pages_render(api, staff, cycle):
    client = api(staff.organisation)

    for url in [CYCLES, cycle_url(cycle), GRADES]:
        assert client.get(url, HTTP_ACCEPT="text/html").status_code == 200, url


def test_team_rows_are_kept_once_per_unit(api, staff, tree, cycle):
    client = api(staff.organisation)
    body = {"unit": tree.township_a1.pk, "grade": "good", "responsibility": "敢于担当"}

    client.post(cycle_url(cycle, "teams/"), body, format="json")
    client.post(cycle_url(cycle, "teams/"), {**body, "grade": "average"}, format="json")

    assert list(TeamAssessment.objects.values_list("grade", flat=True)) == ["average"]

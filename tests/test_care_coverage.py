"""Annual talk coverage (F 16: 市县乡党委主要负责人同班子成员和下一级班子主要负责人谈话每年至少1次):
who each city, county and township secretary must talk with, what covers a pair, the reminders
of the last quarter, the page, its export and the API — inside the user's jurisdiction, in a
constant number of queries."""

import datetime
import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import CadreStatus, PolicyStatus, Role, UnitKind, UnitLevel
from cadre.models import Notification, PolicyItem, PolicyList
from care import coverage as cov
from care.choices import KIND_COVERAGE_RULES, KIND_TALK_SETTINGS, TalkKind
from care.models import Talk
from care.tasks_coverage import remind_annual_coverage_task
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
JUNE = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=TZ)
PAGE = reverse("care:coverage")
EXPORT = reverse("care:coverage_export")
API = "/api/v1/care/coverage/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(JUNE, tick=False):
        yield


def person(unit, name, post, level_code=None, **kwargs):
    return CadreFactory(
        name=name,
        unit=unit,
        post=post,
        post_level=level(level_code) if level_code else None,
        **kwargs,
    )


@pytest.fixture
def region(tree):
    """The city with its 市委 and 市政府; county A with its 县委, 县政府 and two townships;
    county B with its 县委 — as the demonstration data builds them."""
    city_pc = UnitFactory(
        name="中共某市委", kind=UnitKind.PARTY_COMMITTEE, level=UnitLevel.CITY, parent=tree.city
    )
    city_gov = UnitFactory(
        name="某市人民政府", kind=UnitKind.GOVERNMENT, level=UnitLevel.CITY, parent=tree.city
    )
    a_pc = UnitFactory(name="中共甲县委员会", kind=UnitKind.PARTY_COMMITTEE, parent=tree.county_a)
    a_gov = UnitFactory(name="甲县人民政府", kind=UnitKind.GOVERNMENT, parent=tree.county_a)
    township_a2 = UnitFactory(
        name="甲县二乡", kind=UnitKind.TOWNSHIP, level=UnitLevel.TOWNSHIP, parent=tree.county_a
    )
    b_pc = UnitFactory(name="中共乙县委员会", kind=UnitKind.PARTY_COMMITTEE, parent=tree.county_b)
    p = SimpleNamespace(
        city_secretary=person(city_pc, "市委书记甲", "市委书记", "bureau_chief"),
        mayor=person(city_gov, "市长甲", "市长", "bureau_chief"),
        city_deputy=person(city_pc, "市委常委甲", "市委常委", "bureau_deputy"),
        city_clerk=person(city_pc, "市委科员", "科员"),
        a_secretary=person(a_pc, "县委书记甲", "县委书记", "county_chief"),
        a_head=person(a_gov, "县长甲", "县长", "county_chief"),
        a_deputy=person(a_gov, "副县长甲", "副县长", "county_deputy"),
        a_office=person(a_pc, "县委办副主任", "县委办公室副主任", "township_deputy"),
        a_dept_head=person(tree.dept_a, "发改局长", "局长", "township_chief"),
        t1_secretary=person(tree.township_a1, "一镇书记", "党委书记", "township_chief"),
        t1_head=person(tree.township_a1, "一镇镇长", "镇长", "township_chief"),
        t1_deputy=person(tree.township_a1, "一镇副镇长", "副镇长", "township_deputy"),
        t1_clerk=person(tree.township_a1, "一镇科员", "科员"),
        t2_secretary=person(township_a2, "二乡书记", "党委书记", "township_chief"),
        b_secretary=person(b_pc, "县委书记乙", "县委书记", "county_chief"),
    )
    p.units = SimpleNamespace(
        city_pc=city_pc, a_pc=a_pc, a_gov=a_gov, township_a2=township_a2, b_pc=b_pc
    )
    return p


def talk(talker, cadre, held_on=datetime.date(2026, 3, 1), kind=TalkKind.ANNUAL):
    return Talk.objects.create(
        cadre=cadre,
        talker_cadre=talker,
        talker_name=talker.name,
        kind=kind,
        held_on=held_on,
        summary="谈心谈话",
    )


def row_of(rows, secretary):
    found = [r for r in rows if r.secretary.pk == secretary.pk]
    assert len(found) == 1, found
    return found[0]


def secretaries_shown(html):
    return {
        int(pk) for pk in re.findall(r'data-testid="coverage-row" data-secretary="(\d+)"', html)
    }


def names(cadres):
    return sorted(c.name for c in cadres)


# --- the rules -------------------------------------------------------------------------------


def test_county_secretary_talks_with_county_team_and_township_secretaries(tree, region):
    row = row_of(cov.coverage_for(year=2026), region.a_secretary)

    assert row.rule_code == "county"
    assert row.governed == tree.county_a
    assert names(row.required) == sorted(["县长甲", "副县长甲", "一镇书记", "二乡书记"])
    assert names(row.missing) == names(row.required)
    assert row.percent == 0


def test_team_excludes_secretary_lower_ranks_and_department_heads(region):
    row = row_of(cov.coverage_for(year=2026), region.a_secretary)

    required = {c.pk for c in row.required}
    assert region.a_secretary.pk not in required
    assert region.a_office.pk not in required  # 乡科级 in the 县委 office: not the county team
    assert region.a_dept_head.pk not in required  # a department head: not a team below
    assert region.t1_head.pk not in required  # township heads: only the secretaries


def test_talk_by_the_secretary_covers_the_pair_whatever_its_kind(region):
    talk(region.a_secretary, region.a_head)
    talk(region.a_secretary, region.t1_secretary, kind=TalkKind.OTHER)

    row = row_of(cov.coverage_for(year=2026), region.a_secretary)

    assert names(row.covered) == ["一镇书记", "县长甲"]
    assert names(row.missing) == ["二乡书记", "副县长甲"]
    assert row.percent == 50


def test_talk_by_someone_else_does_not_cover(region):
    talk(region.a_head, region.a_deputy)  # the county head talked, not the secretary

    row = row_of(cov.coverage_for(year=2026), region.a_secretary)

    assert region.a_deputy in row.missing
    assert row.covered == []


def test_talk_last_year_does_not_cover(region):
    talk(region.a_secretary, region.a_deputy, held_on=datetime.date(2025, 12, 31))

    this_year = row_of(cov.coverage_for(year=2026), region.a_secretary)
    last_year = row_of(cov.coverage_for(year=2025), region.a_secretary)

    assert region.a_deputy in this_year.missing
    assert region.a_deputy in last_year.covered


def test_township_secretary_talks_with_township_team(region):
    row = row_of(cov.coverage_for(year=2026), region.t1_secretary)

    assert row.rule_code == "township"
    assert names(row.required) == ["一镇副镇长", "一镇镇长"]  # not the clerk, not themself


def test_township_without_team_requires_nobody(region):
    row = row_of(cov.coverage_for(year=2026), region.t2_secretary)

    assert row.required == [] and row.percent is None


def test_city_secretary_talks_with_city_team_and_county_secretaries(tree, region):
    talk(region.city_secretary, region.b_secretary)

    row = row_of(cov.coverage_for(year=2026), region.city_secretary)

    assert row.rule_code == "city"
    assert row.governed == tree.city
    assert names(row.required) == sorted(["市长甲", "市委常委甲", "县委书记甲", "县委书记乙"])
    assert names(row.covered) == ["县委书记乙"]


def test_departed_cadres_are_not_required(region):
    region.a_deputy.status = CadreStatus.LEFT
    region.a_deputy.save(update_fields=["status"])

    row = row_of(cov.coverage_for(year=2026), region.a_secretary)

    assert region.a_deputy not in row.required


def publish_local_rules(unit, *, county_lower_posts):
    """A unit's own version of the coverage rules (各地结合实际), applying inside its subtree."""
    base = PolicyList.objects.get(kind=KIND_COVERAGE_RULES, unit__isnull=True)
    local = PolicyList.objects.create(
        kind=KIND_COVERAGE_RULES, title="本县年度谈话覆盖要求", unit=unit, version=1
    )
    for item in base.items.all():
        params = dict(item.params)
        if item.code == "county":
            params["lower_head_posts"] = county_lower_posts
        PolicyItem.objects.create(
            policy_list=local, code=item.code, label=item.label, params=params, order=item.order
        )
    local.status = PolicyStatus.PUBLISHED
    local.save(update_fields=["status"])
    return local


def test_the_rules_applying_at_each_region_are_used(tree, region):
    # County A also requires its secretary to talk with the township heads (镇长).
    publish_local_rules(tree.county_a, county_lower_posts=["党委书记", "镇长"])
    b_head = person(tree.township_b1, "乙县镇长", "镇长", "township_chief")
    b_township_secretary = person(tree.township_b1, "乙县镇书记", "党委书记", "township_chief")

    rows = cov.coverage_for(year=2026)

    a_required = row_of(rows, region.a_secretary).required
    b_required = row_of(rows, region.b_secretary).required
    assert region.t1_head in a_required
    assert b_township_secretary in b_required and b_head not in b_required


def test_coverage_of_a_whole_city_in_constant_queries(tree, region, django_assert_num_queries):
    with django_assert_num_queries(5):
        small = cov.coverage_for(year=2026, root=tree.city)
    for n in range(6):
        township = UnitFactory(
            name=f"新镇{n}", kind=UnitKind.TOWNSHIP, level=UnitLevel.TOWNSHIP, parent=tree.county_b
        )
        secretary = person(township, f"新镇书记{n}", "党委书记", "township_chief")
        deputy = person(township, f"新镇副镇长{n}", "副镇长", "township_deputy")
        talk(secretary, deputy)
    with django_assert_num_queries(5):
        large = cov.coverage_for(year=2026, root=tree.city)
    assert len(large) == len(small) + 6


# --- jurisdiction ------------------------------------------------------------------------------


def test_county_organisation_sees_its_township_secretaries_only(tree, region, org_user):
    rows = cov.coverage_for_user(org_user, year=2026)

    assert {r.secretary.name for r in rows} == {"一镇书记", "二乡书记"}


def test_city_organisation_sees_the_county_secretaries_it_manages(tree, region, make_user):
    city_org = make_user(Role.ORGANISATION, unit=tree.city)

    secretaries = {r.secretary.name for r in cov.coverage_for_user(city_org, year=2026)}

    assert {"县委书记甲", "县委书记乙", "一镇书记"} <= secretaries
    assert "市委书记甲" not in secretaries  # managed above the city


def test_inspectors_and_cadres_see_no_coverage(region, staff):
    assert cov.coverage_for_user(staff.inspector, year=2026) == []
    assert cov.coverage_for_user(staff.cadre_user, year=2026) == []


# --- reminders ---------------------------------------------------------------------------------


@pytest.fixture
def reminded(tree, region, make_user):
    """The county secretary has an account; the city's organisation department manages them;
    county A's organisation department manages the township secretaries."""
    return SimpleNamespace(
        secretary_user=make_user(Role.CADRE, unit=tree.county_a, cadre=region.a_secretary),
        city_org=make_user(Role.ORGANISATION, unit=tree.city, username="zz_city"),
        county_org=make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_county"),
    )


def coverage_notes(user):
    return Notification.objects.filter(recipient=user, kind=cov.NOTIFICATION_KIND)


def test_coverage_reminders_only_in_the_last_quarter(region, reminded):
    for month in (1, 6, 9):
        assert cov.remind_annual_coverage(today=datetime.date(2026, month, 1)) == 0
    assert not Notification.objects.filter(kind=cov.NOTIFICATION_KIND).exists()

    assert cov.remind_annual_coverage(today=datetime.date(2026, 10, 1)) > 0

    mine = coverage_notes(reminded.secretary_user).get()
    assert "县委书记甲" in mine.title
    assert "副县长甲" in mine.body and "二乡书记" in mine.body
    city = coverage_notes(reminded.city_org)
    assert any("县委书记甲" in n.title for n in city)
    county = coverage_notes(reminded.county_org)
    assert any("一镇书记" in n.title and "一镇副镇长" in n.body for n in county)
    assert not any("县委书记甲" in n.title for n in county)  # managed by the city


def test_coverage_reminder_once_per_secretary_per_month(region, reminded):
    with time_machine.travel(datetime.datetime(2026, 10, 1, 8, 0, tzinfo=TZ), tick=False):
        cov.remind_annual_coverage()
        first = Notification.objects.filter(kind=cov.NOTIFICATION_KIND).count()
        cov.remind_annual_coverage()
        assert Notification.objects.filter(kind=cov.NOTIFICATION_KIND).count() == first
    with time_machine.travel(datetime.datetime(2026, 11, 1, 8, 0, tzinfo=TZ), tick=False):
        cov.remind_annual_coverage()
    assert coverage_notes(reminded.secretary_user).count() == 2


def test_coverage_reminder_skips_secretaries_fully_covered(region, reminded):
    for cadre in (region.a_head, region.a_deputy, region.t1_secretary, region.t2_secretary):
        talk(region.a_secretary, cadre, held_on=datetime.date(2026, 9, 1))

    cov.remind_annual_coverage(today=datetime.date(2026, 12, 1))

    assert not coverage_notes(reminded.secretary_user).exists()


def test_coverage_reminder_months_of_the_local_settings(tree, region, reminded):
    base = PolicyList.objects.get(kind=KIND_TALK_SETTINGS, unit__isnull=True)
    local = PolicyList.objects.create(
        kind=KIND_TALK_SETTINGS, title="本县提醒设置", unit=tree.county_a, version=1
    )
    for item in base.items.all():
        params = {"months": [12]} if item.code == "coverage_reminder" else dict(item.params)
        PolicyItem.objects.create(
            policy_list=local, code=item.code, label=item.label, params=params, order=item.order
        )
    local.status = PolicyStatus.PUBLISHED
    local.save(update_fields=["status"])
    person(region.units.b_pc, "乙县副书记", "县委副书记", "county_deputy")

    cov.remind_annual_coverage(today=datetime.date(2026, 10, 1))

    assert not coverage_notes(reminded.secretary_user).exists()  # county A: December only
    titles = [n.title for n in coverage_notes(reminded.city_org)]
    assert any("县委书记乙" in t for t in titles)  # county B: the nationwide months
    assert not any("县委书记甲" in t for t in titles)


def test_coverage_reminder_task_runs_the_reminders(region, reminded):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=TZ), tick=False):
        assert remind_annual_coverage_task.apply().get() > 0
    assert coverage_notes(reminded.secretary_user).exists()
    assert remind_annual_coverage_task.name == "care.tasks_coverage.remind_annual_coverage_task"


# --- page, export, API --------------------------------------------------------------------------


def test_coverage_page_lists_secretaries_with_missing_names_and_record_links(
    region, org_client, django_assert_max_num_queries
):
    talk(region.t1_secretary, region.t1_head)

    with django_assert_max_num_queries(14):
        response = org_client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "一镇书记" in html and "二乡书记" in html
    assert "县委书记甲" not in html  # above the county's jurisdiction
    assert "一镇副镇长" in html
    assert 'data-testid="total-percent">50%' in html
    assert (
        f"cadre={region.t1_deputy.pk}&amp;talker_cadre={region.t1_secretary.pk}&amp;kind=annual"
        in html
    )


def test_coverage_page_query_count_does_not_grow_with_townships(
    tree, region, org_client, django_assert_max_num_queries
):
    for n in range(8):
        township = UnitFactory(
            name=f"新镇{n}", kind=UnitKind.TOWNSHIP, level=UnitLevel.TOWNSHIP, parent=tree.county_a
        )
        person(township, f"新镇书记{n}", "党委书记", "township_chief")
        person(township, f"新镇副镇长{n}", "副镇长", "township_deputy")

    with django_assert_max_num_queries(14):
        response = org_client.get(PAGE)

    assert response.content.decode().count('data-testid="coverage-row"') == 10


def test_coverage_page_filters_by_level_and_unit(tree, region, make_user, client):
    client.force_login(make_user(Role.ORGANISATION, unit=tree.city))

    county_only = client.get(PAGE, {"level": "county"}).content.decode()
    in_b = client.get(PAGE, {"unit": tree.county_b.pk}).content.decode()

    assert secretaries_shown(county_only) == {region.a_secretary.pk, region.b_secretary.pk}
    assert secretaries_shown(in_b) == {region.b_secretary.pk}


def test_coverage_page_out_of_scope_unit_shows_nothing(tree, region, org_client):
    html = org_client.get(PAGE, {"unit": tree.county_b.pk}).content.decode()

    assert 'data-testid="empty"' in html


def test_coverage_page_refuses_inspectors(staff, client):
    client.force_login(staff.inspector)

    assert client.get(PAGE).status_code == 403


def test_coverage_export_lists_missing_pairs(region, org_client):
    talk(region.t1_secretary, region.t1_head)

    response = org_client.get(EXPORT, {"year": 2026})

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "书记"
    pairs = {(r[3], r[5]) for r in rows[1:]}
    assert pairs == {("一镇书记", "一镇副镇长")}


def test_coverage_api_lists_the_year(region, org_user, django_assert_max_num_queries):
    talk(region.t1_secretary, region.t1_head, held_on=datetime.date(2025, 5, 1))
    api = APIClient()
    api.force_authenticate(org_user)

    with django_assert_max_num_queries(10):
        data = api.get(API, {"year": 2025}).json()

    assert data["year"] == 2025
    row = next(r for r in data["results"] if r["secretary"]["name"] == "一镇书记")
    assert (row["required"], row["covered"], row["percent"]) == (2, 1, 50)
    assert [m["name"] for m in row["missing"]] == ["一镇副镇长"]
    assert all(r["secretary"]["name"] != "县委书记甲" for r in data["results"])


def test_coverage_api_bad_year_answers_400(org_user):
    api = APIClient()
    api.force_authenticate(org_user)

    assert api.get(API, {"year": "abc"}).status_code == 400

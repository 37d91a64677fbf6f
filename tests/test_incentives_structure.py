"""Team structure checks: F 9 (县级党政领导班子成员中具有乡镇党政正职经历的干部比例不少于三分之一)
and ZJK 12(四) (县级领导班子调整优先考虑乡镇党政正职经历; 县级机关提拔副科级以上领导干部优先考虑
3年以上乡镇工作经历): who belongs to a county team, the one-third rule, the township-years
flags of the county organs' leaders, the county organisation department's jurisdiction, the
pages, the export and the API, in a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import CadreStatus, Role, UnitKind, UnitLevel
from incentives import structure
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = datetime.date(2026, 6, 17)
TEAMS = reverse("incentives:team_list")
TEAMS_API = "/api/v1/incentives/teams/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def team_units(county):
    return (
        UnitFactory(
            name=f"中共{county.name}委员会",
            kind=UnitKind.PARTY_COMMITTEE,
            level=UnitLevel.COUNTY,
            parent=county,
        ),
        UnitFactory(
            name=f"{county.name}人民政府",
            kind=UnitKind.GOVERNMENT,
            level=UnitLevel.COUNTY,
            parent=county,
        ),
    )


def member(unit, *, head=False, code="county_deputy", **kwargs):
    kwargs.setdefault("post", "副县长" if unit.kind == UnitKind.GOVERNMENT else "县委常委")
    return CadreFactory(unit=unit, post_level=level(code), served_township_head=head, **kwargs)


def build_team(county, size, heads):
    party, government = team_units(county)
    cadres = []
    for i in range(size):
        unit = party if i % 2 == 0 else government
        cadres.append(member(unit, head=i < heads))
    return party, government, cadres


@pytest.fixture
def city_org(tree, make_user):
    """The city's organisation department manages county-level cadres (县处级)."""
    return make_user(Role.ORGANISATION, unit=tree.city, username="zz_city")


def as_user(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def summary_of(user, county):
    return structure.team_summary(user, county)


# --- F 9: the one-third rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "count", "required", "shortfall", "ok"),
    [
        (6, 2, 2, 0, True),  # exactly one third passes
        (9, 3, 3, 0, True),
        (6, 1, 2, 1, False),  # below: short by one
        (9, 1, 3, 2, False),
        (7, 2, 3, 1, False),  # 7/3 = 2.33 → 3 (ceil)
        (7, 3, 3, 0, True),
        (10, 4, 4, 0, True),  # 10/3 = 3.33 → 4
        (0, 0, 0, 0, True),
    ],
)
def test_F9_share_check_one_third_rounded_up(size, count, required, shortfall, ok):
    check = structure.share_check(size, count, 1, 3)

    assert (check.required, check.shortfall, check.ok) == (required, shortfall, ok)


def test_F9_exactly_one_third_of_the_team_passes(tree, city_org):
    build_team(tree.county_a, size=9, heads=3)

    s = summary_of(city_org, tree.county_a)

    assert (s.share.size, s.share.count, s.share.required, s.share.shortfall) == (9, 3, 3, 0)
    assert s.share.ok and s.status == "ok"


def test_F9_below_one_third_fails_with_the_shortfall(tree, city_org):
    build_team(tree.county_a, size=9, heads=1)

    s = summary_of(city_org, tree.county_a)

    assert (s.share.required, s.share.count, s.share.shortfall) == (3, 1, 2)
    assert not s.share.ok and s.status == "short"


def test_F9_non_multiple_of_three_rounds_the_requirement_up(tree, city_org):
    build_team(tree.county_a, size=7, heads=2)

    s = summary_of(city_org, tree.county_a)

    assert (s.share.size, s.share.required, s.share.shortfall) == (7, 3, 1)
    assert not s.share.ok


def test_F9_share_follows_the_list_in_force_at_the_county(tree, city_org):
    """A locality may publish its own version (e.g. one half): the check reads it by code."""
    from cadre.models import PolicyItem, PolicyList

    default = PolicyList.objects.get(
        kind="incentives.team_structure", unit__isnull=True, status="published"
    )
    local = PolicyList.objects.create(
        kind="incentives.team_structure", title="本市班子结构要求", unit=tree.city, version=1
    )
    for item in default.items.all():
        params = dict(item.params)
        if item.code == "township_head_share":
            params["denominator"] = 2
        PolicyItem.objects.create(
            policy_list=local, code=item.code, label=item.label, params=params, order=item.order
        )
    local.status = "published"
    local.save(update_fields=["status"])
    build_team(tree.county_a, size=6, heads=2)

    s = summary_of(city_org, tree.county_a)

    assert s.rules.policy_list == local
    assert (s.share.required, s.share.shortfall) == (3, 1)


# --- team membership ----------------------------------------------------------------------------


def test_team_counts_county_level_cadres_of_the_party_committee_and_government(tree, city_org):
    party, government = team_units(tree.county_a)
    secretary = member(party, code="county_chief", post="县委书记", head=True)
    head = member(government, code="county_chief", post="县长")
    deputy = member(government, post="副县长", head=True)

    members = structure.team_members(city_org, summary_of(city_org, tree.county_a))

    assert {m.pk for m in members} == {secretary.pk, head.pk, deputy.pk}


def test_team_excludes_deputy_level_staff_of_the_county_party_committee_office(tree, city_org):
    party, government = team_units(tree.county_a)
    member(party, code="county_chief", post="县委书记")
    # 县委办副主任 (乡科级副职) sits in the party committee, and the office as its own unit.
    office = UnitFactory(
        name="甲县县委办公室", kind=UnitKind.DEPARTMENT, level=UnitLevel.COUNTY, parent=party
    )
    member(party, code="township_deputy", post="县委办副主任", head=True)
    member(office, code="township_chief", post="县委办主任", head=True)
    member(government, code="township_deputy", post="政府办副主任", head=True)

    s = summary_of(city_org, tree.county_a)

    assert (s.share.size, s.share.count) == (1, 0)


def test_team_excludes_township_cadres_departments_and_inactive_cadres(tree, city_org):
    party, _government = team_units(tree.county_a)
    member(party, code="county_chief", post="县委书记", head=True)
    # A township party secretary, a county department head at county level, a retired member,
    # and a county team member of the other county.
    member(tree.township_a1, code="township_chief", post="镇党委书记", head=True)
    member(tree.dept_a, code="county_deputy", post="局长（副县级）", head=True)
    member(party, code="county_deputy", post="原县委常委", head=True, status=CadreStatus.RETIRED)
    other_party, _ = team_units(tree.county_b)
    member(other_party, code="county_chief", post="县委书记", head=True)

    s = summary_of(city_org, tree.county_a)

    assert (s.share.size, s.share.count) == (1, 1)


def test_ZJK12_4_member_flags_township_head_years_age_and_young_cadre(tree, city_org):
    party, government = team_units(tree.county_a)
    young = member(
        government,
        head=True,
        birth_date=datetime.date(1988, 3, 1),
        township_years=Decimal("6.5"),
    )
    older = member(party, birth_date=datetime.date(1970, 1, 1))

    members = {
        m.pk: m for m in structure.team_members(city_org, summary_of(city_org, tree.county_a))
    }

    assert members[young.pk].served_township_head
    assert members[young.pk].township_years == Decimal("6.5")
    assert members[young.pk].age == 38
    assert members[young.pk].young_label == "年轻干部（县处级）"
    assert not members[older.pk].served_township_head
    assert members[older.pk].young_label == ""


# --- ZJK 12(四): three years of township work for the county organs' leaders -------------------


@pytest.fixture
def organs(tree):
    """County A's organs: two section-level leaders of the 发改局 with and without three years
    of township work, one of them appointed last year; a staff member without a post level; a
    township leader (not a county organ)."""
    office = UnitFactory(
        name="甲县县委办公室",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.COUNTY,
        parent=tree.county_a,
    )
    return {
        "seasoned": CadreFactory(
            unit=tree.dept_a,
            post="局长",
            post_level=level("township_chief"),
            township_years=Decimal("3.0"),
            post_since=datetime.date(2025, 3, 1),
        ),
        "recent": CadreFactory(
            unit=tree.dept_a,
            post="副局长",
            post_level=level("township_deputy"),
            township_years=Decimal("2.5"),
            post_since=datetime.date(2025, 3, 1),
        ),
        "long_ago": CadreFactory(
            unit=office,
            post="副主任",
            post_level=level("township_deputy"),
            township_years=Decimal("0"),
            post_since=datetime.date(2019, 5, 1),
        ),
        "staff": CadreFactory(unit=tree.dept_a, post="科员", post_level=None),
        "township": CadreFactory(
            unit=tree.township_a1,
            post="副镇长",
            post_level=level("township_deputy"),
            township_years=Decimal("1"),
            post_since=datetime.date(2025, 3, 1),
        ),
    }


def test_ZJK12_4_county_organ_leaders_lacking_three_years_are_counted(tree, org_user, organs):
    s = summary_of(org_user, tree.county_a)

    assert (s.organs.leaders, s.organs.with_years, s.organs.lacking) == (3, 1, 2)
    assert s.organs.recent_lacking == 1


def test_ZJK12_4_recent_appointment_without_three_years_is_flagged(tree, org_user, organs):
    s = summary_of(org_user, tree.county_a)

    flags = {c.pk: (c.lacking, c.recent_lacking) for c in structure.organ_leaders(org_user, s)}

    assert flags == {
        organs["seasoned"].pk: (False, False),  # exactly three years: meets the preference
        organs["recent"].pk: (True, True),
        organs["long_ago"].pk: (True, False),  # took the post before the last three years
    }


def test_ZJK12_4_lacking_filter_lists_only_those_without_three_years(tree, org_user, organs):
    s = summary_of(org_user, tree.county_a)

    rows = structure.organ_leaders(org_user, s, lacking_only=True)

    assert {c.pk for c in rows} == {organs["recent"].pk, organs["long_ago"].pk}


# --- jurisdiction -------------------------------------------------------------------------------


def test_county_user_is_told_the_team_is_managed_above_not_shown_a_shortfall(
    client, tree, org_user, organs
):
    build_team(tree.county_a, size=6, heads=0)

    s = summary_of(org_user, tree.county_a)
    response = as_user(client, org_user).get(TEAMS)

    assert not s.visible and s.share is None and s.status == "hidden"
    assert structure.team_members(org_user, s) == []
    body = text(response)
    assert 'data-testid="not-managed"' in body
    assert "由上级党委组织部门管理" in body
    assert "不足，差" not in body
    # The organs' leaders are within the county's jurisdiction: still counted.
    assert 'data-testid="organ-lacking">2<' in body


def test_county_user_team_detail_shows_the_message_and_the_organ_leaders(
    client, tree, org_user, organs
):
    build_team(tree.county_a, size=6, heads=0)

    response = as_user(client, org_user).get(
        reverse("incentives:team_detail", args=[tree.county_a.pk])
    )

    body = text(response)
    assert response.status_code == 200
    assert "由上级党委组织部门管理" in body
    assert 'data-testid="member-row"' not in body
    assert body.count('data-testid="leader-row"') == 3


def test_teams_list_shows_every_county_of_the_jurisdiction(client, tree, city_org):
    build_team(tree.county_a, size=6, heads=2)
    build_team(tree.county_b, size=7, heads=1)

    response = as_user(client, city_org).get(TEAMS)

    body = text(response)
    assert response.status_code == 200
    assert f'data-county="{tree.county_a.pk}" data-status="ok"' in body
    assert f'data-county="{tree.county_b.pk}" data-status="short"' in body
    assert "不足，差2人" in body


def test_county_of_another_jurisdiction_is_not_found(client, tree, org_user):
    response = as_user(client, org_user).get(
        reverse("incentives:team_detail", args=[tree.county_b.pk])
    )
    listed = as_user(client, org_user).get(TEAMS)

    assert response.status_code == 404
    assert f'data-county="{tree.county_b.pk}"' not in text(listed)


def test_a_unit_that_is_not_a_county_is_not_found(client, tree, city_org):
    response = as_user(client, city_org).get(
        reverse("incentives:team_detail", args=[tree.dept_a.pk])
    )

    assert response.status_code == 404


def test_cadre_self_service_may_not_open_the_teams(client, tree, make_user):
    user = make_user(Role.CADRE, unit=tree.county_a, username="gb_x")

    assert as_user(client, user).get(TEAMS).status_code == 403


def test_teams_search_by_county_name(client, tree, city_org):
    response = as_user(client, city_org).get(TEAMS, {"q": "乙"})

    body = text(response)
    assert f'data-county="{tree.county_b.pk}"' in body
    assert f'data-county="{tree.county_a.pk}"' not in body


def test_team_detail_lists_members_with_flags(client, tree, city_org):
    _party, _gov, cadres = build_team(tree.county_a, size=3, heads=1)

    response = as_user(client, city_org).get(
        reverse("incentives:team_detail", args=[tree.county_a.pk])
    )

    body = text(response)
    assert body.count('data-testid="member-row"') == 3
    assert f'data-cadre="{cadres[0].pk}" data-head="1"' in body
    assert f'data-cadre="{cadres[1].pk}" data-head="0"' in body
    assert "符合要求" in body


# --- export -------------------------------------------------------------------------------------


def test_team_export_has_members_with_flags_and_the_organs_sheet(client, tree, city_org, organs):
    _party, _gov, cadres = build_team(tree.county_a, size=3, heads=1)

    response = as_user(client, city_org).get(
        reverse("incentives:team_export", args=[tree.county_a.pk])
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    members, leaders = book.worksheets
    rows = [list(r) for r in members.iter_rows(values_only=True)]
    assert "班子成员3人，具有乡镇（街道）党政正职经历1人" in rows[1][0]
    assert "符合要求" in rows[1][0]
    names = {r[0]: r for r in rows[4:]}
    assert names[cadres[0].name][7] == "是"
    assert names[cadres[1].name][7] == "否"
    leader_rows = {r[0]: r for r in leaders.iter_rows(min_row=2, values_only=True)}
    assert leader_rows[organs["recent"].name][6:] == ("否", "是")
    assert leader_rows[organs["seasoned"].name][6:] == ("是", "否")


def test_team_export_for_a_county_user_carries_the_message(client, tree, org_user):
    build_team(tree.county_a, size=3, heads=0)

    response = as_user(client, org_user).get(
        reverse("incentives:team_export", args=[tree.county_a.pk])
    )

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [r for r in book.worksheets[0].iter_rows(values_only=True)]
    assert "由上级党委组织部门管理" in rows[1][0]
    assert len([r for r in rows[3:] if any(r)]) == 1  # the header only


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_api_lists_teams_with_the_numbers(api, tree, city_org):
    build_team(tree.county_a, size=7, heads=2)
    api.force_authenticate(city_org)

    response = api.get(TEAMS_API)

    assert response.status_code == 200
    rows = {r["county"]: r for r in response.json()["results"]}
    a = rows[tree.county_a.pk]
    assert a["share"] == {"size": 7, "count": 2, "required": 3, "shortfall": 1, "ok": False}
    assert a["visible"] is True and a["status"] == "short"
    assert rows[tree.county_b.pk]["status"] == "empty"


def test_api_county_user_gets_the_message_instead_of_numbers(api, tree, org_user, organs):
    build_team(tree.county_a, size=3, heads=0)
    api.force_authenticate(org_user)

    response = api.get(TEAMS_API)

    (row,) = response.json()["results"]
    assert row["visible"] is False and row["share"] is None
    assert "由上级党委组织部门管理" in row["message"]
    assert row["organs"]["lacking"] == 2


def test_api_detail_has_members_and_recently_appointed_leaders(api, tree, city_org, organs):
    _party, _gov, cadres = build_team(tree.county_a, size=3, heads=1)
    api.force_authenticate(city_org)

    response = api.get(f"{TEAMS_API}{tree.county_a.pk}/")

    data = response.json()
    assert response.status_code == 200
    assert {m["id"] for m in data["members"]} == {c.pk for c in cadres}
    assert [m["served_township_head"] for m in data["members"]].count(True) == 1
    assert [c["id"] for c in data["recent_lacking_leaders"]] == [organs["recent"].pk]
    assert "id_number" not in str(data)


def test_api_detail_of_another_county_is_not_found(api, tree, org_user):
    api.force_authenticate(org_user)

    assert api.get(f"{TEAMS_API}{tree.county_b.pk}/").status_code == 404


def test_browsable_api_pages_render(api, tree, city_org):
    build_team(tree.county_a, size=3, heads=1)
    api.force_authenticate(city_org)

    for url in (TEAMS_API, f"{TEAMS_API}{tree.county_a.pk}/"):
        assert api.get(url, HTTP_ACCEPT="text/html").status_code == 200, url


def test_api_refuses_a_cadre_user(api, tree, make_user):
    api.force_authenticate(make_user(Role.CADRE, unit=tree.county_a, username="gb_y"))

    assert api.get(TEAMS_API).status_code == 403


# --- query counts -------------------------------------------------------------------------------


def _more_counties(tree, n):
    for i in range(n):
        county = UnitFactory(
            name=f"丙县{i}", kind=UnitKind.REGION, level=UnitLevel.COUNTY, parent=tree.city
        )
        build_team(county, size=3, heads=1)
        dept = UnitFactory(name=f"丙县{i}财政局", level=UnitLevel.COUNTY, parent=county)
        CadreFactory(unit=dept, post="局长", post_level=level("township_chief"))


def test_teams_page_query_count_does_not_grow_with_counties(
    client, tree, city_org, django_assert_max_num_queries
):
    build_team(tree.county_a, size=3, heads=1)
    as_user(client, city_org)
    client.get(TEAMS)
    with django_assert_max_num_queries(12):
        client.get(TEAMS)
    _more_counties(tree, 5)
    with django_assert_max_num_queries(12):
        response = client.get(TEAMS)
    assert text(response).count('data-testid="team-row"') == 7


def test_team_detail_and_export_query_counts_are_fixed(
    client, tree, city_org, organs, django_assert_max_num_queries
):
    build_team(tree.county_a, size=8, heads=3)
    as_user(client, city_org)
    detail = reverse("incentives:team_detail", args=[tree.county_a.pk])
    export = reverse("incentives:team_export", args=[tree.county_a.pk])
    client.get(detail)
    with django_assert_max_num_queries(13):
        client.get(detail)
    with django_assert_max_num_queries(13):
        client.get(export)
    build_team(tree.county_a, size=6, heads=0)
    CadreFactory(unit=tree.dept_a, post="副局长", post_level=level("township_deputy"))
    with django_assert_max_num_queries(13):
        response = client.get(detail)
    assert text(response).count('data-testid="member-row"') == 14


def test_api_list_query_count_does_not_grow_with_counties(
    api, tree, city_org, django_assert_max_num_queries
):
    api.force_authenticate(city_org)
    _more_counties(tree, 2)
    with django_assert_max_num_queries(10):
        first = api.get(TEAMS_API)
    _more_counties(tree, 4)
    with django_assert_max_num_queries(10):
        second = api.get(TEAMS_API)
    assert len(second.json()["results"]) == len(first.json()["results"]) + 4

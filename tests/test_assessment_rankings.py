"""Rankings, consequences, the three links and the quarterly review's front doors (DOMAIN §2;
ZJK 14; X): the services' rules, the selectors (most improved, single-item champions,
restrictions), the pages inside the jurisdiction in a constant number of queries, the team's
comprehensive analysis report, the API and the admin."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from docx import Document
from rest_framework.test import APIClient

from assessment import rankings
from assessment.choices import ConsequenceCause, ConsequenceKind, RunStatus
from assessment.documents import team_analysis_report
from assessment.models import (
    Consequence,
    PointsEntry,
    QuarterlyReview,
    QuarterlyRun,
    RankingEntry,
    RankingGroup,
    SupervisionLink,
    UnitQuarterScore,
)
from cadre.choices import Education, Gender, Role
from cadre.selectors import policy_list_for
from tests.factories import CadreFactory, UnitFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
Y, Q = 2026, 1  # the last complete quarter on NOW
GROUPS = reverse("assessment:rankings")
CHAMPIONS = reverse("assessment:rankings_champions")
CONSEQUENCES = reverse("assessment:rankings_consequences")
CONSEQUENCES_EXPORT = reverse("assessment:rankings_consequences_export")
LINKS = reverse("assessment:rankings_links")
QUARTERLY = reverse("assessment:rankings_quarterly")
API = "/api/v1/assessment/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(tree, make_user):
    return type(
        "People",
        (),
        {
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz1"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw1"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb"),
            "cadre_user": make_user(Role.CADRE, unit=tree.township_a1, username="gb1"),
        },
    )


def as_user(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def group_of(unit, name="乡镇党委书记", kind="cadre", top_n=1, bottom_n=1):
    return RankingGroup.objects.create(
        unit=unit, name=name, kind=kind, top_n=top_n, bottom_n=bottom_n
    )


def entry(group, subject, rank, score, previous=None, size=4, year=Y, quarter=Q):
    field = "cadre" if group.kind == "cadre" else "unit"
    return RankingEntry.objects.create(
        group=group,
        year=year,
        quarter=quarter,
        **{field: subject},
        score=Decimal(score),
        rank=rank,
        size=size,
        previous_rank=previous,
        is_top=rank <= group.top_n,
        is_bottom=rank > size - group.bottom_n,
    )


def approved_points(unit, code, value, occurred_on=datetime.date(Y, 2, 10), status="approved"):
    catalogue = policy_list_for("assessment.points_catalogue", None)
    return PointsEntry.objects.create(
        unit=unit,
        catalogue=catalogue,
        item=catalogue.items.get(code=code),
        occurred_on=occurred_on,
        base_points=abs(Decimal(value)),
        points=Decimal(value),
        evidence="市级通报",
        status=status,
    )


def consequence(cadre, kind=ConsequenceKind.REMINDER_TALK, key=None, **kwargs):
    kwargs.setdefault("cause", ConsequenceCause.BOTTOM_OR_CRITICISM)
    kwargs.setdefault("year", Y)
    kwargs.setdefault("quarter", Q)
    return Consequence.objects.create(
        cadre=cadre,
        kind=kind,
        detail=kwargs.pop("detail", "单项工作排名全市后三位"),
        source_key=key or f"test:{cadre.pk}:{kind}:{Consequence.objects.count()}",
        **kwargs,
    )


@pytest.fixture
def four(tree):
    """Four township cadres of county A ranked in a group of county A (top 1, bottom 1)."""
    names = ("赵一", "钱二", "孙三", "李四")
    cadres = [CadreFactory(name=n, unit=tree.township_a1, post="镇党委书记") for n in names]
    group = group_of(tree.county_a)
    group.cadres.set(cadres)
    return type("Four", (), {"group": group, "cadres": cadres})


# --- services: ranking groups -----------------------------------------------------------------


def test_organisation_creates_a_group_and_a_second_of_the_same_name_is_refused(tree, people):
    group = rankings.ranking_group_save(
        actor=people.org, unit=tree.county_a, name=" 县直部门 ", kind="unit", top_n=3, bottom_n=2
    )
    assert (group.name, group.kind, group.top_n, group.bottom_n) == ("县直部门", "unit", 3, 2)

    with pytest.raises(ValidationError) as error:
        rankings.ranking_group_save(
            actor=people.org, unit=tree.county_a, name="县直部门", kind="unit", top_n=3, bottom_n=3
        )
    assert "已有名为“县直部门”的排名组" in error.value.message_dict["name"][0]


def test_a_group_outside_the_jurisdiction_or_with_bad_places_is_refused_on_its_fields(tree, people):
    with pytest.raises(ValidationError) as error:
        rankings.ranking_group_save(
            actor=people.org, unit=tree.county_b, name="乙县", kind="cadre", top_n="x", bottom_n=101
        )
    errors = error.value.message_dict
    assert errors["unit"] == ["请选择您管辖范围内的单位"]
    assert "top_n" in errors and "bottom_n" in errors


def test_only_the_organisation_department_sets_up_groups(tree, people):
    with pytest.raises(PermissionDenied):
        rankings.ranking_group_save(
            actor=people.inspector, unit=tree.county_a, name="组", kind="cadre", top_n=1, bottom_n=1
        )


def test_another_countys_group_is_not_found_for_a_change(tree, people):
    other = group_of(tree.county_b)
    with pytest.raises(Http404):
        rankings.ranking_group_save(
            actor=people.org,
            group=other,
            unit=tree.county_a,
            name="改",
            kind="cadre",
            top_n=1,
            bottom_n=1,
        )


def test_a_group_with_members_keeps_what_it_ranks(four, people, tree):
    with pytest.raises(ValidationError) as error:
        rankings.ranking_group_save(
            actor=people.org,
            group=four.group,
            unit=tree.county_a,
            name="乡镇党委书记",
            kind="unit",
            top_n=1,
            bottom_n=1,
        )
    assert "不能更改排名对象" in error.value.message_dict["kind"][0]


def test_members_are_of_the_groups_kind_under_its_unit_and_in_scope(tree, cadres, people, four):
    with pytest.raises(ValidationError) as error:
        rankings.ranking_group_members_set(
            actor=people.org, group=four.group, cadres=[cadres.in_b], units=[tree.dept_a]
        )
    errors = error.value.message_dict
    assert errors["units"] == ["该排名组按干部排名，不能加入单位"]
    assert "甲县及下级单位" in errors["cadres"][0]
    assert set(four.group.cadres.all()) == set(four.cadres)  # nothing changed

    rankings.ranking_group_members_set(actor=people.org, group=four.group, cadres=[cadres.in_a])
    assert list(four.group.cadres.all()) == [cadres.in_a]


def test_a_unit_group_takes_the_units_below_its_unit_only(tree, people):
    group = group_of(tree.county_a, name="乡镇和部门", kind="unit")
    with pytest.raises(ValidationError) as error:
        rankings.ranking_group_members_set(
            actor=people.org, group=group, units=[tree.county_a, tree.township_b1]
        )
    assert error.value.message_dict["units"] == ["只能加入甲县的下级单位"]

    rankings.ranking_group_members_set(
        actor=people.org, group=group, units=[tree.township_a1, tree.dept_a]
    )
    assert set(group.units.all()) == {tree.township_a1, tree.dept_a}


def test_a_ranked_group_cannot_be_deleted_but_an_unranked_one_can(four, people, tree):
    entry(four.group, four.cadres[0], 1, "90")
    with pytest.raises(ValidationError):
        rankings.ranking_group_delete(actor=people.org, group=four.group)
    empty = group_of(tree.county_a, name="空组")
    rankings.ranking_group_delete(actor=people.org, group=empty)
    assert not RankingGroup.objects.filter(pk=empty.pk).exists()


# --- services: the three links ----------------------------------------------------------------


def test_linking_again_changes_the_kind_and_scope_is_checked(tree, cadres, people):
    link = rankings.supervision_link_save(
        actor=people.org, cadre=cadres.in_a, unit=tree.township_a1, kind="head"
    )
    again = rankings.supervision_link_save(
        actor=people.org, cadre=cadres.in_a, unit=tree.township_a1, kind="supervising"
    )
    assert again.pk == link.pk and again.kind == "supervising"
    assert SupervisionLink.objects.count() == 1

    with pytest.raises(ValidationError) as error:
        rankings.supervision_link_save(
            actor=people.org, cadre=cadres.in_b, unit=tree.township_b1, kind="boss"
        )
    assert set(error.value.message_dict) == {"cadre", "unit", "kind"}

    with pytest.raises(PermissionDenied):
        rankings.supervision_link_delete(actor=people.inspector, link=link)
    with pytest.raises(Http404):
        rankings.supervision_link_delete(actor=people.org_b, link=link)
    rankings.supervision_link_delete(actor=people.org, link=link)
    assert not SupervisionLink.objects.exists()


# --- selectors --------------------------------------------------------------------------------


def test_most_improved_lists_every_cadre_that_climbed_the_most(four):
    a, b, c, d = four.cadres
    entry(four.group, a, 1, "95", previous=4)  # +3
    entry(four.group, b, 2, "90", previous=1)  # -1
    entry(four.group, c, 3, "85", previous=None)  # new
    entry(four.group, d, 4, "80", previous=7, size=4)  # +3 (tie)
    entry(four.group, b, 1, "99", previous=None, quarter=Q + 1)  # another quarter

    improved = rankings.most_improved(four.group, Y, Q)

    assert [e.cadre for e in improved] == [a, d]


def test_nobody_is_most_improved_when_nobody_climbed(four):
    a, b, *_ = four.cadres
    entry(four.group, a, 1, "95", previous=1)
    entry(four.group, b, 2, "90", previous=None)
    assert rankings.most_improved(four.group, Y, Q) == []


def test_single_item_champions_name_the_best_units_below_per_item(tree, django_assert_num_queries):
    town2 = UnitFactory(name="甲县二镇", code="CA2", parent=tree.county_a)
    approved_points(tree.township_a1, "econ_top3", "3")
    approved_points(tree.township_a1, "econ_top3", "2")
    approved_points(town2, "econ_top3", "5")  # tie with township_a1 (3 + 2)
    approved_points(tree.dept_a, "city_commendation", "4")
    approved_points(tree.dept_a, "econ_top3", "9", status="pending")  # not approved
    approved_points(tree.dept_a, "econ_top3", "9", occurred_on=datetime.date(Y, 4, 2))  # Q2
    approved_points(tree.township_b1, "econ_top3", "50")  # county B
    approved_points(tree.county_a, "econ_top3", "60")  # the organiser itself

    with django_assert_num_queries(1):
        found = rankings.single_item_champions(tree.county_a, Y, Q)

    by_code = {c.code: c for c in found}
    assert {name for _id, name in by_code["econ_top3"].units} == {"甲县一镇", "甲县二镇"}
    assert by_code["econ_top3"].total == Decimal("5.00")
    assert [name for _id, name in by_code["city_commendation"].units] == ["甲县发改局"]


def test_restrictions_for_reads_only_the_restrictions(tree, cadres, django_assert_num_queries):
    restricted = consequence(cadres.in_a, ConsequenceKind.RESTRICTED, quarter=None)
    consequence(cadres.in_a, ConsequenceKind.REMINDER_TALK)
    consequence(cadres.leader_a, ConsequenceKind.ADMONISHMENT_TALK)

    with django_assert_num_queries(1):
        found = rankings.restrictions_for([cadres.in_a.pk, cadres.leader_a.pk, cadres.in_b.pk])

    assert found == {cadres.in_a.pk: [restricted]}


# --- pages: groups ----------------------------------------------------------------------------


def test_groups_page_lists_the_jurisdictions_groups_in_constant_queries(
    client, tree, people, django_assert_max_num_queries
):
    for n in range(6):
        group_of(tree.county_a, name=f"组{n}").cadres.set([CadreFactory(unit=tree.township_a1)])
    group_of(tree.county_b, name="乙县的组")
    as_user(client, people.inspector)

    with django_assert_max_num_queries(10):
        response = client.get(GROUPS)

    assert response.status_code == 200
    body = text(response)
    assert body.count('data-testid="group-row"') == 6
    assert "乙县的组" not in body
    assert 'data-testid="group-create"' not in body  # reading only


def test_a_cadre_user_may_not_open_the_rankings(client, people):
    assert as_user(client, people.cadre_user).get(GROUPS).status_code == 403


def test_another_countys_group_is_not_found(client, tree, people):
    other = group_of(tree.county_b)
    as_user(client, people.org)
    assert client.get(reverse("assessment:rankings_group", args=[other.pk])).status_code == 404
    members = reverse("assessment:rankings_members", args=[other.pk])
    assert client.get(members).status_code == 404


def test_an_inspector_may_not_edit_a_group(client, four, people):
    as_user(client, people.inspector)
    url = reverse("assessment:rankings_group_edit", args=[four.group.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("assessment:rankings_group_create")).status_code == 403


def test_creating_a_group_on_the_page_then_choosing_its_members(client, tree, cadres, people):
    as_user(client, people.org)
    response = client.post(
        reverse("assessment:rankings_group_create"),
        {"unit": tree.county_a.pk, "name": "镇长", "kind": "cadre", "top_n": 2, "bottom_n": 1},
    )
    group = RankingGroup.objects.get(name="镇长")
    assert response.status_code == 302
    assert response.url == reverse("assessment:rankings_members", args=[group.pk])

    members = reverse("assessment:rankings_members", args=[group.pk])
    page = client.get(members)
    assert page.status_code == 200 and "张三" in text(page)
    response = client.post(members, {"cadres": [cadres.in_a.pk]})
    assert response.status_code == 302
    assert list(group.cadres.all()) == [cadres.in_a]


def test_bad_group_input_is_shown_on_the_fields(client, tree, people):
    group_of(tree.county_a, name="重名")
    as_user(client, people.org)
    response = client.post(
        reverse("assessment:rankings_group_create"),
        {"unit": tree.county_a.pk, "name": "重名", "kind": "cadre", "top_n": -1, "bottom_n": ""},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "top_n" in form.errors and "bottom_n" in form.errors

    response = client.post(
        reverse("assessment:rankings_group_create"),
        {"unit": tree.county_a.pk, "name": "重名", "kind": "cadre", "top_n": 1, "bottom_n": 1},
    )
    assert response.status_code == 400
    assert "已有名为“重名”的排名组" in response.context["form"].errors["name"][0]


# --- pages: a group's ranking -----------------------------------------------------------------


def test_ranking_page_marks_top_and_bottom_changes_chart_and_most_improved(
    client, four, people, django_assert_max_num_queries
):
    a, b, c, d = four.cadres
    entry(four.group, a, 1, "95.50", previous=3)
    entry(four.group, b, 2, "90", previous=1)
    entry(four.group, c, 3, "85", previous=3)
    entry(four.group, d, 4, "60", previous=None)
    as_user(client, people.inspector)
    url = reverse("assessment:rankings_group", args=[four.group.pk])

    with django_assert_max_num_queries(10):
        response = client.get(url, {"year": Y, "quarter": Q})

    assert response.status_code == 200
    body = text(response)
    rows = body.split('data-testid="ranking-row"')[1:]
    assert len(rows) == 4
    assert "rank-top" in rows[0] and "赵一" in rows[0] and "↑2" in rows[0]
    assert "↓1" in rows[1] and "rank-" not in rows[1].split(">")[0]
    assert "→" in rows[2]
    assert "rank-bottom" in rows[3] and "新进" in rows[3]
    assert body.count('data-testid="top-tag"') == 1 and body.count('data-testid="bottom-tag"') == 1
    assert "<svg" in body and body.count("<rect") == 4
    improved = body.split('data-testid="most-improved"')[1]
    assert "赵一" in improved and "钱二" not in improved


def test_ranking_page_defaults_to_the_latest_ranked_quarter(client, four, people):
    entry(four.group, four.cadres[0], 1, "90", year=2025, quarter=3)
    as_user(client, people.org)
    response = client.get(reverse("assessment:rankings_group", args=[four.group.pk]))
    assert (response.context["year"], response.context["quarter"]) == (2025, 3)
    assert "赵一" in text(response)


def test_bad_quarter_on_the_ranking_page_is_a_field_error_not_a_crash(client, four, people):
    as_user(client, people.org)
    url = reverse("assessment:rankings_group", args=[four.group.pk])
    response = client.get(url, {"year": "abc", "quarter": "9"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_ranking_export_has_the_places(client, four, people):
    entry(four.group, four.cadres[0], 1, "95", previous=2)
    entry(four.group, four.cadres[1], 2, "90", previous=1)
    as_user(client, people.org)
    url = reverse("assessment:rankings_group_export", args=[four.group.pk])

    response = client.get(url, {"year": Y, "quarter": Q})

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "名次"
    assert rows[1][:2] == (1, "赵一") and rows[1][6] == "前1名"
    assert rows[2][:2] == (2, "钱二") and rows[2][5] == "↓1"


# --- pages: champions, consequences, links ----------------------------------------------------


def test_champions_page_names_the_winning_units(client, tree, people):
    approved_points(tree.township_a1, "econ_top3", "3")
    approved_points(tree.dept_a, "econ_top3", "1")
    as_user(client, people.inspector)

    response = client.get(CHAMPIONS, {"unit": tree.county_a.pk, "year": Y, "quarter": Q})

    assert response.status_code == 200
    row = text(response).split('data-testid="champion-row"')[1]
    assert "甲县一镇" in row and "甲县发改局" not in row
    assert client.get(CHAMPIONS, {"unit": tree.county_b.pk}).status_code == 404


def test_consequences_page_filters_and_stays_in_scope_in_constant_queries(
    client, tree, cadres, people, django_assert_max_num_queries
):
    for _n in range(5):
        consequence(CadreFactory(unit=tree.township_a1), ConsequenceKind.REMINDER_TALK)
    consequence(cadres.in_a, ConsequenceKind.RESTRICTED, cause=ConsequenceCause.LOW_TWO_YEARS)
    consequence(cadres.in_b, ConsequenceKind.REMINDER_TALK)
    as_user(client, people.inspector)

    with django_assert_max_num_queries(10):
        response = client.get(CONSEQUENCES)
    assert text(response).count('data-testid="consequence-row"') == 6

    response = client.get(CONSEQUENCES, {"kind": ConsequenceKind.RESTRICTED, "year": Y})
    body = text(response)
    assert body.count('data-testid="consequence-row"') == 1 and "张三" in body

    response = client.get(CONSEQUENCES, {"cause": "nonsense"})
    assert response.status_code == 200 and response.context["form"].errors


def test_consequences_export_has_the_filtered_rows(client, tree, cadres, people):
    consequence(cadres.in_a, ConsequenceKind.ADMONISHMENT_TALK, occurrence=2)
    consequence(cadres.in_b, ConsequenceKind.ADMONISHMENT_TALK)
    as_user(client, people.org)

    response = client.get(CONSEQUENCES_EXPORT, {"kind": ConsequenceKind.ADMONISHMENT_TALK})

    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values
    )
    assert len(rows) == 2
    assert rows[1][0] == "张三" and rows[1][6] == "诫勉谈话" and rows[1][5] == 2


def test_links_page_adds_and_removes_a_link(client, tree, cadres, people):
    as_user(client, people.org)
    response = client.post(
        f"{LINKS}?unit={tree.township_a1.pk}",
        {"cadre": cadres.in_a.pk, "unit": tree.township_a1.pk, "kind": "head"},
    )
    assert response.status_code == 302
    link = SupervisionLink.objects.get()
    page = client.get(LINKS, {"unit": tree.county_a.pk})
    assert 'data-testid="link-row"' in text(page) and "data-confirm" in text(page)

    response = client.post(reverse("assessment:rankings_link_delete", args=[link.pk]))
    assert response.status_code == 302
    assert not SupervisionLink.objects.exists()


def test_links_page_refuses_readers_and_other_counties(client, tree, cadres, people):
    link = SupervisionLink.objects.create(cadre=cadres.in_a, unit=tree.township_a1, kind="head")
    as_user(client, people.inspector)
    assert client.get(LINKS).status_code == 200
    response = client.post(LINKS, {"cadre": cadres.in_a.pk, "unit": tree.dept_a.pk, "kind": "head"})
    assert response.status_code == 403
    delete = reverse("assessment:rankings_link_delete", args=[link.pk])
    assert client.post(delete).status_code == 403
    as_user(client, people.org_b)
    assert client.post(delete).status_code == 404
    assert client.get(LINKS, {"unit": tree.county_a.pk}).status_code == 404


def test_links_page_shows_bad_input_on_the_fields(client, tree, people):
    as_user(client, people.org)
    response = client.post(LINKS, {"cadre": "", "unit": tree.county_b.pk, "kind": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"cadre", "unit", "kind"}


# --- the quarterly review ---------------------------------------------------------------------


def test_the_quarterly_page_starts_a_run_after_confirmation(
    client, people, django_capture_on_commit_callbacks
):
    as_user(client, people.org)
    page = client.get(QUARTERLY)
    assert page.status_code == 200 and 'data-testid="run-form"' in text(page)
    assert "data-confirm" in text(page).split('data-testid="run-form"')[1].split(">")[0]

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(QUARTERLY, {"year": Y, "quarter": Q})

    assert response.status_code == 302
    run = QuarterlyRun.objects.get()
    assert (run.year, run.quarter, run.status) == (Y, Q, RunStatus.RUNNING)
    assert len(callbacks) == 1  # the worker is asked once the run is saved
    body = text(client.get(QUARTERLY))
    assert 'data-run-status-url="' in body and "js/quarterly_runs.js" in body


def test_a_quarter_not_yet_begun_is_refused_on_the_field(client, people):
    as_user(client, people.org)
    response = client.post(QUARTERLY, {"year": 2027, "quarter": 1})
    assert response.status_code == 400
    assert response.context["form"].errors["quarter"] == ["该季度尚未开始"]
    assert not QuarterlyRun.objects.exists()


def test_only_the_organisation_department_runs_the_quarterly_review(client, people):
    run = QuarterlyRun.objects.create(year=Y, quarter=Q, status=RunStatus.RUNNING)
    as_user(client, people.inspector)
    assert client.get(QUARTERLY).status_code == 403
    assert client.post(QUARTERLY, {"year": Y, "quarter": Q}).status_code == 403
    status_url = reverse("assessment:rankings_run_status", args=[run.pk])
    assert client.get(status_url).status_code == 403


def test_the_run_status_answers_the_progress_as_json(client, people):
    run = QuarterlyRun.objects.create(
        year=Y,
        quarter=Q,
        status=RunStatus.RUNNING,
        step="综合评价排名",
        percent=40,
        counts={"unit_scores": {"rows": 7, "seconds": 0.1}},
    )
    as_user(client, people.org)

    data = client.get(reverse("assessment:rankings_run_status", args=[run.pk])).json()

    assert data["percent"] == 40 and data["running"] is True
    assert data["step"] == "综合评价排名"
    assert data["counts"] == [{"label": "单位季度得分", "rows": 7}]


# --- the comprehensive analysis report --------------------------------------------------------


@pytest.fixture
def team(tree):
    """The township's team: two members with their quarterly reviews, a score, points, places
    and a consequence."""
    head = CadreFactory(
        name="周书记",
        unit=tree.township_a1,
        post="镇党委书记",
        gender=Gender.MALE,
        birth_date=datetime.date(1978, 3, 1),
        education=Education.MASTER,
        party_member_since=datetime.date(2000, 7, 1),
    )
    deputy = CadreFactory(
        name="吴镇长",
        unit=tree.township_a1,
        post="镇长",
        gender=Gender.FEMALE,
        birth_date=datetime.date(1992, 5, 1),
        education=Education.BACHELOR,
    )
    for cadre, score, grade in ((head, "92.5", "good"), (deputy, "78", "average")):
        QuarterlyReview.objects.create(
            cadre=cadre,
            year=Y,
            quarter=Q,
            unit=tree.township_a1,
            weeks_recorded=12,
            months_summarised=3,
            evaluation_score=Decimal("88"),
            score=Decimal(score),
            grade=grade,
        )
    UnitQuarterScore.objects.create(
        unit=tree.township_a1, year=Y, quarter=Q, points=Decimal("3"), score=Decimal("83")
    )
    approved_points(tree.township_a1, "econ_top3", "3")
    group = group_of(tree.county_a, name="乡镇", kind="unit")
    entry(group, tree.township_a1, 1, "83", size=3)
    consequence(deputy, ConsequenceKind.REMINDER_TALK, detail="单项工作排名全市后三位")
    return type("Team", (), {"unit": tree.township_a1, "head": head, "deputy": deputy})


def docx_text(content):
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_team_report_opens_and_names_the_team_its_members_and_sections(team):
    filename, content = team_analysis_report(team.unit, Y, Q)

    body = docx_text(content)
    assert filename == "甲县一镇领导班子2026年第1季度综合研判报告.docx"
    assert "甲县一镇领导班子2026年第1季度综合研判报告" in body
    for expected in ("周书记", "镇党委书记", "吴镇长", "92.50", "好", "一般"):
        assert expected in body
    for section in ("政治表现", "能力水平", "工作实绩", "工作作风", "班子结构"):
        assert f"{section}。" in body
    assert "单位综合得分83.00" in body and "“乡镇”中，甲县一镇排第1名" in body
    assert "男1人、女1人" in body and "46至55岁1人" in body and "35岁及以下1人" in body
    assert "提醒谈话" in body and "中共甲县委员会组织部" in body


def test_the_team_report_is_downloaded_inside_the_jurisdiction_only(client, team, people, tree):
    as_user(client, people.inspector)
    url = reverse("assessment:rankings_team_report", args=[team.unit.pk])

    response = client.get(url, {"year": Y, "quarter": Q})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "周书记" in docx_text(response.content)
    other = reverse("assessment:rankings_team_report", args=[tree.township_b1.pk])
    assert client.get(other, {"year": Y, "quarter": Q}).status_code == 404
    assert client.get(url, {"year": Y, "quarter": 7}).status_code == 400


def test_the_quarterly_page_offers_the_teams_reports(client, team, people):
    as_user(client, people.org)
    response = client.get(QUARTERLY, {"unit": team.unit.pk, "year": Y, "quarter": Q})
    link = reverse("assessment:rankings_team_report", args=[team.unit.pk])
    assert f"{link}?year={Y}&amp;quarter={Q}" in text(response)


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_api_group_crud_and_members_go_through_the_services(api, tree, cadres, people):
    api.force_authenticate(people.org)
    response = api.post(
        f"{API}ranking-groups/",
        {"unit": tree.county_a.pk, "name": "镇长", "kind": "cadre", "top_n": 1, "bottom_n": 1},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]

    response = api.post(
        f"{API}ranking-groups/{pk}/members/", {"cadres": [cadres.in_a.pk]}, format="json"
    )
    assert response.status_code == 200 and response.json()["cadres"] == [cadres.in_a.pk]

    response = api.post(f"{API}ranking-groups/{pk}/members/", {"units": [tree.dept_a.pk]})
    assert response.status_code == 400 and "units" in response.json()

    response = api.patch(f"{API}ranking-groups/{pk}/", {"top_n": 2}, format="json")
    assert response.status_code == 200 and response.json()["top_n"] == 2
    assert api.delete(f"{API}ranking-groups/{pk}/").status_code == 204

    api.force_authenticate(people.inspector)
    response = api.post(
        f"{API}ranking-groups/",
        {"unit": tree.county_a.pk, "name": "x", "kind": "cadre"},
        format="json",
    )
    assert response.status_code == 403


def test_api_rankings_filter_and_stay_in_scope(
    api, four, tree, people, django_assert_max_num_queries
):
    for rank, cadre in enumerate(four.cadres, start=1):
        entry(four.group, cadre, rank, str(100 - rank), previous=5 - rank)
    other = group_of(tree.county_b)
    entry(other, CadreFactory(unit=tree.township_b1), 1, "99")
    api.force_authenticate(people.inspector)

    with django_assert_max_num_queries(6):
        response = api.get(f"{API}rankings/", {"group": four.group.pk, "year": Y, "quarter": Q})

    rows = response.json()["results"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["cadre_name"] == "赵一" and rows[0]["change"] == 3
    assert api.get(f"{API}rankings/").json()["count"] == 4


def test_api_consequences_are_read_only_and_scoped(
    api, tree, cadres, people, django_assert_max_num_queries
):
    for _n in range(4):
        consequence(CadreFactory(unit=tree.township_a1))
    consequence(cadres.in_b)
    api.force_authenticate(people.inspector)

    with django_assert_max_num_queries(5):
        response = api.get(f"{API}consequences/")

    assert len(response.json()["results"]) == 4
    assert api.post(f"{API}consequences/", {}).status_code == 405


def test_api_links_and_quarterly_runs(
    api, tree, cadres, people, django_capture_on_commit_callbacks
):
    api.force_authenticate(people.org)
    response = api.post(
        f"{API}supervision-links/",
        {"cadre": cadres.in_a.pk, "unit": tree.township_a1.pk, "kind": "head"},
        format="json",
    )
    assert response.status_code == 201
    assert api.get(f"{API}supervision-links/").json()["results"][0]["cadre_name"] == "张三"

    with django_capture_on_commit_callbacks():
        response = api.post(f"{API}quarterly-runs/", {"year": Y, "quarter": Q}, format="json")
    assert response.status_code == 202 and response.json()["status"] == RunStatus.RUNNING
    assert api.get(f"{API}quarterly-runs/").json()["results"][0]["year"] == Y

    api.force_authenticate(people.inspector)
    assert api.get(f"{API}quarterly-runs/").status_code == 403
    assert api.post(f"{API}quarterly-runs/", {"year": Y, "quarter": Q}).status_code == 403


# --- admin ------------------------------------------------------------------------------------


def test_admin_lists_the_models_and_keeps_computed_rows_read_only(
    client, four, tree, cadres, people, django_user_model
):
    entry(four.group, four.cadres[0], 1, "90")
    consequence(cadres.in_a)
    SupervisionLink.objects.create(cadre=cadres.in_a, unit=tree.township_a1, kind="head")
    QuarterlyRun.objects.create(year=Y, quarter=Q, status=RunStatus.DONE)
    admin_user = django_user_model.objects.create_superuser("root", "root@example.gov.cn", "pw")
    client.force_login(admin_user)

    for model in (
        "rankinggroup",
        "rankingentry",
        "consequence",
        "supervisionlink",
        "quarterlyrun",
        "unitquarterscore",
    ):
        response = client.get(reverse(f"admin:assessment_{model}_changelist"))
        assert response.status_code == 200, model
    consequence_row = Consequence.objects.get()
    change = client.get(reverse("admin:assessment_consequence_change", args=[consequence_row.pk]))
    assert b'name="_save"' not in change.content

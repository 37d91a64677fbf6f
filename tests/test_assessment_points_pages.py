"""Pages, API and admin of the points ledger (考核积分制, DOMAIN §2, X): the ledger with its
filters, totals and export, submitting an item, the city's result for the leading and
responsible departments (double rule), the review queue (four-eyes, a note to return), the unit
totals of a period; all inside the user's jurisdiction, in a constant number of queries."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from assessment import points
from assessment.choices import PointsStatus
from assessment.models import PointsEntry
from cadre.choices import Role
from cadre.models import User
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
MAY = datetime.date(2026, 5, 10)
LEDGER = reverse("assessment:points")
EXPORT = reverse("assessment:points_export")
SUBMIT = reverse("assessment:points_submit")
CITY = reverse("assessment:points_city_result")
QUEUE = reverse("assessment:points_review_queue")
SUMMARY = reverse("assessment:points_summary")
ENTRIES_API = "/api/v1/assessment/points-entries/"
CITY_API = "/api/v1/assessment/points-city-results/"


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
            "org2": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz2"),
            "leader": make_user(Role.UNIT_LEADER, unit=tree.township_a1, username="ld1"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw1"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb"),
            "cadre_user": make_user(
                Role.CADRE,
                unit=tree.township_a1,
                username="gb1",
                cadre=CadreFactory(unit=tree.township_a1),
            ),
        },
    )


def as_user(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def submit(actor, unit, item="econ_top3", occurred_on=MAY, **kwargs):
    kwargs.setdefault("evidence", "市统计局季度通报")
    return points.points_entry_submit(
        actor=actor, unit=unit, item=item, occurred_on=occurred_on, **kwargs
    )


def approve(entry, reviewer):
    return points.points_entry_review(actor=reviewer, entry=entry, approve=True)


def row_ids(response):
    return {int(p.split('"')[0]) for p in text(response).split('data-entry="')[1:]}


@pytest.fixture
def ledger(tree, people):
    """Township A1: +5 approved (May), -5 approved (May), +3 pending (May), +5 approved (Feb);
    county A's department: +3 approved (May); county B's township: +5 pending."""
    e = {}
    e["top3"] = approve(submit(people.leader, tree.township_a1, "econ_top3"), people.org)
    e["criticism"] = approve(submit(people.leader, tree.township_a1, "city_criticism"), people.org)
    e["pending"] = submit(people.leader, tree.township_a1, "onsite_meeting")
    e["february"] = approve(
        submit(people.leader, tree.township_a1, occurred_on=datetime.date(2026, 2, 3)), people.org
    )
    e["dept"] = approve(submit(people.org2, tree.dept_a, "city_title"), people.org)
    e["other_county"] = submit(people.org_b, tree.township_b1)
    return e


# --- the ledger -------------------------------------------------------------------------------


def test_ledger_shows_the_jurisdiction_with_approved_totals(client, people, ledger):
    response = as_user(client, people.org).get(LEDGER)

    assert response.status_code == 200
    assert row_ids(response) == {e.pk for k, e in ledger.items() if k != "other_county"}
    assert 'data-testid="approved-total">8.00<' in text(response)
    assert 'data-testid="pending-count">1<' in text(response)


def test_unit_leader_sees_their_unit_only(client, people, ledger):
    response = as_user(client, people.leader).get(LEDGER)

    assert row_ids(response) == {ledger[k].pk for k in ("top3", "criticism", "pending", "february")}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("unit={township_a1}", {"top3", "criticism", "pending", "february"}),
        ("unit={county_a}&status=pending", {"pending"}),
        ("direction=deduct", {"criticism"}),
        ("item=city_title", {"dept"}),
        ("year=2026&quarter=1", {"february"}),
        ("year=2025", set()),
    ],
)
def test_ledger_filters(client, tree, people, ledger, query, expected):
    query = query.format(township_a1=tree.township_a1.pk, county_a=tree.county_a.pk)

    response = as_user(client, people.org).get(f"{LEDGER}?{query}")

    assert response.status_code == 200
    assert row_ids(response) == {ledger[k].pk for k in expected}


def test_ledger_with_a_bad_filter_is_not_an_error(client, people, ledger):
    response = as_user(client, people.org).get(f"{LEDGER}?year=abc&quarter=9")

    assert response.status_code == 200


def test_cadre_user_may_not_read_the_ledger(client, people):
    assert as_user(client, people.cadre_user).get(LEDGER).status_code == 403


def test_ledger_queries_do_not_grow_with_rows(client, tree, people, django_assert_max_num_queries):
    for n in range(30):
        entry = submit(
            people.leader, tree.township_a1, cadre=None, evidence=f"通报{n}", base_points="1"
        )
        if n % 2:
            approve(entry, people.org)
    as_user(client, people.org)

    with django_assert_max_num_queries(12):
        response = client.get(LEDGER)

    assert len(row_ids(response)) == 30


def test_export_has_the_filtered_rows(client, tree, people, ledger):
    response = as_user(client, people.org).get(f"{EXPORT}?unit={tree.township_a1.pk}")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("发生日期", "计分单位", "相关干部")
    assert sorted(r[6] for r in rows[1:]) == [-5, 3, 5, 5]
    assert {r[1] for r in rows[1:]} == {"甲县一镇"}


# --- submitting -------------------------------------------------------------------------------


def submit_form(**changes):
    data = {
        "item": "econ_top3",
        "base_points": "",
        "role": "",
        "occurred_on": "2026-05-10",
        "cadre": "",
        "evidence": "市统计局通报",
    }
    data.update(changes)
    return data


def test_submit_form_offers_the_catalogue_with_default_points(client, people):
    response = as_user(client, people.org).get(SUBMIT)

    assert response.status_code == 200
    assert "主要经济指标季度排名全市前三位（+5）" in text(response)
    assert "受到市级以上通报批评（-5）" in text(response)
    assert "按市级考核实际分值" in text(response)


def test_submit_creates_a_pending_entry(client, tree, people):
    response = as_user(client, people.leader).post(
        SUBMIT, submit_form(unit=tree.township_a1.pk, item="city_criticism")
    )

    assert response.status_code == 302
    entry = PointsEntry.objects.get()
    assert (entry.unit, entry.points, entry.status) == (
        tree.township_a1,
        Decimal("-5.00"),
        PointsStatus.PENDING,
    )


def test_submit_role_on_a_plain_item_is_a_field_error(client, tree, people):
    response = as_user(client, people.org).post(
        SUBMIT, submit_form(unit=tree.dept_a.pk, role="lead")
    )

    assert response.status_code == 400
    assert "只有适用双倍计分的项目才能选择牵头部门或责任部门" in text(response)
    assert not PointsEntry.objects.exists()


def test_submit_missing_actual_points_is_a_field_error(client, tree, people):
    response = as_user(client, people.org).post(
        SUBMIT, submit_form(unit=tree.dept_a.pk, item="city_assessment_gain")
    )

    assert response.status_code == 400
    assert "请填写基础分值" in text(response)


def test_unit_leader_is_offered_only_their_unit(client, tree, people):
    response = as_user(client, people.leader).post(SUBMIT, submit_form(unit=tree.dept_a.pk))

    assert response.status_code == 400
    assert not PointsEntry.objects.exists()


def test_inspector_may_not_submit(client, people):
    assert as_user(client, people.inspector).get(SUBMIT).status_code == 403


def test_city_result_form_doubles_for_lead_and_responsible(client, tree, people):
    response = as_user(client, people.org).post(
        CITY,
        {
            "item": "city_assessment_gain",
            "base_points": "2",
            "occurred_on": "2026-05-10",
            "lead_unit": tree.dept_a.pk,
            "responsible_units": [tree.township_a1.pk, tree.county_a.pk],
            "evidence": "市考核办通报",
        },
    )

    assert response.status_code == 302
    assert sorted(PointsEntry.objects.values_list("unit_id", "role", "points")) == sorted(
        [
            (tree.dept_a.pk, "lead", Decimal("4.00")),
            (tree.township_a1.pk, "responsible", Decimal("4.00")),
            (tree.county_a.pk, "responsible", Decimal("4.00")),
        ]
    )


def test_city_result_form_offers_only_double_items(client, people):
    response = as_user(client, people.org).get(CITY)

    assert "city_assessment_loss" in text(response)
    assert 'value="econ_top3"' not in text(response)


def test_unit_leader_may_not_record_city_results(client, people):
    assert as_user(client, people.leader).get(CITY).status_code == 403


# --- review -----------------------------------------------------------------------------------


def test_queue_offers_others_entries_with_confirmation_and_marks_own(client, tree, people):
    theirs = submit(people.leader, tree.township_a1)
    mine = submit(people.org, tree.dept_a)

    response = as_user(client, people.org).get(QUEUE)

    assert response.status_code == 200
    body = text(response)
    assert row_ids(response) == {theirs.pk, mine.pk}
    assert reverse("assessment:points_review", args=[theirs.pk]) in body
    assert reverse("assessment:points_review", args=[mine.pk]) not in body
    assert "本人提交，须由他人审核" in body
    assert "data-confirm" in body


def test_queue_queries_do_not_grow_with_rows(client, tree, people, django_assert_max_num_queries):
    for n in range(20):
        submit(people.leader, tree.township_a1, evidence=f"通报{n}")
    as_user(client, people.org)

    with django_assert_max_num_queries(8):
        response = client.get(QUEUE)

    assert len(row_ids(response)) == 20


def test_approve_from_the_queue(client, tree, people):
    entry = submit(people.leader, tree.township_a1)

    response = as_user(client, people.org).post(
        reverse("assessment:points_review", args=[entry.pk]), {f"{entry.pk}-approve": "1"}
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == PointsStatus.APPROVED


def test_return_without_a_note_shows_the_error_on_the_row(client, tree, people):
    entry = submit(people.leader, tree.township_a1)

    response = as_user(client, people.org).post(
        reverse("assessment:points_review", args=[entry.pk]),
        {f"{entry.pk}-approve": "0", f"{entry.pk}-note": ""},
    )

    assert response.status_code == 400
    assert "退回须填写审核意见" in text(response)
    entry.refresh_from_db()
    assert entry.status == PointsStatus.PENDING


def test_second_review_is_told_it_was_already_reviewed(client, tree, people):
    entry = approve(submit(people.leader, tree.township_a1), people.org2)

    response = as_user(client, people.org).post(
        reverse("assessment:points_review", args=[entry.pk]),
        {f"{entry.pk}-approve": "0", f"{entry.pk}-note": "撤销"},
        follow=True,
    )

    assert "该积分已由他人审核" in text(response)
    entry.refresh_from_db()
    assert entry.status == PointsStatus.APPROVED


def test_review_out_of_jurisdiction_is_not_found(client, tree, people):
    entry = submit(people.leader, tree.township_a1)

    response = as_user(client, people.org_b).post(
        reverse("assessment:points_review", args=[entry.pk]), {f"{entry.pk}-approve": "1"}
    )

    assert response.status_code == 404


def test_unit_leader_may_not_review(client, tree, people):
    entry = submit(people.org, tree.township_a1)

    response = as_user(client, people.leader).post(
        reverse("assessment:points_review", args=[entry.pk]), {f"{entry.pk}-approve": "1"}
    )

    assert response.status_code == 403
    assert as_user(client, people.leader).get(QUEUE).status_code == 403


# --- unit totals ------------------------------------------------------------------------------


def test_summary_gives_each_unit_its_approved_points_of_the_quarter(client, tree, people, ledger):
    response = as_user(client, people.org).get(f"{SUMMARY}?year=2026&quarter=2")

    assert response.status_code == 200
    body = text(response)
    totals = {}
    for part in body.split('data-unit="')[1:]:
        unit_id = int(part.split('"')[0])
        totals[unit_id] = part.split('data-testid="unit-total">')[1].split("<")[0].strip()
    assert totals == {
        tree.county_a.pk: "0.00",
        tree.township_a1.pk: "0.00",
        tree.dept_a.pk: "+3.00",
    }


def test_summary_of_the_year_counts_the_first_quarter(client, tree, people, ledger):
    response = as_user(client, people.org).get(f"{SUMMARY}?year=2026&unit={tree.township_a1.pk}")

    assert 'data-testid="unit-total">+5.00<' in text(response)


def test_summary_of_a_unit_out_of_jurisdiction_is_not_found(client, tree, people):
    response = as_user(client, people.org).get(f"{SUMMARY}?year=2026&unit={tree.county_b.pk}")

    assert response.status_code == 404


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def api():
    def _login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return _login


def test_api_list_is_scoped_and_filtered(api, tree, people, ledger, django_assert_max_num_queries):
    client = api(people.org)

    with django_assert_max_num_queries(7):
        response = client.get(ENTRIES_API, {"unit": tree.township_a1.pk, "status": "approved"})

    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {
        ledger[k].pk for k in ("top3", "criticism", "february")
    }
    assert api(people.org_b).get(f"{ENTRIES_API}{ledger['top3'].pk}/").status_code == 404
    assert api(people.cadre_user).get(ENTRIES_API).json()["results"] == []


def test_api_list_queries_do_not_grow_with_rows(api, tree, people, django_assert_max_num_queries):
    for n in range(25):
        approve(submit(people.leader, tree.township_a1, evidence=f"通报{n}"), people.org)
    client = api(people.org)

    with django_assert_max_num_queries(7):
        response = client.get(ENTRIES_API)

    assert len(response.json()["results"]) == 25


def test_api_create_submits(api, tree, people):
    response = api(people.org).post(
        ENTRIES_API,
        {
            "unit": tree.dept_a.pk,
            "item": "city_assessment_loss",
            "base_points": "1.5",
            "role": "responsible",
            "occurred_on": "2026-05-10",
            "evidence": "市考核办通报",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["points"] == "-3.00"
    assert response.json()["status"] == "pending"


def test_api_create_errors_are_field_errors(api, tree, people):
    response = api(people.org).post(
        ENTRIES_API,
        {
            "unit": tree.dept_a.pk,
            "item": "econ_top3",
            "role": "lead",
            "occurred_on": "2026-05-10",
            "evidence": "",
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"role", "evidence"}


def test_api_create_for_an_out_of_scope_unit_is_refused(api, tree, people):
    response = api(people.org).post(
        ENTRIES_API,
        {
            "unit": tree.township_b1.pk,
            "item": "econ_top3",
            "occurred_on": "2026-05-10",
            "evidence": "x",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "unit" in response.json()
    assert api(people.inspector).post(ENTRIES_API, {}, format="json").status_code == 403


def test_api_review(api, tree, people):
    entry = submit(people.org, tree.township_a1)
    url = f"{ENTRIES_API}{entry.pk}/review/"

    assert api(people.org).post(url, {"approve": True}, format="json").status_code == 403
    assert api(people.leader).post(url, {"approve": True}, format="json").status_code == 403
    assert api(people.org_b).post(url, {"approve": True}, format="json").status_code == 404
    rejected = api(people.org2).post(url, {"approve": False}, format="json")
    assert rejected.status_code == 400 and "note" in rejected.json()

    approved = api(people.org2).post(url, {"approve": True}, format="json")

    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    again = api(people.org2).post(url, {"approve": False, "note": "撤销"}, format="json")
    assert again.status_code == 409


def test_api_city_result(api, tree, people):
    response = api(people.org).post(
        CITY_API,
        {
            "item": "city_assessment_gain",
            "base_points": "3",
            "occurred_on": "2026-05-10",
            "lead_unit": tree.dept_a.pk,
            "responsible_units": [tree.township_a1.pk],
            "evidence": "市考核办通报",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert sorted((r["role"], r["points"]) for r in response.json()) == [
        ("lead", "6.00"),
        ("responsible", "6.00"),
    ]
    assert api(people.leader).post(CITY_API, {}, format="json").status_code == 403


# --- admin ------------------------------------------------------------------------------------

CHANGELIST = reverse("admin:assessment_pointsentry_changelist")


def make_staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["assessment", "cadre"])
    )
    return User.objects.get(pk=user.pk)


def test_admin_lists_the_jurisdiction_read_only(client, people, ledger):
    response = as_user(client, make_staff(people.org_b)).get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    detail = client.get(
        reverse("admin:assessment_pointsentry_change", args=[ledger["other_county"].pk])
    )
    assert detail.status_code == 200
    assert 'name="evidence"' not in text(detail)
    assert client.get(reverse("admin:assessment_pointsentry_add")).status_code == 403


def test_admin_approve_action_goes_through_the_review(client, tree, people):
    theirs = submit(people.leader, tree.township_a1)
    mine = submit(people.org, tree.dept_a)

    response = as_user(client, make_staff(people.org)).post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [theirs.pk, mine.pk]},
        follow=True,
    )

    body = text(response)
    assert "已审核通过1条积分" in body
    assert "不能审核本人提交的积分" in body
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.status, mine.status) == (PointsStatus.APPROVED, PointsStatus.PENDING)


def test_admin_action_is_not_offered_to_readers(client, people, ledger):
    response = as_user(client, make_staff(people.inspector)).get(CHANGELIST)

    assert response.status_code == 200
    assert "approve_selected" not in text(response)


def test_summary_queries_do_not_grow_with_units(
    client, tree, people, ledger, django_assert_max_num_queries
):
    from tests.factories import UnitFactory

    for n in range(15):
        UnitFactory(name=f"甲县{n}局", code=f"CAX{n}", parent=tree.county_a)
    as_user(client, people.org)

    with django_assert_max_num_queries(10):
        response = client.get(f"{SUMMARY}?year=2026")

    assert text(response).count('data-testid="summary-row"') == 18

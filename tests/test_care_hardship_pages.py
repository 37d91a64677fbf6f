"""Hardship-help and care-fund pages, exports, API and admin: lists with filters and constant
queries, the review form, a cadre's own applications, funds and their ledgers, deposits and
disbursements with confirmation; out-of-jurisdiction rows absent or not found."""

import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role
from care import hardship
from care.choices import ApplicationStatus
from care.models import HardshipApplication
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=TZ)
LIST = reverse("care:application_list")
EXPORT = reverse("care:application_export")
NEW = reverse("care:application_new")
FUNDS = reverse("care:fund_list")
API = "/api/v1/care/"
S = ApplicationStatus


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(tree, make_user):
    a = CadreFactory(name="赵一", unit=tree.township_a1, post_level=level("township_deputy"))
    b = CadreFactory(name="孙乙", unit=tree.township_b1, post_level=level("township_deputy"))
    w = type(
        "World",
        (),
        {
            "a": a,
            "b": b,
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_a"),
            "cadre_user": make_user(Role.CADRE, unit=tree.township_a1, username="gb", cadre=a),
        },
    )
    w.app_a = submit(w.org, a, "medical")
    w.app_b = submit(w.org_b, b, "children_schooling")
    return w


def submit(actor, cadre, category="medical"):
    return hardship.application_submit(
        actor=actor, cadre=cadre, category=category, description="困难情况", amount_requested="800"
    )


def login(client, user):
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response, testid="application-row", attr="data-application"):
    return [
        int(m)
        for m in re.findall(rf'data-testid="{testid}" {attr}="(\d+)"', response.content.decode())
    ]


def test_list_shows_applications_in_jurisdiction_only(client, world):
    response = login(client, world.org).get(LIST)

    assert ids(response) == [world.app_a.pk]


def test_list_filters_by_status_category_and_name(client, world, tree):
    other = submit(world.org, CadreFactory(name="周三", unit=tree.township_a1), "living")
    hardship.application_approve(actor=world.org, application=other)
    login(client, world.org)

    assert ids(client.get(LIST + "?status=approved")) == [other.pk]
    assert ids(client.get(LIST + "?category=medical")) == [world.app_a.pk]
    assert ids(client.get(LIST + "?name=周")) == [other.pk]
    assert ids(client.get(LIST + f"?unit={tree.township_a1.pk}")) == sorted(
        [other.pk, world.app_a.pk], reverse=True
    )


def test_list_queries_do_not_grow(client, world, tree, django_assert_max_num_queries):
    for _n in range(20):
        submit(world.org, CadreFactory(unit=tree.township_a1), "medical")
    login(client, world.org)

    with django_assert_max_num_queries(12):
        response = client.get(LIST)

    assert len(ids(response)) == 21


def test_export_has_the_filtered_applications(client, world):
    response = login(client, world.org).get(EXPORT + "?category=medical")

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["赵一"]


def test_detail_outside_jurisdiction_is_not_found(client, world):
    login(client, world.org)

    assert client.get(reverse("care:application_detail", args=[world.app_b.pk])).status_code == 404


def test_review_form_approves_with_amount(client, world):
    url = reverse("care:application_review", args=[world.app_a.pk])

    response = login(client, world.org).post(
        url, {"decision": "approved", "amount_granted": "600", "note": "同意"}
    )

    world.app_a.refresh_from_db()
    assert response.status_code == 302
    assert (world.app_a.status, str(world.app_a.amount_granted)) == (S.APPROVED, "600.00")


def test_review_form_reject_without_reason_shows_the_error(client, world):
    url = reverse("care:application_review", args=[world.app_a.pk])

    response = login(client, world.org).post(url, {"decision": "rejected", "note": ""})

    assert response.status_code == 400
    assert "不予批准须填写审核意见" in response.content.decode()


def test_cadre_applies_on_the_page_and_follows_the_status(client, world):
    login(client, world.cadre_user)

    response = client.post(NEW, {"category": "spouse_employment", "description": "配偶待业"})

    application = HardshipApplication.objects.get(category_code="spouse_employment")
    assert response.status_code == 302
    assert application.cadre == world.a
    listing = client.get(LIST)
    assert set(ids(listing)) == {application.pk, world.app_a.pk}
    detail = client.get(reverse("care:application_detail", args=[application.pk]))
    assert "待审核" in detail.content.decode()
    assert 'data-testid="review-form"' not in detail.content.decode()


def test_discipline_inspector_does_not_read_hardship(client, world):
    assert login(client, world.inspector).get(LIST).status_code == 403


# --- funds --------------------------------------------------------------------------------------


@pytest.fixture
def fund(world, tree):
    fund = hardship.fund_create(actor=world.org, unit=tree.county_a, name="甲县关爱基金")
    hardship.fund_deposit(actor=world.org, fund=fund, amount="1000", note="县级财政拨款")
    fund.refresh_from_db()
    return fund


def test_fund_list_shows_balances_in_jurisdiction(client, world, fund, tree):
    hardship.fund_create(actor=world.org_b, unit=tree.county_b, name="乙县关爱基金")

    response = login(client, world.org).get(FUNDS)

    assert ids(response, "fund-row", "data-fund") == [fund.pk]
    assert "1000.00" in response.content.decode()


def test_fund_detail_ledger_and_export(client, world, fund):
    hardship.fund_disburse(actor=world.org, fund=fund, amount="200", note="慰问困难干部")
    login(client, world.org)

    page = client.get(reverse("care:fund_detail", args=[fund.pk]))
    export = client.get(reverse("care:fund_export", args=[fund.pk]))

    assert page.content.decode().count('data-testid="entry-row"') == 2
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == [800.0, 1000.0]


def test_fund_detail_queries_do_not_grow(client, world, fund, django_assert_max_num_queries):
    for n in range(20):
        hardship.fund_disburse(actor=world.org, fund=fund, amount="1", note=f"支出{n}")
    login(client, world.org)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("care:fund_detail", args=[fund.pk]))

    assert response.content.decode().count('data-testid="entry-row"') == 21


def test_disburse_form_asks_for_confirmation_and_refuses_overdraft(client, world, fund):
    url = reverse("care:fund_disburse", args=[fund.pk])
    login(client, world.org)

    assert "data-confirm" in client.get(url).content.decode()
    response = client.post(url, {"amount": "1000.01", "note": "补助"})

    assert response.status_code == 400
    assert "基金余额不足" in response.content.decode()


def test_disburse_form_for_an_approved_application(client, world, fund):
    hardship.application_approve(actor=world.org, application=world.app_a, amount_granted="300")
    url = reverse("care:fund_disburse", args=[fund.pk])

    response = login(client, world.org).post(url, {"amount": "300", "application": world.app_a.pk})

    world.app_a.refresh_from_db()
    assert response.status_code == 302
    assert world.app_a.status == S.CLOSED


def test_fund_of_another_county_is_not_found(client, world, fund):
    login(client, world.org_b)

    assert client.get(reverse("care:fund_detail", args=[fund.pk])).status_code == 404
    assert client.post(reverse("care:fund_deposit", args=[fund.pk]), {}).status_code == 404


def test_read_only_role_cannot_deposit(client, world, fund):
    url = reverse("care:fund_deposit", args=[fund.pk])

    assert login(client, world.auditor).get(url).status_code == 403


# --- API ----------------------------------------------------------------------------------------


def test_api_applications_review_and_conflict(world):
    client = api(world.org)
    url = f"{API}hardship-applications/{world.app_a.pk}/"

    approved = client.post(url + "approve/", {"amount_granted": "500"}, format="json")
    again = client.post(url + "reject/", {"note": "理由"}, format="json")

    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert again.status_code == 409


def test_api_reject_without_reason_is_400(world):
    url = f"{API}hardship-applications/{world.app_a.pk}/reject/"

    assert api(world.org).post(url, {"note": ""}, format="json").status_code == 400


def test_api_cadre_self_service(world):
    client = api(world.cadre_user)

    created = client.post(
        f"{API}hardship-applications/",
        {"category": "medical", "description": "门诊费用"},
        format="json",
    )
    listed = client.get(f"{API}hardship-applications/").json()["results"]
    approve = client.post(f"{API}hardship-applications/{created.json()['id']}/approve/", {})

    assert created.status_code == 201 and created.json()["cadre"] == world.a.pk
    assert {r["cadre"] for r in listed} == {world.a.pk}
    assert approve.status_code == 403


def test_api_out_of_jurisdiction_is_not_found(world):
    response = api(world.org).get(f"{API}hardship-applications/{world.app_b.pk}/")

    assert response.status_code == 404


def test_api_funds_deposit_disburse_entries(world, tree):
    client = api(world.org)
    fund = client.post(
        f"{API}care-funds/", {"unit": tree.county_a.pk, "name": "关爱基金"}, format="json"
    ).json()
    url = f"{API}care-funds/{fund['id']}/"

    deposit = client.post(url + "deposit/", {"amount": "100", "note": "拨款"}, format="json")
    overdraft = client.post(url + "disburse/", {"amount": "150", "note": "补助"}, format="json")
    paid = client.post(url + "disburse/", {"amount": "40", "note": "补助"}, format="json")
    entries = client.get(f"{API}fund-entries/?fund={fund['id']}").json()["results"]

    assert deposit.status_code == 201
    assert overdraft.status_code == 400 and "基金余额不足" in overdraft.json()["amount"][0]
    assert paid.status_code == 201 and paid.json()["balance_after"] == "60.00"
    assert client.get(url).json()["balance"] == "60.00"
    assert len(entries) == 2


def test_api_read_only_role_cannot_disburse(world, fund):
    url = f"{API}care-funds/{fund.pk}/disburse/"

    response = api(world.auditor).post(url, {"amount": "1", "note": "x"}, format="json")

    assert response.status_code == 403


def test_api_application_list_queries_are_constant(world, tree, django_assert_max_num_queries):
    for _n in range(20):
        submit(world.org, CadreFactory(unit=tree.township_a1))

    with django_assert_max_num_queries(5):
        response = api(world.org).get(f"{API}hardship-applications/")

    assert len(response.json()["results"]) == 21


def test_admin_ledger_is_read_only_and_restricted(client, world, fund, make_user, tree):
    from django.contrib.auth.models import Permission

    staff_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb2", is_staff=True)
    staff_a = make_user(Role.ORGANISATION, unit=tree.county_a, username="zza2", is_staff=True)
    for user in (staff_a, staff_b):
        user.user_permissions.add(*Permission.objects.filter(codename__endswith="fundentry"))

    page_b = login(client, staff_b).get(reverse("admin:care_fundentry_changelist"))
    page_a = login(client, staff_a).get(reverse("admin:care_fundentry_changelist"))

    assert "县级财政拨款" not in page_b.content.decode()
    assert "县级财政拨款" in page_a.content.decode()
    assert login(client, staff_a).get(reverse("admin:care_fundentry_add")).status_code == 403


def test_every_hardship_page_renders(client, world, fund):
    hardship.application_approve(actor=world.org, application=world.app_a, amount_granted="100")
    hardship.fund_disburse(actor=world.org, fund=fund, amount="100", application=world.app_a)
    other = submit(world.org, world.a, "living")
    hardship.application_approve(actor=world.org, application=other)
    login(client, world.org)
    urls = [
        NEW + f"?cadre={world.a.pk}",
        reverse("care:application_detail", args=[world.app_a.pk]),
        reverse("care:application_detail", args=[other.pk]),
        reverse("care:fund_new"),
        reverse("care:fund_deposit", args=[fund.pk]),
        reverse("care:fund_disburse", args=[fund.pk]) + f"?application={other.pk}",
        FUNDS + "?q=甲县",
        reverse("care:fund_detail", args=[fund.pk]) + "?kind=disbursement",
    ]

    for url in urls:
        assert client.get(url).status_code == 200, url
    cadre_view = login(client, world.cadre_user).get(
        reverse("care:application_detail", args=[world.app_a.pk])
    )
    assert cadre_view.status_code == 200 and "已办结" in cadre_view.content.decode()


def test_detail_timeline_reads_in_chinese(client, world):
    hardship.application_reject(actor=world.org, application=world.app_a, note="不符合条件")

    body = (
        login(client, world.org)
        .get(reverse("care:application_detail", args=[world.app_a.pk]))
        .content.decode()
    )

    assert "提交申请" in body
    assert "不予批准（待审核 → 未批准）" in body

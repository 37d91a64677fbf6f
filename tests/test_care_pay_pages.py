"""Pay-tilt pages, export, API, admin and the overview count: the check of a county of the
jurisdiction with the shortfalls highlighted, the records (a cadre user: their own), the forms
and the import, all inside the jurisdiction, in a constant number of queries."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role
from care import pay
from care.models import AssessmentBonus
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

TILT = reverse("care:pay_tilt")
RECORDS = reverse("care:pay_records")
RECORD = reverse("care:pay_record")
IMPORT = reverse("care:pay_import")
API = "/api/v1/care/"


@pytest.fixture
def world(tree, make_user):
    deputy, chief = level("township_deputy"), level("township_chief")
    t1 = CadreFactory(name="镇副一", unit=tree.township_a1, post_level=deputy)
    d1 = CadreFactory(name="局副一", unit=tree.dept_a, post_level=deputy)
    tc = CadreFactory(name="镇长一", unit=tree.township_a1, post_level=chief)
    b1 = CadreFactory(name="乙镇副一", unit=tree.township_b1, post_level=deputy)
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a")
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b")
    return type(
        "World",
        (),
        {
            "t1": t1,
            "d1": d1,
            "tc": tc,
            "b1": b1,
            "deputy": deputy,
            "org": org,
            "org_b": org_b,
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_a"),
            "cadre_user": make_user(Role.CADRE, unit=tree.township_a1, username="gb", cadre=t1),
        },
    )


@pytest.fixture
def recorded(world):
    """2025 in county A: deputies equal (a shortfall), the township chief alone (not
    comparable); county B: one record."""
    return {
        "t1": pay.bonus_record(actor=world.org, cadre=world.t1, year=2025, amount="30000"),
        "d1": pay.bonus_record(actor=world.org, cadre=world.d1, year=2025, amount="30000"),
        "tc": pay.bonus_record(actor=world.org, cadre=world.tc, year=2025, amount="40000"),
        "b1": pay.bonus_record(actor=world.org_b, cadre=world.b1, year=2025, amount="1"),
    }


def login(client, user):
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def found(response, testid, attr):
    return re.findall(rf'data-testid="{testid}" {attr}="([^"]+)"', response.content.decode())


def upload(rows, header=("姓名", "身份证号", "年度", "金额")):
    book = openpyxl.Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile("bonus.xlsx", stream.getvalue())


# --- the check page -----------------------------------------------------------------------------


def test_tilt_page_highlights_the_shortfalls(client, world, tree, recorded):
    response = login(client, world.org).get(TILT)

    assert response.status_code == 200
    body = response.content.decode()
    assert "甲县" in body and "乙县" not in body
    verdicts = re.findall(
        r'data-dimension="post_level" data-group="(\d+)" data-verdict="(\w+)"( class="row-alert")?',
        body,
    )
    by_group = {int(pk): (verdict, bool(alert)) for pk, verdict, alert in verdicts}
    assert by_group[world.deputy.pk] == ("shortfall", True)
    assert by_group[level("township_chief").pk] == ("not_comparable", False)
    assert "未高于县直机关" in body and "无可比人员" in body


def test_tilt_page_county_outside_the_jurisdiction_is_not_found(client, world, tree, recorded):
    response = login(client, world.org).get(TILT + f"?county={tree.county_b.pk}&year=2025")

    assert response.status_code == 404


def test_tilt_page_empty_states(client, world, tree, make_user):
    response = login(client, world.org).get(TILT + "?year=2019")
    assert response.status_code == 200
    assert 'data-testid="empty"' in response.content.decode()

    township_user = make_user(Role.ORGANISATION, unit=tree.township_a1, username="zz_t")
    response = login(client, township_user).get(TILT)
    assert 'data-testid="no-counties"' in response.content.decode()


def test_tilt_page_is_for_care_readers(client, world, recorded):
    assert login(client, world.inspector).get(TILT).status_code == 403
    assert login(client, world.auditor).get(TILT).status_code == 200
    assert login(client, world.cadre_user).get(TILT).url == RECORDS


def test_tilt_page_query_count_does_not_grow(
    client, world, tree, recorded, django_assert_max_num_queries
):
    for n in range(20):
        cadre = CadreFactory(
            unit=tree.dept_a if n % 2 else tree.township_a1, post_level=world.deputy
        )
        pay.bonus_record(actor=world.org, cadre=cadre, year=2025, amount=1000 + n)
    login(client, world.org)

    with django_assert_max_num_queries(10):
        response = client.get(TILT + "?year=2025")

    assert response.status_code == 200


def test_tilt_export_has_every_group_and_the_hardship_line(client, world, tree, recorded):
    response = login(client, world.org).get(
        reverse("care:pay_tilt_export") + f"?county={tree.county_a.pk}&year=2025"
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "比较口径"
    deputies = next(r for r in rows if r[0] == "同职务" and r[1] == "乡科级副职")
    assert deputies[2:] == (1, 30000, 1, 30000, 0, "未高于县直机关")
    assert rows[-1][0] == "艰苦地区（乡镇机关内）"
    outside = login(client, world.org).get(
        reverse("care:pay_tilt_export") + f"?county={tree.county_b.pk}&year=2025"
    )
    assert outside.status_code == 404


# --- records ------------------------------------------------------------------------------------


def test_records_list_only_the_jurisdiction(client, world, recorded):
    response = login(client, world.org).get(RECORDS)

    ids = {int(pk) for pk in found(response, "bonus-row", "data-bonus")}
    assert ids == {recorded[k].pk for k in ("t1", "d1", "tc")}
    filtered = client.get(RECORDS + "?side=county_department")
    assert [int(pk) for pk in found(filtered, "bonus-row", "data-bonus")] == [recorded["d1"].pk]


def test_cadre_user_sees_only_their_own_bonus(client, world, recorded):
    login(client, world.cadre_user)

    response = client.get(RECORDS)

    assert [int(pk) for pk in found(response, "bonus-row", "data-bonus")] == [recorded["t1"].pk]
    assert client.get(reverse("care:pay_detail", args=[recorded["t1"].pk])).status_code == 200
    assert client.get(reverse("care:pay_detail", args=[recorded["d1"].pk])).status_code == 404
    assert client.get(reverse("care:pay_records_export")).status_code == 403


def test_record_detail_outside_the_jurisdiction_is_not_found(client, world, recorded):
    response = login(client, world.org).get(reverse("care:pay_detail", args=[recorded["b1"].pk]))

    assert response.status_code == 404


def test_records_export_only_the_jurisdiction(client, world, recorded):
    response = login(client, world.org).get(reverse("care:pay_records_export"))

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"镇副一", "局副一", "镇长一"}


def test_records_list_query_count_does_not_grow(
    client, world, tree, recorded, django_assert_max_num_queries
):
    for n in range(20):
        cadre = CadreFactory(unit=tree.township_a1, post_level=world.deputy)
        pay.bonus_record(actor=world.org, cadre=cadre, year=2025, amount=n)
    login(client, world.org)

    with django_assert_max_num_queries(10):
        response = client.get(RECORDS)

    assert len(found(response, "bonus-row", "data-bonus")) == 23


def test_records_empty_state(client, world):
    response = login(client, world.org).get(RECORDS)

    assert 'data-testid="empty"' in response.content.decode()


# --- forms and import ---------------------------------------------------------------------------


def test_record_form_records_with_the_snapshot(client, world):
    response = login(client, world.org).post(
        RECORD, {"cadre": world.t1.pk, "year": 2025, "amount": "30000"}
    )

    bonus = AssessmentBonus.objects.get(cadre=world.t1)
    assert response.status_code == 302 and response.url == reverse(
        "care:pay_detail", args=[bonus.pk]
    )
    assert bonus.side == "township" and bonus.post_level == world.deputy


def test_record_form_refuses_a_second_bonus_of_the_year(client, world, recorded):
    response = login(client, world.org).post(
        RECORD, {"cadre": world.t1.pk, "year": 2025, "amount": "1"}
    )

    assert response.status_code == 400
    assert "已登记" in response.content.decode()


def test_record_form_needs_a_write_role(client, world):
    assert login(client, world.auditor).get(RECORD).status_code == 403


def test_correction_on_the_detail_page_is_logged(client, world, recorded):
    url = reverse("care:pay_detail", args=[recorded["t1"].pk])

    response = login(client, world.org).post(url, {"amount": "30500", "note": "复核"})

    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "30500.00" in body and "更正金额" in body and "复核" in body
    assert login(client, world.auditor).post(url, {"amount": "1"}).status_code == 403


def test_import_page_applies_a_good_file(client, world):
    response = login(client, world.org).post(
        IMPORT, {"file": upload([("镇副一", world.t1.id_number, 2025, 30000)])}
    )

    assert response.status_code == 302
    assert AssessmentBonus.objects.get(cadre=world.t1).amount == 30000


def test_import_page_reports_every_bad_row_and_applies_nothing(client, world):
    rows = [
        ("镇副一", world.t1.id_number, 2025, 30000),
        ("局副一", world.d1.id_number, 2025, "三万"),
        ("乙镇副一", world.b1.id_number, 2025, 1),
    ]

    response = login(client, world.org).post(IMPORT, {"file": upload(rows)})

    assert response.status_code == 400
    assert found(response, "import-error", "data-row") == ["3", "4"]
    assert AssessmentBonus.objects.count() == 0


def test_import_template_downloads(client, world):
    response = login(client, world.org).get(reverse("care:pay_import_template"))

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert next(sheet.iter_rows(values_only=True))[:4] == ("姓名", "身份证号", "干部编号", "年度")


def test_every_pay_page_renders_for_staff(client, world, recorded):
    login(client, world.org)
    for url in (
        TILT,
        TILT + "?year=2025",
        RECORDS + "?year=2025&name=镇",
        RECORD + f"?cadre={world.t1.pk}",
        IMPORT,
        reverse("care:pay_detail", args=[recorded["t1"].pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_nav_has_the_pay_tab_for_staff_only(client, world):
    body = login(client, world.org).get(TILT).content.decode()
    assert "待遇倾斜" in body
    assert "待遇倾斜" not in login(client, world.cadre_user).get(RECORDS).content.decode()


# --- API ----------------------------------------------------------------------------------------


def test_api_creates_and_corrects_a_bonus(world):
    client = api(world.org)

    created = client.post(
        API + "assessment-bonuses/", {"cadre": world.t1.pk, "year": 2025, "amount": "30000"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["side"] == "township"
    assert created.json()["post_level_name"] == "乡科级副职"
    pk = created.json()["id"]

    again = client.post(
        API + "assessment-bonuses/", {"cadre": world.t1.pk, "year": 2025, "amount": "1"}
    )
    assert again.status_code == 400

    corrected = client.patch(API + f"assessment-bonuses/{pk}/", {"amount": "31000"})
    assert corrected.status_code == 200 and corrected.json()["amount"] == "31000.00"
    assert client.get(API + f"assessment-bonuses/{pk}/").json()["amount"] == "31000.00"


def test_api_refuses_bad_input_and_read_only_roles(world, recorded):
    negative = api(world.org).post(
        API + "assessment-bonuses/", {"cadre": world.t1.pk, "year": 2024, "amount": "-1"}
    )
    assert negative.status_code == 400
    auditor = api(world.auditor)
    assert (
        auditor.post(
            API + "assessment-bonuses/", {"cadre": world.t1.pk, "year": 2024, "amount": "1"}
        ).status_code
        == 403
    )
    assert (
        auditor.patch(API + f"assessment-bonuses/{recorded['t1'].pk}/", {"amount": "1"}).status_code
        == 403
    )


def test_api_lists_the_jurisdiction_and_a_cadre_their_own(world, recorded):
    ids = {row["id"] for row in api(world.org).get(API + "assessment-bonuses/").json()["results"]}
    own = api(world.cadre_user).get(API + "assessment-bonuses/").json()["results"]

    assert ids == {recorded[k].pk for k in ("t1", "d1", "tc")}
    assert [row["id"] for row in own] == [recorded["t1"].pk]
    assert api(world.org).get(API + f"assessment-bonuses/{recorded['b1'].pk}/").status_code == 404
    outside = api(world.org).post(
        API + "assessment-bonuses/", {"cadre": world.b1.pk, "year": 2024, "amount": "1"}
    )
    assert outside.status_code == 400


def test_api_check_of_a_county_and_year(world, tree, recorded):
    response = api(world.org).get(API + f"pay-tilt/?county={tree.county_a.pk}&year=2025")

    assert response.status_code == 200
    data = response.json()
    assert data["shortfall_count"] == 1
    deputies = next(g for g in data["by_post_level"] if g["id"] == world.deputy.pk)
    assert deputies["verdict"] == "shortfall" and deputies["shortfall"] is True
    assert deputies["township"] == {"count": 1, "average": "30000.00"}
    assert deputies["county_department"] == {"count": 1, "average": "30000.00"}
    assert deputies["difference"] == "0.00"
    assert data["hardship"]["verdict"] == "not_comparable"


def test_api_check_outside_the_jurisdiction_or_without_parameters(world, tree, recorded):
    client = api(world.org)

    assert client.get(API + f"pay-tilt/?county={tree.county_b.pk}&year=2025").status_code == 404
    assert client.get(API + "pay-tilt/").status_code == 400
    assert api(world.cadre_user).get(
        API + f"pay-tilt/?county={tree.county_a.pk}&year=2025"
    ).status_code in (403, 404)


def test_api_list_query_count_does_not_grow(world, tree, django_assert_max_num_queries):
    for n in range(20):
        cadre = CadreFactory(unit=tree.township_a1, post_level=world.deputy)
        pay.bonus_record(actor=world.org, cadre=cadre, year=2025, amount=n)
    client = api(world.org)

    with django_assert_max_num_queries(6):
        response = client.get(API + "assessment-bonuses/")

    assert len(response.json()["results"]) == 20


# --- admin and the overview ---------------------------------------------------------------------


def test_admin_lists_only_rows_in_jurisdiction(client, world, recorded, tree, make_user):
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b2", is_staff=True)
    org_b.user_permissions.add(Permission.objects.get(codename="view_assessmentbonus"))

    response = login(client, org_b).get(reverse("admin:care_assessmentbonus_changelist"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "乙镇副一" in body and "镇副一（" not in body and "局副一" not in body


def test_admin_writes_through_the_service(client, world, tree, make_user):
    clerk = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_admin", is_staff=True)
    for codename in ("view_assessmentbonus", "add_assessmentbonus", "change_assessmentbonus"):
        clerk.user_permissions.add(Permission.objects.get(codename=codename))
    login(client, clerk)

    response = client.post(
        reverse("admin:care_assessmentbonus_add"),
        {"cadre": world.d1.pk, "year": 2025, "amount": "28000"},
    )

    assert response.status_code == 302
    bonus = AssessmentBonus.objects.get(cadre=world.d1)
    assert bonus.side == "county_department" and bonus.recorded_by == clerk
    client.post(reverse("admin:care_assessmentbonus_change", args=[bonus.pk]), {"amount": "29000"})
    bonus.refresh_from_db()
    assert bonus.amount == 29000


def test_overview_counts_the_shortfalls_of_the_latest_year(client, world, recorded):
    body = login(client, world.org).get(reverse("care:index")).content.decode()

    card = re.search(r'data-testid="count-pay-shortfalls">\s*<strong[^>]*>(\d+)</strong>', body)
    assert card is not None and card.group(1) == "1"
    assert "2025年度乡镇机关考核奖未高于县直机关" in body


def test_overview_query_count_with_bonus_records(
    client, world, tree, recorded, django_assert_max_num_queries
):
    for year in (2023, 2024):
        for cadre in (world.t1, world.d1):
            pay.bonus_record(actor=world.org, cadre=cadre, year=year, amount=year)
    login(client, world.org)

    with django_assert_max_num_queries(19):
        response = client.get(reverse("care:index"))

    assert 'href="/care/pay/?year=2025"' in response.content.decode()

"""Pages, API and admin of the health check-ups (F 19): the plans with their progress, a plan's
enrolled cadres (filters, pending list, Excel), making a plan, recording a check-up or an
exemption, a cadre's health record — inside the user's jurisdiction, the conclusion hidden from
those who may not read it, in a constant number of queries."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role
from care import health
from care.choices import CheckupStatus
from care.models import CheckupPlan
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
JUNE = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=TZ)
START = datetime.date(2026, 6, 1)
PLANS = reverse("care:checkup_plans")
CREATE = reverse("care:checkup_plan_create")
PLANS_API = "/api/v1/care/checkup-plans/"
RECORDS_API = "/api/v1/care/checkup-records/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(JUNE, tick=False):
        yield


@pytest.fixture
def plan(tree, org_user):
    for n in range(3):
        CadreFactory(name=f"镇干部{n}", unit=tree.township_a1, post="科员")
    CadreFactory(
        name="镇长甲", unit=tree.township_a1, post="镇长", post_level=level("township_chief")
    )
    plan = health.checkup_plan_create(
        actor=org_user,
        unit=tree.county_a,
        year=2026,
        title="2026年度甲县干部健康体检",
        standard_items="内科、外科、血常规",
        start_on=START,
        deadline=datetime.date(2026, 7, 31),
        institution="县人民医院",
    )
    record = plan.records.get(cadre__name="镇干部0")
    health.checkup_record_attend(
        actor=org_user, record=record, attended_on=START, conclusion="脂肪肝", follow_up="复查"
    )
    record = plan.records.get(cadre__name="镇干部1")
    health.checkup_record_exempt(actor=org_user, record=record, reason="长期病休")
    return plan


def as_user(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


# --- pages -------------------------------------------------------------------------------------


def test_plan_list_shows_progress(plan, org_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        response = org_client.get(PLANS)

    html = text(response)
    assert response.status_code == 200
    assert "2026年度甲县干部健康体检" in html
    assert 'data-testid="attended">1<' in html
    assert 'data-testid="pending">2<' in html
    assert 'data-testid="exempted">1<' in html


def test_plan_list_empty_state(tree, org_client):
    assert 'data-testid="empty"' in text(org_client.get(PLANS))


def test_plan_list_hides_other_jurisdictions(plan, tree, make_user, client):
    as_user(client, make_user(Role.ORGANISATION, unit=tree.county_b))

    assert "甲县干部健康体检" not in text(client.get(PLANS))


def test_plan_detail_progress_and_pending_list(plan, org_client, django_assert_max_num_queries):
    url = reverse("care:checkup_plan_detail", args=[plan.pk])

    with django_assert_max_num_queries(12):
        html = text(org_client.get(url))
    pending = text(org_client.get(url, {"status": CheckupStatus.PENDING}))

    assert 'data-testid="progress-percent">50%' in html
    assert pending.count('data-testid="record-row"') == 2
    assert "镇干部2" in pending and "镇干部0" not in pending


def test_plan_detail_query_count_does_not_grow(
    plan, tree, org_user, org_client, django_assert_max_num_queries
):
    for n in range(20):
        CadreFactory(name=f"新干部{n}", unit=tree.township_a1, post="科员")
    health.checkup_plan_enrol(actor=org_user, plan=plan)

    with django_assert_max_num_queries(12):
        response = org_client.get(reverse("care:checkup_plan_detail", args=[plan.pk]))

    assert text(response).count('data-testid="record-row"') == 24


def test_plan_detail_out_of_jurisdiction_is_not_found(plan, tree, make_user, client):
    as_user(client, make_user(Role.ORGANISATION, unit=tree.county_b))

    assert client.get(reverse("care:checkup_plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("care:checkup_plan_export", args=[plan.pk])).status_code == 404


def test_plan_export_of_the_pending_list(plan, org_client):
    url = reverse("care:checkup_plan_export", args=[plan.pk])

    response = org_client.get(url, {"status": CheckupStatus.PENDING})

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    assert sorted(r[0] for r in rows[1:]) == ["镇干部2", "镇长甲"]


def test_conclusion_hidden_from_unit_leader_and_auditor_on_pages(plan, staff, client):
    url = reverse("care:checkup_plan_detail", args=[plan.pk])
    for user in (staff.unit_leader, staff.auditor):
        html = text(as_user(client, user).get(url))
        assert "镇干部0" in html
        assert "脂肪肝" not in html
        assert "（不公开）" in html


def test_conclusion_hidden_in_the_export_for_an_auditor(plan, staff, client):
    url = reverse("care:checkup_plan_export", args=[plan.pk])
    response = as_user(client, staff.auditor).get(url)

    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert all(
        "脂肪肝" not in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
    )


def test_organisation_reads_the_conclusion(plan, org_client):
    html = text(org_client.get(reverse("care:checkup_plan_detail", args=[plan.pk])))

    assert "脂肪肝" in html


def test_create_plan_page(tree, org_client, org_user):
    CadreFactory(name="镇干部甲", unit=tree.township_a1, post="科员")
    assert org_client.get(CREATE).status_code == 200

    response = org_client.post(
        CREATE,
        {
            "unit": tree.county_a.pk,
            "year": 2026,
            "title": "年度体检",
            "standard_items": "内科",
            "institution": "",
            "start_on": "2026-06-20",
            "deadline": "2026-08-31",
        },
    )

    plan = CheckupPlan.objects.get(unit=tree.county_a, year=2026)
    assert response.status_code == 302
    assert response["Location"] == reverse("care:checkup_plan_detail", args=[plan.pk])
    assert plan.records.filter(cadre__name="镇干部甲").exists()


def test_create_plan_page_shows_errors(tree, org_client):
    response = org_client.post(
        CREATE,
        {
            "unit": tree.county_a.pk,
            "year": 2026,
            "title": "年度体检",
            "standard_items": "内科",
            "start_on": "2026-06-20",
            "deadline": "2026-06-01",
        },
    )

    assert response.status_code == 400
    assert "截止日期不能早于开始日期" in text(response)


def test_create_plan_refused_to_read_only_roles(staff, client):
    assert as_user(client, staff.auditor).get(CREATE).status_code == 403


def test_enrol_button_adds_newcomers(plan, tree, org_client):
    CadreFactory(name="新到任", unit=tree.township_a1, post="科员")
    url = reverse("care:checkup_plan_enrol", args=[plan.pk])

    org_client.post(url)
    org_client.post(url)

    assert plan.records.filter(cadre__name="新到任").count() == 1


def test_record_attendance_page(plan, org_client):
    record = plan.records.get(cadre__name="镇干部2")
    url = reverse("care:checkup_record_attend", args=[record.pk])
    assert org_client.get(url).status_code == 200

    response = org_client.post(
        url,
        {
            "outcome": CheckupStatus.ATTENDED,
            "attended_on": "2026-06-15",
            "conclusion": "未见异常",
            "follow_up": "",
        },
    )

    record.refresh_from_db()
    assert response.status_code == 302
    assert (record.status, record.conclusion) == (CheckupStatus.ATTENDED, "未见异常")


def test_record_exemption_page_needs_reason(plan, org_client):
    record = plan.records.get(cadre__name="镇干部2")
    url = reverse("care:checkup_record_attend", args=[record.pk])

    response = org_client.post(url, {"outcome": CheckupStatus.EXEMPTED, "exemption_reason": ""})

    assert response.status_code == 400
    assert "请填写免检原因" in text(response)


def test_record_attendance_page_refused_to_unit_leader(plan, staff, client):
    record = plan.records.get(cadre__name="镇干部2")
    url = reverse("care:checkup_record_attend", args=[record.pk])

    assert as_user(client, staff.unit_leader).get(url).status_code == 403


def test_health_record_of_a_cadre_all_years(plan, tree, org_user, org_client):
    cadre = plan.records.get(cadre__name="镇干部0").cadre
    older = health.checkup_plan_create(
        actor=org_user,
        unit=tree.county_a,
        year=2025,
        title="2025年度体检",
        standard_items="内科",
        start_on=datetime.date(2025, 6, 1),
        deadline=datetime.date(2025, 7, 31),
    )
    health.checkup_record_attend(
        actor=org_user,
        record=older.records.get(cadre=cadre),
        attended_on=datetime.date(2025, 6, 5),
        conclusion="未见异常",
    )

    html = text(org_client.get(reverse("care:health_record", args=[cadre.pk])))

    assert html.count('data-testid="record-row"') == 2
    assert "脂肪肝" in html and "未见异常" in html


def test_cadre_reads_own_health_record_with_conclusion(plan, tree, make_user, client):
    cadre = plan.records.get(cadre__name="镇干部0").cadre
    as_user(client, make_user(Role.CADRE, unit=tree.township_a1, cadre=cadre))

    html = text(client.get(reverse("care:health_record", args=[cadre.pk])))
    other = plan.records.get(cadre__name="镇干部1").cadre_id

    assert "脂肪肝" in html
    assert client.get(reverse("care:health_record", args=[other])).status_code == 403


def test_health_record_hides_conclusion_from_unit_leader(plan, staff, client):
    cadre = plan.records.get(cadre__name="镇干部0").cadre

    html = text(
        as_user(client, staff.unit_leader).get(reverse("care:health_record", args=[cadre.pk]))
    )

    assert "脂肪肝" not in html and "复查" not in html


def test_health_record_out_of_jurisdiction_is_not_found(plan, tree, make_user, client):
    cadre = plan.records.get(cadre__name="镇干部0").cadre
    as_user(client, make_user(Role.ORGANISATION, unit=tree.county_b))

    assert client.get(reverse("care:health_record", args=[cadre.pk])).status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_api_plans_list_with_progress(plan, org_user, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        data = api_as(org_user).get(PLANS_API).json()

    row = data["results"][0]
    assert (row["enrolled"], row["attended"], row["pending"], row["exempted"]) == (4, 1, 2, 1)


def test_api_create_plan_and_enrol(tree, org_user):
    CadreFactory(name="镇干部甲", unit=tree.township_a1, post="科员")
    api = api_as(org_user)

    response = api.post(
        PLANS_API,
        {
            "unit": tree.county_a.pk,
            "year": 2026,
            "title": "年度体检",
            "standard_items": "内科",
            "start_on": "2026-06-20",
            "deadline": "2026-08-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["enrolled"] == 1

    CadreFactory(name="镇干部乙", unit=tree.township_a1, post="科员")
    enrol = f"{PLANS_API}{response.json()['id']}/enrol/"
    assert api.post(enrol).json() == {"added": 1}
    assert api.post(enrol).json() == {"added": 0}


def test_api_create_plan_bad_dates_answer_400(tree, org_user):
    response = api_as(org_user).post(
        PLANS_API,
        {
            "unit": tree.county_a.pk,
            "year": 2026,
            "title": "年度体检",
            "standard_items": "内科",
            "start_on": "2026-06-20",
            "deadline": "2026-06-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "deadline" in response.json()


def test_api_read_only_role_cannot_create_or_enrol(plan, tree, staff):
    api = api_as(staff.auditor)

    assert api.post(PLANS_API, {}, format="json").status_code == 403
    assert api.post(f"{PLANS_API}{plan.pk}/enrol/").status_code == 403


def test_api_out_of_jurisdiction_is_not_found(plan, tree, make_user):
    api = api_as(make_user(Role.ORGANISATION, unit=tree.county_b))

    assert api.get(f"{PLANS_API}{plan.pk}/").status_code == 404
    record = plan.records.first()
    assert api.get(f"{RECORDS_API}{record.pk}/").status_code == 404
    assert api.get(PLANS_API).json()["results"] == []


def test_api_records_list_and_update(plan, org_user, django_assert_max_num_queries):
    api = api_as(org_user)
    with django_assert_max_num_queries(6):
        data = api.get(RECORDS_API, {"plan": plan.pk, "status": "pending"}).json()
    assert len(data["results"]) == 2

    record = plan.records.get(cadre__name="镇干部2")
    response = api.patch(
        f"{RECORDS_API}{record.pk}/",
        {"status": "attended", "attended_on": "2026-06-16", "conclusion": "良好"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["conclusion"]) == ("attended", "良好")


def test_api_exempting_an_attended_record_answers_409(plan, org_user):
    record = plan.records.get(cadre__name="镇干部0")

    response = api_as(org_user).patch(
        f"{RECORDS_API}{record.pk}/",
        {"status": "exempted", "exemption_reason": "病休"},
        format="json",
    )

    assert response.status_code == 409


def test_api_conclusion_null_for_auditor(plan, staff):
    data = api_as(staff.auditor).get(RECORDS_API, {"status": "attended"}).json()

    assert data["results"][0]["conclusion"] is None
    assert data["results"][0]["follow_up"] is None


def test_api_update_refused_to_auditor(plan, staff):
    record = plan.records.get(cadre__name="镇干部2")

    response = api_as(staff.auditor).patch(
        f"{RECORDS_API}{record.pk}/",
        {"status": "attended", "attended_on": "2026-06-16"},
        format="json",
    )

    assert response.status_code == 403


# --- admin -------------------------------------------------------------------------------------


def test_admin_lists_records_in_scope_without_conclusion_for_auditor(plan, tree, staff, client):
    from django.contrib.auth.models import Permission

    auditor = staff.auditor
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    auditor.user_permissions.add(*Permission.objects.filter(codename="view_checkuprecord"))
    record = plan.records.get(cadre__name="镇干部0")
    as_user(client, auditor)

    listing = client.get(reverse("admin:care_checkuprecord_changelist"))
    detail = client.get(reverse("admin:care_checkuprecord_change", args=[record.pk]))

    assert listing.status_code == 200 and "镇干部0" in text(listing)
    assert detail.status_code == 200 and "脂肪肝" not in text(detail)

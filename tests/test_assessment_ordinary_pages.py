"""Pages and API of the ordinary assessment (平时考核, DOMAIN §2, X): a cadre keeps their weekly
record and monthly summary on "my records", the unit leader and the organisation department see
a unit's completeness for a quarter (and export it) and review the summaries; a cadre user sees
only their own rows everywhere, and anything outside the user's jurisdiction is not found."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from assessment import ordinary
from assessment.choices import QuarterlyGrade
from assessment.models import MonthlySummary, QuarterlyReview, WeeklyRecord
from cadre.choices import Role
from cadre.models import User
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
THIS_MONDAY = datetime.date(2026, 6, 15)
LAST_MONDAY = datetime.date(2026, 6, 8)
MINE = reverse("assessment:ordinary_mine")
UNIT = reverse("assessment:ordinary")
EXPORT = reverse("assessment:ordinary_export")
WEEKS_API = "/api/v1/assessment/weekly-records/"
MONTHS_API = "/api/v1/assessment/monthly-summaries/"
QUARTERLY_API = "/api/v1/assessment/quarterly-reviews/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(tree, cadres, make_user):
    zhang = cadres.in_a
    colleague = CadreFactory(name="赵六", unit=tree.township_a1, post="副镇长")
    return type(
        "People",
        (),
        {
            "zhang": zhang,
            "colleague": colleague,
            "zhang_user": make_user(Role.CADRE, unit=tree.township_a1, cadre=zhang),
            "colleague_user": make_user(Role.CADRE, unit=tree.township_a1, cadre=colleague),
            "leader": make_user(Role.UNIT_LEADER, unit=tree.township_a1),
            "county_leader": make_user(Role.UNIT_LEADER, unit=tree.county_a),
            "org": make_user(Role.ORGANISATION, unit=tree.county_a),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a),
        },
    )


def as_user(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def week(actor, cadre, week_start=THIS_MONDAY, work_done="走访农户"):
    return ordinary.weekly_record_save(
        actor=actor, cadre=cadre, week_start=week_start, work_done=work_done
    )


def month(actor, cadre, first=datetime.date(2026, 6, 1), summary="完成防汛准备"):
    return ordinary.monthly_summary_save(actor=actor, cadre=cadre, month=first, summary=summary)


def cadre_url(cadre):
    return reverse("assessment:ordinary_cadre", args=[cadre.pk])


def week_url(cadre):
    return reverse("assessment:ordinary_week_save", args=[cadre.pk])


def month_url(cadre):
    return reverse("assessment:ordinary_month_save", args=[cadre.pk])


def review_url(summary):
    return reverse("assessment:ordinary_review", args=[summary.pk])


# --- my records -------------------------------------------------------------------------------


def test_my_records_prefills_this_weeks_form(client, people):
    week(people.zhang_user, people.zhang, work_done="已写的本周纪实")

    page = as_user(client, people.zhang_user).get(MINE)

    assert page.status_code == 200
    form = page.context["week_form"]
    assert form.initial["week_start"] == THIS_MONDAY
    assert form.initial["work_done"] == "已写的本周纪实"
    assert "已写的本周纪实" in text(page)


def test_cadre_records_their_week_from_my_records(client, people):
    cadre_client = as_user(client, people.zhang_user)

    response = cadre_client.post(
        week_url(people.zhang),
        {"week-week_start": "2026-06-17", "week-work_done": "调处纠纷两起", "week-next_plan": ""},
    )

    assert response.status_code == 302 and response.url == MINE
    assert list(WeeklyRecord.objects.values_list("cadre", "week_start", "work_done")) == [
        (people.zhang.pk, THIS_MONDAY, "调处纠纷两起")
    ]
    assert "调处纠纷两起" in text(cadre_client.get(MINE))


def test_a_future_week_is_shown_as_a_field_error(client, people):
    response = as_user(client, people.zhang_user).post(
        week_url(people.zhang), {"week-week_start": "2026-06-22", "week-work_done": "预先填写"}
    )

    assert response.status_code == 400
    assert response.context["week_form"].errors["week_start"]
    assert "预先填写" in text(response)
    assert not WeeklyRecord.objects.exists()


def test_an_unreadable_month_is_a_field_error(client, people):
    response = as_user(client, people.zhang_user).post(
        month_url(people.zhang), {"month-month": "六月", "month-summary": "小结"}
    )

    assert response.status_code == 400
    assert response.context["month_form"].errors["month"]


def test_cadre_writes_their_monthly_summary(client, people):
    response = as_user(client, people.zhang_user).post(
        month_url(people.zhang), {"month-month": "2026-05", "month-summary": "五月小结"}
    )

    assert response.status_code == 302
    assert MonthlySummary.objects.get().month == datetime.date(2026, 5, 1)


def test_my_records_shows_history_and_quarterly_reviews(client, people, tree):
    week(people.zhang_user, people.zhang, LAST_MONDAY, "上周的纪实")
    month(people.zhang_user, people.zhang, datetime.date(2026, 5, 1), "五月的小结")
    week(people.colleague_user, people.colleague, LAST_MONDAY, "同事的纪实")
    QuarterlyReview.objects.create(
        cadre=people.zhang, year=2026, quarter=1, unit=tree.township_a1, grade=QuarterlyGrade.GOOD
    )

    page = text(as_user(client, people.zhang_user).get(MINE))

    assert "上周的纪实" in page and "五月的小结" in page and "2026Q1" in page
    assert "同事的纪实" not in page


def test_a_user_without_a_cadre_file_is_told_so(client, people, make_user, tree):
    page = as_user(client, make_user(Role.CADRE, unit=tree.township_a1)).get(MINE)

    assert page.status_code == 200 and "未关联干部档案" in text(page)


def test_cadre_cannot_open_or_write_a_colleagues_records(client, people):
    week(people.colleague_user, people.colleague)
    cadre_client = as_user(client, people.zhang_user)

    assert cadre_client.get(cadre_url(people.colleague)).status_code == 404
    response = cadre_client.post(
        week_url(people.colleague), {"week-week_start": "2026-06-15", "week-work_done": "冒名"}
    )
    assert response.status_code == 404
    assert WeeklyRecord.objects.get().work_done == "走访农户"


def test_cadre_is_sent_to_their_records_from_the_unit_page(client, people):
    response = as_user(client, people.zhang_user).get(UNIT)

    assert response.status_code == 302 and response.url == MINE


def test_my_records_runs_a_fixed_number_of_queries(client, people, django_assert_max_num_queries):
    for i in range(30):
        week(people.zhang_user, people.zhang, THIS_MONDAY - datetime.timedelta(weeks=i))
    for m in range(1, 7):
        month(people.zhang_user, people.zhang, datetime.date(2026, m, 1))
    cadre_client = as_user(client, people.zhang_user)

    with django_assert_max_num_queries(14):
        page = cadre_client.get(MINE)

    assert page.status_code == 200 and len(page.context["week_page"].object_list) == 20


# --- a cadre's records seen by the staff ------------------------------------------------------


def test_unit_leader_writes_a_cadres_week_from_their_page(client, people):
    response = as_user(client, people.leader).post(
        week_url(people.zhang), {"week-week_start": "2026-06-15", "week-work_done": "代为纪实"}
    )

    assert response.status_code == 302 and response.url == cadre_url(people.zhang)
    assert WeeklyRecord.objects.get().recorded_by == people.leader


def test_reader_sees_the_records_without_forms_and_may_not_write(client, people):
    week(people.zhang_user, people.zhang)
    inspector = as_user(client, people.inspector)

    page = inspector.get(cadre_url(people.zhang))
    response = inspector.post(
        week_url(people.zhang), {"week-week_start": "2026-06-15", "week-work_done": "改写"}
    )

    assert page.status_code == 200 and page.context["week_form"] is None
    assert response.status_code == 403
    assert WeeklyRecord.objects.get().work_done == "走访农户"


def test_a_cadre_out_of_jurisdiction_is_not_found(client, people, cadres):
    org = as_user(client, people.org)

    assert org.get(cadre_url(cadres.in_b)).status_code == 404
    response = org.post(
        week_url(cadres.in_b), {"week-week_start": "2026-06-15", "week-work_done": "越权"}
    )
    assert response.status_code == 404
    assert not WeeklyRecord.objects.exists()


# --- review -----------------------------------------------------------------------------------


def test_unit_leader_reviews_a_summary_on_its_page(client, people):
    summary = month(people.zhang_user, people.zhang)
    leader = as_user(client, people.leader)

    assert leader.get(review_url(summary)).status_code == 200
    response = leader.post(review_url(summary), {"review": "工作扎实，继续保持"})

    assert response.status_code == 302
    saved = MonthlySummary.objects.get(pk=summary.pk)
    assert (saved.review, saved.reviewed_by) == ("工作扎实，继续保持", people.leader)


def test_empty_review_is_a_field_error(client, people):
    summary = month(people.zhang_user, people.zhang)

    response = as_user(client, people.org).post(review_url(summary), {"review": ""})

    assert response.status_code == 400 and response.context["form"].errors["review"]


def test_the_cadre_may_not_open_the_review_of_their_summary(client, people):
    summary = month(people.zhang_user, people.zhang)

    cadre_client = as_user(client, people.zhang_user)

    assert cadre_client.get(review_url(summary)).status_code == 403
    assert cadre_client.post(review_url(summary), {"review": "自评"}).status_code == 403
    assert MonthlySummary.objects.get(pk=summary.pk).review == ""


def test_review_out_of_jurisdiction_is_not_found(client, people):
    summary = month(people.zhang_user, people.zhang)

    assert as_user(client, people.org_b).get(review_url(summary)).status_code == 404


# --- a unit's completeness --------------------------------------------------------------------


def test_unit_page_shows_completeness_and_who_has_not_recorded(client, people, tree):
    week(people.zhang_user, people.zhang, THIS_MONDAY)
    week(people.zhang_user, people.zhang, LAST_MONDAY)
    month(people.zhang_user, people.zhang, datetime.date(2026, 4, 1))

    page = as_user(client, people.leader).get(UNIT)

    assert page.status_code == 200
    rows = {row["cadre"].name: row for row in page.context["rows"]}
    assert (rows["张三"]["weeks"], rows["张三"]["weeks_due"], rows["张三"]["months"]) == (2, 11, 1)
    assert [c.name for c in page.context["missing"]] == ["赵六"]
    html = text(page)
    assert 'aria-valuenow="18"' in html  # 2 of 11 weeks
    assert cadre_url(people.colleague) in html


def test_organisation_picks_a_unit_and_a_past_quarter(client, people, tree):
    week(people.zhang_user, people.zhang, datetime.date(2026, 1, 5))

    page = as_user(client, people.org).get(
        UNIT, {"unit": tree.township_a1.pk, "year": 2026, "quarter": 1}
    )

    zhang = next(r for r in page.context["rows"] if r["cadre"] == people.zhang)
    assert (zhang["weeks"], zhang["weeks_due"], zhang["months_due"]) == (1, 13, 3)


def test_a_user_without_a_unit_first_picks_one(client, people, make_user, tree):
    administrator = as_user(client, make_user(Role.ADMIN, unit=None))

    first = administrator.get(UNIT)
    chosen = administrator.get(UNIT, {"unit": tree.township_b1.pk, "year": 2026, "quarter": 2})

    assert first.status_code == 200 and first.context["rows"] is None
    assert chosen.status_code == 200
    assert [row["cadre"].name for row in chosen.context["rows"]] == ["李四"]


def test_unit_out_of_jurisdiction_is_not_found(client, people, tree):
    response = as_user(client, people.org).get(UNIT, {"unit": tree.township_b1.pk})

    assert response.status_code == 404


def test_a_bad_quarter_is_a_field_error(client, people, tree):
    response = as_user(client, people.org).get(
        UNIT, {"unit": tree.township_a1.pk, "year": 2026, "quarter": 9}
    )

    assert response.status_code == 400 and response.context["form"].errors["quarter"]


def test_unit_page_runs_a_fixed_number_of_queries(
    client, people, tree, django_assert_max_num_queries
):
    for i in range(15):
        cadre = CadreFactory(name=f"镇干部{i:02d}", unit=tree.township_a1)
        week(people.leader, cadre)
        month(people.leader, cadre)
    org = as_user(client, people.org)

    with django_assert_max_num_queries(9):
        page = org.get(UNIT, {"unit": tree.township_a1.pk, "year": 2026, "quarter": 2})

    assert len(page.context["rows"]) == 17


def test_unit_export_has_a_row_per_cadre(client, people, tree):
    week(people.zhang_user, people.zhang)

    response = as_user(client, people.leader).get(
        EXPORT, {"unit": tree.township_a1.pk, "year": 2026, "quarter": 2}
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "现任职务", "纪实周数", "应纪实周数")
    assert sorted(r[0] for r in rows[1:]) == ["张三", "赵六"]
    assert next(r for r in rows[1:] if r[0] == "张三")[2:4] == (1, 11)


def test_cadre_may_not_export(client, people, tree):
    response = as_user(client, people.zhang_user).get(EXPORT, {"unit": tree.township_a1.pk})

    assert response.status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_api_cadre_lists_only_their_own_rows(client, people):
    week(people.zhang_user, people.zhang)
    week(people.colleague_user, people.colleague)
    month(people.colleague_user, people.colleague)
    api = as_user(client, people.zhang_user)

    weeks = api.get(WEEKS_API).json()["results"]
    months = api.get(MONTHS_API).json()["results"]

    assert [w["cadre"] for w in weeks] == [people.zhang.pk]
    assert months == []


def test_api_cadre_creates_their_week_and_the_cadre_defaults_to_them(client, people):
    api = as_user(client, people.zhang_user)

    created = api.post(
        WEEKS_API, {"week_start": "2026-06-16", "work_done": "入户走访"}, "application/json"
    )
    updated = api.post(
        WEEKS_API,
        {"cadre": people.zhang.pk, "week_start": "2026-06-15", "work_done": "入户走访（补充）"},
        "application/json",
    )

    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["week_start"] == "2026-06-15"
    assert WeeklyRecord.objects.get().work_done == "入户走访（补充）"


def test_api_cadre_writing_for_a_colleague_is_not_found(client, people):
    response = as_user(client, people.zhang_user).post(
        WEEKS_API,
        {"cadre": people.colleague.pk, "week_start": "2026-06-15", "work_done": "冒名"},
        "application/json",
    )

    assert response.status_code == 404
    assert not WeeklyRecord.objects.exists()


def test_api_future_week_is_a_field_error(client, people):
    response = as_user(client, people.zhang_user).post(
        WEEKS_API, {"week_start": "2026-06-22", "work_done": "预先"}, "application/json"
    )

    assert response.status_code == 400 and "week_start" in response.json()


def test_api_reader_may_not_write(client, people):
    response = as_user(client, people.inspector).post(
        WEEKS_API,
        {"cadre": people.zhang.pk, "week_start": "2026-06-15", "work_done": "改写"},
        "application/json",
    )

    assert response.status_code == 403


def test_api_review_of_a_summary(client, people):
    summary = month(people.zhang_user, people.zhang)
    url = f"{MONTHS_API}{summary.pk}/review/"

    refused = as_user(client, people.zhang_user).post(url, {"review": "自评"}, "application/json")
    outside = as_user(client, people.org_b).post(url, {"review": "越权"}, "application/json")
    reviewed = as_user(client, people.leader).post(url, {"review": "同意"}, "application/json")

    assert (refused.status_code, outside.status_code, reviewed.status_code) == (403, 404, 200)
    assert reviewed.json()["review"] == "同意"


def test_api_filters_by_unit_and_period(client, people, cadres):
    week(people.zhang_user, people.zhang, THIS_MONDAY)
    week(people.zhang_user, people.zhang, datetime.date(2026, 3, 30))
    week(people.colleague_user, people.colleague, THIS_MONDAY)
    api = as_user(client, people.org)

    q2 = api.get(WEEKS_API, {"cadre": people.zhang.pk, "year": 2026, "quarter": 2}).json()
    since = api.get(WEEKS_API, {"since": "2026-04-01"}).json()

    assert [r["week_start"] for r in q2["results"]] == ["2026-06-15"]
    assert len(since["results"]) == 2


def test_api_quarterly_reviews_are_read_only_and_scoped(client, people, tree):
    QuarterlyReview.objects.create(
        cadre=people.zhang, year=2026, quarter=1, unit=tree.township_a1, grade=QuarterlyGrade.GOOD
    )
    QuarterlyReview.objects.create(
        cadre=people.colleague,
        year=2026,
        quarter=1,
        unit=tree.township_a1,
        grade=QuarterlyGrade.AVERAGE,
    )

    mine = as_user(client, people.zhang_user).get(QUARTERLY_API).json()["results"]
    write = client.post(QUARTERLY_API, {}, "application/json")

    assert [r["cadre"] for r in mine] == [people.zhang.pk]
    assert write.status_code == 405


def test_api_lists_run_a_fixed_number_of_queries(
    client, people, tree, django_assert_max_num_queries
):
    for i in range(12):
        cadre = CadreFactory(name=f"镇干部{i:02d}", unit=tree.township_a1)
        week(people.leader, cadre)
        summary = month(people.leader, cadre)
        ordinary.monthly_summary_review(actor=people.org, summary=summary, review="阅")
    api = as_user(client, people.org)

    with django_assert_max_num_queries(6):
        weeks = api.get(WEEKS_API)
    with django_assert_max_num_queries(6):
        months = api.get(MONTHS_API)

    assert len(weeks.json()["results"]) == 12 and len(months.json()["results"]) == 12


# --- admin ------------------------------------------------------------------------------------


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:assessment_{model._meta.model_name}_{view}", args=args)


def staff_client(client, user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="assessment"))
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_admin_lists_only_rows_in_jurisdiction(client, people, cadres, make_user, tree):
    week(people.zhang_user, people.zhang, work_done="甲县的纪实")
    other = make_user(Role.ORGANISATION, unit=tree.county_b)
    week(other, cadres.in_b, work_done="乙县的纪实")

    page = staff_client(client, people.org).get(admin_url(WeeklyRecord))

    assert page.status_code == 200
    assert [r.cadre for r in page.context["cl"].result_list] == [people.zhang]


def test_admin_adds_a_week_through_the_service(client, people):
    admin = staff_client(client, people.leader)

    response = admin.post(
        admin_url(WeeklyRecord, "add"),
        {"cadre": people.zhang.pk, "week_start": "2026-06-18", "work_done": "后台补录"},
    )

    assert response.status_code == 302
    saved = WeeklyRecord.objects.get()
    assert (saved.week_start, saved.recorded_by) == (THIS_MONDAY, people.leader)


def test_admin_refuses_a_future_week(client, people):
    response = staff_client(client, people.org).post(
        admin_url(WeeklyRecord, "add"),
        {"cadre": people.zhang.pk, "week_start": "2026-06-29", "work_done": "未来"},
    )

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not WeeklyRecord.objects.exists()


def test_admin_review_goes_through_the_service(client, people):
    summary = month(people.zhang_user, people.zhang, summary="原文")

    response = staff_client(client, people.org).post(
        admin_url(MonthlySummary, "change", summary.pk), {"summary": "原文", "review": "同意"}
    )

    assert response.status_code == 302
    saved = MonthlySummary.objects.get(pk=summary.pk)
    assert (saved.review, saved.reviewed_by) == ("同意", people.org)


def test_admin_reader_may_not_change_and_quarterly_reviews_are_read_only(client, people, tree):
    record = week(people.zhang_user, people.zhang)
    review = QuarterlyReview.objects.create(
        cadre=people.zhang, year=2026, quarter=1, unit=tree.township_a1, grade=QuarterlyGrade.GOOD
    )
    admin = staff_client(client, people.inspector)

    page = admin.get(admin_url(WeeklyRecord, "change", record.pk))
    quarterly = admin.get(admin_url(QuarterlyReview, "change", review.pk))

    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert quarterly.status_code == 200 and not quarterly.context["has_change_permission"]
    assert admin.get(admin_url(QuarterlyReview, "add")).status_code == 403

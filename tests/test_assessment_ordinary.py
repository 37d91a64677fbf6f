"""Ordinary assessment (平时考核, DOMAIN §2, X): who may keep a cadre's weekly records and
monthly summaries, the week (a Monday) and month (its first day) they are filed under, one
record per week updated in place, the review of a summary, and the completeness figures the
unit page and the quarterly review read."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from assessment import ordinary
from assessment.models import MonthlySummary, WeeklyRecord
from cadre.choices import CadreStatus, Role
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

# A Wednesday in the middle of 2026 Q2: the quarter's Mondays so far are 6 April … 17 June.
NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
THIS_MONDAY = datetime.date(2026, 6, 15)
LAST_MONDAY = datetime.date(2026, 6, 8)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(tree, cadres, make_user):
    """张三 serves in township A1 and has an account; a second cadre of the same township; the
    township's leader; the leader of county A's department (another unit); county A's
    organisation department; county A's inspector; county B's organisation department."""
    zhang = cadres.in_a
    colleague = CadreFactory(name="赵六", unit=tree.township_a1)
    return type(
        "People",
        (),
        {
            "zhang": zhang,
            "colleague": colleague,
            "zhang_user": make_user(Role.CADRE, unit=tree.township_a1, cadre=zhang),
            "colleague_user": make_user(Role.CADRE, unit=tree.township_a1, cadre=colleague),
            "leader": make_user(Role.UNIT_LEADER, unit=tree.township_a1),
            "dept_leader": make_user(Role.UNIT_LEADER, unit=tree.dept_a),
            "county_leader": make_user(Role.UNIT_LEADER, unit=tree.county_a),
            "org": make_user(Role.ORGANISATION, unit=tree.county_a),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b),
        },
    )


def save_week(actor, cadre, week_start=THIS_MONDAY, work_done="走访农户三户", **kwargs):
    return ordinary.weekly_record_save(
        actor=actor, cadre=cadre, week_start=week_start, work_done=work_done, **kwargs
    )


def save_month(actor, cadre, month=datetime.date(2026, 6, 1), summary="完成防汛准备"):
    return ordinary.monthly_summary_save(actor=actor, cadre=cadre, month=month, summary=summary)


# --- authorship -------------------------------------------------------------------------------


def test_cadre_keeps_their_own_weekly_record(people):
    record = save_week(people.zhang_user, people.zhang, next_plan="召开村民议事会")

    saved = WeeklyRecord.objects.get(pk=record.pk)
    assert (saved.cadre, saved.week_start, saved.work_done, saved.next_plan) == (
        people.zhang,
        THIS_MONDAY,
        "走访农户三户",
        "召开村民议事会",
    )
    assert saved.recorded_by == people.zhang_user


def test_cadre_cannot_write_a_colleagues_record_it_is_not_found(people):
    with pytest.raises(Http404):
        save_week(people.zhang_user, people.colleague)
    with pytest.raises(Http404):
        save_month(people.zhang_user, people.colleague)

    assert not WeeklyRecord.objects.exists() and not MonthlySummary.objects.exists()


def test_leader_of_the_cadres_unit_writes_for_them(people):
    save_week(people.leader, people.zhang)
    save_month(people.leader, people.zhang)

    assert WeeklyRecord.objects.filter(cadre=people.zhang, recorded_by=people.leader).exists()
    assert MonthlySummary.objects.filter(cadre=people.zhang, recorded_by=people.leader).exists()


def test_leader_of_a_unit_above_sees_the_cadre_but_may_not_write(people):
    # County A's leader sees township A1 (below) but leads another unit.
    with pytest.raises(PermissionDenied):
        save_week(people.county_leader, people.zhang)

    assert not WeeklyRecord.objects.exists()


def test_leader_of_another_unit_does_not_find_the_cadre(people):
    with pytest.raises(Http404):
        save_week(people.dept_leader, people.zhang)


def test_organisation_writes_for_cadres_in_its_jurisdiction_only(people, cadres):
    save_week(people.org, people.zhang)

    with pytest.raises(Http404):
        save_week(people.org, cadres.in_b)
    with pytest.raises(Http404):
        save_week(people.org_b, people.zhang)
    assert WeeklyRecord.objects.count() == 1


def test_reader_roles_may_not_write(people):
    with pytest.raises(PermissionDenied):
        save_week(people.inspector, people.zhang)
    with pytest.raises(PermissionDenied):
        save_month(people.inspector, people.zhang)


# --- the week and the month -------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [THIS_MONDAY, datetime.date(2026, 6, 17), "2026-06-21", datetime.datetime(2026, 6, 16, 9)],
)
def test_any_day_of_the_week_is_filed_under_its_monday(people, given):
    record = save_week(people.zhang_user, people.zhang, week_start=given)

    assert record.week_start == THIS_MONDAY


def test_a_week_that_has_not_begun_is_refused(people):
    with pytest.raises(ValidationError) as error:
        save_week(people.zhang_user, people.zhang, week_start=datetime.date(2026, 6, 22))

    assert "week_start" in error.value.message_dict
    assert not WeeklyRecord.objects.exists()


@pytest.mark.parametrize("given", ["", None, "2026-13-01", "下周"])
def test_a_missing_or_unreadable_week_is_a_field_error(people, given):
    with pytest.raises(ValidationError) as error:
        save_week(people.zhang_user, people.zhang, week_start=given)

    assert "week_start" in error.value.message_dict


def test_empty_work_done_is_refused(people):
    with pytest.raises(ValidationError) as error:
        save_week(people.zhang_user, people.zhang, work_done="   ")

    assert "work_done" in error.value.message_dict


def test_a_second_save_of_the_week_updates_the_record(people):
    first = save_week(people.zhang_user, people.zhang, work_done="初稿")

    second = save_week(people.leader, people.zhang, week_start="2026-06-19", work_done="定稿")

    assert WeeklyRecord.objects.count() == 1
    saved = WeeklyRecord.objects.get()
    assert saved.pk == first.pk == second.pk
    assert (saved.work_done, saved.recorded_by) == ("定稿", people.leader)


def test_upsert_tells_whether_the_record_was_new(people):
    _record, created = ordinary.weekly_record_upsert(
        actor=people.zhang_user, cadre=people.zhang, week_start=THIS_MONDAY, work_done="甲"
    )
    _record, created_again = ordinary.weekly_record_upsert(
        actor=people.zhang_user, cadre=people.zhang, week_start=THIS_MONDAY, work_done="乙"
    )

    assert (created, created_again) == (True, False)


def test_a_summary_is_filed_under_the_first_of_its_month(people):
    row = save_month(people.zhang_user, people.zhang, month=datetime.date(2026, 5, 20))

    assert row.month == datetime.date(2026, 5, 1)


def test_a_month_that_has_not_begun_is_refused(people):
    with pytest.raises(ValidationError) as error:
        save_month(people.zhang_user, people.zhang, month=datetime.date(2026, 7, 1))

    assert "month" in error.value.message_dict


def test_a_second_save_of_the_month_updates_the_summary(people):
    save_month(people.zhang_user, people.zhang, summary="初稿")
    save_month(people.zhang_user, people.zhang, month="2026-06-30", summary="定稿")

    assert list(MonthlySummary.objects.values_list("month", "summary")) == [
        (datetime.date(2026, 6, 1), "定稿")
    ]


# --- review -----------------------------------------------------------------------------------


def test_unit_leader_reviews_a_summary(people):
    summary = save_month(people.zhang_user, people.zhang)

    ordinary.monthly_summary_review(actor=people.leader, summary=summary, review="工作扎实")

    saved = MonthlySummary.objects.get(pk=summary.pk)
    assert (saved.review, saved.reviewed_by) == ("工作扎实", people.leader)


def test_organisation_reviews_a_summary(people):
    summary = save_month(people.zhang_user, people.zhang)

    ordinary.monthly_summary_review(actor=people.org, summary=summary, review="同意")

    assert MonthlySummary.objects.get(pk=summary.pk).reviewed_by == people.org


def test_the_cadre_may_not_review_their_own_summary(people, tree, make_user):
    summary = save_month(people.zhang_user, people.zhang)
    # Even when the cadre is also the unit's leader.
    leading_self = make_user(Role.UNIT_LEADER, unit=tree.township_a1, cadre=None)
    leading_self.cadre = people.zhang
    people.zhang_user.cadre = None
    people.zhang_user.save()
    leading_self.save()

    with pytest.raises(PermissionDenied):
        ordinary.monthly_summary_review(actor=leading_self, summary=summary, review="自评很好")
    assert MonthlySummary.objects.get(pk=summary.pk).review == ""


def test_cadre_user_may_not_review(people):
    summary = save_month(people.zhang_user, people.zhang)

    with pytest.raises(PermissionDenied):
        ordinary.monthly_summary_review(actor=people.zhang_user, summary=summary, review="好")
    with pytest.raises(Http404):
        ordinary.monthly_summary_review(actor=people.colleague_user, summary=summary, review="好")


def test_others_may_not_review(people):
    summary = save_month(people.zhang_user, people.zhang)

    with pytest.raises(PermissionDenied):
        ordinary.monthly_summary_review(actor=people.county_leader, summary=summary, review="好")
    with pytest.raises(PermissionDenied):
        ordinary.monthly_summary_review(actor=people.inspector, summary=summary, review="好")
    with pytest.raises(Http404):
        ordinary.monthly_summary_review(actor=people.org_b, summary=summary, review="好")


def test_an_empty_review_is_refused(people):
    summary = save_month(people.zhang_user, people.zhang)

    with pytest.raises(ValidationError) as error:
        ordinary.monthly_summary_review(actor=people.leader, summary=summary, review=" ")

    assert "review" in error.value.message_dict


def test_a_reviewed_summary_can_no_longer_be_changed(people):
    summary = save_month(people.zhang_user, people.zhang, summary="原文")
    ordinary.monthly_summary_review(actor=people.leader, summary=summary, review="已阅")

    with pytest.raises(ValidationError) as error:
        save_month(people.zhang_user, people.zhang, summary="改写")

    assert "summary" in error.value.message_dict
    assert MonthlySummary.objects.get(pk=summary.pk).summary == "原文"


# --- completeness -----------------------------------------------------------------------------


def test_working_weeks_are_the_mondays_of_the_quarter_so_far():
    assert len(ordinary.working_weeks(2026, 1)) == 13  # 5 Jan … 30 Mar 2026
    assert ordinary.working_weeks(2026, 2)[0] == datetime.date(2026, 4, 6)
    assert ordinary.working_weeks(2026, 2)[-1] == THIS_MONDAY
    assert len(ordinary.working_weeks(2026, 2)) == 11
    assert ordinary.working_weeks(2026, 3) == []


def test_completeness_counts_the_weeks_and_months_of_the_quarter(people, tree):
    for week in (datetime.date(2026, 4, 6), datetime.date(2026, 5, 4), LAST_MONDAY, THIS_MONDAY):
        save_week(people.zhang_user, people.zhang, week_start=week)
    save_week(people.zhang_user, people.zhang, week_start=datetime.date(2026, 3, 30))  # Q1
    save_month(people.zhang_user, people.zhang, month=datetime.date(2026, 4, 1))
    save_month(people.zhang_user, people.zhang, month=datetime.date(2026, 3, 1))  # Q1
    save_week(people.colleague_user, people.colleague, week_start=LAST_MONDAY)
    CadreFactory(name="退休者", unit=tree.township_a1, status=CadreStatus.RETIRED)

    rows = {
        row["cadre"].name: row for row in ordinary.record_completeness(tree.township_a1, 2026, 2)
    }

    assert set(rows) == {"张三", "赵六"}
    zhang, colleague = rows["张三"], rows["赵六"]
    assert (zhang["weeks"], zhang["weeks_due"], zhang["months"], zhang["months_due"]) == (
        4,
        11,
        1,
        3,
    )
    assert zhang["percent"] == 36 and zhang["recorded_this_week"]
    assert (colleague["weeks"], colleague["months"], colleague["percent"]) == (1, 0, 9)
    assert not colleague["recorded_this_week"]


def test_completeness_is_one_query_however_many_cadres(people, tree, django_assert_num_queries):
    for i in range(5):
        cadre = CadreFactory(name=f"镇干部{i}", unit=tree.township_a1)
        save_week(people.leader, cadre)
        save_month(people.leader, cadre)

    with django_assert_num_queries(1):
        rows = ordinary.record_completeness(tree.township_a1, 2026, 2)

    assert len(rows) == 7


def test_completeness_of_a_quarter_not_begun_has_nothing_due(people, tree):
    rows = ordinary.record_completeness(tree.township_a1, 2026, 4)

    assert {(r["weeks_due"], r["months_due"], r["percent"]) for r in rows} == {(0, 0, None)}


def test_missing_this_week_lists_who_has_not_recorded(people, tree):
    save_week(people.zhang_user, people.zhang)
    save_week(people.colleague_user, people.colleague, week_start=LAST_MONDAY)

    assert list(ordinary.missing_this_week(tree.township_a1)) == [people.colleague]


def test_quarter_counts_for_the_quarterly_review(people, cadres, django_assert_num_queries):
    save_week(people.zhang_user, people.zhang, week_start=datetime.date(2026, 4, 13))
    save_week(people.zhang_user, people.zhang, week_start=THIS_MONDAY)
    save_month(people.zhang_user, people.zhang, month=datetime.date(2026, 5, 1))
    save_week(people.zhang_user, people.zhang, week_start=datetime.date(2026, 1, 5))

    with django_assert_num_queries(1):
        counts = ordinary.quarter_counts([people.zhang.pk, people.colleague.pk], 2026, 2)

    assert counts == {people.zhang.pk: (2, 1), people.colleague.pk: (0, 0)}
    assert ordinary.quarter_counts([people.zhang.pk], 2026, 1) == {people.zhang.pk: (1, 0)}
    assert ordinary.quarter_counts([], 2026, 2) == {}

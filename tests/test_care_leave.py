"""Paid annual leave and overtime time off (F 19, ZJK 12(五)): the entitlement from years of
service under the list applying at the cadre's unit, plans, leave counted in working days,
overlaps and balances refused, the leaders' own usage, and the yearly reminder."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cadre.choices import Role
from cadre.models import Notification, PolicyList
from cadre.services import policy_list_new_version, policy_list_publish
from care import leave
from care.choices import KIND_LEAVE_ENTITLEMENT, LeaveKind
from care.models import CareLog, LeavePlan
from care.tasks_leave import remind_leave_plans_task
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=TZ)
D = datetime.date


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
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
        },
    )


WORK_SINCE = D(2010, 3, 1)


def make_cadre(unit, work_since=WORK_SINCE, post_level="township_deputy", **kwargs):
    return CadreFactory(unit=unit, work_since=work_since, post_level=level(post_level), **kwargs)


@pytest.fixture
def cadre(tree):
    return make_cadre(tree.township_a1, name="赵一")


# --- entitlement --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("work_since", "years", "days"),
    [
        (D(2024, 1, 1), 1, 5),
        (D(2015, 1, 2), 9, 5),
        (D(2015, 1, 1), 10, 10),
        (D(2005, 1, 2), 19, 10),
        (D(2005, 1, 1), 20, 15),
        (D(1990, 6, 1), 34, 15),
    ],
)
def test_entitlement_5_10_15_days_by_years_of_service_at_exact_boundaries(
    tree, work_since, years, days
):
    cadre = make_cadre(tree.township_a1, work_since=work_since)

    entitlement = leave.leave_entitlement(cadre, 2025)

    assert (entitlement.service_years, entitlement.days) == (years, days)
    assert entitlement.reason == ""


def test_entitlement_under_one_year_is_zero_with_a_reason(tree):
    cadre = make_cadre(tree.township_a1, work_since=D(2024, 1, 2))

    entitlement = leave.leave_entitlement(cadre, 2025)

    assert entitlement.days == 0
    assert "不满1年" in entitlement.reason


def test_entitlement_without_work_since_is_zero_with_a_reason(tree):
    cadre = make_cadre(tree.township_a1, work_since=None)

    entitlement = leave.leave_entitlement(cadre, 2025)

    assert entitlement.days == 0
    assert "参加工作时间" in entitlement.reason


def publish_own_list(unit, days_for_y10=12):
    base = PolicyList.objects.get(kind=KIND_LEAVE_ENTITLEMENT, unit__isnull=True)
    draft = policy_list_new_version(base=base, unit=unit, title="甲县带薪年休假天数")
    item = draft.items.get(code="y10")
    item.params = {"min_years": 10, "days": days_for_y10}
    item.save()
    return policy_list_publish(policy_list=draft)


def test_unit_own_list_version_applies_inside_its_jurisdiction(tree, people, cadre):
    own = publish_own_list(tree.county_a)
    outside = make_cadre(tree.township_b1)

    plan = leave.leave_plan_save(
        actor=people.org, cadre=cadre, year=2025, planned_days=12, planned_periods="十月"
    )

    assert (plan.entitlement_days, plan.entitlement_list_id) == (12, own.pk)
    assert plan.service_years == 14
    assert leave.leave_entitlement(outside, 2025).days == 10


# --- plans --------------------------------------------------------------------------------------


def test_plan_records_entitlement_list_version_and_service_years(people, cadre):
    plan = leave.leave_plan_save(
        actor=people.org, cadre=cadre, year=2025, planned_days=5, planned_periods="五月三天"
    )

    assert plan.entitlement_days == 10
    assert plan.service_years == 14
    assert plan.entitlement_list.kind == KIND_LEAVE_ENTITLEMENT
    assert CareLog.objects.filter(subject="leave", subject_id=plan.pk).exists()


def test_plan_beyond_entitlement_is_refused_on_the_field(people, cadre):
    with pytest.raises(ValidationError) as error:
        leave.leave_plan_save(actor=people.org, cadre=cadre, year=2025, planned_days=11)

    assert "不能超过应休天数10天" in error.value.message_dict["planned_days"][0]


def test_plan_revised_keeps_one_plan_a_year(people, cadre):
    leave.leave_plan_save(actor=people.org, cadre=cadre, year=2025, planned_days=5)
    leave.leave_plan_save(actor=people.org, cadre=cadre, year=2025, planned_days=8)

    assert list(LeavePlan.objects.filter(cadre=cadre).values_list("planned_days", flat=True)) == [8]


def test_plan_for_cadre_outside_jurisdiction_is_refused(people, tree):
    outside = make_cadre(tree.township_b1)

    with pytest.raises(ValidationError) as error:
        leave.leave_plan_save(actor=people.org, cadre=outside, year=2025, planned_days=1)

    assert "cadre" in error.value.message_dict


def test_read_only_role_cannot_record_leave(people, cadre):
    with pytest.raises(PermissionDenied):
        leave.leave_plan_save(actor=people.auditor, cadre=cadre, year=2025, planned_days=1)


# --- leave taken --------------------------------------------------------------------------------


def take(people, cadre, start, end, kind=LeaveKind.ANNUAL):
    return leave.leave_record(actor=people.org, cadre=cadre, kind=kind, start_on=start, end_on=end)


def test_working_days_exclude_weekends_and_public_holidays(people, cadre):
    # 2025-09-29 (Mon) to 2025-10-10 (Fri): National Day 1-8 October is off; 9 and 10 are
    # workdays — four working days.
    record = take(people, cadre, D(2025, 9, 29), D(2025, 10, 10))

    assert record.days == Decimal("4")
    assert record.year == 2025


def test_weekend_only_leave_is_refused(people, cadre):
    with pytest.raises(ValidationError) as error:
        take(people, cadre, D(2025, 11, 15), D(2025, 11, 16))

    assert "没有工作日" in error.value.message_dict["end_on"][0]


def test_overlapping_leave_of_the_same_cadre_is_refused(people, cadre):
    take(people, cadre, D(2025, 5, 12), D(2025, 5, 14))

    with pytest.raises(ValidationError) as error:
        take(people, cadre, D(2025, 5, 14), D(2025, 5, 16))

    assert "重叠" in error.value.message_dict["start_on"][0]


def test_annual_leave_beyond_remaining_entitlement_is_refused(people, cadre):
    take(people, cadre, D(2025, 5, 12), D(2025, 5, 16))  # 5 days of 10

    with pytest.raises(ValidationError) as error:
        take(people, cadre, D(2025, 6, 9), D(2025, 6, 20))  # 10 more

    assert "剩余5" in error.value.message_dict["end_on"][0]
    take(people, cadre, D(2025, 6, 9), D(2025, 6, 13))  # exactly the 5 left
    assert leave.annual_taken(cadre, 2025) == Decimal("10")


def test_annual_leave_follows_the_plans_entitlement(people, tree):
    newcomer = make_cadre(tree.township_a1, work_since=D(2024, 6, 1))  # under a year

    with pytest.raises(ValidationError):
        take(people, newcomer, D(2025, 5, 12), D(2025, 5, 12))


def test_overtime_off_limited_to_the_overtime_balance(people, cadre):
    leave.overtime_record(
        actor=people.org, cadre=cadre, worked_on=D(2025, 3, 8), days="1", reason="防汛值守"
    )
    leave.overtime_record(
        actor=people.org, cadre=cadre, worked_on=D(2025, 3, 9), days="0.5", reason="防汛值守"
    )

    take(people, cadre, D(2025, 4, 7), D(2025, 4, 7), LeaveKind.OVERTIME_OFF)
    with pytest.raises(ValidationError) as error:
        take(people, cadre, D(2025, 4, 8), D(2025, 4, 8), LeaveKind.OVERTIME_OFF)

    assert "加班可补休余额0.5" in error.value.message_dict["end_on"][0]
    assert leave.overtime_balance(cadre) == Decimal("0.5")


def test_overtime_days_are_half_or_whole(people, cadre):
    with pytest.raises(ValidationError) as error:
        leave.overtime_record(
            actor=people.org, cadre=cadre, worked_on=D(2025, 3, 8), days="1.5", reason="值守"
        )

    assert "days" in error.value.message_dict


def test_leave_across_years_is_refused(people, cadre):
    with pytest.raises(ValidationError) as error:
        take(people, cadre, D(2025, 12, 29), D(2026, 1, 5))

    assert "同一年度" in error.value.message_dict["end_on"][0]


# --- the overview and the leaders ---------------------------------------------------------------


def test_overview_rows_show_entitlement_plan_taken_and_overtime(people, cadre):
    leave.leave_plan_save(actor=people.org, cadre=cadre, year=2025, planned_days=8)
    take(people, cadre, D(2025, 5, 12), D(2025, 5, 14))
    leave.overtime_record(
        actor=people.org, cadre=cadre, worked_on=D(2025, 3, 8), days="1", reason="值守"
    )

    [row] = leave.overview_rows(leave.overview_cadres(people.org, year=2025), 2025)

    assert (row.entitlement, row.planned, row.taken, row.remaining) == (10, 8, 3, 7)
    assert (row.overtime_earned, row.overtime_used, row.overtime_balance) == (1, 0, 1)
    assert row.usage_rate == Decimal("30.0")


def test_leaders_view_lists_only_leaders_with_their_usage(people, tree, cadre):
    head = make_cadre(tree.township_a1, name="钱镇长", post_level="township_chief")
    take(people, head, D(2025, 5, 12), D(2025, 5, 13))

    rows = leave.overview_rows(
        leave.overview_cadres(people.org, year=2025, leaders_only=True), 2025
    )
    summary = leave.leaders_summary(people.org, year=2025)

    assert [r.cadre for r in rows] == [head]
    assert rows[0].is_leader and rows[0].usage_rate == Decimal("20.0")
    assert (summary["leaders"], summary["with_leave"], summary["rate"]) == (1, 1, Decimal("20.0"))


# --- the yearly reminder ------------------------------------------------------------------------


def reminders():
    return Notification.objects.filter(kind=leave.NOTIFY_KIND)


def test_reminder_waits_for_the_due_date_then_goes_once_a_year(people, cadre, tree):
    make_cadre(tree.township_a1)
    planned = make_cadre(tree.township_a1)
    leave.leave_plan_save(actor=people.org, cadre=planned, year=2025, planned_days=1)

    assert leave.remind_leave_plans(today=D(2025, 3, 31)) == 0
    assert not reminders().exists()

    assert leave.remind_leave_plans(today=D(2025, 4, 1)) == 1
    [note] = reminders()
    assert note.recipient == people.org
    assert "2人" in note.body

    leave.remind_leave_plans(today=D(2025, 4, 2))
    assert reminders().count() == 1

    leave.remind_leave_plans(today=D(2026, 4, 1))
    assert reminders().count() == 2


def test_reminder_goes_to_the_managing_units_organisation_department(people, tree):
    make_cadre(tree.township_b1)

    leave.remind_leave_plans(today=D(2025, 4, 1))

    assert [n.recipient for n in reminders()] == [people.org_b]


def test_reminder_task_is_idempotent(people, cadre):
    with time_machine.travel(datetime.datetime(2025, 4, 5, 8, 20, tzinfo=TZ), tick=False):
        assert remind_leave_plans_task() == 1
        remind_leave_plans_task()

    assert reminders().count() == 1

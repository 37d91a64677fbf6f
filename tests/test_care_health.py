"""Health check-ups (F 19: 每年按照干部管理权限……参加健康体检，并分级建立干部健康档案；对基层一线、
困难地区、特种行业的干部可根据需要适当增加体检项目): the plan enrols the cadres the unit manages
with their extra items, re-enrolment adds only newcomers, attendance and exemption, the
reminders as the deadline nears, and the conclusion kept from those who may not read it."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cadre.choices import CadreStatus, FrontlineKind, Role, UnitKind, UnitLevel
from cadre.models import CadreTag, FrontlineAssignment, Notification
from care import health
from care.choices import CheckupStatus
from care.models import CareLog, CheckupRecord
from care.tasks_health import remind_checkups_task
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
JUNE = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=TZ)
START = datetime.date(2026, 6, 1)
DEADLINE = datetime.date(2026, 7, 31)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(JUNE, tick=False):
        yield


@pytest.fixture
def people(tree):
    hardship = UnitFactory(
        name="甲县高寒乡",
        kind=UnitKind.TOWNSHIP,
        level=UnitLevel.TOWNSHIP,
        parent=tree.county_a,
        is_hardship_area=True,
    )
    p = SimpleNamespace(
        plain=CadreFactory(name="普通甲", unit=tree.township_a1, post="科员"),
        head=CadreFactory(
            name="镇长甲", unit=tree.township_a1, post="镇长", post_level=level("township_chief")
        ),
        front=CadreFactory(name="一线甲", unit=tree.township_a1, post="科员"),
        front_ended=CadreFactory(name="一线已结束", unit=tree.township_a1, post="科员"),
        front_future=CadreFactory(name="一线将派", unit=tree.township_a1, post="科员"),
        hard=CadreFactory(name="高寒甲", unit=hardship, post="科员"),
        special=CadreFactory(name="特种甲", unit=tree.dept_a, post="科员"),
        leader=CadreFactory(
            name="县长甲", unit=tree.county_a, post="县长", post_level=level("county_chief")
        ),
        left=CadreFactory(name="调离甲", unit=tree.township_a1, post="科员"),
        other=CadreFactory(name="乙县甲", unit=tree.township_b1, post="科员"),
    )
    p.left.status = CadreStatus.LEFT
    p.left.save(update_fields=["status"])
    for cadre, start, end in (
        (p.front, datetime.date(2025, 3, 1), None),
        (p.front_ended, datetime.date(2024, 3, 1), datetime.date(2026, 5, 31)),
        (p.front_future, datetime.date(2026, 9, 1), None),
    ):
        FrontlineAssignment.objects.create(
            cadre=cadre, kind=FrontlineKind.VILLAGE, task="驻村帮扶", start_date=start, end_date=end
        )
    p.special.tags.add(CadreTag.objects.get(code="special_industry"))
    p.hardship_unit = hardship
    return p


def make_plan(actor, unit, year=2026, **kwargs):
    kwargs.setdefault("title", f"{year}年度干部健康体检")
    kwargs.setdefault("standard_items", "内科、外科、血常规、心电图")
    kwargs.setdefault("start_on", START.replace(year=year))
    kwargs.setdefault("deadline", DEADLINE.replace(year=year))
    return health.checkup_plan_create(actor=actor, unit=unit, year=year, **kwargs)


def records(plan):
    return {r.cadre.name: r for r in plan.records.select_related("cadre")}


# --- enrolment ---------------------------------------------------------------------------------


def test_plan_enrols_the_active_cadres_the_unit_manages(tree, people, org_user):
    plan = make_plan(org_user, tree.county_a)

    enrolled = set(records(plan))
    assert enrolled == {"普通甲", "镇长甲", "一线甲", "一线已结束", "一线将派", "高寒甲", "特种甲"}
    assert "县长甲" not in enrolled  # county level: managed by the city
    assert "调离甲" not in enrolled and "乙县甲" not in enrolled
    assert plan.extras_list.kind == "care.checkup_extras"


def test_extra_items_frontline_for_a_current_frontline_assignment(tree, people, org_user):
    rows = records(make_plan(org_user, tree.county_a))

    assert rows["一线甲"].extra_items == ["frontline"]
    assert rows["一线已结束"].extra_items == []  # ended before the plan starts
    assert rows["一线将派"].extra_items == []  # starts after the deadline


def test_extra_items_hardship_for_a_unit_in_a_hardship_area(tree, people, org_user):
    rows = records(make_plan(org_user, tree.county_a))

    assert rows["高寒甲"].extra_items == ["hardship"]
    assert rows["普通甲"].extra_items == []


def test_extra_items_special_industry_for_the_tag(tree, people, org_user):
    rows = records(make_plan(org_user, tree.county_a))

    assert rows["特种甲"].extra_items == ["special_industry"]


def test_extra_items_accumulate(tree, people, org_user):
    FrontlineAssignment.objects.create(
        cadre=people.hard, kind=FrontlineKind.URGENT, task="抢险", start_date=START
    )
    people.hard.tags.add(CadreTag.objects.get(code="special_industry"))

    rows = records(make_plan(org_user, tree.county_a))

    assert rows["高寒甲"].extra_items == ["frontline", "hardship", "special_industry"]


def test_city_plan_enrols_the_county_leaders_it_manages(tree, people, make_user):
    city_org = make_user(Role.ORGANISATION, unit=tree.city)

    plan = make_plan(city_org, tree.city)

    assert set(records(plan)) == {"县长甲"}


def test_re_enrol_is_idempotent_and_adds_newcomers(tree, people, org_user):
    plan = make_plan(org_user, tree.county_a)
    before = plan.records.count()

    assert health.checkup_plan_enrol(actor=org_user, plan=plan) == 0
    CadreFactory(name="新到任甲", unit=people.hardship_unit, post="科员")
    assert health.checkup_plan_enrol(actor=org_user, plan=plan) == 1
    assert health.checkup_plan_enrol(actor=org_user, plan=plan) == 0

    assert plan.records.count() == before + 1
    assert records(plan)["新到任甲"].extra_items == ["hardship"]


def test_enrolment_of_thousands_in_constant_queries(
    tree, people, org_user, django_assert_max_num_queries
):
    plan = make_plan(org_user, tree.county_a)
    for n in range(40):
        CadreFactory(name=f"批量{n}", unit=tree.township_a1, post="科员")

    with django_assert_max_num_queries(14):
        added = health.checkup_plan_enrol(actor=org_user, plan=plan)

    assert added == 40


def test_one_plan_per_unit_and_year(tree, people, org_user):
    make_plan(org_user, tree.county_a)

    with pytest.raises(ValidationError) as error:
        make_plan(org_user, tree.county_a)

    assert "year" in error.value.message_dict


def test_plan_unit_must_be_in_jurisdiction(tree, people, org_user):
    with pytest.raises(ValidationError) as error:
        make_plan(org_user, tree.county_b)

    assert "unit" in error.value.message_dict


def test_plan_dates_are_checked(tree, people, org_user):
    with pytest.raises(ValidationError) as error:
        make_plan(org_user, tree.county_a, deadline=datetime.date(2026, 5, 1), title="")

    assert {"deadline", "title"} <= set(error.value.message_dict)


def test_plan_needs_the_organisation_department(tree, people, staff):
    with pytest.raises(PermissionDenied):
        make_plan(staff.unit_leader, tree.county_a)


# --- attendance ---------------------------------------------------------------------------------


def test_record_attendance_with_conclusion_and_follow_up(tree, people, org_user):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]

    record = health.checkup_record_attend(
        actor=org_user,
        record=record,
        attended_on=datetime.date(2026, 6, 10),
        conclusion="血压偏高",
        follow_up="三个月后复查",
    )

    record.refresh_from_db()
    assert (record.status, record.attended_on, record.conclusion, record.follow_up) == (
        CheckupStatus.ATTENDED,
        datetime.date(2026, 6, 10),
        "血压偏高",
        "三个月后复查",
    )
    assert CareLog.objects.filter(subject="checkup", subject_id=record.pk).exists()


def test_attendance_date_cannot_be_in_the_future(tree, people, org_user):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]

    with pytest.raises(ValidationError) as error:
        health.checkup_record_attend(
            actor=org_user, record=record, attended_on=datetime.date(2026, 7, 1)
        )

    assert "attended_on" in error.value.message_dict


def test_exemption_needs_a_reason(tree, people, org_user):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]

    with pytest.raises(ValidationError) as error:
        health.checkup_record_exempt(actor=org_user, record=record, reason=" ")
    assert "exemption_reason" in error.value.message_dict

    record = health.checkup_record_exempt(actor=org_user, record=record, reason="长期病休")
    assert (record.status, record.exemption_reason) == (CheckupStatus.EXEMPTED, "长期病休")


def test_attended_record_cannot_be_exempted(tree, people, org_user):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]
    health.checkup_record_attend(actor=org_user, record=record, attended_on=START)

    with pytest.raises(health.TransitionConflict):
        health.checkup_record_exempt(actor=org_user, record=record, reason="长期病休")


def test_exempted_cadre_may_still_attend(tree, people, org_user):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]
    health.checkup_record_exempt(actor=org_user, record=record, reason="外出学习")

    record = health.checkup_record_attend(actor=org_user, record=record, attended_on=START)

    assert (record.status, record.exemption_reason) == (CheckupStatus.ATTENDED, "")


def test_attendance_needs_a_write_role(tree, people, org_user, staff):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]

    with pytest.raises(PermissionDenied):
        health.checkup_record_attend(actor=staff.auditor, record=record, attended_on=START)


# --- sensitive conclusion ---------------------------------------------------------------------


def test_conclusion_readable_by_the_cadre_and_organisation_only(
    tree, people, org_user, staff, make_user
):
    record = records(make_plan(org_user, tree.county_a))["普通甲"]
    own = make_user(Role.CADRE, unit=tree.township_a1, cadre=people.plain)

    assert health.can_read_conclusion(org_user, record)
    assert health.can_read_conclusion(own, record)
    assert not health.can_read_conclusion(staff.unit_leader, record)
    assert not health.can_read_conclusion(staff.auditor, record)
    assert not health.can_read_conclusion(staff.committee, record)
    assert not health.can_read_conclusion(staff.cadre_user, record)


# --- reminders ---------------------------------------------------------------------------------


@pytest.fixture
def plan_with_users(tree, people, org_user, make_user):
    plan = make_plan(org_user, tree.county_a, deadline=datetime.date(2026, 7, 10))
    return SimpleNamespace(
        plan=plan,
        plain_user=make_user(Role.CADRE, unit=tree.township_a1, cadre=people.plain),
        head_user=make_user(Role.CADRE, unit=tree.township_a1, cadre=people.head),
    )


def checkup_notes(user):
    return Notification.objects.filter(recipient=user, kind="care.checkup_reminder")


def test_checkup_reminders_wait_until_the_deadline_nears(plan_with_users, org_user):
    # Deadline 2026-07-10; reminders go out from 14 days before (care.talk_settings).
    assert health.remind_checkups(today=datetime.date(2026, 6, 25)) == 0
    assert not Notification.objects.filter(kind="care.checkup_reminder").exists()

    assert health.remind_checkups(today=datetime.date(2026, 6, 26)) == 7

    assert checkup_notes(plan_with_users.plain_user).count() == 1
    org = checkup_notes(org_user).get()
    assert "尚有7人未体检" in org.title


def test_checkup_reminders_skip_those_done_and_past_deadlines(plan_with_users, org_user):
    plain = plan_with_users.plan.records.get(cadre__name="普通甲")
    health.checkup_record_attend(actor=org_user, record=plain, attended_on=START)

    health.remind_checkups(today=datetime.date(2026, 7, 1))
    assert not checkup_notes(plan_with_users.plain_user).exists()
    assert checkup_notes(plan_with_users.head_user).count() == 1

    assert health.remind_checkups(today=datetime.date(2026, 7, 11)) == 0


def test_checkup_reminders_once_only(plan_with_users, org_user):
    health.remind_checkups(today=datetime.date(2026, 7, 1))
    count = Notification.objects.filter(kind="care.checkup_reminder").count()

    assert health.remind_checkups(today=datetime.date(2026, 7, 1)) == 0
    assert health.remind_checkups(today=datetime.date(2026, 7, 5)) == 0

    assert Notification.objects.filter(kind="care.checkup_reminder").count() == count
    assert checkup_notes(org_user).count() == 1
    assert not CheckupRecord.objects.filter(
        plan=plan_with_users.plan, status=CheckupStatus.PENDING, reminded_at__isnull=True
    ).exists()


def test_checkup_reminder_task(plan_with_users):
    with time_machine.travel(datetime.datetime(2026, 7, 1, 8, 10, tzinfo=TZ), tick=False):
        assert remind_checkups_task.apply().get() == 7
    assert remind_checkups_task.name == "care.tasks_health.remind_checkups_task"

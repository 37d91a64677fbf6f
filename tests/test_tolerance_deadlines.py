"""Per-state deadlines counted in Chinese working days, and the daily job that flags and notifies
overdue cases once (DOMAIN §4.5, §6)."""

import datetime

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings

from cadre.models import CalendarDay, Notification, PolicyItem
from cadre.selectors import policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish
from cadre.workdays import add_working_days, is_workday, working_days_between
from config.celery import app
from tests.tolerance_helpers import move, open_case
from tolerance.choices import KIND_DEADLINES, CaseStatus
from tolerance.models import Case
from tolerance.tasks import flag_overdue_cases, flag_overdue_cases_task

pytestmark = pytest.mark.django_db

D = datetime.date


def test_national_day_week_and_make_up_workday_2026():
    # 2026: 1-7 October off (National Day and Mid-Autumn); Saturday 10 October is a workday.
    assert not is_workday(D(2026, 10, 1))
    assert not is_workday(D(2026, 10, 7))
    assert is_workday(D(2026, 10, 10))
    # 5 working days from Tuesday 29 September: 30 Sep, 8, 9, 10 (Sat, make-up), 12 Oct.
    assert add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert working_days_between(D(2026, 9, 29), D(2026, 10, 12)) == 5


def test_spring_festival_2026_is_skipped():
    # 2026 Spring Festival: 15-23 February off; 14 and 28 February (Saturdays) are workdays.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_admin_overrides_cover_years_the_calendar_does_not_know():
    # Without data for 2027, Monday to Friday count; an override makes New Year's Day a holiday.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    CalendarDay.objects.create(date=D(2027, 1, 2), is_workday=True, note="调休上班")
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 2)


@time_machine.travel(datetime.datetime(2026, 9, 29, 9, tzinfo=datetime.UTC), tick=False)
def test_filing_sets_the_deadline_in_working_days_from_the_list(staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    # The default list gives a filed case 5 working days to start investigating.
    assert case.due_on == D(2026, 10, 12)
    move(staff.inspector, case, "start_investigation")
    assert case.due_on == add_working_days(D(2026, 9, 29), 30)


def test_a_units_own_deadlines_list_applies_to_its_cases(staff, tree, cadres):
    base = policy_list_for(KIND_DEADLINES, tree.county_a)
    draft = policy_list_new_version(base=base, unit=tree.county_a, title="甲县办理期限")
    PolicyItem.objects.filter(policy_list=draft, code="filed").update(params={"working_days": 2})
    policy_list_publish(policy_list=draft)
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, tzinfo=datetime.UTC), tick=False):
        case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    assert case.due_on == D(2026, 11, 25)


def test_overdue_cases_are_flagged_and_notified_once_per_state(staff, tree, cadres):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC), tick=False):
        case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    due = case.due_on  # 9 November 2026

    assert flag_overdue_cases(today=due) == 0  # on the last day it is not late yet
    assert flag_overdue_cases(today=due + datetime.timedelta(days=1)) == 1
    assert flag_overdue_cases(today=due + datetime.timedelta(days=2)) == 0  # once

    recipients = set(
        Notification.objects.filter(kind="tolerance.case_overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"jw_a", "jw_a2", "zz_a"}  # county A's implementing bodies
    assert Case.objects.overdue(due + datetime.timedelta(days=1)).get() == case

    # A new state has a new deadline and may be flagged again when it runs out.
    with time_machine.travel(datetime.datetime(2026, 11, 10, 9, tzinfo=datetime.UTC), tick=False):
        move(staff.inspector, case, "start_investigation")
    assert case.overdue_notified_on is None
    assert flag_overdue_cases(today=case.due_on + datetime.timedelta(days=1)) == 1
    assert Notification.objects.filter(kind="tolerance.case_overdue").count() == 6


def test_closed_and_withdrawn_cases_are_never_overdue(staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    move(staff.inspector, case, "withdraw", reason="申请人撤回")
    assert case.status == CaseStatus.WITHDRAWN
    assert flag_overdue_cases(today=D(2030, 1, 1)) == 0


def test_the_job_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["tolerance-overdue-cases"]
    assert entry["task"] == flag_overdue_cases_task.name


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as w:
        yield w


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_overdue_job(staff, tree, cadres, worker):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    Case.objects.filter(pk=case.pk).update(due_on=D(2026, 1, 5))

    flagged = flag_overdue_cases_task.delay().get(timeout=30)

    assert flagged == 1
    case.refresh_from_db()
    assert case.overdue_notified_on is not None
    assert Notification.objects.filter(kind="tolerance.case_overdue").count() == 3
    assert flag_overdue_cases_task.delay().get(timeout=30) == 0


def test_follow_up_visits_falling_due_are_reminded_once(staff, tree, cadres):
    from tolerance import services
    from tolerance.tasks import remind_follow_up_visits

    clearing = services.clearing_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        source="letter",
        allegation="反映其违规插手工程",
        cadres=[cadres.in_a],
    )
    from tolerance.workflow import clearing_transition

    clearing = clearing_transition(
        actor=staff.inspector, clearing=clearing, name="start_verification"
    )
    clearing = clearing_transition(
        actor=staff.inspector,
        clearing=clearing,
        name="conclude",
        data={"conclusion": "unfounded", "conclusion_reasons": "查无实据"},
    )
    services.clarification_add(
        actor=staff.inspector,
        clearing=clearing,
        method="meeting",
        scope="所在单位",
        held_on=D(2026, 11, 2),
        content="澄清",
    )
    clearing = clearing_transition(actor=staff.inspector, clearing=clearing, name="clarify")
    services.visit_add(
        actor=staff.inspector,
        clearing=clearing,
        visited_on=D(2026, 11, 3),
        visitors="纪检甲",
        findings="仍有顾虑",
        next_visit_on=D(2026, 11, 20),
    )

    assert remind_follow_up_visits(today=D(2026, 11, 19)) == 0
    assert remind_follow_up_visits(today=D(2026, 11, 20)) == 1
    assert remind_follow_up_visits(today=D(2026, 11, 21)) == 0
    assert Notification.objects.filter(kind="tolerance.visit_due").count() == 3
    # Once the next visit is made, the old plan is not reminded again.
    services.visit_add(
        actor=staff.inspector,
        clearing=clearing,
        visited_on=D(2026, 11, 22),
        visitors="纪检甲",
        findings="已释然",
        at_ease=True,
    )
    assert remind_follow_up_visits(today=D(2026, 12, 1)) == 0

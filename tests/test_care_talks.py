"""Talks (谈心谈话, F 16, X): recording talks, the 五必谈 due talks created from the events of
the other apps (each trigger from its real source), their reminders and escalation, the
confidential content, and the cadres' requests ("向组织说说心里话")."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cadre.choices import FrontlineKind, Role
from cadre.events import dispatch_event, event_record
from cadre.models import Event, Notification, PolicyList
from cadre.services import (
    cadre_update,
    frontline_assignment_create,
    policy_list_new_version,
    policy_list_publish,
)
from care import talks
from care.choices import (
    EVENT_FAMILY_MISFORTUNE,
    KIND_TALK_TRIGGERS,
    ObligationStatus,
    RequestStatus,
    TalkKind,
)
from care.models import CareLog, MisfortuneReport, Talk, TalkObligation, TalkRequest
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db


def deliver():
    """Dispatch every recorded event now, as the after-commit task would; a handler's failure
    fails the test."""
    for event_id in Event.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True):
        dispatch_event(event_id)
    failed = Event.objects.exclude(last_error="").values_list("kind", "last_error")
    assert not list(failed)


@pytest.fixture
def people(tree, cadres, staff, make_user):
    """County A's organisation staff (two), the city's (the superior department), and two cadre
    users: 张三 (in county A) and another cadre of county A."""
    other_cadre = CadreFactory(name="赵六", unit=tree.township_a1, post="副镇长")
    staff.cadre_user.cadre = cadres.in_a
    staff.cadre_user.save()
    other = make_user(Role.CADRE, unit=tree.county_a, username="gb_other", cadre=other_cadre)
    return SimpleNamespace(
        org=staff.organisation,
        org2=make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a2"),
        city_org=make_user(Role.ORGANISATION, unit=tree.city, username="zz_city"),
        admin=make_user(Role.ADMIN, unit=tree.county_a, username="admin_a"),
        cadre_user=staff.cadre_user,
        other_cadre_user=other,
        other_cadre=other_cadre,
        staff=staff,
    )


def record(actor, cadre, **extra):
    data = {
        "talker_name": "组织甲",
        "kind": TalkKind.ORGANISATION,
        "held_on": datetime.date(2026, 5, 20),
        "summary": "了解工作和生活情况。",
    }
    data.update(extra)
    return talks.talk_record(actor=actor, cadre=cadre, **data)


def post_change_obligation(people, cadres):
    cadre_update(actor=people.org, cadre=cadres.in_a, post="镇党委书记")
    deliver()
    return TalkObligation.objects.get(cadre=cadres.in_a, trigger_code="T1")


# --- talk records -----------------------------------------------------------------------------


def test_talk_record_saves_the_talk_and_logs_it(people, cadres):
    talk = record(people.org, cadres.in_a, place="县委组织部", follow_up="帮助协调子女入学")

    assert (talk.cadre, talk.talker, talk.kind, talk.place) == (
        cadres.in_a,
        people.org,
        TalkKind.ORGANISATION,
        "县委组织部",
    )
    assert CareLog.objects.filter(subject="talk", subject_id=talk.pk, action="record").exists()


def test_talk_record_names_every_missing_field_in_chinese(people, cadres):
    with pytest.raises(ValidationError) as error:
        talks.talk_record(
            actor=people.org,
            cadre=cadres.in_a,
            talker_name=" ",
            kind="chat",
            held_on=None,
            summary="",
            confidential=True,
        )
    errors = error.value.message_dict
    assert errors["talker_name"] == ["请填写谈话人"]
    assert errors["kind"] == ["请选择谈话类别"]
    assert errors["held_on"] == ["请填写谈话日期"]
    assert errors["summary"] == ["请填写谈话摘要"]
    assert errors["confidential_content"] == ["勾选“含保密内容”的，请填写保密内容"]


def test_talk_record_refuses_a_date_in_the_future(people, cadres):
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, 0), tick=False):
        with pytest.raises(ValidationError) as error:
            record(people.org, cadres.in_a, held_on=datetime.date(2026, 6, 11))
    assert error.value.message_dict["held_on"] == ["谈话日期不能晚于今天"]


def test_talk_record_refuses_a_cadre_outside_the_jurisdiction(people, cadres):
    with pytest.raises(ValidationError) as error:
        record(people.org, cadres.in_b)
    assert error.value.message_dict["cadre"] == ["请选择您管辖范围内的干部"]


@pytest.mark.parametrize("role", ["auditor", "unit_leader", "committee", "inspector"])
def test_talk_record_needs_the_organisation_department(people, cadres, role):
    with pytest.raises(PermissionDenied):
        record(getattr(people.staff, role), cadres.in_a)


def test_talk_with_a_talker_cadre_takes_their_name_and_user(people, cadres, tree):
    secretary = CadreFactory(name="县委书记甲", unit=tree.county_a, post="县委书记")
    people.org2.cadre = secretary
    people.org2.save()

    talk = record(people.org, cadres.in_a, talker_name="", talker_cadre=secretary)

    assert (talk.talker_name, talk.talker, talk.talker_cadre) == (
        "县委书记甲",
        people.org2,
        secretary,
    )


def test_content_entered_marks_the_talk_confidential(people, cadres):
    talk = record(people.org, cadres.in_a, confidential_content="家中老人重病")
    assert talk.confidential is True


def test_talk_against_a_due_obligation_closes_it(people, cadres):
    obligation = post_change_obligation(people, cadres)

    talk = record(people.org, cadres.in_a, kind=TalkKind.FIVE_MUSTS, obligation=obligation)

    obligation.refresh_from_db()
    assert (obligation.status, obligation.talk) == (ObligationStatus.HELD, talk)
    row = CareLog.objects.get(subject="obligation", subject_id=obligation.pk, action="hold")
    assert (row.from_status, row.to_status) == ("due", "held")


def test_a_due_talk_closed_by_someone_else_is_a_clear_conflict(people, cadres):
    obligation = post_change_obligation(people, cadres)
    record(people.org, cadres.in_a, obligation=obligation)

    with pytest.raises(talks.TransitionConflict, match="已被他人办理（当前状态：已谈话）"):
        record(people.org2, cadres.in_a, obligation=obligation)
    assert Talk.objects.count() == 1


def test_a_talk_for_another_cadre_cannot_close_the_obligation(people, cadres):
    obligation = post_change_obligation(people, cadres)
    with pytest.raises(ValidationError) as error:
        record(people.org, people.other_cadre, obligation=obligation)
    assert error.value.message_dict["cadre"] == ["谈话对象须为应谈事项的干部"]
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.DUE


def test_an_obligation_outside_the_jurisdiction_is_not_found(people, cadres, tree, make_user):
    obligation = post_change_obligation(people, cadres)
    other_org = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b")
    with pytest.raises(Http404):
        record(other_org, cadres.in_b, obligation=obligation)


# --- confidentiality --------------------------------------------------------------------------


def test_confidential_content_is_read_only_by_the_parties_and_the_organisation(
    people, cadres, tree, make_user
):
    secretary = CadreFactory(name="书记", unit=tree.county_a, post="县委书记")
    talker_user = make_user(Role.UNIT_LEADER, unit=tree.county_a, username="talker")
    secretary_user = make_user(
        Role.UNIT_LEADER, unit=tree.county_a, username="sec", cadre=secretary
    )
    talk = record(
        people.org,
        cadres.in_a,
        talker_cadre=secretary,
        confidential=True,
        confidential_content="家中老人重病",
    )
    Talk.objects.filter(pk=talk.pk).update(talker=talker_user)
    talk.refresh_from_db()

    readers = {
        "organisation": people.org,
        "admin": people.admin,
        "talker": talker_user,
        "talker cadre": secretary_user,
        "subject cadre": people.cadre_user,
    }
    others = {
        "unit leader": people.staff.unit_leader,
        "auditor": people.staff.auditor,
        "committee": people.staff.committee,
        "discipline": people.staff.inspector,
        "another cadre": people.other_cadre_user,
    }
    assert {n for n, u in readers.items() if talks.can_read_confidential(u, talk)} == set(readers)
    assert {n for n, u in others.items() if talks.can_read_confidential(u, talk)} == set()
    assert talks.confidential_shown(people.staff.auditor, talk) == (
        "（保密内容，仅谈话双方和组织部门可见）"
    )


def test_a_request_content_is_for_the_cadre_and_the_organisation_only(people, cadres):
    request = talks.talk_request_submit(
        actor=people.cadre_user, topic="工作压力", content="想调整分工"
    )
    assert talks.can_read_request_content(people.cadre_user, request)
    assert talks.can_read_request_content(people.org, request)
    for user in (
        people.staff.unit_leader,
        people.staff.auditor,
        people.staff.committee,
        people.other_cadre_user,
    ):
        assert not talks.can_read_request_content(user, request)


# --- 五必谈: the triggers from their sources -----------------------------------------------------


def test_trigger_T1_post_change_creates_a_due_talk_with_the_new_post(people, cadres, tree):
    today = timezone.localdate()
    cadre_update(actor=people.org, cadre=cadres.in_a, post="镇党委书记")
    deliver()

    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    triggers = PolicyList.objects.get(
        kind=KIND_TALK_TRIGGERS, unit__isnull=True, status="published"
    )
    assert (obligation.trigger_code, obligation.trigger_label) == ("T1", "干部岗位变动必谈")
    assert obligation.reason == "岗位变动：镇长 → 镇党委书记"
    assert obligation.triggers_list == triggers
    assert obligation.responsible_unit == tree.county_a  # county A manages township heads
    assert (obligation.created_on, obligation.due_on) == (today, today + datetime.timedelta(30))
    assert obligation.status == ObligationStatus.DUE
    told = Notification.objects.filter(kind="care.talk_due")
    assert set(told.values_list("recipient__username", flat=True)) == {"zz_a", "zz_a2"}


def test_trigger_T1_redelivered_event_creates_nothing_more(people, cadres):
    cadre_update(actor=people.org, cadre=cadres.in_a, post="镇党委书记")
    deliver()
    event = Event.objects.get(kind="cadre.post_changed", cadre=cadres.in_a)

    dispatch_event(event.pk)
    assert talks.obligation_from_event(event) is None  # a handler called twice

    assert TalkObligation.objects.filter(source_event=event).count() == 1
    assert Notification.objects.filter(kind="care.talk_due", recipient=people.org).count() == 1


def test_trigger_T1_responsible_unit_is_the_managing_department(people, cadres, tree):
    # 王五 is county-level: the city, not county A, manages them (干部管理权限).
    cadre_update(actor=None, cadre=cadres.leader_a, post="县委副书记")
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.leader_a)
    assert obligation.responsible_unit == tree.city
    assert list(
        Notification.objects.filter(kind="care.talk_due").values_list(
            "recipient__username", flat=True
        )
    ) == ["zz_city"]


def test_trigger_T2_major_special_task_creates_a_due_talk(people, cadres):
    frontline_assignment_create(
        actor=people.org,
        cadre=cadres.in_a,
        kind=FrontlineKind.URGENT,
        task="防汛抢险",
        is_major_special_task=True,
        start_date=datetime.date(2026, 5, 1),
    )
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert (obligation.trigger_code, obligation.reason) == ("T2", "参加重大专项工作：防汛抢险")


def test_trigger_T2_not_for_an_ordinary_frontline_posting(people, cadres):
    frontline_assignment_create(
        actor=people.org,
        cadre=cadres.in_a,
        kind=FrontlineKind.VILLAGE,
        task="驻村帮扶",
        is_major_special_task=False,
        start_date=datetime.date(2026, 5, 1),
    )
    deliver()
    assert not TalkObligation.objects.exists()


def test_trigger_T3_organisational_reminder_creates_a_due_talk(people, cadres):
    tolerance_services.reminder_record(
        actor=people.staff.inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2026, 5, 1),
        summary="工作作风方面出现苗头性问题",
    )
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert (obligation.trigger_code, obligation.reason) == ("T3", "受到组织提醒")


def _consequence(cadre, consequence):
    """The event the quarterly review records for each new consequence (assessment/quarterly)."""
    return event_record(
        kind="assessment.consequence_decided",
        cadre=cadre,
        payload={
            "consequence_id": 1,
            "consequence": consequence,
            "cause": "bottom_or_criticism",
            "occurrence": 1,
            "year": 2026,
            "quarter": 1,
        },
    )


def test_trigger_T3_quarterly_reminder_talk_consequence_creates_a_due_talk(people, cadres):
    _consequence(cadres.in_a, "reminder_talk")
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert (obligation.trigger_code, obligation.reason) == ("T3", "2026年第1季度考核：提醒谈话")


def test_trigger_T4_quarterly_organisational_handling_consequence(people, cadres):
    _consequence(cadres.in_a, "organisational_handling")
    deliver()
    assert TalkObligation.objects.get(cadre=cadres.in_a).trigger_code == "T4"


def test_a_consequence_no_trigger_names_creates_nothing(people, cadres):
    # The payload must match too: "restricted" is named by no trigger.
    _consequence(cadres.in_a, "restricted")
    deliver()
    assert not TalkObligation.objects.exists()


def test_trigger_T4_accountability_admonishment_creates_a_due_talk(people, cadres, tree):
    staff = people.staff
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="lighter", decision_reasons="情节较轻")
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=case.matter, form="admonish"
    )
    deliver()

    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert obligation.trigger_code == "T4"
    assert obligation.reason.startswith("问责（诫勉）")


def test_trigger_T4_not_for_a_form_without_organisational_handling(people, cadres, tree):
    staff = people.staff
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="lighter", decision_reasons="情节较轻")
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=case.matter, form="circulate"
    )
    deliver()
    assert not TalkObligation.objects.exists()


def test_trigger_T4_sanction_recorded_in_the_ledger(people, cadres):
    event_record(
        kind="incentives.sanction_recorded",
        cadre=cadres.in_a,
        payload={"sanction_id": 1, "kind_code": "warning", "kind_label": "党内警告"},
    )
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert (obligation.trigger_code, obligation.reason) == ("T4", "受到处理处分：党内警告")


def test_trigger_T4_adjusted_down(people, cadres):
    event_record(
        kind="incentives.adjusted_down",
        cadre=cadres.in_a,
        payload={
            "adjustment_id": 1,
            "action": "demotion",
            "action_label": "降职",
            "to_post": "科员",
        },
    )
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert (obligation.trigger_code, obligation.reason) == ("T4", "能上能下：降职（科员）")


def test_trigger_T5_family_misfortune_report_creates_a_due_talk(people, cadres):
    today = timezone.localdate()
    happened = today - datetime.timedelta(days=2)
    report = talks.misfortune_report(
        actor=people.org, cadre=cadres.in_a, occurred_on=happened, description="父亲病故"
    )
    event = Event.objects.get(kind=EVENT_FAMILY_MISFORTUNE, cadre=cadres.in_a)
    assert event.payload == {"report_id": report.pk, "occurred_on": happened.isoformat()}
    deliver()
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert (obligation.trigger_code, obligation.reason) == (
        "T5",
        f"发生家庭变故（{happened.isoformat()}）",
    )
    # The deadline runs from the report (the event), 30 days by the list.
    assert obligation.due_on == today + datetime.timedelta(days=30)


def test_misfortune_report_validates_in_chinese(people, cadres):
    with pytest.raises(ValidationError) as error:
        talks.misfortune_report(
            actor=people.org, cadre=cadres.in_b, occurred_on=None, description=" "
        )
    assert error.value.message_dict == {
        "cadre": ["请选择您管辖范围内的干部"],
        "occurred_on": ["请填写发生日期"],
        "description": ["请填写变故情况"],
    }
    assert not MisfortuneReport.objects.exists()


def test_an_event_without_a_cadre_or_of_another_kind_creates_nothing(people, cadres, tree):
    event_record(kind="cadre.post_changed", unit=tree.county_a, payload={})
    event_record(kind="tolerance.case_opened", cadre=cadres.in_a, payload={})
    deliver()
    assert not TalkObligation.objects.exists()


def test_a_jurisdictions_own_trigger_list_applies_with_its_deadline(people, cadres, tree):
    base = PolicyList.objects.get(kind=KIND_TALK_TRIGGERS, unit__isnull=True, status="published")
    own = policy_list_new_version(base=base, unit=tree.county_a, title="甲县五必谈")
    own.items.filter(code="T1").update(
        params={"deadline_days": 10, "events": [{"kind": "cadre.post_changed"}]}
    )
    policy_list_publish(policy_list=own)

    cadre_update(actor=people.org, cadre=cadres.in_a, post="镇党委书记")
    deliver()

    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert obligation.triggers_list == own
    assert (obligation.due_on - obligation.created_on).days == 10


# --- actions on due talks -----------------------------------------------------------------------


def test_assigning_a_due_talk_to_the_responsible_departments_user(people, cadres):
    obligation = post_change_obligation(people, cadres)

    talks.obligation_assign(actor=people.org, obligation=obligation, assignee=people.org2)

    obligation.refresh_from_db()
    assert obligation.assignee == people.org2
    assert Notification.objects.filter(kind="care.talk_assigned", recipient=people.org2).exists()


def test_assigning_to_a_user_of_another_unit_is_refused(people, cadres):
    obligation = post_change_obligation(people, cadres)
    with pytest.raises(ValidationError) as error:
        talks.obligation_assign(actor=people.org, obligation=obligation, assignee=people.city_org)
    assert error.value.message_dict["assignee"] == ["承办人须为责任单位组织部门的在职用户"]


def test_cancelling_a_due_talk_needs_a_reason_and_happens_once(people, cadres):
    obligation = post_change_obligation(people, cadres)
    with pytest.raises(ValidationError) as error:
        talks.obligation_cancel(actor=people.org, obligation=obligation, reason="")
    assert error.value.message_dict["reason"] == ["请填写取消原因"]

    talks.obligation_cancel(actor=people.org, obligation=obligation, reason="该干部已调离")
    obligation.refresh_from_db()
    assert (obligation.status, obligation.cancel_reason) == ("cancelled", "该干部已调离")

    with pytest.raises(talks.TransitionConflict):
        talks.obligation_cancel(actor=people.org, obligation=obligation, reason="重复")
    with pytest.raises(talks.TransitionConflict):
        record(people.org, cadres.in_a, obligation=obligation)


def test_a_read_only_role_may_not_assign_or_cancel(people, cadres):
    obligation = post_change_obligation(people, cadres)
    with pytest.raises(PermissionDenied):
        talks.obligation_cancel(actor=people.staff.auditor, obligation=obligation, reason="x")
    with pytest.raises(PermissionDenied):
        talks.obligation_assign(
            actor=people.staff.unit_leader, obligation=obligation, assignee=people.org2
        )


# --- reminders and escalation -----------------------------------------------------------------


def _due_on(people, cadres, due):
    obligation = post_change_obligation(people, cadres)
    TalkObligation.objects.filter(pk=obligation.pk).update(due_on=due)
    Notification.objects.all().delete()
    return obligation


def _run(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 50)), tick=False):
        return talks.remind_due_talks()


def _sent(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_reminders_and_escalation_on_the_exact_days(people, cadres):
    due = datetime.date(2026, 7, 10)
    obligation = _due_on(people, cadres, due)

    # 8 days before the deadline: nothing yet.
    assert _run(due - datetime.timedelta(days=8)) == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.exists()

    # 7 days before (remind_before): the responsible department is reminded, once.
    assert _run(due - datetime.timedelta(days=7)) == {"reminded": 1, "escalated": 0}
    assert _sent("care.talk_reminder") == ["zz_a", "zz_a2"]
    assert _run(due - datetime.timedelta(days=6)) == {"reminded": 0, "escalated": 0}

    # On the due day it is not yet overdue.
    assert _run(due) == {"reminded": 0, "escalated": 0}
    assert not _sent("care.talk_escalated")

    # One day after (escalate_after): the superior department (the city) is told, once.
    assert _run(due + datetime.timedelta(days=1)) == {"reminded": 0, "escalated": 1}
    assert _sent("care.talk_escalated") == ["zz_city"]

    # A re-run sends nothing new.
    assert _run(due + datetime.timedelta(days=2)) == {"reminded": 0, "escalated": 0}
    assert _sent("care.talk_reminder") == ["zz_a", "zz_a2"]
    assert _sent("care.talk_escalated") == ["zz_city"]
    obligation.refresh_from_db()
    assert obligation.reminded_at is not None and obligation.escalated_at is not None
    actions = CareLog.objects.filter(subject="obligation", subject_id=obligation.pk)
    assert list(
        actions.filter(action__in=["remind", "escalate"]).values_list("action", flat=True)
    ) == [
        "remind",
        "escalate",
    ]


def test_the_reminder_goes_to_the_assignee_only(people, cadres):
    due = datetime.date(2026, 7, 10)
    obligation = _due_on(people, cadres, due)
    talks.obligation_assign(actor=people.org, obligation=obligation, assignee=people.org2)

    _run(due - datetime.timedelta(days=7))

    assert _sent("care.talk_reminder") == ["zz_a2"]


def test_escalation_without_a_superior_department_goes_to_the_units_leaders(people, cadres):
    due = datetime.date(2026, 7, 10)
    _due_on(people, cadres, due)
    people.city_org.is_active = False
    people.city_org.save()

    _run(due + datetime.timedelta(days=1))

    assert _sent("care.talk_escalated") == ["cw_a", "cw_a2", "ld_a"]


def test_held_or_cancelled_due_talks_are_not_reminded(people, cadres):
    due = datetime.date(2026, 7, 10)
    obligation = _due_on(people, cadres, due)
    talks.obligation_cancel(actor=people.org, obligation=obligation, reason="该干部已退休")

    assert _run(due + datetime.timedelta(days=3)) == {"reminded": 0, "escalated": 0}


def test_the_reminder_job_is_a_celery_task_on_the_beat_schedule(settings):
    from config.celery import app

    app.loader.import_default_modules()
    assert "care.tasks_talks.remind_due_talks_task" in app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["care-talk-reminders"]
    assert entry["task"] == "care.tasks_talks.remind_due_talks_task"


def test_the_reminder_task_runs_the_reminders(people, cadres):
    from care.tasks_talks import remind_due_talks_task

    _due_on(people, cadres, datetime.date(2026, 7, 10))
    with time_machine.travel(datetime.datetime(2026, 7, 3, 7, 50), tick=False):
        assert remind_due_talks_task.apply().get() == {"reminded": 1, "escalated": 0}


# --- requests (向组织说说心里话) ---------------------------------------------------------------------


def test_a_cadre_submits_a_request_and_the_organisation_is_told(people, cadres):
    request = talks.talk_request_submit(
        actor=people.cadre_user, topic="工作压力", content="想调整分工", preferred_talker="部长"
    )
    assert (request.cadre, request.status) == (cadres.in_a, RequestStatus.SUBMITTED)
    assert _sent("care.talk_request") == ["zz_a", "zz_a2"]


def test_a_request_needs_a_topic_and_content(people):
    with pytest.raises(ValidationError) as error:
        talks.talk_request_submit(actor=people.cadre_user, topic="", content=" ")
    assert error.value.message_dict == {
        "topic": ["请填写谈话主题"],
        "content": ["请填写想和组织说的话"],
    }


def test_a_user_without_a_cadre_file_cannot_request(people):
    with pytest.raises(PermissionDenied):
        talks.talk_request_submit(actor=people.staff.auditor, topic="x", content="y")


def test_accepting_then_recording_the_talk_closes_the_request(people, cadres):
    request = talks.talk_request_submit(actor=people.cadre_user, topic="压力", content="想谈谈")

    talks.talk_request_accept(actor=people.org, request=request, response="本周内约谈")
    request.refresh_from_db()
    assert (request.status, request.response) == (RequestStatus.ACCEPTED, "本周内约谈")
    assert _sent("care.talk_request_answered") == ["gb_a"]

    talk = record(people.org, cadres.in_a, kind=TalkKind.REQUESTED, request=request)
    request.refresh_from_db()
    assert (request.status, request.talk) == (RequestStatus.HELD, talk)

    with pytest.raises(talks.TransitionConflict):
        talks.talk_request_decline(actor=people.org, request=request, response="晚了")


def test_declining_a_request_needs_a_response(people):
    request = talks.talk_request_submit(actor=people.cadre_user, topic="压力", content="想谈谈")
    with pytest.raises(ValidationError) as error:
        talks.talk_request_decline(actor=people.org, request=request, response="")
    assert error.value.message_dict["response"] == ["请填写答复意见"]

    talks.talk_request_decline(actor=people.org, request=request, response="已由单位领导谈话")
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    with pytest.raises(talks.TransitionConflict):
        talks.talk_request_accept(actor=people.org, request=request)


def test_my_care_lists_own_talks_requests_and_due_talks(people, cadres):
    obligation = post_change_obligation(people, cadres)
    mine = record(people.org, cadres.in_a)
    record(people.org, people.other_cadre)
    request = talks.talk_request_submit(actor=people.cadre_user, topic="压力", content="想谈谈")

    seen = talks.my_care(people.cadre_user)

    assert list(seen["talks"]) == [mine]
    assert list(seen["requests"]) == [request]
    assert list(seen["due"]) == [obligation]
    assert TalkRequest.objects.count() == 1

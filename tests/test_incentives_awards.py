"""Awards and exemplars (F 4, ZJK 12(二), J 担当有为奖, X 一事一嘉奖): campaigns through
nomination, review, public notice (公示) with objections and the award; the hold of an impact
period on nominations (处理处分影响期内不得评先评优) and the tolerated cadre who is never held
back; the performance record and the exemplar register the award feeds."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from cadre.choices import PerformanceSource, Role
from cadre.models import CalendarDay, Event, PerformanceEntry
from cadre.selectors import policy_list_for
from incentives import awards
from incentives.awards import TransitionConflict
from incentives.choices import (
    KIND_DOWN_SITUATIONS,
    KIND_SANCTION_KINDS,
    CampaignStatus,
    DownAction,
    LogSubject,
    NominationStatus,
    ObjectionStatus,
)
from incentives.models import (
    Adjustment,
    AwardCampaign,
    Exemplar,
    IncentiveLog,
    Nomination,
    Sanction,
)
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
# Wednesday 11 November 2026: five working days counted from it end on Tuesday 17 November
# (the weekend of 14–15 November does not count).
WED = datetime.date(2026, 11, 11)
NOTICE_END = datetime.date(2026, 11, 17)


def at(day, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen(request):
    with time_machine.travel(at(WED), tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(tree, make_user):
    return make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_awd")


def campaign_of(org, unit, kind="dangdang_award", title="2026年度担当有为奖"):
    return awards.campaign_create(actor=org, unit=unit, kind_code=kind, title=title, year=2026)


def sanction(cadre, *, decided_on=datetime.date(2026, 5, 1), months=12, matter=None):
    kinds = policy_list_for(KIND_SANCTION_KINDS, cadre.unit)
    return Sanction.objects.create(
        cadre=cadre,
        kinds_list=kinds,
        kind_code="gov_demerit",
        kind_label="记过",
        impact_months=months,
        decided_on=decided_on,
        impact_until=datetime.date(decided_on.year + 1, decided_on.month, decided_on.day),
        reason="违反工作纪律",
        matter=matter,
    )


def in_notice(org, campaign, cadres):
    """Nominate, approve and put `cadres` on public notice (on WED)."""
    nominations = [
        awards.nominate(actor=org, campaign=campaign, cadre=c, deeds=f"{c.name}的事迹")
        for c in cadres
    ]
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    for n in nominations:
        awards.nomination_review(actor=org, nomination=n, approve=True)
    awards.campaign_start_notice(actor=org, campaign=campaign)
    for n in nominations:
        n.refresh_from_db()
    return nominations


# --- campaigns ------------------------------------------------------------------------------


def test_campaign_stores_the_kind_from_the_list_at_the_unit(org, tree):
    campaign = campaign_of(org, tree.county_a)
    assert campaign.kind_label == "担当有为奖"
    assert campaign.notice_days == 5
    assert campaign.kinds_list.kind == "incentives.award_kinds"
    assert campaign.status == CampaignStatus.NOMINATING
    quick = campaign_of(org, tree.county_a, kind="one_matter_commend", title="抗洪一事一嘉奖")
    assert quick.notice_days == 0
    assert IncentiveLog.objects.filter(subject=LogSubject.CAMPAIGN, subject_id=campaign.pk).exists()


def test_campaign_kind_must_be_on_the_list(org, tree):
    with pytest.raises(ValidationError) as err:
        campaign_of(org, tree.county_a, kind="nobel")
    assert "kind_code" in err.value.message_dict


def test_campaign_outside_the_jurisdiction_is_refused(org, tree):
    with pytest.raises(ValidationError) as err:
        campaign_of(org, tree.county_b)
    assert "unit" in err.value.message_dict


def test_read_only_role_cannot_open_a_campaign(tree, make_user):
    inspector = make_user(Role.DISCIPLINE, unit=tree.county_a)
    with pytest.raises(PermissionDenied):
        campaign_of(inspector, tree.county_a)


def test_notice_window_is_five_working_days_counted_from_today(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a)
    in_notice(org, campaign, [cadres.in_a])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.NOTICE
    assert (campaign.notice_start, campaign.notice_end) == (WED, NOTICE_END)
    assert Nomination.objects.get(cadre=cadres.in_a).status == NominationStatus.IN_NOTICE


def test_allowed_and_refused_transitions(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a)
    for name in ("start_notice", "award"):
        with pytest.raises(TransitionConflict):
            awards.campaign_transition(actor=org, campaign=campaign, name=name)
    nomination = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    # Review only while reviewing.
    with pytest.raises(TransitionConflict):
        awards.nomination_review(actor=org, nomination=nomination, approve=True)
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    with pytest.raises(TransitionConflict):
        awards.campaign_close_nominations(actor=org, campaign=campaign)
    # Notice needs every nominee reviewed; a notice kind is never awarded from review.
    with pytest.raises(ValidationError, match="未审核"):
        awards.campaign_start_notice(actor=org, campaign=campaign)
    with pytest.raises(TransitionConflict):
        awards.campaign_award(actor=org, campaign=campaign)
    awards.nomination_review(actor=org, nomination=nomination, approve=True)
    awards.campaign_start_notice(actor=org, campaign=campaign)
    with pytest.raises(TransitionConflict):
        awards.nomination_withdraw(actor=org, nomination=nomination)
    steps = list(
        IncentiveLog.objects.filter(subject=LogSubject.CAMPAIGN, subject_id=campaign.pk)
        .order_by("pk")
        .values_list("action", "to_status")
    )
    assert steps == [
        ("create", "nominating"),
        ("close_nominations", "reviewing"),
        ("start_notice", "notice"),
    ]


def test_rejection_needs_a_note(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a)
    nomination = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    with pytest.raises(ValidationError) as err:
        awards.nomination_review(actor=org, nomination=nomination, approve=False)
    assert "note" in err.value.message_dict
    awards.nomination_review(actor=org, nomination=nomination, approve=False, note="事迹不突出")
    nomination.refresh_from_db()
    assert (nomination.status, nomination.review_note) == (NominationStatus.REJECTED, "事迹不突出")
    with pytest.raises(ValidationError, match="没有审核通过"):
        awards.campaign_start_notice(actor=org, campaign=campaign)


def test_withdrawn_nominee_may_be_nominated_again(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a)
    first = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    with pytest.raises(ValidationError, match="重复"):
        awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    awards.nomination_withdraw(actor=org, nomination=first)
    again = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="补充事迹")
    assert again.pk == first.pk and again.status == NominationStatus.NOMINATED


# --- nominations ----------------------------------------------------------------------------


def test_nominee_must_be_in_scope_and_in_the_campaign_units_subtree(org, tree, cadres):
    campaign = campaign_of(org, tree.township_a1)
    with pytest.raises(ValidationError, match="管辖范围"):
        awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_b, deeds="事迹")
    in_dept = CadreFactory(unit=tree.dept_a, name="发改干部")
    with pytest.raises(ValidationError, match="下级单位"):
        awards.nominate(actor=org, campaign=campaign, cadre=in_dept, deeds="事迹")
    with pytest.raises(ValidationError) as err:
        awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="  ")
    assert "deeds" in err.value.message_dict


def test_nominations_close_at_the_deadline(org, tree, cadres, frozen):
    campaign = awards.campaign_create(
        actor=org,
        unit=tree.county_a,
        kind_code="red_star",
        title="红星党员",
        year=2026,
        nomination_deadline=WED,
    )
    frozen.move_to(at(WED + datetime.timedelta(days=1)))
    with pytest.raises(ValidationError, match="截止"):
        awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")


def test_hold_blocks_nomination(org, tree, cadres):
    sanction(cadres.in_a)
    campaign = campaign_of(org, tree.county_a)
    with pytest.raises(ValidationError) as err:
        awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    message = err.value.message_dict["cadre"][0]
    assert "处理处分影响期内不得评先评优" in message and "记过" in message
    assert not Nomination.objects.exists()


def test_hold_of_a_down_adjustment_blocks_nomination(org, tree, cadres):
    """能上能下: a cadre removed, adjusted or demoted is held back for the impact period."""
    Adjustment.objects.create(
        cadre=cadres.in_a,
        action=DownAction.ADJUSTMENT,
        situations_list=policy_list_for(KIND_DOWN_SITUATIONS, tree.county_a),
        reason="不担当不作为",
        decided_on=datetime.date(2026, 9, 1),
        from_post="镇长",
        impact_list=policy_list_for(KIND_SANCTION_KINDS, tree.county_a),
        impact_months=12,
        impact_until=datetime.date(2027, 9, 1),
    )
    campaign = campaign_of(org, tree.county_a)
    with pytest.raises(ValidationError, match="处理处分影响期内不得评先评优"):
        awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")


def test_hold_that_ended_does_not_block(org, tree, cadres):
    sanction(cadres.in_a, decided_on=datetime.date(2025, 1, 10))  # until 2026-01-10
    campaign = campaign_of(org, tree.county_a)
    assert awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")


def test_exempted_case_does_not_block_nomination(org, staff, tree, cadres):
    """A tolerance matter whose case exempted the cadre (免责) is never held against them
    (J 三(五)2), even with a ledger entry recorded from that matter."""
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    sanction(cadres.in_a, matter=case.matter)
    campaign = campaign_of(org, tree.county_a)
    nomination = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    assert nomination.status == NominationStatus.NOMINATED
    # The same path without the exemption (not tolerated, then decided) does block.
    other = CadreFactory(unit=tree.township_a1, name="钱七")
    refused = open_case(staff.inspector, tree.county_a, [other], title="另一事项")
    to_preliminary(staff, refused)
    move(staff.committee, refused, "decide", outcome="not_tolerated", decision_reasons="不符合")
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=refused.matter, form="circulate"
    )
    sanction(other, matter=refused.matter)
    with pytest.raises(ValidationError, match="影响期内"):
        awards.nominate(actor=org, campaign=campaign, cadre=other, deeds="事迹")


def test_hold_arising_during_review_blocks_approval(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a)
    nomination = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    sanction(cadres.in_a, decided_on=WED)
    with pytest.raises(ValidationError, match="影响期内"):
        awards.nomination_review(actor=org, nomination=nomination, approve=True)


def test_collective_nominee_rules(org, tree, cadres):
    collective = campaign_of(org, tree.county_a, kind="advanced_collective", title="先进集体")
    with pytest.raises(ValidationError) as err:
        awards.nominate(actor=org, campaign=collective, cadre=cadres.in_a, deeds="事迹")
    assert "cadre" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        awards.nominate(actor=org, campaign=collective, unit=tree.township_b1, deeds="事迹")
    assert "unit" in err.value.message_dict
    nomination = awards.nominate(
        actor=org, campaign=collective, unit=tree.township_a1, deeds="集体事迹"
    )
    assert nomination.nominee_unit == tree.township_a1 and nomination.cadre is None
    individual = campaign_of(org, tree.county_a)
    with pytest.raises(ValidationError) as err:
        awards.nominate(actor=org, campaign=individual, unit=tree.township_a1, deeds="事迹")
    assert "unit" in err.value.message_dict


# --- objections and the award ---------------------------------------------------------------


def test_objection_only_in_notice_and_within_the_window(org, tree, cadres, frozen):
    campaign = campaign_of(org, tree.county_a)
    nomination = awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    with pytest.raises(TransitionConflict):
        awards.objection_record(actor=org, nomination=nomination, received_on=WED, content="x")
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    awards.nomination_review(actor=org, nomination=nomination, approve=True)
    awards.campaign_start_notice(actor=org, campaign=campaign)
    with pytest.raises(ValidationError) as err:
        awards.objection_record(
            actor=org,
            nomination=nomination,
            received_on=WED - datetime.timedelta(days=1),
            content="反映问题",
        )
    assert "公示期内" in err.value.message_dict["received_on"][0]
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=3)))
    with pytest.raises(ValidationError):
        awards.objection_record(
            actor=org,
            nomination=nomination,
            received_on=NOTICE_END + datetime.timedelta(days=1),
            content="反映问题",
        )
    objection = awards.objection_record(
        actor=org, nomination=nomination, received_on=NOTICE_END, content="反映问题", submitter=""
    )
    assert objection.status == ObjectionStatus.OPEN


def test_award_before_notice_end_is_refused(org, tree, cadres, frozen):
    campaign = campaign_of(org, tree.county_a)
    in_notice(org, campaign, [cadres.in_a])
    # Friday, the weekend and the last day (Tuesday) are still inside the notice.
    for day in (datetime.date(2026, 11, 13), datetime.date(2026, 11, 15), NOTICE_END):
        frozen.move_to(at(day, 18))
        with pytest.raises(ValidationError, match="公示期满后"):
            awards.campaign_award(actor=org, campaign=campaign)
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    awards.campaign_award(actor=org, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED


def test_open_objection_refuses_the_award_and_names_the_nominee(org, tree, cadres, frozen):
    campaign = campaign_of(org, tree.county_a)
    other = CadreFactory(unit=tree.township_a1, name="赵六")
    first, _second = in_notice(org, campaign, [cadres.in_a, other])
    awards.objection_record(actor=org, nomination=first, received_on=WED, content="反映问题")
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    with pytest.raises(ValidationError) as err:
        awards.campaign_award(actor=org, campaign=campaign)
    message = err.value.messages[0]
    assert "张三" in message and "赵六" not in message
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.NOTICE
    assert not PerformanceEntry.objects.filter(source=PerformanceSource.COMMENDATION).exists()


def test_upheld_objection_blocks_the_nominee_and_dismissed_does_not(org, tree, cadres, frozen):
    campaign = campaign_of(org, tree.county_a)
    other = CadreFactory(unit=tree.township_a1, name="赵六")
    upheld_on, dismissed_on = in_notice(org, campaign, [cadres.in_a, other])
    first = awards.objection_record(
        actor=org, nomination=upheld_on, received_on=WED, content="群众反映作风问题"
    )
    second = awards.objection_record(
        actor=org, nomination=dismissed_on, received_on=WED, content="反映事迹不实"
    )
    awards.objection_resolve(actor=org, objection=first, upheld=True, resolution="经核查属实")
    awards.objection_resolve(actor=org, objection=second, upheld=False, resolution="经核查不实")
    with pytest.raises(TransitionConflict):
        awards.objection_resolve(actor=org, objection=first, upheld=False, resolution="再议")
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    awards.campaign_award(actor=org, campaign=campaign)

    upheld_on.refresh_from_db()
    dismissed_on.refresh_from_db()
    assert upheld_on.status == NominationStatus.BLOCKED and upheld_on.awarded_on is None
    assert dismissed_on.status == NominationStatus.AWARDED
    assert dismissed_on.awarded_on == NOTICE_END + datetime.timedelta(days=1)
    assert not PerformanceEntry.objects.filter(cadre=cadres.in_a).exists()
    entry = PerformanceEntry.objects.get(cadre=other)
    assert entry.source == PerformanceSource.COMMENDATION
    assert entry.category == "担当有为奖"
    assert entry.source_key == f"incentives.award:{dismissed_on.pk}"
    assert not Exemplar.objects.filter(cadre=cadres.in_a).exists()
    exemplar = Exemplar.objects.get(cadre=other)
    assert exemplar.nomination == dismissed_on and exemplar.title == campaign.title


def test_resolution_needs_a_conclusion(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a)
    (nomination,) = in_notice(org, campaign, [cadres.in_a])
    objection = awards.objection_record(
        actor=org, nomination=nomination, received_on=WED, content="反映"
    )
    with pytest.raises(ValidationError) as err:
        awards.objection_resolve(actor=org, objection=objection, upheld=True, resolution="")
    assert "resolution" in err.value.message_dict


def test_performance_entry_appended_once(org, tree, cadres, frozen):
    campaign = campaign_of(org, tree.county_a)
    (nomination,) = in_notice(org, campaign, [cadres.in_a])
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    awards.campaign_award(actor=org, campaign=campaign)
    with pytest.raises(TransitionConflict):
        awards.campaign_award(actor=org, campaign=campaign)
    # A re-delivery of the same award adds nothing either.
    nomination.refresh_from_db()
    awards.award_nomination(org, nomination, nomination.awarded_on)
    assert PerformanceEntry.objects.filter(cadre=cadres.in_a).count() == 1
    assert Exemplar.objects.filter(cadre=cadres.in_a).count() == 1
    assert Event.objects.filter(kind=awards.EVENT_AWARDED, cadre=cadres.in_a).count() == 1


def test_quick_kinds_skip_notice(org, tree, cadres):
    campaign = campaign_of(org, tree.county_a, kind="one_matter_commend", title="防汛一事一嘉奖")
    nomination = awards.nominate(
        actor=org, campaign=campaign, cadre=cadres.in_a, deeds="连夜转移群众"
    )
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    with pytest.raises(TransitionConflict):
        awards.campaign_start_notice(actor=org, campaign=campaign)
    awards.nomination_review(actor=org, nomination=nomination, approve=True)
    awards.campaign_award(actor=org, campaign=campaign)
    campaign.refresh_from_db()
    nomination.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.notice_start is None
    assert nomination.status == NominationStatus.AWARDED and nomination.awarded_on == WED
    assert PerformanceEntry.objects.get(cadre=cadres.in_a).category == "一事一嘉奖"


def test_collective_award_goes_to_the_register_without_performance_entry(org, tree, frozen):
    campaign = campaign_of(org, tree.county_a, kind="advanced_collective", title="先进集体")
    nomination = awards.nominate(
        actor=org, campaign=campaign, unit=tree.township_a1, deeds="集体事迹"
    )
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    awards.nomination_review(actor=org, nomination=nomination, approve=True)
    awards.campaign_start_notice(actor=org, campaign=campaign)
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    awards.campaign_award(actor=org, campaign=campaign)
    exemplar = Exemplar.objects.get(nomination=nomination)
    assert exemplar.collective == tree.township_a1 and exemplar.cadre is None
    assert not PerformanceEntry.objects.filter(source=PerformanceSource.COMMENDATION).exists()


# --- the exemplar register ------------------------------------------------------------------


def test_exemplar_added_directly(org, tree, cadres):
    exemplar = awards.exemplar_add(
        actor=org,
        cadre=cadres.in_a,
        title="担当作为先进典型",
        year=2026,
        deeds="扎根基层",
        publicity="县融媒体中心专题报道",
    )
    assert exemplar.unit == tree.township_a1 and exemplar.nomination is None
    with pytest.raises(ValidationError):
        awards.exemplar_add(actor=org, title="x", year=2026, deeds="x")
    with pytest.raises(ValidationError) as err:
        awards.exemplar_add(actor=org, cadre=cadres.in_b, title="x", year=2026, deeds="x")
    assert "cadre" in err.value.message_dict


def test_out_of_jurisdiction_records_are_invisible(org, tree, cadres, make_user):
    campaign = campaign_of(org, tree.county_a)
    awards.nominate(actor=org, campaign=campaign, cadre=cadres.in_a, deeds="事迹")
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b)
    assert not awards.campaigns_for(org_b).exists()
    assert not awards.nominations_for(org_b).exists()
    cadre_user = make_user(Role.CADRE, unit=tree.county_a)
    assert not awards.campaigns_for(cadre_user).exists()


# --- the notice window in working days ------------------------------------------------------


def test_notice_window_started_on_a_weekend_counts_from_monday(db):
    saturday = datetime.date(2026, 11, 14)
    assert awards.notice_window(saturday, 5) == datetime.date(2026, 11, 20)
    assert awards.notice_window(WED, 5) == NOTICE_END


def test_notice_window_skips_a_day_off_entered_in_the_calendar(db):
    CalendarDay.objects.create(date=datetime.date(2026, 11, 16), is_workday=False, note="调休")
    assert awards.notice_window(WED, 5) == datetime.date(2026, 11, 18)


# --- scope of the register ------------------------------------------------------------------


def test_exemplar_of_a_cadre_above_the_users_level_is_invisible(tree, cadres, make_user):
    city_org = make_user(Role.ORGANISATION, unit=tree.city)
    county_org = make_user(Role.ORGANISATION, unit=tree.county_a)
    awards.exemplar_add(actor=city_org, cadre=cadres.leader_a, title="好干部", year=2026, deeds="x")
    awards.exemplar_add(actor=city_org, cadre=cadres.in_a, title="好干部", year=2026, deeds="x")
    assert [e.cadre for e in awards.exemplars_for(county_org)] == [cadres.in_a]
    assert awards.exemplars_for(city_org).count() == 2


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_awards_award_once(tree, cadres, make_user, frozen):
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_race")
    campaign = campaign_of(org, tree.county_a)
    in_notice(org, campaign, [cadres.in_a])
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    barrier = threading.Barrier(2)
    results = []

    def award():
        try:
            barrier.wait(timeout=10)
            awards.campaign_award(actor=org, campaign=AwardCampaign.objects.get(pk=campaign.pk))
            results.append("awarded")
        except TransitionConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=award) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["awarded", "conflict"]
    assert PerformanceEntry.objects.filter(cadre=cadres.in_a).count() == 1
    assert Exemplar.objects.filter(cadre=cadres.in_a).count() == 1

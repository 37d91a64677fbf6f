"""The ledger of handled and disciplined cadres (F 15), 能上能下 (F 11, ZJK 6) and the expiry
reviews (F 15; X 能下再上): impact periods from the lists, the accountability decisions the
tolerance app reports, the reviews opened once when a period ends, and their conclusions."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from cadre.choices import Role
from cadre.events import dispatch_event
from cadre.models import Event, Notification, PolicyList, PostHistory
from cadre.services import policy_list_new_version, policy_list_publish
from incentives import ledger
from incentives.choices import (
    KIND_SANCTION_KINDS,
    AdjustmentStatus,
    DownAction,
    Rating,
    ReviewDecision,
    ReviewStatus,
    SanctionStatus,
)
from incentives.events import record_sanction_from_accountability
from incentives.models import ExpiryReview, IncentiveLog, Sanction, SanctionTracking
from incentives.selectors import holds_on
from incentives.tasks import open_expiry_reviews_task
from tests.factories import CadreFactory, level
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = datetime.date(2026, 6, 17)


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
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_led"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb_led"),
            "city_org": make_user(Role.ORGANISATION, unit=tree.city, username="zzc_led"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_led"),
        },
    )


@pytest.fixture
def cadre(tree):
    return CadreFactory(
        name="赵六",
        unit=tree.township_a1,
        post="镇长",
        post_level=level("township_chief"),
        post_since=datetime.date(2020, 1, 1),
    )


@pytest.fixture
def cadre_b(tree):
    return CadreFactory(
        name="孙七",
        unit=tree.township_b1,
        post="镇长",
        post_level=level("township_chief"),
        post_since=datetime.date(2020, 1, 1),
    )


def record(actor, cadre, kind="party_warning", decided_on=datetime.date(2025, 1, 10), **kw):
    kw.setdefault("reason", "违反工作纪律")
    return ledger.sanction_record(
        actor=actor, cadre=cadre, kind_code=kind, decided_on=decided_on, **kw
    )


def adjust(actor, cadre, action=DownAction.ADJUSTMENT, codes=("D-A1",), **kw):
    kw.setdefault("reason", "经考察不能胜任现职")
    kw.setdefault("decided_on", datetime.date(2026, 5, 1))
    if action in (DownAction.ADJUSTMENT, DownAction.DEMOTION):
        kw.setdefault("to_post", "镇党委委员")
    return ledger.adjustment_record(
        actor=actor, cadre=cadre, action=action, situation_codes=list(codes), **kw
    )


def held_to_account(inspector, tree, cadre, form):
    matter = tolerance_services.accountability_matter_open(
        actor=inspector,
        handling_unit=tree.county_a,
        accountable_body="discipline",
        title="项目推进不力",
        matter_category="project",
        occurred_on=datetime.date(2026, 3, 1),
        opened_on=datetime.date(2026, 4, 1),
        cadres=[cadre],
        consider_tolerance=False,
    )
    tolerance_services.accountability_matter_decide(
        actor=inspector, matter=matter, form=form, decided_on=datetime.date(2026, 5, 10)
    )
    event = Event.objects.get(kind="tolerance.organisational_handling", cadre=cadre)
    return matter, event


# --- impact periods ---------------------------------------------------------------------------


def test_impact_period_ends_the_day_before_the_same_date_months_later(people, cadre):
    sanction = record(people.org, cadre, "party_warning", datetime.date(2025, 1, 10))

    assert sanction.impact_months == 6
    assert sanction.impact_until == datetime.date(2025, 7, 9)
    assert sanction.status == SanctionStatus.IN_IMPACT
    assert ledger.impact_end(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 27)


@pytest.mark.parametrize(
    ("kind", "category", "until"),
    [
        ("party_serious_warning", "party", datetime.date(2026, 1, 9)),
        ("gov_major_demerit", "government", datetime.date(2026, 7, 9)),
        ("admonish", "organisational", datetime.date(2025, 7, 9)),
        ("demotion", "organisational", datetime.date(2027, 1, 9)),
    ],
)
def test_impact_period_of_each_category_comes_from_the_sanction_kinds_list(
    people, cadre, kind, category, until
):
    sanction = record(people.org, cadre, kind, datetime.date(2025, 1, 10))

    kinds_list = PolicyList.objects.get(
        kind=KIND_SANCTION_KINDS, unit__isnull=True, status="published"
    )
    assert sanction.kinds_list == kinds_list
    assert sanction.category == category
    assert sanction.kind_label == kinds_list.items.get(code=kind).label
    assert sanction.impact_until == until


def test_a_units_own_sanction_kinds_version_applies_inside_its_jurisdiction(
    people, tree, cadre, cadre_b
):
    default = PolicyList.objects.get(
        kind=KIND_SANCTION_KINDS, unit__isnull=True, status="published"
    )
    draft = policy_list_new_version(base=default, unit=tree.county_a)
    item = draft.items.get(code="admonish")
    item.params = {**item.params, "impact_months": 3}
    item.save()
    own = policy_list_publish(policy_list=draft)

    inside = record(people.city_org, cadre, "admonish", datetime.date(2026, 1, 10))
    outside = record(people.city_org, cadre_b, "admonish", datetime.date(2026, 1, 10))

    assert (inside.kinds_list, inside.impact_months) == (own, 3)
    assert inside.impact_until == datetime.date(2026, 4, 9)
    assert (outside.kinds_list, outside.impact_months) == (default, 6)


def test_recording_a_sanction_tells_care_and_starts_the_timeline(people, cadre):
    sanction = record(people.org, cadre, "gov_demerit", datetime.date(2026, 2, 1))

    event = Event.objects.get(kind=ledger.EVENT_SANCTION_RECORDED)
    assert event.cadre == cadre
    assert event.actor == people.org
    assert event.payload["kind_code"] == "gov_demerit"
    assert event.payload["kind_label"] == "记过"
    assert event.payload["impact_until"] == "2027-01-31"
    line = IncentiveLog.objects.get(subject="sanction", subject_id=sanction.pk)
    assert (line.action, line.to_status, line.actor) == ("record", "in_impact", people.org)


def test_recording_refuses_an_unknown_kind_a_future_date_and_no_reason(people, cadre):
    with pytest.raises(ValidationError) as error:
        record(people.org, cadre, "flogging", TODAY + datetime.timedelta(days=1), reason=" ")
    assert set(error.value.message_dict) == {"kind_code", "decided_on", "reason"}
    assert not Sanction.objects.exists()


def test_a_cadre_outside_the_jurisdiction_cannot_be_entered(people, cadre_b):
    with pytest.raises(ValidationError) as error:
        record(people.org, cadre_b)
    assert "cadre" in error.value.message_dict


def test_a_read_only_role_cannot_enter_the_ledger(people, cadre):
    with pytest.raises(PermissionDenied):
        record(people.inspector, cadre)


# --- accountability decisions (tolerance.organisational_handling) ------------------------------


def test_an_admonishment_enters_the_ledger_once_however_often_the_event_arrives(
    people, tree, cadre
):
    matter, event = held_to_account(people.inspector, tree, cadre, "admonish")

    dispatch_event(event.pk)
    dispatch_event(event.pk)
    record_sanction_from_accountability(event)  # a redelivery past the handling mark

    sanction = Sanction.objects.get(cadre=cadre)
    assert sanction.source_event == event
    assert sanction.matter == matter
    assert (sanction.kind_code, sanction.kind_label) == ("admonish", "诫勉")
    assert sanction.status == SanctionStatus.IN_IMPACT
    assert sanction.decided_on == datetime.date(2026, 5, 10)
    assert sanction.impact_until == datetime.date(2026, 11, 9)
    # Care heard of the decision from the tolerance event: no second trigger.
    assert not Event.objects.filter(kind=ledger.EVENT_SANCTION_RECORDED).exists()


def test_an_organisational_adjustment_form_maps_to_its_kind(people, tree, cadre):
    _matter, event = held_to_account(people.inspector, tree, cadre, "adjust")
    dispatch_event(event.pk)

    sanction = Sanction.objects.get(cadre=cadre)
    assert (sanction.kind_code, sanction.impact_months) == ("adjustment", 12)


def test_a_disciplinary_decision_waits_for_its_kind_and_asks_the_organisation_department(
    people, tree, cadre
):
    _matter, event = held_to_account(people.inspector, tree, cadre, "discipline")

    dispatch_event(event.pk)
    record_sanction_from_accountability(event)

    sanction = Sanction.objects.get(cadre=cadre)
    assert sanction.status == SanctionStatus.PENDING_KIND
    assert (sanction.kind_code, sanction.impact_until) == ("", None)
    told = Notification.objects.filter(kind="incentives.sanction_kind_pending")
    # The organisation departments covering the cadre (county and city), each once.
    assert sorted(told.values_list("recipient__username", flat=True)) == ["zz_led", "zzc_led"]
    assert not Event.objects.filter(kind=ledger.EVENT_SANCTION_RECORDED).exists()
    # A pending kind is held against the cadre until it is confirmed.
    assert [h.until for h in holds_on([cadre.pk], TODAY)[cadre.pk]] == [None]

    confirmed = ledger.sanction_confirm_kind(
        actor=people.org, sanction=sanction, kind_code="party_serious_warning"
    )
    assert confirmed.status == SanctionStatus.IN_IMPACT
    assert confirmed.impact_until == datetime.date(2027, 5, 9)
    assert confirmed.category == "party"


# --- tracking, revoking and refused transitions -----------------------------------------------


def test_tracking_entries_are_added_and_never_changed(people, cadre):
    sanction = record(people.org, cadre)
    tracking = ledger.sanction_tracking_add(
        actor=people.org,
        sanction=sanction,
        tracked_on=datetime.date(2025, 3, 1),
        attitude=Rating.GOOD,
        work=Rating.GOOD,
        public_opinion=Rating.FAIR,
        work_note="主动承担防汛任务",
    )

    assert ledger.tracking_summary([tracking]).startswith("共1次；最近2025-03-01")
    with pytest.raises(ValidationError) as error:
        ledger.sanction_tracking_add(
            actor=people.org,
            sanction=sanction,
            tracked_on=datetime.date(2024, 12, 1),
            attitude="bad",
            work=Rating.GOOD,
            public_opinion=Rating.GOOD,
        )
    assert set(error.value.message_dict) == {"tracked_on", "attitude"}
    with pytest.raises(DatabaseError), transaction.atomic():
        SanctionTracking.objects.filter(pk=tracking.pk).update(work=Rating.POOR)


def test_revoking_needs_a_reason_and_takes_the_sanction_off_the_cadre(people, cadre):
    sanction = record(people.org, cadre, decided_on=datetime.date(2026, 3, 1))
    assert holds_on([cadre.pk], TODAY)

    with pytest.raises(ValidationError):
        ledger.sanction_revoke(actor=people.org, sanction=sanction, reason="")
    revoked = ledger.sanction_revoke(actor=people.org, sanction=sanction, reason="经复查撤销")

    assert revoked.status == SanctionStatus.REVOKED
    assert holds_on([cadre.pk], TODAY) == {}
    line = IncentiveLog.objects.filter(subject="sanction", action="revoke").get()
    assert (line.from_status, line.to_status, line.note) == ("in_impact", "revoked", "经复查撤销")


def test_refused_transitions_conflict(people, cadre):
    sanction = record(people.org, cadre)
    with pytest.raises(ledger.TransitionConflict):
        ledger.sanction_confirm_kind(actor=people.org, sanction=sanction, kind_code="gov_warning")
    ledger.sanction_revoke(actor=people.org, sanction=sanction, reason="撤销")
    with pytest.raises(ledger.TransitionConflict):
        ledger.sanction_revoke(actor=people.org, sanction=sanction, reason="再次撤销")
    with pytest.raises(ledger.TransitionConflict):
        ledger.sanction_tracking_add(
            actor=people.org,
            sanction=sanction,
            tracked_on=TODAY,
            attitude=Rating.GOOD,
            work=Rating.GOOD,
            public_opinion=Rating.GOOD,
        )


def test_another_jurisdiction_cannot_act_on_the_sanction(people, cadre):
    sanction = record(people.org, cadre)
    from django.http import Http404

    with pytest.raises(Http404):
        ledger.sanction_revoke(actor=people.org_b, sanction=sanction, reason="撤销")


# --- 能上能下 ----------------------------------------------------------------------------------


def test_an_adjustment_moves_the_cadre_and_tells_care(people, cadre):
    adjustment = adjust(people.org, cadre, codes=["D-A1", "D-A3"])

    assert adjustment.status == AdjustmentStatus.IN_EFFECT
    assert (adjustment.from_post, adjustment.from_level) == ("镇长", level("township_chief"))
    assert adjustment.situation_labels[0] == "不能胜任现职、不适宜担任现职的"
    assert adjustment.impact_months == 12
    assert adjustment.impact_until == datetime.date(2027, 4, 30)
    cadre.refresh_from_db()
    assert cadre.post == "镇党委委员"
    assert PostHistory.objects.filter(cadre=cadre, post="镇党委委员").exists()
    moved = Event.objects.get(kind="cadre.post_changed", cadre=cadre)
    assert moved.payload["from_post"] == "镇长"
    down = Event.objects.get(kind=ledger.EVENT_ADJUSTED_DOWN)
    assert down.payload["action"] == "adjustment"
    assert down.payload["action_label"] == "调整"
    assert down.payload["impact_until"] == "2027-04-30"
    assert len(down.payload["situation_labels"]) == 2


def test_a_removal_without_a_new_post_leaves_the_record_as_it_is(people, cadre):
    adjustment = adjust(people.org, cadre, DownAction.REMOVAL, ["D-R2"])

    assert adjustment.impact_months == 12
    assert not Event.objects.filter(kind="cadre.post_changed").exists()
    assert Event.objects.filter(kind=ledger.EVENT_ADJUSTED_DOWN).count() == 1


def test_a_demotion_takes_a_lower_level_and_lasts_as_the_list_says(people, cadre):
    with pytest.raises(ValidationError) as error:
        adjust(people.org, cadre, DownAction.DEMOTION, ["D-D1"], to_level=level("township_chief"))
    assert "to_level" in error.value.message_dict

    adjustment = adjust(
        people.org, cadre, DownAction.DEMOTION, ["D-D1"], to_level=level("township_deputy")
    )
    assert adjustment.impact_months == 24
    cadre.refresh_from_db()
    assert cadre.post_level == level("township_deputy")


def test_situations_must_belong_to_the_action_and_an_adjustment_names_the_new_post(people, cadre):
    with pytest.raises(ValidationError) as error:
        adjust(people.org, cadre, DownAction.REMOVAL, ["D-A1"])
    assert "situation_codes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        adjust(people.org, cadre, DownAction.ADJUSTMENT, [], to_post="")
    assert set(error.value.message_dict) >= {"situation_codes", "to_post"}
    cadre.refresh_from_db()
    assert cadre.post == "镇长"


# --- expiry reviews ---------------------------------------------------------------------------


def test_an_expiry_review_is_opened_exactly_once(people, cadre):
    expired = record(people.org, cadre, "party_warning", datetime.date(2025, 1, 10))
    ends_today = record(people.org, cadre, "gov_warning", datetime.date(2025, 12, 18))
    assert ends_today.impact_until == TODAY

    assert ledger.open_expiry_reviews() == 1
    assert ledger.open_expiry_reviews() == 0
    assert open_expiry_reviews_task() == 0

    review = ExpiryReview.objects.get()
    assert (review.sanction, review.cadre, review.opened_on) == (expired, cadre, TODAY)
    expired.refresh_from_db()
    assert expired.status == SanctionStatus.REVIEW
    told = Notification.objects.filter(kind="incentives.expiry_review")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["zz_led", "zzc_led"]
    assert IncentiveLog.objects.filter(subject="review", subject_id=review.pk).count() == 1

    # The next day the other period has ended too; the Celery task opens its review.
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert open_expiry_reviews_task() == 1
        assert open_expiry_reviews_task() == 0
    assert ExpiryReview.objects.count() == 2


def test_a_second_review_of_the_same_record_is_refused_without_failing(people, cadre):
    sanction = record(people.org, cadre)
    ExpiryReview.objects.create(cadre=cadre, sanction=sanction, opened_on=TODAY)

    # A run that saw the sanction still in its impact period does not fail nor duplicate.
    assert ledger._open_one(Sanction, sanction.pk, TODAY) is False
    assert ExpiryReview.objects.filter(sanction=sanction).count() == 1


def test_a_sanction_review_ends_in_normal_use_after_an_analysis(people, cadre):
    sanction = record(people.org, cadre)
    ledger.open_expiry_reviews()
    review = ExpiryReview.objects.get(sanction=sanction)

    with pytest.raises(ValidationError) as error:
        ledger.review_decide(
            actor=people.org, review=review, decision=ReviewDecision.REINSTATE, analysis=""
        )
    assert set(error.value.message_dict) == {"decision", "analysis"}

    decided = ledger.review_decide(
        actor=people.org,
        review=review,
        decision=ReviewDecision.NORMAL_USE,
        analysis="问题性质较轻，认错态度诚恳，工作表现突出，群众普遍认可",
    )
    assert (decided.status, decided.decided_by) == (ReviewStatus.DECIDED, people.org)
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.NORMAL_USE
    with pytest.raises(ledger.TransitionConflict):
        ledger.review_decide(
            actor=people.org, review=review, decision=ReviewDecision.NORMAL_USE, analysis="再议"
        )


def test_an_adjusted_cadre_is_observed_then_reinstated_to_a_new_post(people, cadre):
    adjustment = adjust(people.org, cadre, decided_on=datetime.date(2025, 5, 1))
    assert adjustment.impact_until == datetime.date(2026, 4, 30)
    assert ledger.open_expiry_reviews() == 1
    review = ExpiryReview.objects.get(adjustment=adjustment)

    observed = ledger.review_decide(
        actor=people.org, review=review, decision=ReviewDecision.OBSERVE, analysis="再考察半年"
    )
    assert observed.status == ReviewStatus.OPEN
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.OBSERVING
    with pytest.raises(ledger.TransitionConflict):
        ledger.review_decide(
            actor=people.org, review=review, decision=ReviewDecision.OBSERVE, analysis="再考察"
        )
    with pytest.raises(ValidationError) as error:
        ledger.review_decide(
            actor=people.org, review=review, decision=ReviewDecision.REINSTATE, analysis="符合"
        )
    assert "reinstated_post" in error.value.message_dict

    ledger.review_decide(
        actor=people.org,
        review=review,
        decision=ReviewDecision.REINSTATE,
        analysis="影响期满，工作实绩突出，经组织考察符合任职条件",
        reinstated_post="副镇长",
        reinstated_level=level("township_deputy"),
    )

    review.refresh_from_db()
    adjustment.refresh_from_db()
    cadre.refresh_from_db()
    assert review.status == ReviewStatus.DECIDED
    assert adjustment.status == AdjustmentStatus.REINSTATED
    assert (adjustment.reinstated_on, adjustment.reinstated_post) == (TODAY, "副镇长")
    assert (cadre.post, cadre.post_level) == ("副镇长", level("township_deputy"))
    moves = Event.objects.filter(kind="cadre.post_changed", cadre=cadre).order_by("pk")
    assert [e.payload["to_post"] for e in moves] == ["镇党委委员", "副镇长"]


def test_a_read_only_role_cannot_decide_a_review(people, cadre):
    record(people.org, cadre)
    ledger.open_expiry_reviews()
    with pytest.raises(PermissionDenied):
        ledger.review_decide(
            actor=people.inspector,
            review=ExpiryReview.objects.get(),
            decision=ReviewDecision.NORMAL_USE,
            analysis="可以使用",
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_open_one_review_and_neither_fails(people, cadre):
    import threading

    from django.db import connection

    sanction = record(people.org, cadre)
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(ledger.open_expiry_reviews(today=TODAY))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of a run
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(results) == [0, 1]
    assert ExpiryReview.objects.filter(sanction=sanction).count() == 1

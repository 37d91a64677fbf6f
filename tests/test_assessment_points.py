"""The points ledger (考核积分制, DOMAIN §2, X "223"): items of the catalogue with their sign,
the actual points of the city's assessment, the double rule for the leading and responsible
departments, evidence, jurisdiction, the four-eyes review and the totals other parts read."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from assessment import points
from assessment.choices import PointsRole, PointsStatus
from assessment.models import PointsEntry
from cadre.choices import Role
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = datetime.date(2026, 6, 17)
MAY = datetime.date(2026, 5, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(tree, make_user):
    """County A's two organisation officers, the township's leader, county A's inspector and
    county B's organisation officer."""
    return type(
        "People",
        (),
        {
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz1"),
            "org2": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz2"),
            "leader": make_user(Role.UNIT_LEADER, unit=tree.township_a1, username="ld1"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw1"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb"),
        },
    )


def submit(actor, unit, item="econ_top3", **kwargs):
    kwargs.setdefault("occurred_on", MAY)
    kwargs.setdefault("evidence", "市统计局季度通报第3期")
    return points.points_entry_submit(actor=actor, unit=unit, item=item, **kwargs)


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- submit: sign, defaults, actual points, double rule --------------------------------------


def test_add_item_takes_its_default_points_and_waits_for_review(tree, people):
    entry = submit(people.org, tree.township_a1, "econ_top3")

    assert entry.points == Decimal("5.00")
    assert entry.base_points == Decimal("5.00")
    assert entry.status == PointsStatus.PENDING
    assert entry.catalogue.kind == "assessment.points_catalogue"
    assert entry.submitted_by == people.org


def test_deduct_item_counts_negative(tree, people):
    entry = submit(people.org, tree.township_a1, "city_criticism")

    assert entry.points == Decimal("-5.00")


def test_given_points_replace_the_default(tree, people):
    entry = submit(people.org, tree.township_a1, "city_commendation", base_points="4.5")

    assert entry.points == Decimal("4.50")


def test_actual_points_of_the_city_assessment_are_required(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, "city_assessment_gain")

    assert "base_points" in errors_of(excinfo)
    assert not PointsEntry.objects.exists()


@pytest.mark.parametrize("value", ["0", "-3", "abc", "1.234", "20000"])
def test_base_points_must_be_positive_and_sensible(tree, people, value):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, "city_assessment_gain", base_points=value)

    assert "base_points" in errors_of(excinfo)


def test_double_rule_lead_department_gains_twice_the_city_points(tree, people):
    entry = submit(
        people.org, tree.dept_a, "city_assessment_gain", base_points="3", role=PointsRole.LEAD
    )

    assert entry.points == Decimal("6.00")
    assert entry.base_points == Decimal("3.00")
    assert entry.role == PointsRole.LEAD


def test_double_rule_responsible_department_loses_twice(tree, people):
    entry = submit(
        people.org,
        tree.dept_a,
        "city_assessment_loss",
        base_points="2.5",
        role=PointsRole.RESPONSIBLE,
    )

    assert entry.points == Decimal("-5.00")


def test_double_item_without_a_role_counts_once(tree, people):
    entry = submit(people.org, tree.county_a, "city_assessment_gain", base_points="3")

    assert entry.points == Decimal("3.00")


def test_role_on_an_item_without_the_double_rule_is_refused(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, "econ_top3", role=PointsRole.LEAD)

    assert "role" in errors_of(excinfo)


def test_unknown_item_is_refused(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, "no_such_item")

    assert "item" in errors_of(excinfo)


def test_evidence_is_required(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, evidence="   ")

    assert errors_of(excinfo)["evidence"] == ["请填写佐证材料"]


def test_future_date_is_refused(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, occurred_on=TODAY + datetime.timedelta(days=1))

    assert "occurred_on" in errors_of(excinfo)


def test_today_is_accepted(tree, people):
    assert submit(people.org, tree.dept_a, occurred_on=TODAY).occurred_on == TODAY


# --- submit: who and for which unit ----------------------------------------------------------


def test_unit_out_of_jurisdiction_is_refused(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.township_b1)

    assert "unit" in errors_of(excinfo)


def test_unit_leader_submits_for_their_own_unit(tree, people):
    entry = submit(people.leader, tree.township_a1)

    assert entry.unit == tree.township_a1
    assert entry.status == PointsStatus.PENDING


def test_unit_leader_cannot_submit_for_another_unit(tree, people, make_user):
    county_leader = make_user(Role.UNIT_LEADER, unit=tree.county_a)

    with pytest.raises(ValidationError) as excinfo:
        submit(county_leader, tree.township_a1)

    assert errors_of(excinfo)["unit"] == ["单位领导只能为本单位登记积分"]


def test_inspector_cannot_submit(tree, people):
    with pytest.raises(PermissionDenied):
        submit(people.inspector, tree.township_a1)


def test_cadre_must_serve_in_the_unit(tree, cadres, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.dept_a, cadre=cadres.in_a)

    assert "cadre" in errors_of(excinfo)


def test_cadre_above_the_managed_level_is_refused(tree, cadres, people):
    with pytest.raises(ValidationError) as excinfo:
        submit(people.org, tree.county_a, cadre=cadres.leader_a)

    assert "cadre" in errors_of(excinfo)


def test_cadre_of_the_unit_is_recorded(tree, cadres, people):
    entry = submit(people.org, tree.township_a1, cadre=cadres.in_a)

    assert entry.cadre == cadres.in_a


# --- the city's result in one step (double rule) ---------------------------------------------


def test_city_result_gives_lead_and_responsible_units_double(tree, people):
    entries = points.points_city_result_record(
        actor=people.org,
        item="city_assessment_loss",
        occurred_on=MAY,
        base_points="1.5",
        lead_unit=tree.dept_a,
        responsible_units=[tree.township_a1, tree.county_a],
        evidence="市考核办2026年第一季度考核通报",
    )

    got = {(e.unit_id, e.role, e.points, e.status) for e in entries}
    assert got == {
        (tree.dept_a.pk, PointsRole.LEAD, Decimal("-3.00"), PointsStatus.PENDING),
        (tree.township_a1.pk, PointsRole.RESPONSIBLE, Decimal("-3.00"), PointsStatus.PENDING),
        (tree.county_a.pk, PointsRole.RESPONSIBLE, Decimal("-3.00"), PointsStatus.PENDING),
    }
    assert PointsEntry.objects.count() == 3


def test_city_result_needs_a_double_item(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        points.points_city_result_record(
            actor=people.org,
            item="econ_top3",
            occurred_on=MAY,
            base_points="3",
            lead_unit=tree.dept_a,
            responsible_units=[],
            evidence="通报",
        )

    assert "item" in errors_of(excinfo)


def test_city_result_needs_the_actual_points(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        points.points_city_result_record(
            actor=people.org,
            item="city_assessment_gain",
            occurred_on=MAY,
            base_points=None,
            lead_unit=tree.dept_a,
            responsible_units=[],
            evidence="通报",
        )

    assert "base_points" in errors_of(excinfo)


def test_city_result_with_an_out_of_scope_responsible_unit_saves_nothing(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        points.points_city_result_record(
            actor=people.org,
            item="city_assessment_gain",
            occurred_on=MAY,
            base_points="2",
            lead_unit=tree.dept_a,
            responsible_units=[tree.township_b1],
            evidence="通报",
        )

    assert "responsible_units" in errors_of(excinfo)
    assert not PointsEntry.objects.exists()


def test_city_result_lead_cannot_also_be_responsible(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        points.points_city_result_record(
            actor=people.org,
            item="city_assessment_gain",
            occurred_on=MAY,
            base_points="2",
            lead_unit=tree.dept_a,
            responsible_units=[tree.dept_a],
            evidence="通报",
        )

    assert "responsible_units" in errors_of(excinfo)


def test_unit_leader_cannot_record_the_city_result(tree, people):
    with pytest.raises(PermissionDenied):
        points.points_city_result_record(
            actor=people.leader,
            item="city_assessment_gain",
            occurred_on=MAY,
            base_points="2",
            lead_unit=tree.township_a1,
            responsible_units=[],
            evidence="通报",
        )


# --- review ----------------------------------------------------------------------------------


def test_another_organisation_officer_approves(tree, people):
    entry = submit(people.org, tree.township_a1)

    reviewed = points.points_entry_review(actor=people.org2, entry=entry, approve=True)

    entry.refresh_from_db()
    assert entry.status == PointsStatus.APPROVED == reviewed.status
    assert entry.reviewed_by == people.org2
    assert entry.reviewed_at is not None


def test_four_eyes_submitter_cannot_review_their_own_entry(tree, people):
    entry = submit(people.org, tree.township_a1)

    with pytest.raises(PermissionDenied, match="不能审核本人提交的积分"):
        points.points_entry_review(actor=people.org, entry=entry, approve=True)

    entry.refresh_from_db()
    assert entry.status == PointsStatus.PENDING


def test_rejection_needs_a_note(tree, people):
    entry = submit(people.leader, tree.township_a1)

    with pytest.raises(ValidationError) as excinfo:
        points.points_entry_review(actor=people.org, entry=entry, approve=False, note=" ")

    assert "note" in errors_of(excinfo)
    entry.refresh_from_db()
    assert entry.status == PointsStatus.PENDING


def test_rejection_with_a_note_returns_the_entry(tree, people):
    entry = submit(people.leader, tree.township_a1)

    points.points_entry_review(actor=people.org, entry=entry, approve=False, note="佐证不足")

    entry.refresh_from_db()
    assert entry.status == PointsStatus.REJECTED
    assert entry.review_note == "佐证不足"


def test_a_reviewed_entry_cannot_be_reviewed_again(tree, people):
    entry = submit(people.leader, tree.township_a1)
    points.points_entry_review(actor=people.org, entry=entry, approve=True)

    with pytest.raises(points.ReviewConflict) as excinfo:
        points.points_entry_review(actor=people.org2, entry=entry, approve=False, note="撤销")

    assert "已由他人审核" in str(excinfo.value)
    entry.refresh_from_db()
    assert entry.status == PointsStatus.APPROVED
    assert entry.reviewed_by == people.org


def test_unit_leader_cannot_review(tree, people):
    entry = submit(people.org, tree.township_a1)

    with pytest.raises(PermissionDenied):
        points.points_entry_review(actor=people.leader, entry=entry, approve=True)


def test_entry_out_of_jurisdiction_is_not_found_for_review(tree, people):
    entry = submit(people.org, tree.township_a1)

    with pytest.raises(Http404):
        points.points_entry_review(actor=people.org_b, entry=entry, approve=True)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_only_one_wins(tree, make_user):
    submitter = make_user(Role.UNIT_LEADER, unit=tree.township_a1, username="ld_t")
    reviewers = [
        make_user(Role.ORGANISATION, unit=tree.county_a, username=f"zz_t{i}") for i in (1, 2)
    ]
    with time_machine.travel(NOW, tick=False):
        entry = submit(submitter, tree.township_a1)
    outcomes = []
    barrier = threading.Barrier(2)

    def review(user, approve):
        try:
            barrier.wait()
            points.points_entry_review(actor=user, entry=entry, approve=approve, note="意见")
            outcomes.append("ok")
        except points.ReviewConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=(reviewers[0], True)),
        threading.Thread(target=review, args=(reviewers[1], False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "ok"]
    entry.refresh_from_db()
    assert entry.status in (PointsStatus.APPROVED, PointsStatus.REJECTED)


# --- selectors -------------------------------------------------------------------------------


def approved(actor, reviewer, unit, item="econ_top3", **kwargs):
    entry = submit(actor, unit, item, **kwargs)
    return points.points_entry_review(actor=reviewer, entry=entry, approve=True)


def test_unit_points_sums_only_approved_entries_in_the_period(tree, people):
    approved(people.leader, people.org, tree.township_a1, "econ_top3")  # +5
    approved(people.leader, people.org, tree.township_a1, "city_criticism")  # -5
    approved(people.leader, people.org, tree.township_a1, "city_commendation")  # +3
    submit(people.leader, tree.township_a1, "onsite_meeting")  # pending: not counted
    rejected = submit(people.leader, tree.township_a1, "city_title")
    points.points_entry_review(actor=people.org, entry=rejected, approve=False, note="不符")
    approved(people.leader, people.org, tree.township_a1, occurred_on=datetime.date(2026, 3, 31))
    approved(people.org2, people.org, tree.dept_a, "city_title")  # another unit

    with_dept = points.unit_points(
        [tree.township_a1.pk, tree.dept_a.pk, tree.county_b.pk],
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
    )

    assert with_dept == {
        tree.township_a1.pk: Decimal("3.00"),
        tree.dept_a.pk: Decimal("3.00"),
        tree.county_b.pk: Decimal("0.00"),
    }


def test_unit_points_is_one_query(tree, people, django_assert_num_queries):
    approved(people.leader, people.org, tree.township_a1)

    with django_assert_num_queries(1):
        points.unit_points([tree.township_a1.pk, tree.dept_a.pk], None, None)


def test_consequence_triggers_are_the_approved_trigger_items(tree, people):
    criticism = approved(people.leader, people.org, tree.township_a1, "city_criticism")
    bottom = approved(people.leader, people.org, tree.township_a1, "item_bottom3")
    approved(people.leader, people.org, tree.township_a1, "major_opinion")  # not a trigger
    submit(people.leader, tree.township_a1, "item_bottom3")  # pending
    approved(people.leader, people.org, tree.township_a1, "city_criticism", occurred_on=TODAY)

    found = points.consequence_triggers(
        [tree.township_a1.pk], datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)
    )

    assert {e.pk for e in found} == {criticism.pk, bottom.pk}


def test_ledger_is_scoped_to_the_jurisdiction(tree, people, make_user):
    in_a = submit(people.org, tree.township_a1)
    dept = submit(people.org, tree.dept_a)
    cadre_user = make_user(
        Role.CADRE, unit=tree.township_a1, cadre=CadreFactory(unit=tree.township_a1)
    )

    assert set(points.points_ledger(people.org)) == {in_a, dept}
    assert set(points.points_ledger(people.leader)) == {in_a}
    assert set(points.points_ledger(people.org_b)) == set()
    assert set(points.points_ledger(cadre_user)) == set()


def test_catalogue_of_the_unit_is_used(tree, people):
    entry = submit(people.org, tree.township_a1, "onsite_meeting")

    catalogue, items = points.catalogue_for(tree.township_a1)
    assert entry.catalogue == catalogue
    assert entry.item == items["onsite_meeting"]


def test_quarter_bounds():
    assert points.quarter_bounds(2026, 2) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert points.quarter_bounds(2026, 4) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert points.quarter_bounds(2026, None) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )

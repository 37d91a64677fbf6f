"""360-degree evaluation (360度反馈评价法, DOMAIN §2, county survey X): opening a round under
rater weights that sum to 100, single-use anonymous links, the weighted score with the weights
of the groups that answered, small groups hidden, and the score for the quarterly review."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from assessment import evaluation as ev
from assessment.choices import KIND_RATER_GROUPS, EvaluationStatus
from assessment.models import Evaluation, EvaluationScore, EvaluationSubject, RaterInvitation
from cadre.choices import Role
from cadre.models import PolicyItem, PolicyList
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

YEAR = 2025


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def open_round(staff, tree, cadres=(), teams=(), **kwargs):
    values = {
        "actor": staff.organisation,
        "unit": tree.county_a,
        "title": "甲县2025年第二季度360度评价",
        "year": YEAR,
        "quarter": 2,
        "closes_on": in_days(10),
        "cadres": cadres,
        "teams": teams,
    }
    values.update(kwargs)
    return ev.evaluation_open(**values)


@pytest.fixture
def rated(staff, tree, cadres):
    """A round of county A with one cadre (张三) and the team of township A1."""
    return open_round(staff, tree, cadres=[cadres.in_a], teams=[tree.township_a1])


def subject_ids(evaluation):
    return list(evaluation.subjects.order_by("pk").values_list("pk", flat=True))


def submit_all(evaluation, staff, group, *scores_per_rater):
    """Each rater of `group` gives the same score to every subject of the round."""
    tokens = ev.evaluation_invite(
        actor=staff.organisation, evaluation=evaluation, group=group, count=len(scores_per_rater)
    )
    for token, score in zip(tokens, scores_per_rater, strict=True):
        ev.evaluation_submit(token=token, scores={pk: score for pk in subject_ids(evaluation)})


def result_of(evaluation, name):
    return next(r for r in ev.weighted_scores(evaluation) if r["name"] == name)


def publish_weights(unit, **weights):
    """A rater-groups list published for `unit` as-is, bypassing the publication checks (as an
    old version or a data import might have left it)."""
    policy_list = PolicyList.objects.create(
        kind=KIND_RATER_GROUPS, title="自定义权重", unit=unit, version=1, status="draft"
    )
    for n, (code, weight) in enumerate(weights.items()):
        PolicyItem.objects.create(
            policy_list=policy_list, code=code, label=code, order=n, params={"weight": weight}
        )
    PolicyList.objects.filter(pk=policy_list.pk).update(status="published")
    return policy_list


# --- opening a round --------------------------------------------------------------------------


def test_opening_records_the_rater_groups_list_and_the_subjects(rated, cadres, tree):
    assert rated.status == EvaluationStatus.OPEN
    assert rated.groups_list.kind == KIND_RATER_GROUPS
    assert list(ev.group_weights(rated)) == [
        "leader",
        "peer_units",
        "assessment_office",
        "staff",
        "service_users",
    ]
    subjects = EvaluationSubject.objects.filter(evaluation=rated)
    assert {(s.cadre_id, s.team_id) for s in subjects} == {
        (cadres.in_a.pk, None),
        (None, tree.township_a1.pk),
    }


def test_weights_not_summing_to_100_refuse_the_round(staff, tree, cadres):
    publish_weights(tree.county_a, leader=50, staff=40)

    with pytest.raises(ValidationError) as err:
        open_round(staff, tree, cadres=[cadres.in_a])

    assert "90" in err.value.message_dict["__all__"][0]
    assert not Evaluation.objects.exists()


def test_the_list_of_the_unit_applies(staff, tree, cadres):
    local = publish_weights(tree.county_a, leader=60, staff=40)

    evaluation = open_round(staff, tree, cadres=[cadres.in_a])

    assert evaluation.groups_list == local
    assert {c: g["weight"] for c, g in ev.group_weights(evaluation).items()} == {
        "leader": Decimal(60),
        "staff": Decimal(40),
    }


def test_a_round_needs_a_subject(staff, tree):
    with pytest.raises(ValidationError) as err:
        open_round(staff, tree)

    assert "cadres" in err.value.message_dict


@pytest.mark.parametrize("who", ["in_b", "leader_a"])
def test_a_cadre_outside_the_unit_or_its_management_is_refused(staff, tree, cadres, who):
    # 李四 is in county B; 王五 is a county head, above what county A manages.
    with pytest.raises(ValidationError) as err:
        open_round(staff, tree, cadres=[cadres.in_a, getattr(cadres, who)])

    assert "cadres" in err.value.message_dict
    assert not Evaluation.objects.exists()


def test_a_team_outside_the_unit_is_refused(staff, tree):
    with pytest.raises(ValidationError) as err:
        open_round(staff, tree, teams=[tree.township_b1])

    assert "teams" in err.value.message_dict


def test_a_closing_day_in_the_past_is_refused(staff, tree, cadres):
    with pytest.raises(ValidationError) as err:
        open_round(staff, tree, cadres=[cadres.in_a], closes_on=in_days(-1))

    assert "closes_on" in err.value.message_dict


def test_only_the_organisation_department_opens_a_round(staff, tree, cadres):
    with pytest.raises(PermissionDenied):
        open_round(staff, tree, cadres=[cadres.in_a], actor=staff.inspector)


def test_a_unit_outside_the_jurisdiction_is_refused(staff, tree, cadres):
    with pytest.raises(ValidationError) as err:
        open_round(staff, tree, unit=tree.county_b, cadres=[cadres.in_b])

    assert "unit" in err.value.message_dict


# --- links ------------------------------------------------------------------------------------


def test_links_are_returned_once_and_only_their_hash_is_kept(rated, staff):
    tokens = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="staff", count=5
    )

    assert len(set(tokens)) == 5
    stored = set(RaterInvitation.objects.values_list("token_hash", flat=True))
    assert stored == {ev.token_hash(t) for t in tokens}
    assert not stored & set(tokens)
    assert set(RaterInvitation.objects.values_list("group", flat=True)) == {"staff"}


def test_a_group_outside_the_recorded_list_is_refused(rated, staff):
    with pytest.raises(ValidationError) as err:
        ev.evaluation_invite(actor=staff.organisation, evaluation=rated, group="friends", count=1)

    assert "group" in err.value.message_dict


@pytest.mark.parametrize("count", [0, 501, "many"])
def test_between_1_and_500_links_at_a_time(rated, staff, count):
    with pytest.raises(ValidationError) as err:
        ev.evaluation_invite(actor=staff.organisation, evaluation=rated, group="staff", count=count)

    assert "count" in err.value.message_dict
    assert not RaterInvitation.objects.exists()


def test_a_reader_may_not_generate_links(rated, staff):
    with pytest.raises(PermissionDenied):
        ev.evaluation_invite(actor=staff.inspector, evaluation=rated, group="staff", count=1)


def test_a_round_out_of_jurisdiction_is_not_found(rated, make_user, tree):
    other = make_user(Role.ORGANISATION, unit=tree.county_b)

    with pytest.raises(Http404):
        ev.evaluation_invite(actor=other, evaluation=rated, group="staff", count=1)


# --- submitting -------------------------------------------------------------------------------


def test_a_rater_scores_every_subject_and_the_link_is_used(rated, staff):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    first, second = subject_ids(rated)

    ev.evaluation_submit(token=token, scores={str(first): "88", second: 75})

    assert sorted(EvaluationScore.objects.values_list("subject_id", "group", "score")) == [
        (first, "leader", 88),
        (second, "leader", 75),
    ]
    assert RaterInvitation.objects.get().used_on == timezone.localdate()


def test_a_link_is_single_use(rated, staff):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    scores = {pk: 90 for pk in subject_ids(rated)}
    ev.evaluation_submit(token=token, scores=scores)

    with pytest.raises(ev.InvitationUnusable) as err:
        ev.evaluation_submit(token=token, scores={pk: 10 for pk in subject_ids(rated)})

    assert err.value.code == "used"
    assert set(EvaluationScore.objects.values_list("score", flat=True)) == {90}


def test_an_unknown_link_is_refused(rated):
    with pytest.raises(ev.InvitationUnusable) as err:
        ev.evaluation_submit(token="made-up", scores={pk: 90 for pk in subject_ids(rated)})

    assert err.value.code == "unknown"


def test_a_closed_round_takes_no_scores(rated, staff):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    ev.evaluation_close(actor=staff.organisation, evaluation=rated)

    with pytest.raises(ev.InvitationUnusable) as err:
        ev.evaluation_submit(token=token, scores={pk: 90 for pk in subject_ids(rated)})

    assert err.value.code == "closed"
    assert not EvaluationScore.objects.exists()
    assert RaterInvitation.objects.get().used_on is None


def test_a_round_past_its_closing_day_takes_no_scores(rated, staff):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    Evaluation.objects.filter(pk=rated.pk).update(closes_on=in_days(-1))

    with pytest.raises(ev.InvitationUnusable) as err:
        ev.evaluation_submit(token=token, scores={pk: 90 for pk in subject_ids(rated)})

    assert err.value.code == "closed"
    assert not EvaluationScore.objects.exists()


def test_the_closing_day_itself_still_takes_scores(rated, staff):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    Evaluation.objects.filter(pk=rated.pk).update(closes_on=timezone.localdate())

    ev.evaluation_submit(token=token, scores={pk: 90 for pk in subject_ids(rated)})

    assert EvaluationScore.objects.count() == 2


@pytest.mark.parametrize("bad", [101, -1, "", None, "九十"])
def test_every_subject_needs_a_score_from_0_to_100(rated, staff, bad):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    first, second = subject_ids(rated)

    with pytest.raises(ValidationError) as err:
        ev.evaluation_submit(token=token, scores={first: 80, second: bad})

    assert list(err.value.message_dict) == [str(second)]
    assert not EvaluationScore.objects.exists()
    assert RaterInvitation.objects.get().used_on is None


def test_a_missing_subject_is_refused(rated, staff):
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    first, second = subject_ids(rated)

    with pytest.raises(ValidationError) as err:
        ev.evaluation_submit(token=token, scores={first: 80})

    assert str(second) in err.value.message_dict


def test_a_subject_of_another_round_is_refused(rated, staff, tree, cadres):
    other = open_round(staff, tree, cadres=[CadreFactory(unit=tree.dept_a)], title="另一轮")
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=rated, group="leader", count=1
    )
    scores = {pk: 80 for pk in subject_ids(rated)} | {subject_ids(other)[0]: 80}

    with pytest.raises(ValidationError) as err:
        ev.evaluation_submit(token=token, scores=scores)

    assert "__all__" in err.value.message_dict
    assert not EvaluationScore.objects.exists()


# --- anonymity --------------------------------------------------------------------------------


def test_a_score_row_keeps_no_trace_of_the_rater():
    fields = {f.name: f for f in EvaluationScore._meta.get_fields()}

    assert set(fields) == {"id", "evaluation", "subject", "group", "score"}
    assert not any(getattr(f, "related_model", None) is RaterInvitation for f in fields.values())
    invitation_fields = {f.name for f in RaterInvitation._meta.get_fields()}
    assert "used_on" in invitation_fields and "used_at" not in invitation_fields


# --- results ----------------------------------------------------------------------------------


def test_weighted_score_renormalises_over_the_groups_that_answered(rated, staff):
    # leader 25%: 90, 80, 70 → 80; staff 25%: 60 ×3 → 60; assessment office 20%: 100 ×3.
    # Nobody of the peer units (15%) nor the service users (15%) answered.
    submit_all(rated, staff, "leader", 90, 80, 70)
    submit_all(rated, staff, "staff", 60, 60, 60)
    submit_all(rated, staff, "assessment_office", 100, 100, 100)

    result = result_of(rated, "张三")

    # (80×25 + 60×25 + 100×20) / (25 + 25 + 20) = 5500 / 70 = 78.571…
    assert result["weighted"] == Decimal("78.57")
    assert result["count"] == 9


def test_weighted_score_with_every_group_is_the_plain_weighted_mean(rated, staff):
    for group, score in [
        ("leader", 90),
        ("peer_units", 80),
        ("assessment_office", 70),
        ("staff", 60),
        ("service_users", 50),
    ]:
        submit_all(rated, staff, group, score, score, score)

    result = result_of(rated, "张三")

    # 90×.25 + 80×.15 + 70×.20 + 60×.25 + 50×.15 = 22.5 + 12 + 14 + 15 + 7.5
    assert result["weighted"] == Decimal("71.00")


def test_a_group_below_three_is_neither_shown_nor_counted(rated, staff):
    submit_all(rated, staff, "leader", 90, 80, 70)
    submit_all(rated, staff, "assessment_office", 100, 40)

    result = result_of(rated, "张三")
    cells = {c["code"]: c for c in result["groups"]}

    assert ev.MIN_GROUP_SIZE == 3
    assert cells["leader"]["average"] == Decimal("80.00")
    assert cells["assessment_office"]["average"] is None
    assert cells["assessment_office"]["hidden"] is True
    assert cells["assessment_office"]["count"] == 2
    # Counted, the hidden average would follow from the weighted score: only the leader counts.
    assert result["weighted"] == Decimal("80.00")


def test_a_subject_nobody_scored_has_no_weighted_score(rated):
    result = result_of(rated, "甲县一镇领导班子")

    assert result["weighted"] is None
    assert all(c["count"] == 0 and c["average"] is None for c in result["groups"])


def test_results_are_read_in_a_fixed_number_of_queries(
    rated, staff, tree, django_assert_num_queries
):
    extra = [CadreFactory(unit=tree.township_a1, name=f"镇干部{i}") for i in range(6)]
    bigger = open_round(staff, tree, cadres=extra, teams=[tree.dept_a], title="更大的一轮")
    submit_all(bigger, staff, "leader", 90, 80, 70)
    evaluation = Evaluation.objects.get(pk=bigger.pk)

    # subjects, score aggregates, list, items
    with django_assert_num_queries(4):
        results = ev.weighted_scores(evaluation)

    assert len(results) == 7
    assert {r["weighted"] for r in results} == {Decimal("80.00")}


def test_closing_twice_is_refused(rated, staff):
    ev.evaluation_close(actor=staff.organisation, evaluation=rated)

    with pytest.raises(ValidationError):
        ev.evaluation_close(actor=staff.organisation, evaluation=rated)

    assert Evaluation.objects.get(pk=rated.pk).status == EvaluationStatus.CLOSED


def test_a_reader_may_not_close(rated, staff):
    with pytest.raises(PermissionDenied):
        ev.evaluation_close(actor=staff.committee, evaluation=rated)


# --- the quarterly review's read --------------------------------------------------------------


def test_cadre_scores_come_from_finished_rounds_of_the_quarter(staff, tree, cadres):
    q2 = open_round(staff, tree, cadres=[cadres.in_a])
    submit_all(q2, staff, "leader", 90, 90, 90)
    submit_all(q2, staff, "staff", 70, 70, 70)
    q3 = open_round(staff, tree, cadres=[cadres.in_a], quarter=3, title="第三季度")
    submit_all(q3, staff, "leader", 10, 10, 10)

    assert ev.cadre_evaluation_scores([cadres.in_a.pk], YEAR, 2) == {}  # still open

    ev.evaluation_close(actor=staff.organisation, evaluation=q2)
    ev.evaluation_close(actor=staff.organisation, evaluation=q3)

    assert ev.cadre_evaluation_scores([cadres.in_a.pk], YEAR, 2) == {cadres.in_a.pk: Decimal(80)}
    assert ev.cadre_evaluation_scores([cadres.in_a.pk], YEAR, 3) == {cadres.in_a.pk: Decimal(10)}
    # The whole year: the mean of the two rounds' weighted scores.
    assert ev.cadre_evaluation_scores([cadres.in_a.pk], YEAR) == {cadres.in_a.pk: Decimal(45)}
    assert ev.cadre_evaluation_scores([cadres.in_b.pk], YEAR, 2) == {}


def test_a_round_past_its_closing_day_counts_as_finished(staff, tree, cadres):
    q2 = open_round(staff, tree, cadres=[cadres.in_a])
    submit_all(q2, staff, "leader", 60, 60, 60)
    Evaluation.objects.filter(pk=q2.pk).update(closes_on=in_days(-1))

    assert ev.cadre_evaluation_scores([cadres.in_a.pk], YEAR, 2) == {cadres.in_a.pk: Decimal(60)}


def test_cadre_scores_take_a_fixed_number_of_queries(
    staff, tree, cadres, django_assert_num_queries
):
    many = [CadreFactory(unit=tree.township_a1, name=f"镇干部{i}") for i in range(5)]
    q2 = open_round(staff, tree, cadres=[cadres.in_a, *many])
    submit_all(q2, staff, "leader", 60, 70, 80)
    ev.evaluation_close(actor=staff.organisation, evaluation=q2)

    with django_assert_num_queries(2):
        scores = ev.cadre_evaluation_scores([c.pk for c in [cadres.in_a, *many]], YEAR, 2)

    assert set(scores.values()) == {Decimal(70)}


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_submissions_with_one_link_at_once_one_wins(staff, tree, cadres):
    evaluation = open_round(staff, tree, cadres=[cadres.in_a])
    [token] = ev.evaluation_invite(
        actor=staff.organisation, evaluation=evaluation, group="staff", count=1
    )
    scores = {pk: 80 for pk in subject_ids(evaluation)}
    barrier = threading.Barrier(2)
    outcomes = []

    def rater():
        try:
            barrier.wait()
            ev.evaluation_submit(token=token, scores=scores)
            outcomes.append("saved")
        except ev.InvitationUnusable as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=rater) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["saved", "used"]
    assert EvaluationScore.objects.count() == 1

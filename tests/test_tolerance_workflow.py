"""The tolerance case workflow (DOMAIN §4.5): every transition allowed to its roles only,
guarded against concurrent decisions, attributed in an append-only timeline, judged under the
list versions recorded at filing, and visible only inside the jurisdiction."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404

from cadre.choices import PerformanceSource, Role
from cadre.models import Event, PerformanceEntry, PolicyItem
from cadre.selectors import policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish
from tests.factories import CadreFactory, UserFactory
from tests.tolerance_helpers import answer, answer_tolerable, move, open_case, to_preliminary
from tolerance import services
from tolerance.choices import KIND_SITUATIONS, CaseStatus, Outcome
from tolerance.models import Case, CaseStatusChange
from tolerance.selectors import accountability_held_against
from tolerance.workflow import CASE_TRANSITIONS, TransitionConflict, case_transition

pytestmark = pytest.mark.django_db

ROLES = [Role.DISCIPLINE, Role.ORGANISATION, Role.COMMITTEE, Role.AUDITOR, Role.UNIT_LEADER]
ROLES += [Role.CADRE, Role.ADMIN]

# What a transition needs besides the right role and state.
TRANSITION_DATA = {
    "submit_opinion": {"proposed_outcome": "exempt", "proposal_reasons": "符合条件"},
    "return_for_investigation": {"reason": "补充调查"},
    "decide": {"outcome": "exempt"},
    "send_feedback": {"feedback_to": "甲县一镇党委"},
    "file_upward": {"filing_recipients": "市纪委监委"},
    "publish": {"scope": "unit", "channel": "会议通报", "content": "公开内容"},
    "withdraw": {"reason": "申请人撤回"},
}

# The path that brings a fresh case to the state each transition starts from.
PATH_TO = {
    CaseStatus.FILED: [],
    CaseStatus.INVESTIGATING: ["start_investigation"],
    CaseStatus.PRELIMINARY: ["start_investigation", "submit_opinion"],
    CaseStatus.DECIDED: ["start_investigation", "submit_opinion", "decide"],
    CaseStatus.FEEDBACK_SENT: ["start_investigation", "submit_opinion", "decide", "send_feedback"],
    CaseStatus.FILED_UPWARD: [
        "start_investigation",
        "submit_opinion",
        "decide",
        "send_feedback",
        "file_upward",
    ],
}
PATH_TO[CaseStatus.PUBLISHED] = [*PATH_TO[CaseStatus.FILED_UPWARD], "publish"]
PATH_TO[CaseStatus.CORRECTING] = [*PATH_TO[CaseStatus.FILED_UPWARD], "start_correction"]
PATH_TO[CaseStatus.FOLLOW_UP] = [*PATH_TO[CaseStatus.FILED_UPWARD], "start_follow_up"]


def actor_for(staff, transition):
    return staff.committee if Role.COMMITTEE in transition.roles else staff.inspector


def bring_to(staff, case, status):
    for name in PATH_TO[status]:
        if name == "submit_opinion":
            answer_tolerable(staff.inspector, case)
        data = dict(TRANSITION_DATA.get(name, {}))
        move(actor_for(staff, CASE_TRANSITIONS[name]), case, name, **data)
    assert case.status == status
    return case


@pytest.fixture
def case(staff, tree, cadres):
    return open_case(staff.inspector, tree.county_a, [cadres.in_a])


def test_filing_records_the_list_versions_and_the_first_timeline_row(staff, tree, case):
    assert case.status == CaseStatus.FILED
    assert case.number.startswith("RC")
    assert case.conditions_list == policy_list_for("tolerance.conditions", tree.county_a)
    row = case.status_changes.get()
    assert (row.to_status, row.actor) == (CaseStatus.FILED, staff.inspector)
    assert case.due_on is not None


def test_full_path_to_closed_with_attributed_timeline(staff, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt", decision_meeting="县委常委会")
    move(staff.inspector, case, "send_feedback", feedback_to="甲县一镇党委")
    move(staff.organisation, case, "file_upward", filing_recipients="市纪委监委、市委组织部")
    move(staff.inspector, case, "publish", scope="unit", channel="会议通报", content="公开")
    move(staff.inspector, case, "start_correction")
    plan = services.correction_add(
        actor=staff.inspector,
        case=case,
        remedial_measures="完善审批流程",
        responsible="甲县一镇",
        due_on=datetime.date(2026, 12, 31),
    )
    with pytest.raises(ValidationError):
        move(staff.inspector, case, "start_follow_up")  # a correction still open
    services.correction_update(actor=staff.inspector, plan=plan, status="done", result="已完成")
    move(staff.inspector, case, "start_follow_up")
    with pytest.raises(ValidationError):
        move(staff.inspector, case, "close")  # no visit yet
    services.visit_add(
        actor=staff.inspector,
        case=case,
        visited_on=datetime.date(2026, 11, 20),
        visitors="纪检甲",
        findings="思想稳定，工作积极",
        at_ease=True,
    )
    move(staff.inspector, case, "close")

    steps = list(case.status_changes.values_list("to_status", "actor__username"))
    assert [s for s, _ in steps] == [
        "filed",
        "investigating",
        "preliminary",
        "decided",
        "feedback_sent",
        "filed_upward",
        "published",
        "correcting",
        "follow_up",
        "closed",
    ]
    assert ("decided", "cw_a") in steps and ("filed_upward", "zz_a") in steps
    assert case.publications.count() == 1


@pytest.mark.parametrize("name", sorted(CASE_TRANSITIONS))
def test_every_transition_is_refused_to_every_wrong_role(staff, tree, case, make_user, name):
    transition = CASE_TRANSITIONS[name]
    bring_to(staff, case, transition.sources[0])
    wrong_roles = [r for r in ROLES if r not in transition.roles]
    assert wrong_roles
    for role in wrong_roles:
        user = make_user(role, unit=tree.county_a)
        with pytest.raises((PermissionDenied, Http404)):
            case_transition(
                actor=user, case=case, name=name, data=dict(TRANSITION_DATA.get(name, {}))
            )
        case.refresh_from_db()
        assert case.status == transition.sources[0], role


@pytest.mark.parametrize("name", sorted(CASE_TRANSITIONS))
def test_every_transition_is_allowed_to_its_roles(staff, tree, case, make_user, name):
    transition = CASE_TRANSITIONS[name]
    source = transition.sources[0]
    if name == "start_follow_up":
        source = CaseStatus.FILED_UPWARD
    bring_to(staff, case, source)
    if name == "submit_opinion":
        answer_tolerable(staff.inspector, case)
    user = make_user(*sorted(transition.roles)[:1], unit=tree.county_a)
    data = dict(TRANSITION_DATA.get(name, {}))
    reason = data.pop("reason", "")
    moved = case_transition(actor=user, case=case, name=name, reason=reason, data=data)
    assert moved.status == transition.target


def test_a_transition_from_the_wrong_state_is_a_conflict(staff, case):
    with pytest.raises(TransitionConflict):
        move(staff.committee, case, "decide", outcome="exempt")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FILED


def test_stale_expected_status_is_a_conflict(staff, case):
    move(staff.inspector, case, "start_investigation")
    with pytest.raises(TransitionConflict):
        case_transition(
            actor=staff.inspector2,
            case=case,
            name="withdraw",
            expected_status=CaseStatus.FILED,
            reason="撤回",
        )


def test_second_decision_after_the_first_is_a_conflict_and_changes_nothing(staff, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    with pytest.raises(TransitionConflict):
        move(staff.committee2, case, "decide", outcome="not_tolerated", decision_reasons="不同意")
    case.refresh_from_db()
    assert (case.outcome, case.decided_by) == (Outcome.EXEMPT, staff.committee)
    assert case.status_changes.filter(to_status=CaseStatus.DECIDED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_committee_members_deciding_at_once_one_wins(staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    to_preliminary(staff, case)
    barrier = threading.Barrier(2)
    results = {}

    def decide(user, outcome):
        try:
            barrier.wait(timeout=10)
            case_transition(
                actor=user,
                case=Case.objects.get(pk=case.pk),
                name="decide",
                data={"outcome": outcome, "decision_reasons": f"{user.username} 的理由"},
            )
            results[user.username] = "won"
        except TransitionConflict:
            results[user.username] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(staff.committee, "exempt")),
        threading.Thread(target=decide, args=(staff.committee2, "lighter")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results.values()) == ["conflict", "won"]
    case.refresh_from_db()
    winner = next(name for name, r in results.items() if r == "won")
    assert case.decided_by.username == winner
    assert case.status_changes.filter(to_status=CaseStatus.DECIDED).count() == 1


def test_reason_is_required_when_the_decision_departs_from_the_suggestion(staff, case):
    to_preliminary(staff, case)
    with pytest.raises(ValidationError) as err:
        move(staff.committee, case, "decide", outcome="not_tolerated")
    assert "decision_reasons" in err.value.message_dict
    move(staff.committee, case, "decide", outcome="not_tolerated", decision_reasons="影响较大")
    assert case.departs_from_suggestion is True
    assert case.suggestion["status"] == "tolerable"


def test_preliminary_opinion_needs_a_complete_checklist(staff, case):
    move(staff.inspector, case, "start_investigation")
    answer(staff.inspector, case, yes=["C1"])
    with pytest.raises(ValidationError):
        move(
            staff.inspector, case, "submit_opinion", proposed_outcome="exempt", proposal_reasons="x"
        )
    assert case.status == CaseStatus.INVESTIGATING


def test_answers_are_fixed_once_the_opinion_is_submitted(staff, case):
    to_preliminary(staff, case)
    with pytest.raises(ValidationError):
        answer(staff.inspector, case, yes=["N1"])


def test_status_change_rows_are_append_only(staff, case):
    row = case.status_changes.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseStatusChange.objects.filter(pk=row.pk).update(reason="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseStatusChange.objects.filter(pk=row.pk).delete()


# --- list versioning ---------------------------------------------------------------------------


def test_editing_a_list_never_changes_a_decided_case(staff, tree, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    old_list = case.situations_list
    draft = policy_list_new_version(base=old_list, actor=staff.organisation)
    PolicyItem.objects.filter(policy_list=draft, code="S2").update(label="改写后的情形二")
    PolicyItem.objects.create(policy_list=draft, code="S13", label="新增情形", order=13)
    new_list = policy_list_publish(policy_list=draft)

    case.refresh_from_db()
    assert case.situations_list == old_list
    assert case.situations_list.items.filter(code="S13").count() == 0
    assert old_list.items.get(code="S2").label != "改写后的情形二"
    # A case filed now is judged under the new version.
    later = open_case(staff.inspector, tree.county_a, [CadreFactory(unit=tree.township_a1)])
    assert later.situations_list == new_list


def test_a_county_refined_list_applies_to_its_cases_only(staff, tree, cadres):
    base = policy_list_for(KIND_SITUATIONS, tree.county_a)
    draft = policy_list_new_version(base=base, unit=tree.county_a, title="甲县容错情形细化清单")
    PolicyItem.objects.create(policy_list=draft, code="A1", label="甲县细化情形", order=20)
    refined = policy_list_publish(policy_list=draft)
    other = UserFactory(roles=[Role.DISCIPLINE], unit=tree.county_b)

    case_a = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    case_b = open_case(other, tree.county_b, [cadres.in_b])

    assert case_a.situations_list == refined
    assert case_b.situations_list == base
    move(staff.inspector, case_a, "start_investigation")
    answer(staff.inspector, case_a, yes=["A1"])
    assert case_a.answers.get().item.code == "A1"


# --- jurisdiction --------------------------------------------------------------------------


def test_out_of_jurisdiction_cases_are_invisible_and_untouchable(staff, case):
    assert case in Case.objects.restrict(staff.inspector)
    assert case in Case.objects.restrict(staff.city_inspector)
    assert not Case.objects.restrict(staff.other_inspector).filter(pk=case.pk).exists()
    with pytest.raises(Http404):
        case_transition(actor=staff.other_inspector, case=case, name="start_investigation")


def test_case_files_are_not_for_unit_leaders_or_cadres(staff, case):
    assert not Case.objects.restrict(staff.unit_leader).exists()
    assert not Case.objects.restrict(staff.cadre_user).exists()
    assert Case.objects.restrict(staff.auditor).filter(pk=case.pk).exists()
    assert not Case.objects.restrict(staff.auditor, "change").exists()


def test_a_cadre_applies_and_sees_only_their_own_application(staff, tree, make_user):
    cadre = CadreFactory(unit=tree.township_a1, name="申请人")
    applicant = make_user(Role.CADRE, unit=tree.township_a1, cadre=cadre)
    case = services.case_file(
        actor=applicant,
        title="容缺受理出现偏差",
        facts="为提高效率容缺受理，材料补正不及时。",
        origin="cadre_application",
        handling_unit=tree.county_a,
        occurred_on=datetime.date(2026, 9, 1),
        application_reason="属于服务创新中的偏差",
    )
    assert list(case.cadres.all()) == [cadre]
    assert list(Case.objects.restrict(applicant)) == [case]
    assert case in Case.objects.restrict(staff.inspector)
    with pytest.raises(ValidationError):
        services.case_file(
            actor=applicant,
            title="x",
            facts="x",
            origin="cadre_application",
            handling_unit=tree.county_b,
            occurred_on=datetime.date(2026, 9, 1),
            application_reason="x",
        )


def test_a_case_may_concern_a_party_organisation(staff, tree):
    case = services.case_file(
        actor=staff.inspector,
        title="镇党委决策失误",
        facts="集体决策推进项目出现偏差",
        origin="unit_application",
        handling_unit=tree.county_a,
        occurred_on=datetime.date(2026, 8, 1),
        party_org=tree.township_a1,
        application_reason="镇党委申请",
    )
    assert case.party_org == tree.township_a1 and not case.cadres.exists()
    with pytest.raises(ValidationError):
        services.case_file(
            actor=staff.inspector,
            title="x",
            facts="x",
            origin="unit_application",
            handling_unit=tree.county_a,
            occurred_on=datetime.date(2026, 8, 1),
            party_org=tree.township_b1,
            application_reason="x",
        )


# --- effects on the rest of the system ------------------------------------------------------


def test_exempt_outcome_goes_to_the_performance_record_once(staff, cadres, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")

    entries = PerformanceEntry.objects.filter(cadre=cadres.in_a, source=PerformanceSource.TOLERANCE)
    assert entries.count() == 1
    assert "免责" in entries.get().title


def test_not_tolerated_outcome_writes_no_tolerance_entry(staff, cadres, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="not_tolerated", decision_reasons="情节较重")
    assert not PerformanceEntry.objects.filter(cadre=cadres.in_a, source="tolerance").exists()


def test_opening_a_matter_and_a_case_and_handling_emit_events(staff, tree, cadres, case):
    kinds = set(Event.objects.filter(cadre=cadres.in_a).values_list("kind", flat=True))
    assert {"tolerance.accountability_opened", "tolerance.case_opened"} <= kinds
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="lighter", decision_reasons="情节较轻")
    services.accountability_matter_decide(
        actor=staff.inspector, matter=case.matter, form="admonish"
    )
    handling = Event.objects.get(kind="tolerance.organisational_handling", cadre=cadres.in_a)
    assert handling.payload["form"] == "admonish"
    assert Event.objects.filter(kind="tolerance.case_decided", cadre=cadres.in_a).count() == 1


def test_a_non_handling_form_emits_no_handling_event(staff, cadres, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="lighter", decision_reasons="情节较轻")
    services.accountability_matter_decide(
        actor=staff.inspector, matter=case.matter, form="circulate"
    )
    assert not Event.objects.filter(kind="tolerance.organisational_handling").exists()


def test_exempted_case_is_never_held_against_the_cadre(staff, tree, cadres, case):
    other = CadreFactory(unit=tree.township_a1, name="同案干部")
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    with pytest.raises(ValidationError):
        services.accountability_matter_decide(
            actor=staff.inspector, matter=case.matter, form="circulate"
        )
    # A second matter, not exempted, is held against the cadre; the exempted one is not.
    second = open_case(staff.inspector, tree.county_a, [cadres.in_a, other], title="另一事项")
    to_preliminary(staff, second)
    move(staff.committee, second, "decide", outcome="not_tolerated", decision_reasons="不符合")
    services.accountability_matter_decide(
        actor=staff.inspector, matter=second.matter, form="circulate"
    )

    held = list(accountability_held_against([cadres.in_a.pk, other.pk]))
    assert {(row[0], row[1]) for row in held} == {
        (cadres.in_a.pk, second.matter_id),
        (other.pk, second.matter_id),
    }


def test_oversight_flag_only_on_a_refused_case(staff, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="not_tolerated", decision_reasons="不予容错")
    with pytest.raises(PermissionDenied):
        services.case_flag_oversight(actor=staff.organisation, case=case, reason="x")
    services.case_flag_oversight(actor=staff.inspector, case=case, reason="符合容错条件却未予容错")
    case.refresh_from_db()
    assert case.oversight_flagged and case.oversight_flagged_by == staff.inspector


def test_filing_is_acknowledged_by_the_level_above_only(staff, case):
    bring_to(staff, case, CaseStatus.FILED_UPWARD)
    with pytest.raises(PermissionDenied):
        services.case_acknowledge_filing(actor=staff.inspector2, case=case)
    services.case_acknowledge_filing(actor=staff.city_inspector, case=case)
    case.refresh_from_db()
    assert case.filing_acknowledged_by == staff.city_inspector

"""Judgement support (DOMAIN §4.2-4.4, ZJK annex 2): the suggestion computed from a case's
checklist answers, and exclusion 9 looked up in the cadre's history."""

import datetime

import pytest

from cadre.events import event_record
from tests.factories import CadreFactory
from tests.tolerance_helpers import (
    ALL_CONDITIONS,
    ALL_EXCLUSIONS,
    ALL_SITUATIONS,
    DISTINCTIONS,
    answer,
    answer_tolerable,
    move,
    open_case,
)
from tolerance import services
from tolerance.choices import Outcome, SuggestionStatus
from tolerance.judgement import suggest

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    move(staff.inspector, case, "start_investigation")
    return case


def test_seeded_checklists_have_the_annex_2_items(case):
    assert [i.code for i in case.conditions_list.items.all()] == ALL_CONDITIONS
    assert [i.code for i in case.situations_list.items.all()] == ALL_SITUATIONS
    assert [i.code for i in case.exclusions_list.items.all()] == ALL_EXCLUSIONS
    assert [i.code for i in case.distinctions_list.items.all()] == DISTINCTIONS


def test_all_conditions_one_situation_no_exclusion_is_tolerable_with_proposal(staff, case):
    answer_tolerable(staff.inspector, case, situations=("S3",), severity="L1")

    result = suggest(case)

    assert result.status == SuggestionStatus.TOLERABLE
    assert result.proposed_outcome == Outcome.EXEMPT
    assert any("S3" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("severity", "outcome"),
    [("L1", Outcome.EXEMPT), ("L2", Outcome.MITIGATED), ("L3", Outcome.LIGHTER)],
)
def test_proposal_follows_severity(staff, case, severity, outcome):
    answer_tolerable(staff.inspector, case, severity=severity)

    assert suggest(case).proposed_outcome == outcome


@pytest.mark.parametrize("situation", ALL_SITUATIONS)
def test_each_situation_suffices_with_all_conditions(staff, case, situation):
    answer_tolerable(staff.inspector, case, situations=(situation,))

    result = suggest(case)

    assert result.status == SuggestionStatus.TOLERABLE, situation


@pytest.mark.parametrize("exclusion", ALL_EXCLUSIONS)
def test_each_exclusion_alone_blocks_tolerance(staff, case, exclusion):
    answer_tolerable(staff.inspector, case)
    answer(staff.inspector, case, yes=[exclusion])

    result = suggest(case)

    assert result.status == SuggestionStatus.NOT_TOLERATED
    assert result.proposed_outcome == Outcome.NOT_TOLERATED
    assert result.blocking == [exclusion]


@pytest.mark.parametrize("condition", ALL_CONDITIONS)
def test_each_missing_condition_blocks_tolerance(staff, case, condition):
    answer_tolerable(staff.inspector, case)
    answer(staff.inspector, case, no=[condition])

    result = suggest(case)

    assert result.status == SuggestionStatus.NOT_TOLERATED
    assert result.blocking == [condition]


@pytest.mark.parametrize("condition", ALL_CONDITIONS)
def test_an_unanswered_condition_leaves_the_suggestion_incomplete(staff, case, condition):
    answer_tolerable(staff.inspector, case)
    services.case_checklist_save(actor=staff.inspector, case=case, answers={condition: ("", "")})

    result = suggest(case)

    assert result.status == SuggestionStatus.INCOMPLETE
    assert f"容错条件 {condition}" in result.missing


def test_no_situation_at_all_is_not_tolerated(staff, case):
    answer(staff.inspector, case, yes=ALL_CONDITIONS, no=[*ALL_SITUATIONS, *ALL_EXCLUSIONS])

    result = suggest(case)

    assert result.status == SuggestionStatus.NOT_TOLERATED
    assert result.blocking == []


def test_unanswered_exclusion_leaves_the_suggestion_incomplete(staff, case):
    answer(staff.inspector, case, yes=[*ALL_CONDITIONS, "S1"], no=ALL_EXCLUSIONS[1:])

    result = suggest(case)

    assert result.status == SuggestionStatus.INCOMPLETE
    assert "不予容错情形 N1" in result.missing


def test_missing_severity_keeps_it_incomplete(staff, case):
    answer_tolerable(staff.inspector, case, severity="")

    result = suggest(case)

    assert result.status == SuggestionStatus.INCOMPLETE
    assert result.proposed_outcome == ""


def test_exclusion_decides_even_when_other_answers_are_missing(staff, case):
    answer(staff.inspector, case, yes=["N2"])

    assert suggest(case).status == SuggestionStatus.NOT_TOLERATED


def test_distinction_on_the_violation_side_is_warned(staff, case):
    answer_tolerable(staff.inspector, case)
    answer(staff.inspector, case, no=["D3"])

    assert any("D3" in w for w in suggest(case).warnings)


# --- exclusion 9: repeating the same error after accountability or a reminder -----------------


def test_exclusion_N9_fires_from_an_earlier_accountability_for_the_same_matter(staff, tree, cadres):
    services.accountability_matter_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        accountable_body="discipline",
        title="去年项目推进问题",
        matter_category="project",
        occurred_on=datetime.date(2025, 3, 1),
        opened_on=datetime.date(2025, 4, 1),
        cadres=[cadres.in_a],
        consider_tolerance=False,
    )
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a], category="project")
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)

    result = suggest(case)

    assert result.status == SuggestionStatus.NOT_TOLERATED
    assert result.blocking == ["N9"]
    assert result.repeat_findings[0]["kind"] == "accountability"


def test_exclusion_N9_fires_from_an_earlier_reminder(staff, tree, cadres):
    services.reminder_record(
        actor=staff.inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2026, 1, 10),
        summary="项目推进中程序不规范，予以提醒",
        matter_category="project",
    )
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a], category="project")
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)

    result = suggest(case)

    assert result.blocking == ["N9"]
    assert result.repeat_findings[0]["kind"] == "reminder"


def test_exclusion_N9_fires_from_a_reminder_event_of_another_app(staff, tree, cadres):
    event = event_record(
        kind="assessment.consequence_decided",
        cadre=cadres.in_a,
        payload={"consequence": "reminder_talk", "matter_category": "project"},
        occurred_at=datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC),
    )
    assert event.pk
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a], category="project")
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)

    assert suggest(case).blocking == ["N9"]


def test_exclusion_N9_ignores_other_matters_other_cadres_and_later_history(staff, tree, cadres):
    # Another matter category, another cadre, and a reminder after the error: none count.
    services.reminder_record(
        actor=staff.inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2026, 1, 10),
        summary="安全生产提醒",
        matter_category="safety",
    )
    services.reminder_record(
        actor=staff.inspector,
        cadre=CadreFactory(unit=tree.dept_a, name="赵六"),
        given_on=datetime.date(2026, 1, 10),
        summary="项目提醒",
        matter_category="project",
    )
    services.reminder_record(
        actor=staff.inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2026, 7, 1),
        summary="项目提醒（发生在失误之后）",
        matter_category="project",
    )
    case = open_case(
        staff.inspector,
        tree.county_a,
        [cadres.in_a],
        category="project",
        occurred_on=datetime.date(2026, 6, 1),
    )
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)

    result = suggest(case)

    assert result.status == SuggestionStatus.TOLERABLE
    assert result.repeat_findings == []

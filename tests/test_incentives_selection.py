"""Priority promotion (ZJK 3 and annex 1, F 7), exceptional promotion (ZJK 4, F 8) and the age
rules (ZJK 5): linking and withdrawing situations, the 优秀 streak found from the annual grades,
the allowed jumps, every check of the exceptional-promotion list by its code, the senior-age
confirmations, the young-cadre flag and the workflow of a candidate list."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from assessment.choices import KIND_EXCELLENCE_BLOCKERS, KIND_GRADE_QUOTAS, Grade
from assessment.models import AnnualGrade, AssessmentCycle, Consequence
from cadre.choices import Role
from cadre.selectors import policy_list_for
from incentives import selection
from incentives.choices import (
    KIND_PRIORITY_SITUATIONS,
    KIND_SANCTION_KINDS,
    CandidateListStatus,
    CandidateStatus,
    LogSubject,
    RecordStatus,
)
from incentives.models import Candidate, IncentiveLog, PriorityRecord, Sanction
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = datetime.date(2026, 6, 17)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


# --- helpers shared with the page tests ------------------------------------------------------


def grade(cadre, year, value):
    """A fixed (closed) annual grade of `cadre` for `year`."""
    province = cadre.unit
    while province.parent_id:
        province = province.parent
    cycle, _created = AssessmentCycle.objects.get_or_create(
        year=year,
        unit=province,
        defaults={
            "title": f"{year}年度考核",
            "status": "closed",
            "quota_list": policy_list_for(KIND_GRADE_QUOTAS, None),
            "blockers_list": policy_list_for(KIND_EXCELLENCE_BLOCKERS, None),
        },
    )
    return AnnualGrade.objects.create(
        cycle=cycle, cadre=cadre, unit=cadre.unit, grade=value, responsibility="攻坚克难"
    )


def grades(cadre, **by_year):
    for year, value in by_year.items():
        grade(cadre, int(year.lstrip("y")), value)


def good_record(cadre):
    """Three years on file, the last one 优秀."""
    grades(cadre, y2023=Grade.COMPETENT, y2024=Grade.COMPETENT, y2025=Grade.EXCELLENT)


def sanction(cadre, decided_on=datetime.date(2026, 3, 1), until=datetime.date(2026, 8, 31)):
    return Sanction.objects.create(
        cadre=cadre,
        kinds_list=policy_list_for(KIND_SANCTION_KINDS, None),
        kind_code="party_warning",
        kind_label="党内警告",
        impact_months=6,
        decided_on=decided_on,
        impact_until=until,
        reason="违反工作纪律",
    )


def restriction(cadre, year=2025):
    return Consequence.objects.create(
        cadre=cadre,
        kind="restricted",
        cause="low_two_years",
        year=year,
        detail="年度综合考核连续两年排名靠后",
        source_key=f"test-restricted-{cadre.pk}-{year}",
    )


@pytest.fixture
def people(tree, make_user):
    return type(
        "People",
        (),
        {
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_sel"),
            "org_city": make_user(Role.ORGANISATION, unit=tree.city, username="zz_city"),
            "org_province": make_user(Role.ORGANISATION, unit=tree.province, username="zz_prov"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_sel"),
        },
    )


@pytest.fixture
def chief(tree):
    """A township party secretary of county A, in post since 2022."""
    return CadreFactory(
        name="赵书记",
        unit=tree.township_a1,
        post="镇党委书记",
        post_level=level("township_chief"),
        birth_date=datetime.date(1985, 3, 1),
        post_since=datetime.date(2022, 1, 1),
    )


@pytest.fixture
def county_member(tree):
    """A member of county A's standing committee (县委常委), managed by the city."""
    return CadreFactory(
        name="钱常委",
        unit=tree.county_a,
        post="县委常委、组织部部长",
        post_level=level("county_deputy"),
        birth_date=datetime.date(1978, 5, 1),
        post_since=datetime.date(2021, 1, 1),
    )


@pytest.fixture
def vice_head(tree):
    """A deputy county head who is not on the standing committee."""
    return CadreFactory(
        name="孙副县长",
        unit=tree.county_a,
        post="副县长",
        post_level=level("county_deputy"),
        birth_date=datetime.date(1976, 5, 1),
        post_since=datetime.date(2020, 1, 1),
    )


def open_list(actor, unit, title="2026年破格提拔人选"):
    return selection.candidate_list_open(actor=actor, unit=unit, title=title, year=2026)


def add(actor, candidate_list, cadre, path_code="ZJK4-1", **kwargs):
    kwargs.setdefault("target_post", "县委副书记")
    kwargs.setdefault("deeds", "脱贫攻坚成效显著，全省考核第一")
    return selection.candidate_add(
        actor=actor, candidate_list=candidate_list, cadre=cadre, path_code=path_code, **kwargs
    )


def result(candidate, code):
    return next(r for r in candidate.check_results if r["code"] == code)


def checked(actor, candidate):
    return selection.candidate_check(actor=actor, candidate=candidate)


# --- priority promotion ------------------------------------------------------------------------


def test_priority_link_stores_version_code_label_and_evidence(people, chief, tree):
    record = selection.priority_link(
        actor=people.org,
        cadre=chief,
        situation_code="A1-04",
        evidence="全市扶贫工作考核第一名",
        evidence_on=datetime.date(2026, 1, 20),
    )

    assert record.situations_list == policy_list_for(KIND_PRIORITY_SITUATIONS, tree.township_a1)
    assert record.situation_code == "A1-04"
    assert "精准扶贫" in record.situation_label
    assert record.status == RecordStatus.ACTIVE
    line = IncentiveLog.objects.get(subject=LogSubject.PRIORITY, subject_id=record.pk)
    assert (line.action, line.actor) == ("link", people.org)


def test_priority_link_needs_a_situation_of_the_list_and_evidence(people, chief):
    with pytest.raises(ValidationError) as error:
        selection.priority_link(
            actor=people.org,
            cadre=chief,
            situation_code="NOPE",
            evidence=" ",
            evidence_on=datetime.date(2026, 1, 20),
        )

    assert set(error.value.message_dict) == {"situation_code", "evidence"}
    assert not PriorityRecord.objects.exists()


def test_priority_link_refuses_the_automatic_F7_item(people, chief):
    with pytest.raises(ValidationError) as error:
        selection.priority_link(
            actor=people.org,
            cadre=chief,
            situation_code="F7-EXCELLENT",
            evidence="连续优秀",
            evidence_on=datetime.date(2026, 1, 20),
        )

    assert "自动识别" in error.value.message_dict["situation_code"][0]


def test_priority_link_refuses_a_cadre_out_of_jurisdiction(people, cadres):
    with pytest.raises(ValidationError) as error:
        selection.priority_link(
            actor=people.org,
            cadre=cadres.in_b,
            situation_code="ZJK3-3",
            evidence="抗洪抢险冲在一线",
            evidence_on=datetime.date(2026, 1, 20),
        )

    assert "cadre" in error.value.message_dict


def test_priority_link_needs_a_write_role(people, chief):
    with pytest.raises(PermissionDenied):
        selection.priority_link(
            actor=people.inspector,
            cadre=chief,
            situation_code="ZJK3-3",
            evidence="抗洪抢险冲在一线",
            evidence_on=datetime.date(2026, 1, 20),
        )


def test_priority_withdraw_needs_a_reason_and_is_logged(people, chief):
    record = selection.priority_link(
        actor=people.org,
        cadre=chief,
        situation_code="ZJK3-3",
        evidence="抗洪抢险冲在一线",
        evidence_on=datetime.date(2026, 1, 20),
    )
    with pytest.raises(ValidationError):
        selection.priority_withdraw(actor=people.org, record=record, reason="")

    selection.priority_withdraw(actor=people.org, record=record, reason="经核实情形不符")

    record.refresh_from_db()
    assert (record.status, record.withdrawn_reason) == (RecordStatus.WITHDRAWN, "经核实情形不符")
    actions = list(
        IncentiveLog.objects.filter(subject=LogSubject.PRIORITY, subject_id=record.pk).values_list(
            "action", "from_status", "to_status"
        )
    )
    assert actions == [("link", "", "active"), ("withdraw", "active", "withdrawn")]
    with pytest.raises(selection.TransitionConflict):
        selection.priority_withdraw(actor=people.org, record=record, reason="再次撤销")


def test_F7_three_excellent_years_running_are_recognised(people, chief, tree):
    grades(chief, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    item, rows = selection.excellent_streak_cadres(people.org)

    assert item.code == "F7-EXCELLENT"
    assert [(r.cadre, r.streak, r.years) for r in rows] == [(chief, 3, [2023, 2024, 2025])]


def test_F7_a_broken_streak_is_not_recognised(people, chief, tree):
    other = CadreFactory(unit=tree.township_a1, name="周干部")
    grades(chief, y2022=Grade.EXCELLENT, y2023=Grade.EXCELLENT, y2024=Grade.COMPETENT)
    grade(chief, 2025, Grade.EXCELLENT)
    # Three 优秀 years, but not consecutive.
    grades(other, y2021=Grade.EXCELLENT, y2022=Grade.EXCELLENT, y2024=Grade.EXCELLENT)

    _item, rows = selection.excellent_streak_cadres(people.org)

    assert rows == []


def test_F7_open_cycles_do_not_count(people, chief, tree):
    grades(chief, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)
    AssessmentCycle.objects.filter(year=2025).update(status="open")

    _item, rows = selection.excellent_streak_cadres(people.org)

    assert rows == []


def test_F7_streak_list_is_scoped(people, chief, cadres):
    for cadre in (chief, cadres.in_b):
        grades(cadre, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    assert [r.cadre for r in selection.excellent_streak_cadres(people.org)[1]] == [chief]
    assert [r.cadre for r in selection.excellent_streak_cadres(people.org_b)[1]] == [cadres.in_b]


def test_F7_streak_list_queries_do_not_grow(people, tree, django_assert_max_num_queries):
    for n in range(12):
        cadre = CadreFactory(unit=tree.township_a1, name=f"优秀{n:02d}")
        grades(cadre, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    with django_assert_max_num_queries(4):
        _item, rows = selection.excellent_streak_cadres(people.org)

    assert len(rows) == 12


# --- exceptional promotion: the allowed jumps ----------------------------------------------------


def test_opening_a_list_keeps_the_path_and_check_versions(people, tree):
    candidate_list = open_list(people.org, tree.county_a)

    assert candidate_list.status == CandidateListStatus.DRAFT
    assert candidate_list.paths_list.kind == "incentives.exceptional_paths"
    assert candidate_list.checks_list.kind == "incentives.exceptional_checks"


def test_path_ZJK4_1_accepts_a_township_chief_with_the_path_target_level(people, tree, chief):
    candidate = add(people.org, open_list(people.org, tree.county_a), chief)

    assert candidate.target_level.code == "county_deputy"
    assert candidate.path_label.startswith("乡科级正职")


def test_path_ZJK4_1_refuses_a_township_deputy(people, tree):
    deputy = CadreFactory(
        name="吴副镇长", unit=tree.township_a1, post="副镇长", post_level=level("township_deputy")
    )
    with pytest.raises(ValidationError) as error:
        add(people.org, open_list(people.org, tree.county_a), deputy)

    message = error.value.message_dict["path_code"][0]
    assert "ZJK4-1" in message and "乡科级正职" in message and "乡科级副职" in message


def test_path_F8_1_needs_a_standing_committee_member(people, tree, county_member, vice_head):
    candidate_list = open_list(people.org_city, tree.county_a)

    added = add(people.org_city, candidate_list, county_member, "F8-1", target_post="县长")
    with pytest.raises(ValidationError) as error:
        add(people.org_city, candidate_list, vice_head, "F8-1", target_post="县长")

    assert added.target_level.code == "county_chief"
    message = error.value.message_dict["path_code"][0]
    assert "常委" in message and "副县长" in message


def test_path_ZJK4_2_takes_any_deputy_county_post(people, tree, vice_head):
    candidate = add(people.org_city, open_list(people.org_city, tree.county_a), vice_head, "ZJK4-2")

    assert candidate.target_level.code == "county_chief"


def test_path_F8_3_needs_a_township_party_secretary(people, tree, chief):
    mayor = CadreFactory(
        name="郑镇长", unit=tree.township_a1, post="镇长", post_level=level("township_chief")
    )
    candidate_list = open_list(people.org, tree.county_a)

    add(people.org, candidate_list, chief, "F8-3")
    with pytest.raises(ValidationError) as error:
        add(people.org, candidate_list, mayor, "F8-3")

    assert "书记" in error.value.message_dict["path_code"][0]


def test_candidate_must_be_in_the_list_unit_subtree(people, tree, chief):
    dept_list = open_list(people.org, tree.dept_a)

    with pytest.raises(ValidationError) as error:
        add(people.org, dept_list, chief)

    assert "甲县发改局" in error.value.message_dict["cadre"][0]


def test_candidate_beyond_the_management_level_is_refused(people, tree, vice_head):
    # County A manages up to 乡科级正职: a deputy county head is the city's.
    with pytest.raises(ValidationError) as error:
        add(people.org, open_list(people.org, tree.county_a), vice_head, "ZJK4-2")

    assert "管辖范围" in error.value.message_dict["cadre"][0]


def test_a_cadre_is_on_a_list_once(people, tree, chief):
    candidate_list = open_list(people.org, tree.county_a)
    add(people.org, candidate_list, chief)

    with pytest.raises(ValidationError) as error:
        add(people.org, candidate_list, chief, "F8-3")

    assert "已在名单中" in error.value.message_dict["cadre"][0]


# --- the checks, one by one --------------------------------------------------------------------


@pytest.fixture
def draft(people, tree):
    return open_list(people.org, tree.county_a)


def test_check_no_sanction_passes_without_a_sanction(people, draft, chief):
    good_record(chief)
    candidate = checked(people.org, add(people.org, draft, chief))

    assert result(candidate, "no_sanction")["passed"] is True
    assert candidate.checks_passed is True
    assert candidate.checked_at is not None
    assert [r["code"] for r in candidate.check_results] == [
        "no_sanction",
        "no_restriction",
        "excellent",
        "post_years",
        "level_jump",
        "senior_age",
    ]


def test_check_no_sanction_fails_inside_the_impact_period(people, draft, chief):
    good_record(chief)
    sanction(chief)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "no_sanction")
    assert row["passed"] is False
    assert "党内警告" in row["detail"] and "2026-08-31" in row["detail"]
    assert candidate.checks_passed is False


def test_check_no_sanction_passes_after_the_impact_period(people, draft, chief):
    good_record(chief)
    sanction(chief, decided_on=datetime.date(2025, 1, 1), until=datetime.date(2025, 6, 30))

    candidate = checked(people.org, add(people.org, draft, chief))

    assert result(candidate, "no_sanction")["passed"] is True


def test_check_no_restriction_fails_when_promotion_is_restricted(people, draft, chief):
    good_record(chief)
    restriction(chief, year=2025)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "no_restriction")
    assert row["passed"] is False
    assert "2025年度" in row["detail"] and "连续两年排名靠后" in row["detail"]


def test_check_no_restriction_passes_once_the_restriction_ran_out(people, draft, chief):
    good_record(chief)
    restriction(chief, year=2023)

    candidate = checked(people.org, add(people.org, draft, chief))

    assert result(candidate, "no_restriction")["passed"] is True


def test_check_excellent_passes_with_one_excellent_in_three_years(people, draft, chief):
    good_record(chief)

    candidate = checked(people.org, add(people.org, draft, chief))

    assert result(candidate, "excellent")["passed"] is True


def test_check_excellent_fails_without_an_excellent_year(people, draft, chief):
    grades(chief, y2023=Grade.COMPETENT, y2024=Grade.COMPETENT, y2025=Grade.COMPETENT)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "excellent")
    assert row["passed"] is False and "优秀0次" in row["detail"]


def test_check_excellent_fails_with_a_grade_below_competent(people, draft, chief):
    grades(chief, y2023=Grade.BASIC, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "excellent")
    assert row["passed"] is False and "2023年基本称职" in row["detail"]


def test_check_excellent_reads_only_the_last_three_grades(people, draft, chief):
    grades(chief, y2022=Grade.BASIC, y2023=Grade.COMPETENT, y2024=Grade.EXCELLENT)
    grade(chief, 2025, Grade.COMPETENT)

    candidate = checked(people.org, add(people.org, draft, chief))

    assert result(candidate, "excellent")["passed"] is True


def test_check_excellent_fails_with_fewer_graded_years(people, draft, chief):
    grades(chief, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "excellent")
    assert row["passed"] is False and "不足3年" in row["detail"]


def test_check_post_years_fails_within_the_first_year(people, draft, chief):
    good_record(chief)
    chief.post_since = datetime.date(2025, 9, 1)
    chief.save(update_fields=["post_since"])

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "post_years")
    assert row["passed"] is False and "2026-09-01满1年" in row["detail"]


def test_check_post_years_passes_after_a_year(people, draft, chief):
    good_record(chief)

    candidate = checked(people.org, add(people.org, draft, chief))

    assert result(candidate, "post_years")["passed"] is True


def test_check_level_jump_passes_one_level(people, draft, chief):
    good_record(chief)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "level_jump")
    assert row["passed"] is True and "提升1个职务层次" in row["detail"]


def test_check_level_jump_fails_beyond_two_levels(people, draft, chief):
    good_record(chief)

    candidate = checked(
        people.org, add(people.org, draft, chief, target_level=level("bureau_deputy"))
    )

    row = result(candidate, "level_jump")
    assert row["passed"] is False and "提升3个职务层次" in row["detail"]


# --- the age rules (ZJK 5) ----------------------------------------------------------------------


@pytest.fixture
def senior(tree):
    return CadreFactory(
        name="冯书记",
        unit=tree.township_a1,
        post="镇党委书记",
        post_level=level("township_chief"),
        birth_date=datetime.date(1969, 2, 1),
        post_since=datetime.date(2019, 1, 1),
    )


def test_check_senior_age_names_the_missing_confirmations(people, draft, senior):
    good_record(senior)

    candidate = checked(people.org, add(people.org, draft, senior, healthy=True))

    row = result(candidate, "senior_age")
    assert row["passed"] is False
    assert "57岁" in row["detail"]
    assert "实绩突出" in row["detail"] and "群众认可" in row["detail"]
    assert "身体健康" not in row["detail"]


def test_check_senior_age_passes_with_all_three_confirmations(people, draft, senior):
    good_record(senior)
    candidate = checked(people.org, add(people.org, draft, senior, healthy=True))

    candidate = selection.candidate_confirm_age(
        actor=people.org, candidate=candidate, healthy=True, outstanding=True, recognised=True
    )
    assert candidate.checked_at is None  # to be checked again
    candidate = checked(people.org, candidate)

    assert result(candidate, "senior_age")["passed"] is True
    assert candidate.checks_passed is True


def test_check_senior_age_does_not_apply_under_55(people, draft, chief):
    good_record(chief)

    candidate = checked(people.org, add(people.org, draft, chief))

    row = result(candidate, "senior_age")
    assert row["passed"] is True and "不适用" in row["detail"]


def test_young_flag_follows_the_age_rule_of_the_post_level(tree, chief, senior, county_member):
    young = CadreFactory(
        name="陈副镇长",
        unit=tree.township_a1,
        post="副镇长",
        post_level=level("township_deputy"),
        birth_date=datetime.date(1992, 1, 1),
    )
    county_young = CadreFactory(
        name="褚副县长",
        unit=tree.county_a,
        post="副县长",
        post_level=level("county_deputy"),
        birth_date=datetime.date(1987, 1, 1),
    )

    flags = selection.young_flags([young, chief, senior, county_member, county_young], tree.city)

    # 34 at township level (≤35) and 39 at county level (≤40) are young; 41 at township level
    # and 48 at county level are not.
    assert flags == {young.pk: "年轻干部（乡科级）", county_young.pk: "年轻干部（县处级）"}


# --- the checks in bulk -------------------------------------------------------------------------


def test_checks_run_in_a_constant_number_of_queries(people, draft, tree):
    def fill(n):
        for _i in range(n):
            cadre = CadreFactory(
                unit=tree.township_a1,
                post="镇党委书记",
                post_level=level("township_chief"),
                post_since=datetime.date(2020, 1, 1),
            )
            good_record(cadre)
            sanction(cadre)
            add(people.org, draft, cadre)

    fill(2)
    with CaptureQueriesContext(connection) as few:
        selection.candidates_check(actor=people.org, candidate_list=draft)
    fill(8)
    with CaptureQueriesContext(connection) as many:
        done = selection.candidates_check(actor=people.org, candidate_list=draft)

    assert len(done) == 10
    assert len(many) == len(few)
    assert all(not c.checks_passed for c in done)


# --- the workflow -------------------------------------------------------------------------------


def test_submit_is_refused_for_an_empty_list(people, draft):
    with pytest.raises(ValidationError) as error:
        selection.candidate_list_submit(actor=people.org, candidate_list=draft)

    assert "没有人选" in error.value.messages[0]


def test_submit_is_refused_while_a_candidate_is_unchecked(people, draft, chief):
    add(people.org, draft, chief)

    with pytest.raises(ValidationError) as error:
        selection.candidate_list_submit(actor=people.org, candidate_list=draft)

    assert "尚未核查" in error.value.messages[0] and "赵书记" in error.value.messages[0]


def test_submit_is_refused_while_a_failing_candidate_is_on_the_list(people, draft, chief):
    add(people.org, draft, chief)  # no grades: the 优秀 check fails
    selection.candidates_check(actor=people.org, candidate_list=draft)

    with pytest.raises(ValidationError) as error:
        selection.candidate_list_submit(actor=people.org, candidate_list=draft)

    assert "须先移出名单" in error.value.messages[0] and "赵书记" in error.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == CandidateListStatus.DRAFT


def test_removing_the_failing_candidate_lets_the_list_go(people, draft, chief, senior):
    good_record(senior)
    failing = add(people.org, draft, chief)
    add(people.org, draft, senior, healthy=True, outstanding=True, recognised=True)
    selection.candidates_check(actor=people.org, candidate_list=draft)

    selection.candidate_remove(actor=people.org, candidate=failing, reason="近三年无优秀等次")
    submitted = selection.candidate_list_submit(actor=people.org, candidate_list=draft)

    assert submitted.status == CandidateListStatus.SUBMITTED
    assert not Candidate.objects.filter(pk=failing.pk).exists()
    assert list(
        IncentiveLog.objects.filter(
            subject=LogSubject.CANDIDATE_LIST, subject_id=draft.pk
        ).values_list("action", flat=True)
    ) == ["open", "check", "candidate_removed", "submit"]


def test_submit_is_refused_when_the_facts_changed_after_the_check(people, draft, chief):
    good_record(chief)
    add(people.org, draft, chief)
    selection.candidates_check(actor=people.org, candidate_list=draft)
    sanction(chief)

    with pytest.raises(ValidationError) as error:
        selection.candidate_list_submit(actor=people.org, candidate_list=draft)

    assert "请重新核查" in error.value.messages[0] and "赵书记" in error.value.messages[0]


@pytest.fixture
def submitted(people, draft, chief, senior):
    good_record(chief)
    good_record(senior)
    add(people.org, draft, chief)
    add(people.org, draft, senior, healthy=True, outstanding=True, recognised=True)
    selection.candidates_check(actor=people.org, candidate_list=draft)
    return selection.candidate_list_submit(actor=people.org, candidate_list=draft)


def test_a_submitted_list_takes_no_more_candidates_or_checks(people, submitted, tree):
    other = CadreFactory(
        unit=tree.township_a1, post="镇党委书记", post_level=level("township_chief")
    )
    with pytest.raises(ValidationError):
        add(people.org, submitted, other)
    with pytest.raises(ValidationError):
        selection.candidates_check(actor=people.org, candidate_list=submitted)
    with pytest.raises(ValidationError):
        selection.candidate_remove(actor=people.org, candidate=submitted.candidates.first())


def test_submit_twice_is_a_conflict(people, submitted):
    with pytest.raises(selection.TransitionConflict):
        selection.candidate_list_submit(actor=people.org, candidate_list=submitted)


def test_decide_records_the_opinion_once(people, submitted):
    first, second = submitted.candidates.order_by("pk")

    approved = selection.candidate_decide(
        actor=people.org, candidate=first, approve=True, note="常委会研究同意"
    )
    rejected = selection.candidate_decide(
        actor=people.org, candidate=second, approve=False, note="暂缓使用"
    )

    assert (approved.status, approved.decision_note) == (CandidateStatus.APPROVED, "常委会研究同意")
    assert rejected.status == CandidateStatus.REJECTED
    with pytest.raises(selection.TransitionConflict):
        selection.candidate_decide(actor=people.org, candidate=first, approve=False, note="改变")


def test_decide_needs_an_opinion(people, submitted):
    with pytest.raises(ValidationError) as error:
        selection.candidate_decide(
            actor=people.org, candidate=submitted.candidates.first(), approve=True, note=""
        )

    assert "note" in error.value.message_dict


def test_decide_is_refused_while_the_list_is_a_draft(people, draft, chief):
    candidate = add(people.org, draft, chief)

    with pytest.raises(selection.TransitionConflict):
        selection.candidate_decide(actor=people.org, candidate=candidate, approve=True, note="同意")


def test_close_needs_every_candidate_decided(people, submitted):
    first, second = submitted.candidates.order_by("pk")
    selection.candidate_decide(actor=people.org, candidate=first, approve=True, note="同意")

    with pytest.raises(ValidationError) as error:
        selection.candidate_list_close(actor=people.org, candidate_list=submitted)
    assert "冯书记" in error.value.messages[0]

    selection.candidate_decide(actor=people.org, candidate=second, approve=True, note="同意")
    closed = selection.candidate_list_close(actor=people.org, candidate_list=submitted)

    assert closed.status == CandidateListStatus.CLOSED
    with pytest.raises(selection.TransitionConflict):
        selection.candidate_list_close(actor=people.org, candidate_list=closed)
    with pytest.raises(selection.TransitionConflict):
        selection.candidate_list_submit(actor=people.org, candidate_list=closed)


def test_close_is_refused_for_a_draft(people, draft):
    with pytest.raises(selection.TransitionConflict):
        selection.candidate_list_close(actor=people.org, candidate_list=draft)


def test_readers_cannot_act_on_lists(people, draft, chief):
    with pytest.raises(PermissionDenied):
        selection.candidate_list_submit(actor=people.inspector, candidate_list=draft)
    with pytest.raises(PermissionDenied):
        add(people.inspector, draft, chief)


def test_other_county_cannot_see_or_act_on_the_list(people, draft, chief):
    assert not selection.candidate_lists(people.org_b).filter(pk=draft.pk).exists()
    with pytest.raises(Http404):
        add(people.org_b, draft, chief)


def test_appointment_form_link_carries_the_proposed_post(people, draft, chief):
    candidate = add(people.org, draft, chief, target_post="县委副书记")

    url = selection.appointment_form_url(candidate)

    assert url.startswith(f"/incentives/structure/appointment-form/{chief.pk}/")
    assert url.endswith("?proposed_post=%E5%8E%BF%E5%A7%94%E5%89%AF%E4%B9%A6%E8%AE%B0")

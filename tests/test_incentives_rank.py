"""Rank promotion (职级晋升 under 职务与职级并行, F 10, F 7): one test per rule of the rank ladder
and the rank rules, the tolerated cadre who is not disadvantaged (DOMAIN §3 last rule), a unit's
own ladder version, the checks on publishing the lists, and the bulk query count."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assessment.choices import ConsequenceCause, ConsequenceKind, Grade
from assessment.models import AnnualGrade, AssessmentCycle, Consequence
from cadre.choices import CadreStatus, StaffingType
from cadre.models import Cadre, PolicyItem, Rank
from cadre.selectors import policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish
from incentives import eligibility
from incentives.choices import KIND_RANK_LADDER, KIND_RANK_RULES, DownAction, SanctionStatus
from incentives.models import Adjustment, Sanction
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 6, 15)


def rank(code):
    return Rank.objects.get(code=code)


@pytest.fixture
def make_cadre(tree):
    def _make(rank_code="principal_clerk_3", since=datetime.date(2023, 6, 1), **kwargs):
        kwargs.setdefault("unit", tree.township_a1)
        return CadreFactory(rank=rank(rank_code), rank_since=since, **kwargs)

    return _make


@pytest.fixture
def grade(tree):
    def _grade(cadre, year, value):
        cycle, _created = AssessmentCycle.objects.get_or_create(
            year=year,
            unit=tree.city,
            defaults={
                "title": f"{year}年度考核",
                "status": "closed",
                "quota_list": policy_list_for("assessment.grade_quotas", None),
                "blockers_list": policy_list_for("assessment.excellence_blockers", None),
            },
        )
        AnnualGrade.objects.create(
            cycle=cycle, cadre=cadre, unit=cadre.unit, grade=value, responsibility="担当作为情况"
        )

    return _grade


def sanction(cadre, *, decided_on, impact_until, label="党内警告", matter=None):
    return Sanction.objects.create(
        cadre=cadre,
        kinds_list=policy_list_for("incentives.sanction_kinds", None),
        kind_code="party_warning",
        kind_label=label,
        impact_months=6,
        decided_on=decided_on,
        impact_until=impact_until,
        reason="违反工作纪律",
        matter=matter,
        status=SanctionStatus.IN_IMPACT,
    )


def check(cadre, on=ON):
    cadre = Cadre.objects.select_related("unit", "rank").get(pk=cadre.pk)
    return eligibility.rank_eligibility([cadre], on)[0]


def reason(result, code):
    found = [r for r in result.reasons if r.code == code]
    assert found, f"no reason {code}: {[r.code for r in result.reasons]}"
    return found[0]


# --- the ladder --------------------------------------------------------------------------------


def test_eligible_after_the_minimum_years_names_the_next_rank(make_cadre, grade):
    cadre = make_cadre(since=datetime.date(2024, 3, 1))
    grade(cadre, 2024, Grade.COMPETENT)
    grade(cadre, 2025, Grade.COMPETENT)

    result = check(cadre)

    assert result.eligible
    assert result.current_rank.code == "principal_clerk_3"
    assert result.next_rank.code == "principal_clerk_2"
    assert reason(result, "min_years").text == "任三级主任科员已满2年（计算任职年限2年3个月）"
    assert all(r.passed for r in result.reasons if r.blocking)


def test_min_years_short_is_not_eligible(make_cadre):
    cadre = make_cadre(since=datetime.date(2024, 11, 1))

    result = check(cadre)

    assert not result.eligible
    years = reason(result, "min_years")
    assert not years.passed
    assert years.text == "任三级主任科员未满2年（计算任职年限1年7个月）"


def test_basic_grade_year_is_not_counted(make_cadre, grade):
    cadre = make_cadre(since=datetime.date(2023, 11, 1))
    grade(cadre, 2024, Grade.BASIC)
    grade(cadre, 2025, Grade.COMPETENT)

    result = check(cadre)

    assert not result.eligible
    assert reason(result, "min_years").text == (
        "任三级主任科员未满2年（计算任职年限1年7个月，其中2024年度考核基本称职不计算）"
    )
    # A year later the basic year is behind a full two counted years.
    assert check(cadre, datetime.date(2027, 1, 1)).eligible


def test_ungraded_year_counts_unless_the_rules_say_not(tree, make_cadre):
    cadre = make_cadre(since=datetime.date(2024, 3, 1))
    assert check(cadre).eligible  # no grades yet: ungraded years count by default

    base = policy_list_for(KIND_RANK_RULES, None)
    draft = policy_list_new_version(base=base, unit=tree.county_a)
    PolicyItem.objects.filter(policy_list=draft, code="ungraded_years").update(
        params={"count": False}
    )
    policy_list_publish(policy_list=draft)

    result = check(cadre)
    assert not result.eligible
    assert "2024年度尚未确定考核等次" in reason(result, "min_years").text


def test_incompetent_grade_blocks(make_cadre, grade):
    cadre = make_cadre(since=datetime.date(2021, 1, 1))
    for year in (2021, 2022, 2024):
        grade(cadre, year, Grade.COMPETENT)
    grade(cadre, 2023, Grade.INCOMPETENT)

    result = check(cadre)

    assert not result.eligible
    blocked = reason(result, "blocking_grades")
    assert not blocked.passed
    assert blocked.text == "任现职级期间2023年度考核不称职，不得晋升职级"
    assert reason(result, "min_years").passed  # 4.5 years minus the incompetent year


def test_incompetent_grade_before_the_current_rank_does_not_block(make_cadre, grade):
    cadre = make_cadre(since=datetime.date(2023, 1, 1))
    grade(cadre, 2022, Grade.INCOMPETENT)

    assert check(cadre).eligible


def test_top_of_ladder_has_no_next_rank(make_cadre):
    cadre = make_cadre(rank_code="inspector_1", since=datetime.date(2010, 1, 1))

    result = check(cadre)

    assert not result.eligible and result.next_rank is None
    assert reason(result, "next_rank").text == (
        "一级巡视员已是本地区职级晋升清单的最高职级，没有可晋升的上一职级"
    )


def test_missing_rank_or_rank_since_is_not_eligible(tree):
    without_rank = CadreFactory(unit=tree.township_a1)
    without_since = CadreFactory(unit=tree.township_a1, rank=rank("clerk_1"))

    assert reason(check(without_rank), "rank_recorded").text.startswith("未登记现任职级")
    assert reason(check(without_since), "rank_recorded").text.startswith("未登记任现职级时间")
    assert not check(without_since).eligible


def test_non_civil_servant_is_not_applicable(make_cadre):
    institutional = make_cadre(staffing_type=StaffingType.INSTITUTIONAL)
    retired = make_cadre(status=CadreStatus.RETIRED)

    for cadre in (institutional, retired):
        result = check(cadre)
        assert not result.applicable and not result.eligible
        assert [r.code for r in result.reasons] == ["applicable"]
    assert "事业编制" in check(institutional).reasons[0].text


# --- what is held against the cadre -------------------------------------------------------------


def test_sanction_in_impact_period_blocks_until_it_ends(make_cadre):
    cadre = make_cadre(since=datetime.date(2022, 1, 1))
    sanction(cadre, decided_on=datetime.date(2026, 1, 10), impact_until=datetime.date(2026, 7, 9))

    result = check(cadre)
    assert not result.eligible
    assert reason(result, "holds").text == (
        "2026年1月10日受党内警告，影响期至2026年7月9日，期内不得晋升职级"
    )
    assert not check(cadre, datetime.date(2026, 7, 9)).eligible
    assert check(cadre, datetime.date(2026, 7, 10)).eligible


def test_demotion_in_impact_period_blocks(make_cadre):
    cadre = make_cadre(since=datetime.date(2022, 1, 1))
    Adjustment.objects.create(
        cadre=cadre,
        action=DownAction.DEMOTION,
        situations_list=policy_list_for("incentives.down_situations", None),
        reason="不担当不作为",
        decided_on=datetime.date(2025, 9, 1),
        from_post="副镇长",
        impact_list=policy_list_for("incentives.sanction_kinds", None),
        impact_months=12,
        impact_until=datetime.date(2026, 8, 31),
    )

    result = check(cadre)
    assert not result.eligible
    assert reason(result, "holds").text == (
        "2025年9月1日被降职（能上能下），影响期至2026年8月31日，期内不得晋升职级"
    )
    assert check(cadre, datetime.date(2026, 9, 1)).eligible


def test_tolerated_exempted_case_is_not_counted(staff, tree, make_cadre):
    tolerated = make_cadre(since=datetime.date(2022, 1, 1), name="容错干部")
    refused = make_cadre(since=datetime.date(2022, 1, 1), name="问责干部")
    exempt_case = open_case(staff.inspector, tree.county_a, [tolerated], title="先行先试")
    to_preliminary(staff, exempt_case)
    move(staff.committee, exempt_case, "decide", outcome="exempt")
    refused_case = open_case(staff.inspector, tree.county_a, [refused], title="另一事项")
    to_preliminary(staff, refused_case)
    move(staff.committee, refused_case, "decide", outcome="not_tolerated", decision_reasons="否")
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=refused_case.matter, form="circulate"
    )
    on = datetime.date(2026, 12, 1)
    for cadre, case in ((tolerated, exempt_case), (refused, refused_case)):
        sanction(
            cadre,
            decided_on=datetime.date(2026, 9, 1),
            impact_until=datetime.date(2027, 2, 28),
            label="诫勉",
            matter=case.matter,
        )

    assert check(tolerated, on).eligible
    assert reason(check(tolerated, on), "holds").passed
    assert not check(refused, on).eligible
    assert "诫勉" in reason(check(refused, on), "holds").text


def test_restriction_blocks(make_cadre):
    cadre = make_cadre(since=datetime.date(2022, 1, 1))
    Consequence.objects.create(
        cadre=cadre,
        kind=ConsequenceKind.RESTRICTED,
        cause=ConsequenceCause.LOW_TWO_YEARS,
        year=2025,
        detail="年度综合考核连续两年排名靠后",
        source_key=f"rank-test-{cadre.pk}",
    )

    result = check(cadre)
    assert not result.eligible
    assert reason(result, "restriction").text.startswith("2025年度年度综合考核连续两年排名靠后")
    # Decided for 2025, it holds through 2026 only.
    assert check(cadre, datetime.date(2027, 1, 1)).eligible


def test_restriction_does_not_block_where_the_rules_say_so(tree, make_cadre):
    cadre = make_cadre(since=datetime.date(2022, 1, 1))
    Consequence.objects.create(
        cadre=cadre,
        kind=ConsequenceKind.RESTRICTED,
        cause=ConsequenceCause.LOW_TWO_YEARS,
        year=2025,
        detail="连续两年排名靠后",
        source_key=f"rank-test-nb-{cadre.pk}",
    )
    draft = policy_list_new_version(base=policy_list_for(KIND_RANK_RULES, None), unit=tree.city)
    PolicyItem.objects.filter(policy_list=draft, code="restriction_blocks").update(
        params={"blocks": False}
    )
    policy_list_publish(policy_list=draft)

    result = check(cadre)
    assert result.eligible
    assert "不影响职级晋升" in reason(result, "restriction").text


# --- priority (F 7) --------------------------------------------------------------------------


def test_priority_flag_after_consecutive_excellent_years(make_cadre, grade):
    three = make_cadre(since=datetime.date(2022, 1, 1))
    two = make_cadre(since=datetime.date(2022, 1, 1))
    for year in (2023, 2024, 2025):
        grade(three, year, Grade.EXCELLENT)
    grade(two, 2023, Grade.COMPETENT)
    grade(two, 2024, Grade.EXCELLENT)
    grade(two, 2025, Grade.EXCELLENT)

    flagged = check(three)
    assert flagged.eligible and flagged.priority
    assert reason(flagged, "excellent_priority").text == (
        "连续3年年度考核优秀，同等条件下优先晋升职级"
    )
    assert not check(two).priority
    assert check(two).eligible


# --- versions of the lists -----------------------------------------------------------------------


def test_unit_ladder_version_overrides_national_default_in_its_subtree(tree, make_cadre):
    inside = make_cadre(since=datetime.date(2023, 12, 1))
    outside = make_cadre(since=datetime.date(2023, 12, 1), unit=tree.township_b1)
    national = policy_list_for(KIND_RANK_LADDER, None)
    draft = policy_list_new_version(base=national, unit=tree.county_a, title="甲县职级晋升年限")
    PolicyItem.objects.filter(policy_list=draft, code="principal_clerk_2").update(
        params={"from_ranks": ["principal_clerk_3"], "min_years": 3},
        label="晋升二级主任科员：任三级主任科员3年以上",
    )
    own = policy_list_publish(policy_list=draft)

    mine, theirs = eligibility.rank_eligibility(
        Cadre.objects.filter(pk__in=[inside.pk, outside.pk])
        .order_by("unit__path")
        .select_related("unit", "rank"),
        ON,
    )

    assert mine.cadre == inside and mine.ladder_list == own
    assert not mine.eligible
    assert reason(mine, "min_years").text.startswith("任三级主任科员未满3年")
    assert theirs.eligible and theirs.ladder_list == national


# --- publishing the lists --------------------------------------------------------------------------


def test_ladder_with_an_unknown_rank_code_cannot_be_published(tree):
    draft = policy_list_new_version(base=policy_list_for(KIND_RANK_LADDER, None), unit=tree.city)
    PolicyItem.objects.filter(policy_list=draft, code="clerk_1").update(
        params={"from_ranks": ["clerk_9"], "min_years": 2}
    )
    with pytest.raises(ValidationError, match="clerk_9"):
        policy_list_publish(policy_list=draft)

    PolicyItem.objects.filter(policy_list=draft, code="clerk_1").update(
        params={"from_ranks": ["clerk_2"], "min_years": 0}
    )
    with pytest.raises(ValidationError, match="正整数"):
        policy_list_publish(policy_list=draft)


def test_rank_rules_with_an_unknown_grade_cannot_be_published(tree):
    draft = policy_list_new_version(base=policy_list_for(KIND_RANK_RULES, None), unit=tree.city)
    PolicyItem.objects.filter(policy_list=draft, code="counted_grades").update(
        params={"grades": ["excellent", "good"]}
    )
    with pytest.raises(ValidationError, match="good"):
        policy_list_publish(policy_list=draft)


def test_seeded_lists_pass_their_checks():
    from cadre.policy_rules import validate_policy_list

    validate_policy_list(policy_list_for(KIND_RANK_LADDER, None))
    validate_policy_list(policy_list_for(KIND_RANK_RULES, None))


# --- in bulk ------------------------------------------------------------------------------------


def test_queries_do_not_grow_with_cadres(tree, make_cadre, grade, django_assert_max_num_queries):
    def run():
        cadres = Cadre.objects.select_related("unit", "rank")
        return eligibility.rank_eligibility(cadres, ON)

    for _n in range(3):
        cadre = make_cadre(since=datetime.date(2022, 1, 1), unit=tree.township_b1)
        grade(cadre, 2024, Grade.EXCELLENT)
        sanction(cadre, decided_on=datetime.date(2026, 1, 1), impact_until=ON)
    with django_assert_max_num_queries(9) as small:
        run()
    for _n in range(30):
        cadre = make_cadre(since=datetime.date(2022, 1, 1))
        grade(cadre, 2025, Grade.EXCELLENT)
        sanction(cadre, decided_on=datetime.date(2026, 1, 1), impact_until=ON)
    with django_assert_max_num_queries(len(small.captured_queries)):
        results = run()
    assert len(results) == 33 and not any(r.eligible for r in results)

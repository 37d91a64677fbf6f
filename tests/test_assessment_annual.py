"""The annual assessment (DOMAIN §2; F 5, F 7): the 优秀 quota per unit from data, the
担当作为 section, accountability that rules out 优秀 (unless a tolerance case exempted it),
fixing the grades into the performance record and feeding them back."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from assessment import services
from assessment.choices import CycleStatus, Grade
from assessment.models import AnnualGrade, AssessmentCycle
from assessment.selectors import annual_grades
from cadre.choices import Role
from cadre.models import Notification, PerformanceEntry, PolicyItem
from cadre.selectors import policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def township(tree):
    """Ten serving cadres in township A1: 20% gives two 优秀 places, 25% gives two as well
    (2.5 rounded down), so the raised-ratio tests use twelve."""
    return [CadreFactory(unit=tree.township_a1, name=f"镇干部{i:02d}") for i in range(10)]


@pytest.fixture
def cycle(org_user, tree):
    return services.cycle_open(actor=org_user, unit=tree.county_a, year=YEAR)


def rows(cadres, grade=Grade.COMPETENT):
    return [{"cadre": c.pk, "grade": grade, "responsibility": "攻坚克难，主动担当"} for c in cadres]


def grade_unit(org_user, cycle, unit, excellent, competent):
    return services.annual_grades_save(
        actor=org_user,
        cycle=cycle,
        unit=unit,
        rows=rows(excellent, Grade.EXCELLENT) + rows(competent),
    )


def test_opening_records_the_quota_list_version(cycle, tree):
    assert cycle.status == CycleStatus.OPEN
    assert cycle.quota_list == policy_list_for("assessment.grade_quotas", tree.county_a)
    assert "甲县" in cycle.title


def test_a_year_is_opened_once_per_unit(org_user, tree, cycle):
    with pytest.raises(ValidationError):
        services.cycle_open(actor=org_user, unit=tree.county_a, year=YEAR)


def test_only_the_organisation_department_opens(make_user, tree):
    committee = make_user(Role.COMMITTEE, unit=tree.county_a)
    with pytest.raises(PermissionDenied):
        services.cycle_open(actor=committee, unit=tree.county_a, year=YEAR)


def test_quota_exactly_at_the_limit_is_accepted(org_user, tree, cycle, township):
    grade_unit(org_user, cycle, tree.township_a1, township[:2], township[2:])

    status = services.quota_status(cycle, tree.township_a1)
    assert (status["participants"], status["cap"], status["excellent"]) == (10, 2, 2)
    assert status["remaining"] == 0


def test_one_over_the_quota_is_refused_and_nothing_is_saved(org_user, tree, cycle, township):
    with pytest.raises(ValidationError) as err:
        grade_unit(org_user, cycle, tree.township_a1, township[:3], township[3:])

    message = err.value.message_dict["__all__"][0]
    assert "名额为2人" in message and "超出1人" in message
    assert not AnnualGrade.objects.filter(cycle=cycle).exists()


def test_the_quota_counts_grades_already_given(org_user, tree, cycle, township):
    grade_unit(org_user, cycle, tree.township_a1, township[:2], township[2:])
    with pytest.raises(ValidationError):
        services.annual_grade_save(
            actor=org_user,
            cycle=cycle,
            cadre=township[5],
            grade=Grade.EXCELLENT,
            responsibility="表现突出",
        )
    # Changing one 优秀 to 称职 frees the place for another.
    services.annual_grades_save(
        actor=org_user,
        cycle=cycle,
        unit=tree.township_a1,
        rows=rows([township[0]]) + rows([township[5]], Grade.EXCELLENT),
    )
    assert services.quota_status(cycle, tree.township_a1)["excellent"] == 2


def test_raised_ratio_for_a_unit_ranked_top(org_user, tree, cycle, township):
    township += [CadreFactory(unit=tree.township_a1) for _ in range(2)]  # twelve: 2.4 → 2, 3.0 → 3
    with pytest.raises(ValidationError):
        grade_unit(org_user, cycle, tree.township_a1, township[:3], township[3:])
    with pytest.raises(ValidationError):
        services.unit_quota_set(actor=org_user, cycle=cycle, unit=tree.township_a1, raised=True)

    services.unit_quota_set(
        actor=org_user,
        cycle=cycle,
        unit=tree.township_a1,
        raised=True,
        reason="年度绩效考评全县第一",
    )
    grade_unit(org_user, cycle, tree.township_a1, township[:3], township[3:])

    assert services.quota_status(cycle, tree.township_a1)["cap"] == 3
    # The raise cannot be withdrawn while three hold 优秀.
    with pytest.raises(ValidationError):
        services.unit_quota_set(actor=org_user, cycle=cycle, unit=tree.township_a1, raised=False)


def test_quota_ratios_come_from_the_published_list(org_user, tree, township):
    base = policy_list_for("assessment.grade_quotas", tree.county_a)
    draft = policy_list_new_version(base=base, unit=tree.county_a, title="甲县优秀比例")
    PolicyItem.objects.filter(policy_list=draft, code="base").update(
        params={"ratio": "0.30", "rounding": "floor"}
    )
    policy_list_publish(policy_list=draft)
    cycle = services.cycle_open(actor=org_user, unit=tree.county_a, year=YEAR)

    grade_unit(org_user, cycle, tree.township_a1, township[:3], township[3:])
    assert services.quota_status(cycle, tree.township_a1)["cap"] == 3


def test_the_responsibility_section_is_required(org_user, tree, cycle, township):
    with pytest.raises(ValidationError) as err:
        services.annual_grades_save(
            actor=org_user,
            cycle=cycle,
            unit=tree.township_a1,
            rows=[{"cadre": township[0].pk, "grade": Grade.COMPETENT, "responsibility": " "}],
        )
    assert str(township[0].pk) in err.value.message_dict


def test_cadres_outside_the_unit_or_scope_are_refused(org_user, tree, cycle, cadres):
    with pytest.raises(ValidationError) as err:
        services.annual_grades_save(
            actor=org_user, cycle=cycle, unit=tree.township_a1, rows=rows([cadres.in_b])
        )
    assert str(cadres.in_b.pk) in err.value.message_dict


def _held_to_account(inspector, tree, cadre, *, form="admonish", decided_on=None):
    matter = tolerance_services.accountability_matter_open(
        actor=inspector,
        handling_unit=tree.county_a,
        accountable_body="discipline",
        title="项目推进不力",
        matter_category="project",
        occurred_on=datetime.date(YEAR, 3, 1),
        opened_on=datetime.date(YEAR, 4, 1),
        cadres=[cadre],
        consider_tolerance=False,
    )
    return tolerance_services.accountability_matter_decide(
        actor=inspector,
        matter=matter,
        form=form,
        decided_on=decided_on or datetime.date(YEAR, 5, 1),
    )


def test_an_admonishment_in_the_year_rules_out_excellent(org_user, staff, tree, cycle, township):
    _held_to_account(staff.inspector, tree, township[0])

    with pytest.raises(ValidationError) as err:
        grade_unit(org_user, cycle, tree.township_a1, [township[0]], township[1:])
    assert "诫勉" in err.value.message_dict[str(township[0].pk)][0]
    # A circulated criticism does not rule it out, nor does an admonishment of another year.
    _held_to_account(staff.inspector, tree, township[1], form="circulate")
    _held_to_account(staff.inspector, tree, township[2], decided_on=datetime.date(YEAR - 1, 12, 1))
    grade_unit(org_user, cycle, tree.township_a1, township[1:3], township[3:])


def test_an_exempted_case_is_never_counted_against_the_grade(
    org_user, staff, tree, cycle, township
):
    matter = tolerance_services.accountability_matter_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        accountable_body="discipline",
        title="改革试点未达预期",
        matter_category="reform",
        occurred_on=datetime.date(YEAR, 3, 1),
        opened_on=datetime.date(YEAR, 4, 1),
        cadres=[township[0]],
    )
    case = matter.cases.get()
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")

    grade_unit(org_user, cycle, tree.township_a1, [township[0]], township[1:])

    assert AnnualGrade.objects.get(cadre=township[0]).grade == Grade.EXCELLENT


@pytest.mark.django_db(transaction=True)
def test_two_people_cannot_both_take_the_last_place(tree, make_user):
    org1 = make_user(Role.ORGANISATION, unit=tree.county_a)
    org2 = make_user(Role.ORGANISATION, unit=tree.county_a)
    people = [CadreFactory(unit=tree.township_a1) for _ in range(5)]  # one 优秀 place
    cycle = services.cycle_open(actor=org1, unit=tree.county_a, year=YEAR)
    barrier = threading.Barrier(2)
    results = []

    def give(user, cadre):
        try:
            barrier.wait(timeout=10)
            services.annual_grade_save(
                actor=user,
                cycle=AssessmentCycle.objects.get(pk=cycle.pk),
                cadre=cadre,
                grade=Grade.EXCELLENT,
                responsibility="表现突出",
            )
            results.append("saved")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=give, args=(org1, people[0])),
        threading.Thread(target=give, args=(org2, people[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results) == ["refused", "saved"]
    assert AnnualGrade.objects.filter(cycle=cycle, grade=Grade.EXCELLENT).count() == 1


def test_closing_writes_the_performance_record_once_and_freezes_the_grades(
    org_user, tree, cycle, township
):
    grade_unit(org_user, cycle, tree.township_a1, township[:2], township[2:])
    services.cycle_close(actor=org_user, cycle=cycle)

    entries = PerformanceEntry.objects.filter(source="assessment", category="annual_excellent")
    assert entries.count() == 2
    with pytest.raises(ValidationError):
        grade_unit(org_user, cycle, tree.township_a1, township[:1], township[1:])
    assert annual_grades([township[0].pk]) == {(township[0].pk, YEAR): Grade.EXCELLENT}


def test_feedback_notifies_the_cadres_and_opens_their_own_grade(
    org_user, tree, cycle, township, make_user
):
    user = make_user(Role.CADRE, unit=tree.township_a1, cadre=township[0])
    grade_unit(org_user, cycle, tree.township_a1, township[:1], township[1:])
    with pytest.raises(ValidationError):
        services.cycle_feed_back(actor=org_user, cycle=cycle)  # not closed yet
    services.cycle_close(actor=org_user, cycle=cycle)
    assert not AnnualGrade.objects.restrict(user).exists()

    services.cycle_feed_back(actor=org_user, cycle=cycle)

    assert list(AnnualGrade.objects.restrict(user)) == [AnnualGrade.objects.get(cadre=township[0])]
    assert Notification.objects.filter(recipient=user, kind="assessment.result_fed_back").exists()


def test_out_of_jurisdiction_cycles_are_invisible(org_user, tree, cycle, make_user):
    other = make_user(Role.ORGANISATION, unit=tree.county_b)
    assert not AssessmentCycle.objects.restrict(other).exists()
    assert AssessmentCycle.objects.restrict(org_user).get() == cycle
    with pytest.raises(Exception) as err:
        services.cycle_close(actor=other, cycle=cycle)
    assert err.typename == "Http404"


def test_demo_assessment_is_within_quota_and_idempotent():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_assessment_demo", stdout=StringIO())
    cycle = AssessmentCycle.objects.get()
    assert cycle.status == CycleStatus.FED_BACK
    for unit_id in cycle.grades.values_list("unit_id", flat=True).distinct():
        status = services.quota_status(cycle, cycle.grades.filter(unit_id=unit_id)[0].unit)
        assert 0 < status["excellent"] <= status["cap"]
    out = StringIO()
    call_command("seed_assessment_demo", stdout=out)
    assert "already present" in out.getvalue()
    assert AssessmentCycle.objects.count() == 1


def test_cadres_above_the_organisers_management_level_are_not_graded(
    tree, cycle, township, make_user
):
    from tests.factories import level

    city_org = make_user(Role.ORGANISATION, unit=tree.city)  # sees county-level cadres too
    head = CadreFactory(unit=tree.township_a1, post_level=level("county_deputy"))
    assert head not in services.assessed_cadres(cycle, tree.township_a1)
    with pytest.raises(ValidationError) as err:
        services.annual_grades_save(
            actor=city_org, cycle=cycle, unit=tree.township_a1, rows=rows([head])
        )
    assert str(head.pk) in err.value.message_dict
    services.annual_grades_save(
        actor=city_org, cycle=cycle, unit=tree.township_a1, rows=rows(township[:1])
    )

"""The quarterly review (ZJK 14; X): scores from records, the units' result (three links) and
the 360-degree score; rankings; the consequence rules; the performance record. Running a
quarter twice changes nothing; a real Celery worker runs it."""

import datetime
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings

from assessment.choices import ConsequenceKind, Grade, RunStatus
from assessment.models import (
    AnnualGrade,
    AssessmentCycle,
    Consequence,
    Evaluation,
    EvaluationScore,
    EvaluationSubject,
    MonthlySummary,
    PointsEntry,
    QuarterlyReview,
    RankingEntry,
    RankingGroup,
    SupervisionLink,
    UnitQuarterScore,
    WeeklyRecord,
)
from assessment.quarterly import quarter_bounds, quarterly_review_run
from assessment.tasks import quarterly_review_task
from cadre.models import Event, PerformanceEntry
from cadre.selectors import policy_list_for
from config.celery import app
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

Y, Q = 2026, 2  # April to June 2026: 13 Mondays, 3 months
D = datetime.date


@pytest.fixture
def scene(tree, cadres):
    """Three township cadres with different records; the township head linked to the unit; a
    ranking group of the three; points for the township."""
    a, b, c = (CadreFactory(unit=tree.township_a1, name=n) for n in ("甲", "乙", "丙"))
    start, _end = quarter_bounds(Y, Q)
    mondays = [
        start + datetime.timedelta(days=(7 - start.weekday()) % 7 + 7 * i) for i in range(13)
    ]
    WeeklyRecord.objects.bulk_create(
        [WeeklyRecord(cadre=a, week_start=m, work_done="纪实") for m in mondays]
        + [WeeklyRecord(cadre=b, week_start=m, work_done="纪实") for m in mondays[:6]]
    )
    MonthlySummary.objects.bulk_create(
        MonthlySummary(cadre=a, month=D(Y, month, 1), summary="小结") for month in (4, 5, 6)
    )
    SupervisionLink.objects.create(cadre=c, unit=tree.township_a1, kind="head")
    group = RankingGroup.objects.create(
        unit=tree.county_a, name="镇干部", kind="cadre", top_n=1, bottom_n=1
    )
    group.cadres.set([a, b, c])
    return type("Scene", (), {"a": a, "b": b, "c": c, "group": group, "tree": tree})


def points(unit, code, occurred_on, value):
    catalogue = policy_list_for("assessment.points_catalogue", None)
    return PointsEntry.objects.create(
        unit=unit,
        catalogue=catalogue,
        item=catalogue.items.get(code=code),
        occurred_on=occurred_on,
        base_points=abs(Decimal(value)),
        points=Decimal(value),
        evidence="市级通报",
        status="approved",
    )


def test_scores_follow_records_units_and_weights(scene):
    points(scene.tree.township_a1, "city_commendation", D(Y, 5, 10), "10")

    run = quarterly_review_run(Y, Q)

    assert run.status == RunStatus.DONE and run.percent == 100
    unit = UnitQuarterScore.objects.get(unit=scene.tree.township_a1, year=Y, quarter=Q)
    assert (unit.points, unit.score) == (Decimal("10.00"), Decimal("90.00"))  # base 80 + 10
    a = QuarterlyReview.objects.get(cadre=scene.a, year=Y, quarter=Q)
    # All weeks and months: records 100; unit part 90; no 360 score → (30×100 + 40×90) / 70.
    assert (a.weeks_recorded, a.months_summarised) == (13, 3)
    assert a.score == Decimal("94.29") and a.grade == "good"
    b = QuarterlyReview.objects.get(cadre=scene.b, year=Y, quarter=Q)
    # 6 of 13 weeks, no month: records 100 × (6/13 × 0.7) = 32.31; → (30×32.31 + 40×90) / 70.
    assert b.score == Decimal("65.27") and b.grade == "average"


def test_three_links_a_leader_follows_the_unit_they_lead(scene, tree):
    points(tree.township_a1, "city_commendation", D(Y, 5, 10), "20")
    SupervisionLink.objects.create(cadre=scene.c, unit=tree.dept_a, kind="supervising")
    points(tree.dept_a, "major_opinion", D(Y, 5, 11), "-20")

    quarterly_review_run(Y, Q)

    c = QuarterlyReview.objects.get(cadre=scene.c, year=Y, quarter=Q)
    # Linked units: township 100 (80+20), department 60 (80-20): the leader's unit part is 80.
    assert c.points == Decimal("0.00")
    assert c.score == Decimal("45.71")  # (30×0 + 40×80) / 70


def test_a_360_score_counts_with_its_weight(scene, tree):
    groups = policy_list_for("assessment.rater_groups", None)
    evaluation = Evaluation.objects.create(
        unit=tree.county_a,
        title="测评",
        year=Y,
        quarter=Q,
        groups_list=groups,
        closes_on=D(Y, 6, 30),
    )
    subject = EvaluationSubject.objects.create(evaluation=evaluation, cadre=scene.a)
    EvaluationScore.objects.bulk_create(
        [EvaluationScore(evaluation=evaluation, subject=subject, group="leader", score=90)] * 3
        + [EvaluationScore(evaluation=evaluation, subject=subject, group="staff", score=70)] * 3
        # Two scores only: too few to count without giving the raters away.
        + [EvaluationScore(evaluation=evaluation, subject=subject, group="service_users", score=0)]
        * 2
    )

    quarterly_review_run(Y, Q)

    a = QuarterlyReview.objects.get(cadre=scene.a, year=Y, quarter=Q)
    # Groups that answered: leader 90 (weight 25) and staff 70 (weight 25) → 80.
    assert a.evaluation_score == Decimal("80.00")
    # (30×100 + 40×80 + 30×80) / 100 = 86
    assert a.score == Decimal("86.00") and a.grade == "fairly_good"


def test_rankings_with_top_bottom_and_previous_places(scene):
    quarterly_review_run(Y, Q - 1)
    quarterly_review_run(Y, Q)

    entries = {
        e.cadre_id: e for e in RankingEntry.objects.filter(group=scene.group, year=Y, quarter=Q)
    }
    assert entries[scene.a.pk].rank == 1 and entries[scene.a.pk].is_top
    assert entries[scene.c.pk].rank == 3 and entries[scene.c.pk].is_bottom
    assert entries[scene.a.pk].previous_rank is not None
    assert entries[scene.b.pk].size == 3


def test_the_talk_ladder_for_bottom_three_and_criticism(scene, tree):
    points(tree.township_a1, "item_bottom3", D(Y, 2, 3), "-5")  # first, in Q1
    points(tree.township_a1, "city_criticism", D(Y, 4, 8), "-5")  # second
    points(tree.township_a1, "item_bottom3", D(Y, 6, 1), "-5")  # third

    quarterly_review_run(Y, 1)
    quarterly_review_run(Y, Q)

    kinds = list(
        Consequence.objects.filter(cadre=scene.c, cause="bottom_or_criticism")
        .order_by("occurrence")
        .values_list("occurrence", "kind")
    )
    assert kinds == [
        (1, ConsequenceKind.REMINDER_TALK),
        (2, ConsequenceKind.ADMONISHMENT_TALK),
        (3, ConsequenceKind.ORGANISATIONAL_HANDLING),
    ]
    events = Event.objects.filter(kind="assessment.consequence_decided", cadre=scene.c)
    assert events.filter(payload__consequence="reminder_talk").count() == 1
    # Three deductions in Q2? Only two: no repeated-losses reminder.
    assert not Consequence.objects.filter(cause="repeated_losses").exists()


def test_repeated_losses_basic_grade_and_low_democratic_score_call_for_interviews(
    scene, tree, org_user
):
    for day in (3, 4, 5):
        points(tree.township_a1, "major_opinion", D(Y, 5, day), "-5")
    cycle = AssessmentCycle.objects.create(
        year=Y - 1,
        unit=tree.county_a,
        title="年度考核",
        status="closed",
        quota_list=policy_list_for("assessment.grade_quotas", None),
        blockers_list=policy_list_for("assessment.excellence_blockers", None),
    )
    AnnualGrade.objects.create(
        cycle=cycle, cadre=scene.b, unit=tree.township_a1, grade=Grade.BASIC, responsibility="一般"
    )
    groups = policy_list_for("assessment.rater_groups", None)
    evaluation = Evaluation.objects.create(
        unit=tree.county_a,
        title="测评",
        year=Y,
        quarter=Q,
        groups_list=groups,
        closes_on=D(Y, 6, 30),
    )
    subject = EvaluationSubject.objects.create(evaluation=evaluation, cadre=scene.a)
    EvaluationScore.objects.bulk_create(
        [EvaluationScore(evaluation=evaluation, subject=subject, group="staff", score=40)] * 3
    )

    quarterly_review_run(Y, Q)

    causes = set(Consequence.objects.values_list("cadre_id", "cause", "kind"))
    assert (scene.c.pk, "repeated_losses", "interview_reminder") in causes
    assert (scene.b.pk, "basic_grade", "interview_reminder") in causes
    assert (scene.a.pk, "low_democratic", "interview_reminder") in causes


def test_bottom_of_the_fourth_quarter_two_years_running_restricts(scene):
    for year in (Y - 2, Y - 1):
        start, _end = quarter_bounds(year, 4)
        monday = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
        for cadre in (scene.a, scene.b):  # c records nothing: last in both fourth quarters
            WeeklyRecord.objects.create(cadre=cadre, week_start=monday, work_done="纪实")

    quarterly_review_run(Y - 2, 4)
    assert not Consequence.objects.filter(kind=ConsequenceKind.RESTRICTED).exists()
    quarterly_review_run(Y - 1, 4)

    restricted = Consequence.objects.get(kind=ConsequenceKind.RESTRICTED)
    assert restricted.cadre == scene.c and restricted.cause == "low_two_years"
    assert Event.objects.filter(
        kind="assessment.consequence_decided", cadre=scene.c, payload__consequence="restricted"
    ).exists()


def test_running_a_quarter_twice_changes_nothing(scene, tree):
    points(tree.township_a1, "item_bottom3", D(Y, 4, 8), "-5")
    first = quarterly_review_run(Y, Q)
    snapshot = (
        list(QuarterlyReview.objects.order_by("id").values()),
        list(RankingEntry.objects.order_by("id").values()),
        list(Consequence.objects.order_by("id").values()),
        PerformanceEntry.objects.count(),
        Event.objects.count(),
    )

    second = quarterly_review_run(Y, Q)

    assert first.counts["reviews"]["rows"] > 0
    assert all(step["rows"] == 0 for step in second.counts.values()), second.counts
    assert snapshot == (
        list(QuarterlyReview.objects.order_by("id").values()),
        list(RankingEntry.objects.order_by("id").values()),
        list(Consequence.objects.order_by("id").values()),
        PerformanceEntry.objects.count(),
        Event.objects.count(),
    )


def test_each_reviewed_cadre_gets_one_performance_entry(scene):
    quarterly_review_run(Y, Q)
    quarterly_review_run(Y, Q)

    entries = PerformanceEntry.objects.filter(
        cadre=scene.a, source_key=f"assessment.quarterly:{Y}:{Q}"
    )
    assert entries.count() == 1
    # Records 100, unit part 80 (no points): (30×100 + 40×80) / 70 = 88.57 → 较好.
    assert entries.get().title == f"{Y}年第{Q}季度总评：较好"


def test_the_job_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["assessment-quarterly-review"]
    assert entry["task"] == quarterly_review_task.name


def test_the_command_runs_any_quarter(scene):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("quarterly_review", year=Y, quarter=Q, stdout=out)
    assert "reviews:" in out.getvalue()
    assert QuarterlyReview.objects.filter(year=Y, quarter=Q).exists()


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as w:
        yield w


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_quarterly_review(tree, worker):
    cadre = CadreFactory(unit=tree.township_a1)

    counts = quarterly_review_task.delay(Y, Q).get(timeout=60)

    assert counts["reviews"]["rows"] >= 1
    assert QuarterlyReview.objects.filter(cadre=cadre, year=Y, quarter=Q).exists()


def test_unit_results_for_selection_by_quarter_and_year(scene, tree):
    from assessment.selectors import unit_results

    points(tree.township_a1, "city_commendation", D(Y, 2, 10), "10")  # Q1: 90
    quarterly_review_run(Y, 1)
    quarterly_review_run(Y, Q)  # Q2: 80

    assert unit_results([tree.township_a1.pk], Y, 1) == {tree.township_a1.pk: Decimal("90.00")}
    assert unit_results([tree.township_a1.pk], Y)[tree.township_a1.pk] == Decimal("85")

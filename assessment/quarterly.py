"""The quarterly review (季度总评, ZJK 14; X): one run computes, for a quarter,

1. each unit's score: the base of the rules plus its approved points;
2. each serving cadre's quarterly review: weekly records and monthly summaries against those due,
   the result of the units they lead or supervise (三个挂钩) or else of their own unit, and the
   360-degree score of the quarter — weighted by the rules — and the grade from the thresholds;
3. the rankings of every ranking group, with the places of the quarter before;
4. the consequences the rules call for, each recorded once and announced by an event;
5. a performance-record entry per reviewed cadre.

Each step is one set-based SQL statement (no Python loop per cadre) in its own transaction, so
the run's progress is visible while it goes and a failed run can simply be run again. Every
statement writes only rows whose values change (`IS DISTINCT FROM`) or that are new (consequences
and performance entries are append-only and keyed): running a quarter twice changes nothing.

The rules are the nationwide (top-level) versions of `assessment.quarterly_rules` and
`assessment.consequence_rules`: one run covers every unit.
"""

import logging
import time
from datetime import date, timedelta
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.events import event_record_many
from cadre.models import Cadre
from cadre.selectors import policy_items

from .choices import (
    KIND_CONSEQUENCE_RULES,
    KIND_QUARTERLY_RULES,
    ConsequenceCause,
    ConsequenceKind,
    QuarterlyGrade,
    RunStatus,
)
from .evaluation import MIN_GROUP_SIZE
from .models import WRITE_ROLES, QuarterlyRun

logger = logging.getLogger(__name__)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def last_complete_quarter(today: date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return previous_quarter(today.year, (today.month - 1) // 3 + 1)


def _rules(kind):
    _list, items = policy_items(kind, None)
    return {i.code: i.params or {} for i in items}


def _due(start: date, end: date) -> tuple[int, int]:
    """Weeks (Mondays) and months of the quarter up to its end or today."""
    last = min(end, timezone.localdate())
    if last < start:
        return 1, 1
    first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = max(1, (last - first_monday).days // 7 + 1) if first_monday <= last else 1
    months = (last.year - start.year) * 12 + last.month - start.month + 1
    return weeks, max(1, months)


def _params(year, quarter):
    rules = _rules(KIND_QUARTERLY_RULES)
    weights = rules.get("weights", {})
    records = rules.get("records", {})
    grades = rules.get("grades", {})
    start, end = quarter_bounds(year, quarter)
    weeks_due, months_due = _due(start, end)
    prev_year, prev_quarter = previous_quarter(year, quarter)
    return {
        "y": year,
        "q": quarter,
        "today": timezone.localdate(),
        "min_group": MIN_GROUP_SIZE,
        "start": start,
        "end": end,
        "prev_y": prev_year,
        "prev_q": prev_quarter,
        "weeks_due": weeks_due,
        "months_due": months_due,
        "w_records": Decimal(str(weights.get("records", 30))),
        "w_unit": Decimal(str(weights.get("unit", 40))),
        "w_eval": Decimal(str(weights.get("evaluation", 30))),
        "weekly_share": Decimal(str(records.get("weekly_share", "0.7"))),
        "monthly_share": Decimal(str(records.get("monthly_share", "0.3"))),
        "base": Decimal(str(rules.get("unit_base", {}).get("base", 80))),
        "good": Decimal(str(grades.get("good", 90))),
        "fairly_good": Decimal(str(grades.get("fairly_good", 80))),
        "average": Decimal(str(grades.get("average", 60))),
    }


UNIT_SCORES = """
INSERT INTO assessment_unitquarterscore (unit_id, year, quarter, points, score)
SELECT u.id, %(y)s, %(q)s, COALESCE(p.total, 0), %(base)s + COALESCE(p.total, 0)
FROM cadre_unit u
LEFT JOIN (
    SELECT unit_id, SUM(points) AS total FROM assessment_pointsentry
    WHERE status = 'approved' AND occurred_on BETWEEN %(start)s AND %(end)s
    GROUP BY unit_id
) p ON p.unit_id = u.id
ON CONFLICT (unit_id, year, quarter) DO UPDATE
SET points = EXCLUDED.points, score = EXCLUDED.score
WHERE (assessment_unitquarterscore.points, assessment_unitquarterscore.score)
      IS DISTINCT FROM (EXCLUDED.points, EXCLUDED.score)
"""

# The 360-degree score of a cadre in the quarter, as `assessment.evaluation` computes it: per
# finished round, the averages of the groups with at least MIN_GROUP_SIZE scores weighted by the
# weights of the list version the round recorded, over those groups; the mean over the rounds.
# A round without a quarter (a yearly round) counts in the fourth quarter.
REVIEWS = """
WITH w AS (
    SELECT cadre_id, COUNT(*) AS n FROM assessment_weeklyrecord
    WHERE week_start BETWEEN %(start)s AND %(end)s GROUP BY cadre_id
), m AS (
    SELECT cadre_id, COUNT(*) AS n FROM assessment_monthlysummary
    WHERE month BETWEEN %(start)s AND %(end)s GROUP BY cadre_id
), us AS (
    SELECT unit_id, points, LEAST(GREATEST(score, 0), 100) AS component
    FROM assessment_unitquarterscore WHERE year = %(y)s AND quarter = %(q)s
), links AS (
    SELECT l.cadre_id, AVG(us.points) AS points, AVG(us.component) AS component
    FROM assessment_supervisionlink l JOIN us ON us.unit_id = l.unit_id
    GROUP BY l.cadre_id
), ev_group AS (
    SELECT s.cadre_id, sc.evaluation_id, sc."group", AVG(sc.score) AS average
    FROM assessment_evaluationscore sc
    JOIN assessment_evaluationsubject s ON s.id = sc.subject_id
    JOIN assessment_evaluation e ON e.id = sc.evaluation_id
    WHERE s.cadre_id IS NOT NULL AND e.year = %(y)s
      AND (e.quarter = %(q)s OR (e.quarter IS NULL AND %(q)s = 4))
      AND (e.status = 'closed' OR e.closes_on < %(today)s)
    GROUP BY s.cadre_id, sc.evaluation_id, sc."group"
    HAVING COUNT(*) >= %(min_group)s
), ev_round AS (
    SELECT g.cadre_id, g.evaluation_id,
           SUM(g.average * (i.params ->> 'weight')::numeric)
               / NULLIF(SUM((i.params ->> 'weight')::numeric), 0) AS score
    FROM ev_group g
    JOIN assessment_evaluation e ON e.id = g.evaluation_id
    JOIN cadre_policyitem i ON i.policy_list_id = e.groups_list_id AND i.code = g."group"
    GROUP BY g.cadre_id, g.evaluation_id
), ev AS (
    SELECT cadre_id, AVG(score) AS score FROM ev_round GROUP BY cadre_id
), parts AS (
    SELECT c.id AS cadre_id, c.unit_id,
           COALESCE(w.n, 0) AS weeks, COALESCE(m.n, 0) AS months,
           COALESCE(links.points, us.points, 0) AS points,
           ROUND(ev.score, 2) AS evaluation,
           100 * (LEAST(COALESCE(w.n, 0)::numeric / %(weeks_due)s, 1) * %(weekly_share)s
                  + LEAST(COALESCE(m.n, 0)::numeric / %(months_due)s, 1) * %(monthly_share)s)
               AS records,
           COALESCE(links.component, us.component, %(base)s) AS unit_part
    FROM cadre_cadre c
    LEFT JOIN w ON w.cadre_id = c.id
    LEFT JOIN m ON m.cadre_id = c.id
    LEFT JOIN us ON us.unit_id = c.unit_id
    LEFT JOIN links ON links.cadre_id = c.id
    LEFT JOIN ev ON ev.cadre_id = c.id
    WHERE c.status = 'active'
), scored AS (
    SELECT *, ROUND(CASE WHEN evaluation IS NULL
        THEN (%(w_records)s * records + %(w_unit)s * unit_part) / (%(w_records)s + %(w_unit)s)
        ELSE (%(w_records)s * records + %(w_unit)s * unit_part + %(w_eval)s * evaluation)
             / (%(w_records)s + %(w_unit)s + %(w_eval)s)
    END, 2) AS score
    FROM parts
)
INSERT INTO assessment_quarterlyreview
    (cadre_id, year, quarter, unit_id, weeks_recorded, months_summarised, points,
     evaluation_score, score, grade, computed_at)
SELECT cadre_id, %(y)s, %(q)s, unit_id, weeks, months, ROUND(points, 2), evaluation, score,
       CASE WHEN score >= %(good)s THEN 'good'
            WHEN score >= %(fairly_good)s THEN 'fairly_good'
            WHEN score >= %(average)s THEN 'average'
            ELSE 'poor' END,
       now()
FROM scored
ON CONFLICT (cadre_id, year, quarter) DO UPDATE
SET unit_id = EXCLUDED.unit_id, weeks_recorded = EXCLUDED.weeks_recorded,
    months_summarised = EXCLUDED.months_summarised, points = EXCLUDED.points,
    evaluation_score = EXCLUDED.evaluation_score, score = EXCLUDED.score,
    grade = EXCLUDED.grade, computed_at = EXCLUDED.computed_at
WHERE (assessment_quarterlyreview.unit_id, assessment_quarterlyreview.weeks_recorded,
       assessment_quarterlyreview.months_summarised, assessment_quarterlyreview.points,
       assessment_quarterlyreview.evaluation_score, assessment_quarterlyreview.score,
       assessment_quarterlyreview.grade)
      IS DISTINCT FROM
      (EXCLUDED.unit_id, EXCLUDED.weeks_recorded, EXCLUDED.months_summarised, EXCLUDED.points,
       EXCLUDED.evaluation_score, EXCLUDED.score, EXCLUDED.grade)
"""

_RANKING_UPSERT = """
INSERT INTO assessment_rankingentry
    (group_id, year, quarter, {subject}_id, score, rank, size, previous_rank, is_top, is_bottom)
SELECT group_id, %(y)s, %(q)s, subject_id, score, place, size, previous_rank,
       place <= top_n, place > size - bottom_n
FROM (
    SELECT g.id AS group_id, g.top_n, g.bottom_n, s.subject_id, s.score,
           RANK() OVER (PARTITION BY g.id ORDER BY s.score DESC) AS place,
           COUNT(*) OVER (PARTITION BY g.id) AS size,
           prev.rank AS previous_rank
    FROM assessment_rankinggroup g
    JOIN {members} mem ON mem.rankinggroup_id = g.id
    JOIN ({scores}) s ON s.subject_id = mem.{subject}_id
    LEFT JOIN assessment_rankingentry prev
        ON prev.group_id = g.id AND prev.{subject}_id = s.subject_id
       AND prev.year = %(prev_y)s AND prev.quarter = %(prev_q)s
    WHERE g.kind = '{subject}'
) ranked
ON CONFLICT (group_id, year, quarter, {subject}_id) WHERE {subject}_id IS NOT NULL DO UPDATE
SET score = EXCLUDED.score, rank = EXCLUDED.rank, size = EXCLUDED.size,
    previous_rank = EXCLUDED.previous_rank, is_top = EXCLUDED.is_top,
    is_bottom = EXCLUDED.is_bottom
WHERE (assessment_rankingentry.score, assessment_rankingentry.rank, assessment_rankingentry.size,
       assessment_rankingentry.previous_rank, assessment_rankingentry.is_top,
       assessment_rankingentry.is_bottom)
      IS DISTINCT FROM
      (EXCLUDED.score, EXCLUDED.rank, EXCLUDED.size, EXCLUDED.previous_rank, EXCLUDED.is_top,
       EXCLUDED.is_bottom)
"""
RANK_CADRES = _RANKING_UPSERT.format(
    subject="cadre",
    members="assessment_rankinggroup_cadres",
    scores="SELECT cadre_id AS subject_id, score FROM assessment_quarterlyreview "
    "WHERE year = %(y)s AND quarter = %(q)s",
)
RANK_UNITS = _RANKING_UPSERT.format(
    subject="unit",
    members="assessment_rankinggroup_units",
    scores="SELECT unit_id AS subject_id, score FROM assessment_unitquarterscore "
    "WHERE year = %(y)s AND quarter = %(q)s",
)

# Each consequence statement selects (cadre_id, kind, cause, occurrence, year, quarter, detail,
# source_key); the insert keeps the new ones (source_key unique) and returns them.
_INSERT_CONSEQUENCES = """
INSERT INTO assessment_consequence
    (cadre_id, kind, cause, occurrence, year, quarter, detail, source_key, created_at)
SELECT cadre_id, kind, cause, occurrence, year, quarter, detail, source_key, now()
FROM ({select}) found
ON CONFLICT (source_key) DO NOTHING
RETURNING id, cadre_id, kind, cause, occurrence
"""

# X: a work item ranked in the city's bottom 3 or a city-level criticism notice → for the
# responsible leaders (head and supervising leader of the unit) the 1st, 2nd, 3rd occurrence
# in the year → 提醒谈话, 诫勉谈话, 组织处理.
LADDER = """
SELECT cadre_id,
       (%(kinds)s::text[])[LEAST(occurrence, array_length(%(kinds)s::text[], 1))] AS kind,
       %(cause)s AS cause, occurrence, %(y)s AS year, %(q)s AS quarter,
       detail, 'ladder:' || entry_id || ':' || cadre_id AS source_key
FROM (
    SELECT l.cadre_id, e.id AS entry_id,
           ROW_NUMBER() OVER (PARTITION BY l.cadre_id ORDER BY e.occurred_on, e.id) AS occurrence,
           u.name || '：' || i.label || '（' || e.occurred_on || '）' AS detail,
           e.occurred_on
    FROM assessment_pointsentry e
    JOIN cadre_policyitem i ON i.id = e.item_id
    JOIN cadre_unit u ON u.id = e.unit_id
    JOIN assessment_supervisionlink l ON l.unit_id = e.unit_id
    WHERE e.status = 'approved' AND (i.params ->> 'consequence_trigger')::boolean
      AND e.occurred_on BETWEEN make_date(%(y)s, 1, 1) AND %(end)s
) counted
WHERE occurred_on >= %(start)s
"""

BASIC_GRADE = """
SELECT g.cadre_id, %(kind)s AS kind, %(cause)s AS cause, 1 AS occurrence,
       c.year, NULL::smallint AS quarter,
       c.year || '年度考核为基本称职' AS detail,
       'basic:' || c.id || ':' || g.cadre_id AS source_key
FROM assessment_annualgrade g JOIN assessment_assessmentcycle c ON c.id = g.cycle_id
WHERE g.grade = 'basic' AND c.status <> 'open' AND c.year <= %(y)s
"""

LOW_DEMOCRATIC = """
SELECT cadre_id, %(kind)s AS kind, %(cause)s AS cause, 1 AS occurrence, year, quarter,
       '360度评价得分' || evaluation_score || '，低于' || %(below)s AS detail,
       'democratic:' || year || ':' || quarter || ':' || cadre_id AS source_key
FROM assessment_quarterlyreview
WHERE year = %(y)s AND quarter = %(q)s AND evaluation_score < %(below)s
"""

REPEATED_LOSSES = """
SELECT l.cadre_id, %(kind)s AS kind, %(cause)s AS cause, 1 AS occurrence,
       %(y)s AS year, %(q)s AS quarter,
       u.name || '本季度扣分' || d.n || '次' AS detail,
       'losses:' || %(y)s || ':' || %(q)s || ':' || d.unit_id || ':' || l.cadre_id AS source_key
FROM (
    SELECT unit_id, COUNT(*) AS n FROM assessment_pointsentry
    WHERE status = 'approved' AND points < 0 AND occurred_on BETWEEN %(start)s AND %(end)s
    GROUP BY unit_id HAVING COUNT(*) >= %(deductions)s
) d
JOIN cadre_unit u ON u.id = d.unit_id
JOIN assessment_supervisionlink l ON l.unit_id = d.unit_id
"""

# X: 年度综合考核连续两年排名靠后 → the annual ranking is the fourth quarter's.
LOW_TWO_YEARS = """
SELECT now_.cadre_id, %(kind)s AS kind, %(cause)s AS cause, 1 AS occurrence,
       %(y)s AS year, NULL::smallint AS quarter,
       g.name || '：' || (%(y)s - 1) || '年、' || %(y)s || '年第四季度均排名后' || g.bottom_n || '名'
           AS detail,
       'low2:' || %(y)s || ':' || g.id || ':' || now_.cadre_id AS source_key
FROM assessment_rankingentry now_
JOIN assessment_rankingentry before
  ON before.group_id = now_.group_id AND before.cadre_id = now_.cadre_id
 AND before.year = %(y)s - 1 AND before.quarter = 4 AND before.is_bottom
JOIN assessment_rankinggroup g ON g.id = now_.group_id
WHERE now_.year = %(y)s AND now_.quarter = 4 AND now_.is_bottom AND now_.cadre_id IS NOT NULL
  AND %(q)s = 4
"""

PERFORMANCE = """
INSERT INTO cadre_performanceentry
    (cadre_id, occurred_on, source, category, title, detail, source_key, created_at)
SELECT r.cadre_id, %(end)s, 'assessment', 'quarterly_' || r.grade,
       %(y)s || '年第' || %(q)s || '季度总评：' || CASE r.grade
           WHEN 'good' THEN %(label_good)s WHEN 'fairly_good' THEN %(label_fairly_good)s
           WHEN 'average' THEN %(label_average)s ELSE %(label_poor)s END,
       '综合得分' || r.score || '；纪实' || r.weeks_recorded || '周，小结' || r.months_summarised || '月',
       'assessment.quarterly:' || %(y)s || ':' || %(q)s, now()
FROM assessment_quarterlyreview r
WHERE r.year = %(y)s AND r.quarter = %(q)s
ON CONFLICT (cadre_id, source_key) WHERE NOT source_key = '' DO NOTHING
"""


def _execute(sql, params) -> tuple[int, list]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.rowcount, rows


def _consequences(params) -> list[tuple]:
    rules = _rules(KIND_CONSEQUENCE_RULES)
    created = []
    ladder = rules.get("ladder")
    if ladder:
        select = LADDER
        args = {
            **params,
            "kinds": ladder.get("kinds"),
            "cause": ConsequenceCause.BOTTOM_OR_CRITICISM,
        }
        created += _execute(_INSERT_CONSEQUENCES.format(select=select), args)[1]
    simple = [
        ("basic_grade", BASIC_GRADE, ConsequenceCause.BASIC_GRADE),
        ("low_democratic", LOW_DEMOCRATIC, ConsequenceCause.LOW_DEMOCRATIC),
        ("repeated_losses", REPEATED_LOSSES, ConsequenceCause.REPEATED_LOSSES),
        ("low_two_years", LOW_TWO_YEARS, ConsequenceCause.LOW_TWO_YEARS),
    ]
    for code, select, cause in simple:
        rule = rules.get(code)
        if rule is None:
            continue
        args = {
            **params,
            "kind": rule.get("kind", ConsequenceKind.INTERVIEW_REMINDER),
            "cause": cause,
            "below": Decimal(str(rule.get("below", 60))),
            "deductions": int(rule.get("deductions", 3)),
        }
        created += _execute(_INSERT_CONSEQUENCES.format(select=select), args)[1]
    return created


def _announce(created, params):
    """One domain event per new consequence (care turns talks into due talks; incentives reads
    restrictions), recorded in one insert and dispatched by one task. Only new rows are
    announced, so a re-run announces nothing."""
    if not created:
        return
    cadres = Cadre.objects.select_related("unit").in_bulk([row[1] for row in created])
    event_record_many(
        [
            {
                "kind": "assessment.consequence_decided",
                "cadre": cadres[cadre_id],
                "source_type": "assessment.consequence",
                "source_id": consequence_id,
                "payload": {
                    "consequence_id": consequence_id,
                    "consequence": kind,
                    "cause": cause,
                    "occurrence": occurrence,
                    "year": params["y"],
                    "quarter": params["q"],
                },
            }
            for consequence_id, cadre_id, kind, cause, occurrence in created
        ]
    )


def _quiet_trigger_checks():
    """The history and protection triggers look up two settings in a block that catches the
    error when they are unset; each caught error rolls back a subtransaction, which makes a
    statement writing 200,000 rows slow down with the square of its size. With both settings
    present (the history context set by `pghistory.context`, an empty ignore list here) the
    triggers run at their normal cost, and the history is attributed to the job."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")


def _progress(run, step, percent, counts):
    QuarterlyRun.objects.filter(pk=run.pk).update(step=step, percent=percent, counts=counts)


def quarterly_review_run(year: int, quarter: int, run: QuarterlyRun | None = None) -> QuarterlyRun:
    """Run the quarterly review of a quarter (see the module docstring). Returns the run, with
    per step the rows written or changed and the seconds taken."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度须为1至4")})
    if run is None:
        run = QuarterlyRun.objects.create(year=year, quarter=quarter, status=RunStatus.RUNNING)
    params = _params(year, quarter)
    labels = dict(QuarterlyGrade.choices)
    params.update({f"label_{k}": str(v) for k, v in labels.items()})
    counts: dict = {}
    steps = [
        ("unit_scores", _("单位季度得分"), lambda: _execute(UNIT_SCORES, params)[0]),
        ("reviews", _("干部季度总评"), lambda: _execute(REVIEWS, params)[0]),
        (
            "rankings",
            _("综合评价排名"),
            lambda: _execute(RANK_CADRES, params)[0] + _execute(RANK_UNITS, params)[0],
        ),
        ("consequences", _("考核结果运用"), None),
        ("performance", _("记入实绩档案"), lambda: _execute(PERFORMANCE, params)[0]),
    ]
    try:
        for n, (code, label, func) in enumerate(steps):
            _progress(run, str(label), round(100 * n / len(steps)), counts)
            began = time.monotonic()
            with transaction.atomic(), pghistory.context(job="assessment.quarterly_review"):
                _quiet_trigger_checks()
                if func is None:
                    created = _consequences(params)
                    _announce(created, params)
                    written = len(created)
                else:
                    written = func()
            counts[code] = {"rows": written, "seconds": round(time.monotonic() - began, 2)}
    except Exception as exc:
        logger.exception("quarterly review %sQ%s failed", year, quarter)
        QuarterlyRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=repr(exc)[:2000],
            counts=counts,
            finished_at=timezone.now(),
        )
        raise
    QuarterlyRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        step=str(_("已完成")),
        percent=100,
        counts=counts,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def quarterly_run_start(*, actor, year: int, quarter: int) -> QuarterlyRun:
    """Start the quarterly review of a quarter in the worker (organisation department). A run of
    the same quarter still going is returned instead of starting a second one."""
    if not getattr(actor, "is_superuser", False) and not set(actor.roles or []) & WRITE_ROLES:
        raise PermissionDenied(_("季度总评由组织部门启动"))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度须为1至4")})
    start, _end = quarter_bounds(year, quarter)
    if start > timezone.localdate():
        raise ValidationError({"quarter": _("该季度尚未开始")})
    from .tasks import quarterly_review_task

    with transaction.atomic():
        running = (
            QuarterlyRun.objects.select_for_update()
            .filter(year=year, quarter=quarter, status=RunStatus.RUNNING)
            .first()
        )
        if running is not None:
            return running
        run = QuarterlyRun.objects.create(year=year, quarter=quarter, status=RunStatus.RUNNING)
        quarterly_review_task.delay_on_commit(year, quarter, run.pk)
    return run

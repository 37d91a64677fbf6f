"""A year of assessment data for the bench province of seed_bench (the benchmark of the
quarterly review, bench/quarterly.py), written with PostgreSQL COPY.

    manage.py seed_assessment_bench [--cadres 200000] [--weeks-share 0.77]

The year is the last four complete quarters before today. Loaded, each part skipped when the
bench tree already has it:

- weekly records: every active cadre, about 40 of the 52 weeks (most cadres record most weeks,
  some seldom, a few never) — about 8 million rows at 200,000 cadres;
- monthly summaries: about 10 of the 12 months, most reviewed;
- points entries: 1-5 per unit (townships, departments, county and city organs) per quarter,
  approved, from the published `assessment.points_catalogue` list; about a quarter deductions,
  some of them consequence-trigger items (bottom 3 in the city, criticism notice);
- supervision links (三个挂钩): the head of every unit (its most senior cadre) and each county
  leader (county party committee and government, 处级) supervising 2-4 units of the county;
- ranking groups: per county its township heads (party secretary and township head), per city
  its county heads (county party secretary and county head), per city its departments as a
  unit group;
- a 360-degree evaluation per county per quarter, closed, its subjects the county's leaders,
  each scored by 25-45 anonymous raters of the published `assessment.rater_groups` list;
- last year's annual assessment: one cycle per county (the county's cadres) and per city (the
  city organs' cadres), fed back, every active cadre graded (about 15 % 优秀, 2 % 基本称职).

Per-row triggers (the pghistory audit triggers and the deferred foreign-key checks) are off
for the load, as in seed_bench: the rows are generated consistently here.
"""

import datetime
import io
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from assessment import ordinary, points
from assessment.choices import (
    KIND_EXCELLENCE_BLOCKERS,
    KIND_GRADE_QUOTAS,
    KIND_POINTS_CATALOGUE,
    KIND_RATER_GROUPS,
    CycleStatus,
    EvaluationStatus,
    Grade,
    LinkKind,
    PointsRole,
    PointsStatus,
    RankingKind,
)
from assessment.models import (
    AnnualGrade,
    AssessmentCycle,
    Evaluation,
    EvaluationScore,
    EvaluationSubject,
    MonthlySummary,
    PointsEntry,
    RankingGroup,
    SupervisionLink,
    WeeklyRecord,
)
from cadre import demo_data as dd
from cadre.choices import CadreStatus, UnitKind
from cadre.management.commands.seed_bench import ROOT_CODE, _bulk_load
from cadre.models import Cadre, PostLevel, Unit
from cadre.selectors import policy_list_for

SEED = 515151
CHUNK_ROWS = 200_000

WORK_DONE = [
    "推进重点项目建设，协调解决征地拆迁问题",
    "开展安全生产大检查，整改隐患多处",
    "走访困难群众，落实帮扶措施",
    "参加理论学习中心组学习，撰写心得体会",
    "督导秋粮收储工作，保障农民利益",
    "处理群众来信来访，化解矛盾纠纷",
    "组织召开专题会议，部署近期重点工作",
    "深入村组调研乡村振兴产业发展情况",
    "完成上级交办的统计报表和材料起草",
    "参与招商引资洽谈，跟进签约项目落地",
    "开展环境整治，督促问题整改到位",
    "做好防汛值班值守，排查地质灾害隐患",
]
NEXT_PLAN = [
    "继续跟进项目进度",
    "完成月度工作总结",
    "开展入户走访",
    "组织业务培训",
    "",
]
SUMMARIES = [
    "本月按计划完成各项工作任务，重点工作取得进展",
    "本月工作总体平稳，个别任务进度滞后，下月加快推进",
    "本月牵头完成专项整治，成效明显",
    "本月加强学习，业务能力有所提升",
]
REVIEWS = ["已阅，工作扎实", "已阅，请加快进度", "已阅", ""]
EVIDENCE = "市考核办通报文件及相关佐证材料"
RESPONSIBILITY = [
    "主动担当作为，完成年度目标任务",
    "在急难险重任务中冲锋在前",
    "工作作风扎实，敢于动真碰硬",
    "履职尽责，较好完成分管工作",
]


def _line(*values):
    """One row in COPY's text format (values contain no tabs, newlines or backslashes)."""
    return "\t".join(r"\N" if v is None else str(v) for v in values) + "\n"


class _Copier:
    """COPYs text chunks into one table; a worker thread sends a chunk while the caller builds
    the next (psycopg2 releases the GIL while PostgreSQL works)."""

    def __init__(self, raw_cursor, model, columns):
        self.cursor = raw_cursor
        self.sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        self.lines, self.rows = [], 0
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending = None

    def add(self, line):
        self.lines.append(line)
        if len(self.lines) >= CHUNK_ROWS:
            self.flush()

    def flush(self):
        text, self.rows = "".join(self.lines), self.rows + len(self.lines)
        self.lines = []
        self.wait()
        self.pending = self.pool.submit(self.cursor.copy_expert, self.sql, io.StringIO(text))

    def wait(self):
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                if self.lines:
                    self.flush()
                self.wait()
        finally:
            self.pool.shutdown(wait=True)


def last_quarters(today, n=4):
    """The last `n` complete quarters before `today`, oldest first: [(year, quarter)]."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        out.append((year, quarter))
    return out[::-1]


def quarter_bounds(year, quarter):
    first = datetime.date(year, 3 * quarter - 2, 1)
    nxt = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


class Command(BaseCommand):
    help = "Load a year of assessment data on the bench cadres (PostgreSQL COPY)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--cadres", type=int, default=200_000, help="cadres to seed if the bench has none"
        )
        parser.add_argument(
            "--weeks-share",
            type=float,
            default=0.77,
            help="average share of the weeks a cadre records (0.77: about 40 of 52)",
        )
        parser.add_argument("--seed", type=int, default=SEED)

    def handle(self, *args, cadres, weeks_share, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_assessment_bench needs PostgreSQL (it uses COPY)")
        root = Unit.objects.filter(code=ROOT_CODE).first()
        if root is None or not Cadre.objects.filter(unit__path__startswith=root.path).exists():
            self.stdout.write(f"no bench cadres: running seed_bench --cadres {cadres}")
            call_command("seed_bench", cadres=cadres, flush=root is not None)
            root = Unit.objects.get(code=ROOT_CODE)
        self.root = root
        self.rng = random.Random(seed)
        self.quarters = last_quarters(timezone.localdate())
        self.start = quarter_bounds(*self.quarters[0])[0]
        self.end = quarter_bounds(*self.quarters[-1])[1]
        self.now = timezone.now()
        self.load_tree()

        parts = [
            ("weekly records", WeeklyRecord, self.weekly_exists, lambda: self.weekly(weeks_share)),
            ("monthly summaries", MonthlySummary, self.monthly_exists, self.monthly),
            ("points entries", PointsEntry, self.points_exist, self.points),
            ("supervision links", SupervisionLink, self.links_exist, self.links),
            ("ranking groups", RankingGroup, self.groups_exist, self.groups),
            ("360 evaluations", Evaluation, self.evaluations_exist, self.evaluations),
            ("annual grades", AnnualGrade, self.annual_exists, self.annual),
        ]
        started = time.monotonic()
        loaded = []
        for label, model, exists, load in parts:
            if exists():
                self.stdout.write(f"  {label}: present, skipped")
                continue
            t0 = time.monotonic()
            with transaction.atomic(), _bulk_load():
                n = load()
            loaded.append(model)
            self.stdout.write(f"  {label}: {n:,} rows in {time.monotonic() - t0:.1f}s", ending="\n")
            self.stdout.flush()
        if loaded:
            t0 = time.monotonic()
            tables = {
                WeeklyRecord: [WeeklyRecord],
                MonthlySummary: [MonthlySummary],
                PointsEntry: [PointsEntry],
                SupervisionLink: [SupervisionLink],
                RankingGroup: [
                    RankingGroup,
                    RankingGroup.cadres.through,
                    RankingGroup.units.through,
                ],
                Evaluation: [Evaluation, EvaluationSubject, EvaluationScore],
                AnnualGrade: [AssessmentCycle, AnnualGrade],
            }
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in loaded:
                    for table in tables[model]:
                        cursor.execute(f"{command} {table._meta.db_table}")
            self.stdout.write(f"  {command.lower()}: {time.monotonic() - t0:.1f}s")
        first, last = self.quarters[0], self.quarters[-1]
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_assessment_bench: {first[0]}Q{first[1]}-{last[0]}Q{last[1]}, "
                f"{len(self.cadres):,} cadres, {time.monotonic() - started:.1f}s"
            )
        )

    # -- the tree -----------------------------------------------------------------------------

    def load_tree(self):
        units = list(
            Unit.objects.filter(path__startswith=self.root.path)
            .order_by("path")
            .values("id", "code", "name", "kind", "level")
        )
        self.units = units
        self.by_code = {u["code"]: u for u in units}
        order = dict(PostLevel.objects.values_list("id", "order"))
        self.cadres = []  # (id, unit id), by unit then seniority (seed_bench writes seniors first)
        self.unit_cadres = defaultdict(list)  # unit id → [(cadre id, level order or 0)]
        rows = (
            Cadre.objects.filter(unit__path__startswith=self.root.path, status=CadreStatus.ACTIVE)
            .order_by("unit_id", "id")
            .values_list("id", "unit_id", "post_level_id")
        )
        for pk, unit_id, level_id in rows.iterator(chunk_size=20_000):
            self.cadres.append((pk, unit_id))
            self.unit_cadres[unit_id].append((pk, order.get(level_id, 0)))
        if not self.cadres:
            raise CommandError("the bench tree has no active cadres")
        self.counties = [u for u in units if u["code"].count("-") == 2 and "-X" in u["code"]]
        self.cities = [u for u in units if u["code"].count("-") == 1]

    def children(self, code, kinds=None):
        prefix = code + "-"
        return [
            u
            for u in self.units
            if u["code"].startswith(prefix)
            and u["code"].count("-") == code.count("-") + 1
            and (kinds is None or u["kind"] in kinds)
        ]

    def organ(self, county, suffix):
        return self.by_code.get(f"{county['code']}-{suffix}")

    def county_leaders(self, county):
        """Cadres of the county's party committee and government at 处级 (county level)."""
        leaders = []
        for suffix in ("XW", "ZF"):
            organ = self.organ(county, suffix)
            if organ:
                leaders += [pk for pk, o in self.unit_cadres[organ["id"]] if o >= 30]
        return leaders

    def bench_cadres(self, qs, field="cadre"):
        return qs.filter(**{f"{field}__unit__path__startswith": self.root.path})

    # -- weekly records and monthly summaries --------------------------------------------------

    def weekly_exists(self):
        return self.bench_cadres(
            WeeklyRecord.objects.filter(week_start__range=(self.start, self.end))
        ).exists()

    def diligence(self, rng, share):
        """A cadre's chance of recording a given week: most record most weeks, some seldom, a
        few never; the mean is `share`."""
        roll = rng.random()
        if roll < 0.02:
            return 0.0
        if roll < 0.17:
            return share * 0.45
        return min(1.0, share * 1.10)

    def weekly(self, share):
        weeks = [w for y, q in self.quarters for w in ordinary.working_weeks(y, q, on=self.end)]
        week_text = [
            (w.isoformat(), (datetime.datetime.combine(w, datetime.time(9)) +
                             datetime.timedelta(days=4)).isoformat() + "+08")
            for w in weeks
        ]  # fmt: skip
        rng = self.rng
        columns = ["cadre_id", "week_start", "work_done", "next_plan", "recorded_at"]
        n_work, n_plan = len(WORK_DONE), len(NEXT_PLAN)
        with connection.cursor() as wrapper, _Copier(wrapper.cursor, WeeklyRecord, columns) as out:
            for pk, _unit in self.cadres:
                p = self.diligence(rng, share)
                if not p:
                    continue
                for week, at in week_text:
                    if rng.random() < p:
                        out.add(
                            f"{pk}\t{week}\t{WORK_DONE[int(rng.random() * n_work)]}\t"
                            f"{NEXT_PLAN[int(rng.random() * n_plan)]}\t{at}\n"
                        )
        return out.rows

    def monthly_exists(self):
        return self.bench_cadres(
            MonthlySummary.objects.filter(month__range=(self.start, self.end))
        ).exists()

    def monthly(self):
        months = [m for y, q in self.quarters for m in ordinary.due_months(y, q, on=self.end)]
        month_text = [
            (m.isoformat(), (m.replace(day=28)).isoformat() + " 17:00+08") for m in months
        ]
        rng = self.rng
        columns = ["cadre_id", "month", "summary", "review", "recorded_at"]
        with (
            connection.cursor() as wrapper,
            _Copier(wrapper.cursor, MonthlySummary, columns) as out,
        ):
            for pk, _unit in self.cadres:
                p = 0.0 if rng.random() < 0.02 else (0.45 if rng.random() < 0.12 else 0.9)
                for month, at in month_text:
                    if rng.random() < p:
                        out.add(_line(pk, month, rng.choice(SUMMARIES), rng.choice(REVIEWS), at))
        return out.rows

    # -- points -------------------------------------------------------------------------------

    def points_exist(self):
        return PointsEntry.objects.filter(
            unit__path__startswith=self.root.path, occurred_on__range=(self.start, self.end)
        ).exists()

    def points(self):
        catalogue = policy_list_for(KIND_POINTS_CATALOGUE, None)
        if catalogue is None:
            raise CommandError("no published points catalogue")
        items = list(catalogue.items.all())
        adds = [i for i in items if points.item_direction(i) == points.ADD]
        deducts = [i for i in items if points.item_direction(i) == points.DEDUCT]
        triggers = [i for i in deducts if points.item_is_trigger(i)]
        plain_deducts = [i for i in deducts if not points.item_is_trigger(i)]
        rng = self.rng
        columns = [
            "unit_id", "cadre_id", "catalogue_id", "item_id", "occurred_on", "base_points",
            "role", "points", "evidence", "status", "submitted_at", "reviewed_at", "review_note",
        ]  # fmt: skip
        scored = [u for u in self.units if u["code"] != ROOT_CODE]
        with connection.cursor() as wrapper, _Copier(wrapper.cursor, PointsEntry, columns) as out:
            for year, quarter in self.quarters:
                first, last = quarter_bounds(year, quarter)
                span = (last - first).days
                for unit in scored:
                    # A few units lose points repeatedly in a quarter (the 约谈提醒 rule).
                    n = rng.choice((1, 2, 2, 3, 3, 4, 5))
                    heavy = rng.random() < 0.04
                    if heavy:
                        n = max(n, 3)
                    for k in range(n):
                        roll = rng.random()
                        if heavy and k < 3:
                            item = rng.choice(deducts)
                        elif roll < 0.06:
                            item = rng.choice(triggers)
                        elif roll < 0.25:
                            item = rng.choice(plain_deducts)
                        else:
                            item = rng.choice(adds)
                        base = points.item_default_points(item)
                        if base is None:
                            base = Decimal(rng.choice(("0.5", "1", "1.5", "2", "3")))
                        role = ""
                        if points.item_is_double(item) and unit["kind"] == UnitKind.DEPARTMENT:
                            role = rng.choice((PointsRole.LEAD, PointsRole.RESPONSIBLE, ""))
                        value = points.compute_points(item, base, role)
                        day = first + datetime.timedelta(days=rng.randint(0, span))
                        staff = self.unit_cadres.get(unit["id"])
                        cadre = staff[0][0] if staff and rng.random() < 0.2 else None
                        at = f"{day.isoformat()} 10:00+08"
                        out.add(
                            _line(
                                unit["id"], cadre, catalogue.pk, item.pk, day.isoformat(),
                                base, str(role), value, EVIDENCE, PointsStatus.APPROVED.value,
                                at, f"{(day + datetime.timedelta(days=3)).isoformat()} 10:00+08",
                                "同意",
                            )
                        )  # fmt: skip
        return out.rows

    # -- three links and ranking groups --------------------------------------------------------

    def links_exist(self):
        return SupervisionLink.objects.filter(unit__path__startswith=self.root.path).exists()

    def links(self):
        rng = self.rng
        rows = []
        for unit in self.units:
            staff = self.unit_cadres.get(unit["id"])
            if unit["kind"] != UnitKind.REGION and staff:
                rows.append((staff[0][0], unit["id"], LinkKind.HEAD.value))
        for county in self.counties:
            supervised = [
                u for u in self.children(county["code"]) if u["code"][-2:] not in ("XW", "ZF")
            ]
            heads = {pk for pk, _u, _k in rows}
            for leader in self.county_leaders(county):
                if leader in heads or not supervised:
                    continue
                for unit in rng.sample(supervised, min(len(supervised), rng.randint(2, 4))):
                    rows.append((leader, unit["id"], LinkKind.SUPERVISING.value))
        columns = ["cadre_id", "unit_id", "kind"]
        with (
            connection.cursor() as wrapper,
            _Copier(wrapper.cursor, SupervisionLink, columns) as out,
        ):
            for row in rows:
                out.add(_line(*row))
        return out.rows

    def groups_exist(self):
        return RankingGroup.objects.filter(unit__path__startswith=self.root.path).exists()

    def groups(self):
        def heads(unit, n):
            return [pk for pk, _o in self.unit_cadres.get(unit["id"], [])[:n]] if unit else []

        planned = []  # (unit id, name, kind, cadre ids, unit ids)
        for county in self.counties:
            towns = self.children(county["code"], {UnitKind.TOWNSHIP, UnitKind.STREET})
            members = [pk for town in towns for pk in heads(town, 2)]
            planned.append(
                (county["id"], f"{county['name']}乡镇党政正职", RankingKind.CADRE, members, [])
            )
        for city in self.cities:
            counties = [c for c in self.counties if c["code"].startswith(city["code"] + "-")]
            members = [
                pk for c in counties for s in ("XW", "ZF") for pk in heads(self.organ(c, s), 1)
            ]
            planned.append(
                (city["id"], f"{city['name']}县（区）党政正职", RankingKind.CADRE, members, [])
            )
            departments = self.children(city["code"], {UnitKind.DEPARTMENT})
            planned.append(
                (
                    city["id"],
                    f"{city['name']}市直部门",
                    RankingKind.UNIT,
                    [],
                    [u["id"] for u in departments],
                )
            )
        ids = dd.reserve_ids(RankingGroup, len(planned))
        group_rows, cadre_rows, unit_rows = [], [], []
        for pk, (unit_id, name, kind, members, unit_members) in zip(ids, planned, strict=True):
            group_rows.append(_line(pk, unit_id, name, kind.value, 3, 3))
            cadre_rows += [_line(pk, c) for c in members]
            unit_rows += [_line(pk, u) for u in unit_members]
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            for model, columns, rows in (
                (RankingGroup, ["id", "unit_id", "name", "kind", "top_n", "bottom_n"], group_rows),
                (RankingGroup.cadres.through, ["rankinggroup_id", "cadre_id"], cadre_rows),
                (RankingGroup.units.through, ["rankinggroup_id", "unit_id"], unit_rows),
            ):
                cursor.copy_expert(
                    f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN",
                    io.StringIO("".join(rows)),
                )
        return len(group_rows) + len(cadre_rows) + len(unit_rows)

    # -- 360-degree evaluations ----------------------------------------------------------------

    def evaluations_exist(self):
        years = {y for y, _q in self.quarters}
        return Evaluation.objects.filter(
            unit__path__startswith=self.root.path, year__in=years, quarter__isnull=False
        ).exists()

    def evaluations(self):
        groups_list = policy_list_for(KIND_RATER_GROUPS, None)
        if groups_list is None:
            raise CommandError("no published rater groups list")
        codes = [i.code for i in groups_list.items.order_by("order")]
        rng = self.rng
        planned = []  # (year, quarter, county, leaders)
        for year, quarter in self.quarters:
            for county in self.counties:
                leaders = self.county_leaders(county)
                if leaders:
                    planned.append((year, quarter, county, leaders))
        eval_ids = dd.reserve_ids(Evaluation, len(planned))
        subject_ids = iter(dd.reserve_ids(EvaluationSubject, sum(len(p[3]) for p in planned)))
        # A leader's standing is much the same every quarter; a few are rated low.
        standing = {}
        evaluations, subjects, scores = [], [], []
        for pk, (year, quarter, county, leaders) in zip(eval_ids, planned, strict=True):
            last = quarter_bounds(year, quarter)[1]
            evaluations.append(
                _line(
                    pk, county["id"], f"{county['name']}{year}年第{quarter}季度领导干部360度评价",
                    year, quarter, groups_list.pk, EvaluationStatus.CLOSED.value,
                    (last - datetime.timedelta(days=5)).isoformat(),
                    f"{(last - datetime.timedelta(days=25)).isoformat()} 09:00+08",
                )
            )  # fmt: skip
            for cadre in leaders:
                sid = next(subject_ids)
                subjects.append(_line(sid, pk, cadre))
                mean = standing.setdefault(cadre, 55 if rng.random() < 0.04 else rng.gauss(85, 5))
                for code in codes:
                    for _ in range(rng.randint(5, 9)):
                        score = max(0, min(100, round(rng.gauss(mean, 7))))
                        scores.append(_line(pk, sid, code, score))
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            for model, columns, rows in (
                (
                    Evaluation,
                    ["id", "unit_id", "title", "year", "quarter", "groups_list_id", "status",
                     "closes_on", "created_at"],
                    evaluations,
                ),
                (EvaluationSubject, ["id", "evaluation_id", "cadre_id"], subjects),
                (EvaluationScore, ["evaluation_id", "subject_id", '"group"', "score"], scores),
            ):  # fmt: skip
                cursor.copy_expert(
                    f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN",
                    io.StringIO("".join(rows)),
                )
        return len(evaluations) + len(subjects) + len(scores)

    # -- last year's annual assessment ---------------------------------------------------------

    def annual_year(self):
        return self.quarters[-1][0] - 1

    def annual_exists(self):
        return AssessmentCycle.objects.filter(
            unit__path__startswith=self.root.path, year=self.annual_year()
        ).exists()

    def annual(self):
        quota_list = policy_list_for(KIND_GRADE_QUOTAS, None)
        blockers_list = policy_list_for(KIND_EXCELLENCE_BLOCKERS, None)
        if quota_list is None or blockers_list is None:
            raise CommandError("no published grade quota or excellence blockers list")
        year = self.annual_year()
        organisers = self.counties + self.cities
        ids = dd.reserve_ids(AssessmentCycle, len(organisers))
        cycle_of = {}
        cycles = []
        closed = f"{year + 1}-01-20 10:00+08"
        fed_back = f"{year + 1}-01-31 10:00+08"
        for pk, unit in zip(ids, organisers, strict=True):
            cycle_of[unit["code"]] = pk
            cycles.append(
                _line(
                    pk, year, unit["id"], f"{unit['name']}{year}年度考核",
                    CycleStatus.FED_BACK.value, quota_list.pk, blockers_list.pk, closed,
                    fed_back, f"{year}-12-01 09:00+08",
                )
            )  # fmt: skip
        unit_code = {u["id"]: u["code"] for u in self.units}
        rng = self.rng
        grades = []
        for pk, unit_id in self.cadres:
            parts = unit_code[unit_id].split("-")
            organiser = "-".join(parts[:3]) if len(parts) >= 4 else "-".join(parts[:2])
            cycle = cycle_of.get(organiser)
            if cycle is None:
                continue
            roll = rng.random()
            if roll < 0.15:
                grade = Grade.EXCELLENT
            elif roll < 0.977:
                grade = Grade.COMPETENT
            elif roll < 0.997:
                grade = Grade.BASIC
            else:
                grade = Grade.INCOMPETENT
            grades.append(
                _line(cycle, pk, unit_id, grade.value, rng.choice(RESPONSIBILITY), "", closed,
                      fed_back)
            )  # fmt: skip
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            for model, columns, rows in (
                (
                    AssessmentCycle,
                    ["id", "year", "unit_id", "title", "status", "quota_list_id",
                     "blockers_list_id", "closed_at", "fed_back_at", "created_at"],
                    cycles,
                ),
                (
                    AnnualGrade,
                    ["cycle_id", "cadre_id", "unit_id", "grade", "responsibility", "comments",
                     "graded_at", "fed_back_at"],
                    grades,
                ),
            ):  # fmt: skip
                cursor.copy_expert(
                    f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN",
                    io.StringIO("".join(rows)),
                )
        return len(cycles) + len(grades)

"""Assessment (考核), DOMAIN §2: the annual assessment (cycles, 优秀 quotas, grades with the
担当作为 section, team grades), the ordinary assessment (weekly records, monthly summaries,
quarterly reviews), the points ledger, 360-degree evaluation, the three links, rankings, the
consequences of results and the runs of the quarterly review. Rows are scoped by unit (or by
the cadre's unit) through `restrict(user, action)`; a cadre user sees only their own rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.choices import Role
from cadre.models import APPEND_ONLY, Cadre, PolicyItem, PolicyList, Unit, tracked

from .choices import (
    ConsequenceCause,
    ConsequenceKind,
    CycleStatus,
    EvaluationStatus,
    Grade,
    LinkKind,
    PointsRole,
    PointsStatus,
    QuarterlyGrade,
    RankingKind,
    RunStatus,
    TeamGrade,
)

# Who runs the assessment (the organisation department); the others read inside their scope.
WRITE_ROLES = frozenset({Role.ORGANISATION, Role.ADMIN})
READ_ROLES = frozenset(
    {Role.ORGANISATION, Role.ADMIN, Role.COMMITTEE, Role.DISCIPLINE, Role.AUDITOR, Role.UNIT_LEADER}
)


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def unit_scope_q(user, action="view", prefix="unit"):
    """Q for rows of units in the user's subtree, or None when the user may not see any."""
    scope = access.scope_for(user)
    if scope.everything:
        return Q()
    roles = _roles(user)
    allowed = WRITE_ROLES if action != "view" else READ_ROLES
    if not roles & allowed or not scope.path:
        return None
    return Q(**{f"{prefix}__path__startswith": scope.path})


class UnitScopedQuerySet(models.QuerySet):
    """Rows of a unit: seen inside the user's subtree; nothing for a cadre-only user."""

    def restrict(self, user, action="view"):
        q = unit_scope_q(user, action)
        return self.none() if q is None else self.filter(q)


class CycleQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        q = unit_scope_q(user, action)
        if q is None:
            # A cadre sees the cycles in which they were graded (their feedback).
            scope = access.scope_for(user)
            if action == "view" and scope.own_cadre_only and scope.cadre_id:
                return self.filter(grades__cadre_id=scope.cadre_id).distinct()
            return self.none()
        return self.filter(q)


@tracked()
class AssessmentCycle(models.Model):
    """年度考核: one year's annual assessment organised by a unit (its organisation department)
    for the units and cadres below it, under the quota list version recorded when it opened."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="assessment_cycles"
    )
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    quota_list = models.ForeignKey(
        PolicyList, verbose_name=_("优秀比例清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    blockers_list = models.ForeignKey(
        PolicyList,
        verbose_name=_("不得评优情形清单版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("确定等次时间"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="assessment_cycle_once_a_year")
        ]

    def __str__(self):
        return self.title


class ChildQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        q = unit_scope_q(user, action)
        if q is None:
            scope = access.scope_for(user)
            if (
                action == "view"
                and scope.own_cadre_only
                and scope.cadre_id
                and hasattr(self.model, "cadre")
                and hasattr(self.model, "cycle")
            ):
                # Results are fed back to the cadre (F 7): their own grade, once fed back.
                return self.filter(cadre_id=scope.cadre_id, cycle__status=CycleStatus.FED_BACK)
            return self.none()
        return self.filter(q)


@tracked()
class UnitQuota(models.Model):
    """The 优秀 quota of one assessed unit in a cycle: the base ratio, or the raised ratio for a
    unit ranked top in the annual performance evaluation (F 7)."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(
        Unit, verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+"
    )
    raised = models.BooleanField(_("年度绩效考评排名靠前（上浮比例）"), default=False)
    raised_reason = models.CharField(_("上浮依据"), max_length=200, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "unit__path"]
        verbose_name = _("优秀等次比例")
        verbose_name_plural = _("优秀等次比例")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="assessment_unitquota_once")
        ]

    def __str__(self):
        return f"{self.cycle} {self.unit}"


@tracked()
class AnnualGrade(models.Model):
    """A cadre's annual grade, with the 担当作为 section (F 5) that every grade must have. The
    unit is the one the cadre was graded in: the quota counts there."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="grades")
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="annual_grades"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("考核所在单位"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("考核等次"), max_length=12, choices=Grade.choices)
    responsibility = models.TextField(_("担当作为情况"))
    comments = models.TextField(_("评语"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    graded_at = models.DateTimeField(default=timezone.now)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "unit__path", "cadre__name"]
        verbose_name = _("年度考核等次")
        verbose_name_plural = _("年度考核等次")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "cadre"], name="assessment_grade_once"),
        ]
        indexes = [models.Index(fields=["cycle", "unit", "grade"])]

    def __str__(self):
        return f"{self.cadre} {self.cycle.year} {self.get_grade_display()}"


@tracked()
class TeamAssessment(models.Model):
    """领导班子年度考核等次 of a unit in a cycle."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="teams")
    unit = models.ForeignKey(Unit, verbose_name=_("班子所在单位"), on_delete=models.PROTECT)
    grade = models.CharField(_("班子等次"), max_length=12, choices=TeamGrade.choices)
    responsibility = models.TextField(_("担当作为情况"))
    comments = models.TextField(_("评价意见"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    graded_at = models.DateTimeField(default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "unit__path"]
        verbose_name = _("领导班子年度考核")
        verbose_name_plural = _("领导班子年度考核")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="assessment_team_once")
        ]

    def __str__(self):
        return f"{self.unit} {self.cycle.year} {self.get_grade_display()}"


# --- ordinary assessment (平时考核: 每周纪实、月度小结、季度总评, X) -----------------------------


class CadreChildQuerySet(models.QuerySet):
    """Rows about one cadre: scoped by the cadre's unit; a cadre user sees their own rows."""

    def restrict(self, user, action="view"):
        scope = access.scope_for(user)
        if scope.own_cadre_only:
            return self.filter(cadre_id=scope.cadre_id) if scope.cadre_id else self.none()
        q = unit_scope_q(user, action, prefix="cadre__unit")
        if q is None:
            return self.none()
        qs = self.filter(q)
        if scope.max_level_order is not None:
            qs = qs.filter(
                Q(cadre__post_level__isnull=True)
                | Q(cadre__post_level__order__lte=scope.max_level_order)
            )
        return qs


@tracked()
class WeeklyRecord(models.Model):
    """每周纪实: what a cadre did in a week and plans for the next."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="weekly_records")
    week_start = models.DateField(_("周（周一）"))
    work_done = models.TextField(_("本周工作纪实"))
    next_plan = models.TextField(_("下周工作计划"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CadreChildQuerySet.as_manager()

    class Meta:
        # The quarterly review counts a quarter's weeks of every cadre: by week first.
        indexes = [models.Index(fields=["week_start", "cadre"], name="assessment_week_by_date")]
        ordering = ["cadre", "-week_start"]
        verbose_name = _("每周纪实")
        verbose_name_plural = _("每周纪实")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "week_start"], name="assessment_week_once"),
            models.CheckConstraint(
                condition=Q(week_start__week_day=2), name="assessment_week_starts_monday"
            ),
        ]

    def __str__(self):
        return f"{self.cadre} {self.week_start}"


@tracked()
class MonthlySummary(models.Model):
    """月度小结: the month's summary, with the reviewer's comment."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="monthly_summaries")
    month = models.DateField(_("月份（当月1日）"))
    summary = models.TextField(_("月度小结"))
    review = models.TextField(_("审阅意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CadreChildQuerySet.as_manager()

    class Meta:
        ordering = ["cadre", "-month"]
        verbose_name = _("月度小结")
        verbose_name_plural = _("月度小结")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "month"], name="assessment_month_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="assessment_month_first_day"),
        ]

    def __str__(self):
        return f"{self.cadre} {self.month:%Y-%m}"


@tracked()
class QuarterlyReview(models.Model):
    """季度总评: a cadre's quarterly overall review, written by the quarterly review."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="quarterly_reviews")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT)
    weeks_recorded = models.PositiveSmallIntegerField(_("纪实周数"), default=0)
    months_summarised = models.PositiveSmallIntegerField(_("小结月数"), default=0)
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=2, default=0)
    evaluation_score = models.DecimalField(
        _("360度评价得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("综合得分"), max_digits=8, decimal_places=2, default=0)
    grade = models.CharField(_("总评等次"), max_length=12, choices=QuarterlyGrade.choices)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = CadreChildQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "cadre"]
        verbose_name = _("季度总评")
        verbose_name_plural = _("季度总评")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "year", "quarter"], name="assessment_quarterly_once"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="assessment_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.cadre} {self.year}Q{self.quarter}"


# --- points (考核积分制, X) -------------------------------------------------------------------


@tracked()
class PointsEntry(models.Model):
    """An add or deduct item of the points ledger for a unit (and optionally one cadre), from
    the catalogue version in force, with its evidence, approved before it counts."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("计分单位"), on_delete=models.PROTECT, related_name="points_entries"
    )
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("相关干部"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_entries",
    )
    catalogue = models.ForeignKey(
        PolicyList, verbose_name=_("积分项目清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        PolicyItem, verbose_name=_("积分项目"), on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField(_("发生日期"))
    base_points = models.DecimalField(_("基础分值"), max_digits=8, decimal_places=2)
    role = models.CharField(
        _("承担角色"), max_length=12, choices=PointsRole.choices, blank=True, default=""
    )
    points = models.DecimalField(_("计分"), max_digits=8, decimal_places=2)
    evidence = models.TextField(_("佐证材料"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PointsStatus.choices, default=PointsStatus.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("考核积分")
        verbose_name_plural = _("考核积分")
        indexes = [
            models.Index(fields=["unit", "occurred_on"]),
            models.Index(fields=["status", "occurred_on"]),
        ]

    def __str__(self):
        return f"{self.unit} {self.points:+}"


# --- 360-degree evaluation (360度反馈评价法, X) -----------------------------------------------


@tracked()
class Evaluation(models.Model):
    """A 360-degree evaluation round: subjects (cadres or teams) scored by rater groups whose
    weights (summing to 100) come from the list version recorded when the round opened."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="evaluations"
    )
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    groups_list = models.ForeignKey(
        PolicyList,
        verbose_name=_("评价主体及权重清单版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.OPEN
    )
    closes_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("360度评价")
        verbose_name_plural = _("360度评价")

    def __str__(self):
        return self.title


class EvaluationSubject(models.Model):
    """Who is evaluated in a round: a cadre, or a unit's leadership team."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="subjects")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, null=True, blank=True)
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("评价对象")
        verbose_name_plural = _("评价对象")
        constraints = [
            models.CheckConstraint(
                condition=(Q(cadre__isnull=False) & Q(team__isnull=True))
                | (Q(cadre__isnull=True) & Q(team__isnull=False)),
                name="assessment_subject_cadre_or_team",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "cadre"], name="assessment_subject_cadre_once"
            ),
            models.UniqueConstraint(
                fields=["evaluation", "team"], name="assessment_subject_team_once"
            ),
        ]

    def __str__(self):
        return str(self.cadre or self.team)


class RaterInvitation(models.Model):
    """A single-use link for one rater of a group. Only the hash of its token is kept, and the
    scores it gave are stored without any reference to it: nobody can tell who gave what."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="invitations")
    group = models.CharField(_("评价主体"), max_length=40)
    token_hash = models.CharField(max_length=64, unique=True)
    used_on = models.DateField(_("已使用"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")

    def __str__(self):
        return f"{self.evaluation_id} {self.group}"


class EvaluationScore(models.Model):
    """One anonymous score (0-100) given to a subject by a rater of a group."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    subject = models.ForeignKey(EvaluationSubject, on_delete=models.CASCADE, related_name="scores")
    group = models.CharField(_("评价主体"), max_length=40)
    score = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("评价得分")
        verbose_name_plural = _("评价得分")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="assessment_score_0_to_100"
            )
        ]
        indexes = [models.Index(fields=["evaluation", "subject", "group"])]

    def __str__(self):
        return f"{self.subject_id} {self.group} {self.score}"


# --- three links, rankings, consequences, the quarterly review (X; ZJK 14) -------------------


class SupervisionLink(models.Model):
    """三个挂钩: a leader tied to a unit they lead (主要负责人) or supervise (分管领导); their
    quarterly result follows the units', and the consequence rules reach them."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="supervision_links")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="supervision_links")
    kind = models.CharField(_("挂钩方式"), max_length=12, choices=LinkKind.choices)

    objects = CadreChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核挂钩关系")
        verbose_name_plural = _("考核挂钩关系")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "unit"], name="assessment_link_once")
        ]

    def __str__(self):
        return f"{self.cadre} → {self.unit}"


class UnitQuarterScore(models.Model):
    """A unit's quarterly score: the base from the rules plus its approved points."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="quarter_scores")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=2)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位季度得分")
        verbose_name_plural = _("单位季度得分")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], name="assessment_unitscore_once"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.year}Q{self.quarter} {self.score}"


@tracked()
class RankingGroup(models.Model):
    """综合评价排名 (ZJK 14(二)): who is ranked together (e.g. all county party and government
    heads, or all city departments), with how many are named at the top and the bottom."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="ranking_groups"
    )
    name = models.CharField(_("排名组"), max_length=100)
    kind = models.CharField(_("排名对象"), max_length=6, choices=RankingKind.choices)
    top_n = models.PositiveSmallIntegerField(_("前几名"), default=3)
    bottom_n = models.PositiveSmallIntegerField(_("后几名"), default=3)
    cadres = models.ManyToManyField(Cadre, blank=True, related_name="ranking_groups")
    units = models.ManyToManyField(Unit, blank=True, related_name="member_of_ranking_groups")

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("排名组")
        verbose_name_plural = _("排名组")

    def __str__(self):
        return self.name


class RankingEntry(models.Model):
    """One place in a group's quarterly ranking, with the change since the last quarter."""

    group = models.ForeignKey(RankingGroup, on_delete=models.CASCADE, related_name="entries")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"))
    size = models.PositiveIntegerField(_("参排数"))
    previous_rank = models.PositiveIntegerField(_("上季度名次"), null=True, blank=True)
    is_top = models.BooleanField(_("前几名"), default=False)
    is_bottom = models.BooleanField(_("后几名"), default=False)

    class Meta:
        ordering = ["group", "-year", "-quarter", "rank"]
        verbose_name = _("排名结果")
        verbose_name_plural = _("排名结果")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year", "quarter", "cadre"],
                condition=Q(cadre__isnull=False),
                name="assessment_rank_cadre_once",
            ),
            models.UniqueConstraint(
                fields=["group", "year", "quarter", "unit"],
                condition=Q(unit__isnull=False),
                name="assessment_rank_unit_once",
            ),
        ]
        indexes = [models.Index(fields=["group", "year", "quarter", "rank"])]

    def __str__(self):
        return f"{self.group_id} {self.year}Q{self.quarter} #{self.rank}"


class Consequence(models.Model):
    """A consequence of assessment results (X): a talk, organisational handling or a
    restriction, decided by the rules and recorded explicitly — never silently. Each one emits
    `assessment.consequence_decided` (care turns talks into due talks; incentives reads the
    restrictions). Append-only; `source_key` makes a re-run a no-op."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="consequences")
    kind = models.CharField(_("处理措施"), max_length=24, choices=ConsequenceKind.choices)
    cause = models.CharField(_("原因"), max_length=24, choices=ConsequenceCause.choices)
    occurrence = models.PositiveSmallIntegerField(_("第几次"), default=1)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    detail = models.TextField(_("情况说明"))
    source_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("产生时间"), default=timezone.now)

    objects = CadreChildQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("考核结果运用")
        verbose_name_plural = _("考核结果运用")
        triggers = [*APPEND_ONLY]

    def __str__(self):
        return f"{self.cadre} {self.get_kind_display()}"


class QuarterlyRun(models.Model):
    """One run of the quarterly review for a quarter, with its progress (visible while it runs)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    counts = models.JSONField(_("结果统计"), default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("季度总评运行")
        verbose_name_plural = _("季度总评运行")

    def __str__(self):
        return f"{self.year}Q{self.quarter} {self.get_status_display()}"

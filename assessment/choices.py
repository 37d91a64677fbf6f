from django.db import models
from django.utils.translation import gettext_lazy as _

# Codes of the policy lists this app reads (cadre.PolicyList.kind), seeded by migration 0002.
KIND_GRADE_QUOTAS = "assessment.grade_quotas"
KIND_EXCELLENCE_BLOCKERS = "assessment.excellence_blockers"

QUOTA_BASE = "base"
QUOTA_RAISED = "raised"


class CycleStatus(models.TextChoices):
    OPEN = "open", _("评定中")
    CLOSED = "closed", _("已确定等次")
    FED_BACK = "fed_back", _("已反馈")


class Grade(models.TextChoices):
    """公务员年度考核等次."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class TeamGrade(models.TextChoices):
    """领导班子年度考核等次."""

    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("较差")


KIND_POINTS_CATALOGUE = "assessment.points_catalogue"
KIND_RATER_GROUPS = "assessment.rater_groups"


class PointsStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")


class PointsRole(models.TextChoices):
    """The double rule (X): where the county gained or lost points in the city's assessment,
    the leading and the responsible departments gain or lose double."""

    NONE = "", _("—")
    LEAD = "lead", _("牵头部门")
    RESPONSIBLE = "responsible", _("责任部门")


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("测评中")
    CLOSED = "closed", _("已结束")


class QuarterlyGrade(models.TextChoices):
    """平时考核季度总评等次."""

    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("较差")


KIND_QUARTERLY_RULES = "assessment.quarterly_rules"
KIND_CONSEQUENCE_RULES = "assessment.consequence_rules"


class LinkKind(models.TextChoices):
    """三个挂钩 (X): a leader's result is tied to the units they lead or supervise."""

    HEAD = "head", _("主要负责人")
    SUPERVISING = "supervising", _("分管领导")


class RankingKind(models.TextChoices):
    CADRE = "cadre", _("干部")
    UNIT = "unit", _("单位")


class ConsequenceKind(models.TextChoices):
    REMINDER_TALK = "reminder_talk", _("提醒谈话")
    ADMONISHMENT_TALK = "admonishment_talk", _("诫勉谈话")
    ORGANISATIONAL_HANDLING = "organisational_handling", _("组织处理")
    INTERVIEW_REMINDER = "interview_reminder", _("约谈提醒")
    RESTRICTED = "restricted", _("限制职务晋升和考核奖金，重点考察")


class ConsequenceCause(models.TextChoices):
    BOTTOM_OR_CRITICISM = "bottom_or_criticism", _("单项工作排名全市后三位或受到市级以上通报批评")
    BASIC_GRADE = "basic_grade", _("年度考核基本称职")
    LOW_DEMOCRATIC = "low_democratic", _("民主测评得分靠后")
    REPEATED_LOSSES = "repeated_losses", _("分管工作连续失分较多")
    LOW_TWO_YEARS = "low_two_years", _("年度综合考核连续两年排名靠后")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")

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

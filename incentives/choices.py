from django.db import models
from django.utils.translation import gettext_lazy as _

# Policy list kinds of the incentives app (seeded by migration 0002, editable in admin).
KIND_PRIORITY_SITUATIONS = "incentives.priority_situations"
KIND_EXCEPTIONAL_PATHS = "incentives.exceptional_paths"
KIND_EXCEPTIONAL_CHECKS = "incentives.exceptional_checks"
KIND_RANK_LADDER = "incentives.rank_ladder"
KIND_RANK_RULES = "incentives.rank_rules"
KIND_AGE_RULES = "incentives.age_rules"
KIND_TEAM_STRUCTURE = "incentives.team_structure"
KIND_DOWN_SITUATIONS = "incentives.down_situations"
KIND_SANCTION_KINDS = "incentives.sanction_kinds"
KIND_AWARD_KINDS = "incentives.award_kinds"


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤销")


class CandidateListStatus(models.TextChoices):
    DRAFT = "draft", _("酝酿中")
    SUBMITTED = "submitted", _("已提交研究")
    CLOSED = "closed", _("已办结")


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟推荐")
    APPROVED = "approved", _("研究同意")
    REJECTED = "rejected", _("未同意")


class DownAction(models.TextChoices):
    """能上能下 (F11, ZJK6): the three ways down."""

    REMOVAL = "removal", _("免职")
    ADJUSTMENT = "adjustment", _("调整")
    DEMOTION = "demotion", _("降职")


class AdjustmentStatus(models.TextChoices):
    IN_EFFECT = "in_effect", _("影响期内")
    REVIEW = "review", _("影响期满待研判")
    REINSTATED = "reinstated", _("已重新使用")
    OBSERVING = "observing", _("继续考察")


class SanctionStatus(models.TextChoices):
    PENDING_KIND = "pending_kind", _("待确认处理处分种类")
    IN_IMPACT = "in_impact", _("影响期内")
    REVIEW = "review", _("影响期满待研判")
    NORMAL_USE = "normal_use", _("按程序正常使用")
    OBSERVING = "observing", _("继续考察")
    REVOKED = "revoked", _("已撤销")


class Rating(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待研判")
    DECIDED = "decided", _("已研判")


class ReviewDecision(models.TextChoices):
    NORMAL_USE = "normal_use", _("按程序正常使用")
    REINSTATE = "reinstate", _("重新使用（能下再上）")
    OBSERVE = "observe", _("继续考察")


class CampaignStatus(models.TextChoices):
    NOMINATING = "nominating", _("推荐中")
    REVIEWING = "reviewing", _("审核中")
    NOTICE = "notice", _("公示中")
    CLOSED = "closed", _("已结束")


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("已推荐")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核未通过")
    IN_NOTICE = "in_notice", _("公示中")
    BLOCKED = "blocked", _("公示有异议未通过")
    AWARDED = "awarded", _("已表彰")
    WITHDRAWN = "withdrawn", _("已撤回")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    UPHELD = "upheld", _("反映属实")
    DISMISSED = "dismissed", _("反映不实")


class LogSubject(models.TextChoices):
    PRIORITY = "priority", _("优先提拔情形")
    CANDIDATE_LIST = "candidate_list", _("破格提拔人选名单")
    CANDIDATE = "candidate", _("破格提拔人选")
    SANCTION = "sanction", _("受处理处分")
    ADJUSTMENT = "adjustment", _("能上能下")
    REVIEW = "review", _("影响期满研判")
    CAMPAIGN = "campaign", _("评选表彰")
    NOMINATION = "nomination", _("推荐人选")
    OBJECTION = "objection", _("公示异议")
    EXEMPLAR = "exemplar", _("先进典型")

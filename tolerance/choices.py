from django.db import models
from django.utils.translation import gettext_lazy as _

# Codes of the policy lists this app reads (cadre.PolicyList.kind). The lists themselves are
# rows, seeded by migration 0002 from the Zhangjiakou annex 2 and editable in admin.
KIND_DISTINCTIONS = "tolerance.distinctions"
KIND_CONDITIONS = "tolerance.conditions"
KIND_SITUATIONS = "tolerance.situations"
KIND_EXCLUSIONS = "tolerance.exclusions"
KIND_SEVERITY = "tolerance.severity"
KIND_DEADLINES = "tolerance.deadlines"
KIND_ACCOUNTABILITY_FORMS = "tolerance.accountability_forms"
KIND_MATTER_CATEGORIES = "tolerance.matter_categories"
KIND_PUBLICATION_SCOPES = "tolerance.publication_scopes"
KIND_CLARIFICATION_METHODS = "tolerance.clarification_methods"

# The checklist kinds a case is judged under, in the order a case page shows them.
CHECKLIST_KINDS = (KIND_DISTINCTIONS, KIND_CONDITIONS, KIND_SITUATIONS, KIND_EXCLUSIONS)

# The exclusion the system checks itself against the cadre's history (ZJK annex 2, 二.9).
EXCLUSION_REPEAT = "N9"


class CaseStatus(models.TextChoices):
    """DOMAIN §4.5: filed → investigating → preliminary opinion → committee decision →
    feedback sent → filed upward → (published) → correcting → follow-up → closed; withdrawn."""

    FILED = "filed", _("已受理")
    INVESTIGATING = "investigating", _("调查核实")
    PRELIMINARY = "preliminary", _("初步意见待认定")
    DECIDED = "decided", _("党委（党组）已认定")
    FEEDBACK_SENT = "feedback_sent", _("已书面反馈")
    FILED_UPWARD = "filed_upward", _("已报上级备案")
    PUBLISHED = "published", _("已公开")
    CORRECTING = "correcting", _("纠错整改")
    FOLLOW_UP = "follow_up", _("跟踪回访")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_CASE_STATUSES = tuple(
    s for s in CaseStatus.values if s not in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)
)


class CaseOrigin(models.TextChoices):
    ACCOUNTABILITY = "accountability", _("启动问责时同步考虑容错")
    CADRE_APPLICATION = "cadre_application", _("干部本人申请")
    UNIT_APPLICATION = "unit_application", _("单位申请")


class Outcome(models.TextChoices):
    """ZJK art. 9: 免责、从轻处分、减轻处分, or 不予容错."""

    EXEMPT = "exempt", _("免责")
    LIGHTER = "lighter", _("从轻")
    MITIGATED = "mitigated", _("减轻")
    NOT_TOLERATED = "not_tolerated", _("不予容错")


TOLERATED_OUTCOMES = (Outcome.EXEMPT, Outcome.LIGHTER, Outcome.MITIGATED)


class SuggestionStatus(models.TextChoices):
    INCOMPLETE = "incomplete", _("清单未填完，暂无建议")
    TOLERABLE = "tolerable", _("符合容错条件和情形")
    NOT_TOLERATED = "not_tolerated", _("不予容错")


class Answer(models.TextChoices):
    YES = "yes", _("是")
    NO = "no", _("否")


class AccountableBody(models.TextChoices):
    DISCIPLINE = "discipline", _("纪检监察机关")
    ORGANISATION = "organisation", _("组织人事部门")
    FUNCTIONAL = "functional", _("相关职能部门")


class MatterStatus(models.TextChoices):
    OPEN = "open", _("问责调查中")
    DECIDED = "decided", _("已作出问责决定")
    DROPPED = "dropped", _("不予问责")


class InquiryKind(models.TextChoices):
    """Investigation hears the units and people involved; major matters may invite public
    representatives, service recipients or a third-party evaluation (J 三(五)2)."""

    INVESTIGATION = "investigation", _("调查核实")
    HEARING = "hearing", _("听取有关单位和个人意见")
    PUBLIC_REPRESENTATIVES = "public_representatives", _("群众代表参与")
    SERVICE_RECIPIENTS = "service_recipients", _("服务对象参与")
    THIRD_PARTY = "third_party", _("第三方评估")


class CorrectionStatus(models.TextChoices):
    PLANNED = "planned", _("已制定")
    IN_PROGRESS = "in_progress", _("整改中")
    DONE = "done", _("已完成")


class ClearingStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    VERIFYING = "verifying", _("核查中")
    CONCLUDED = "concluded", _("已作出结论")
    CLARIFIED = "clarified", _("已澄清正名")
    FOLLOW_UP = "follow_up", _("跟踪回访")
    CLOSED = "closed", _("已办结")


class ClearingConclusion(models.TextChoices):
    FOUNDED = "founded", _("反映问题属实")
    PARTLY_FOUNDED = "partly_founded", _("部分属实")
    UNFOUNDED = "unfounded", _("反映不实")
    FALSE_ACCUSATION = "false_accusation", _("诬告陷害")


# Conclusions after which the cadre or organisation is cleared (澄清正名).
CLEARED_CONCLUSIONS = (ClearingConclusion.UNFOUNDED, ClearingConclusion.FALSE_ACCUSATION)


class ReportSource(models.TextChoices):
    LETTER = "letter", _("信访举报")
    INSPECTION = "inspection", _("巡视巡察移交")
    AUDIT = "audit", _("审计移交")
    ONLINE = "online", _("网络舆情")
    OTHER = "other", _("其他")

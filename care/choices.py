from django.db import models
from django.utils.translation import gettext_lazy as _

# Policy list kinds of the care app (seeded by migration 0002, editable in admin).
KIND_TALK_TRIGGERS = "care.talk_triggers"
KIND_TALK_SETTINGS = "care.talk_settings"
KIND_COVERAGE_RULES = "care.coverage_rules"
KIND_CHECKUP_EXTRAS = "care.checkup_extras"
KIND_LEAVE_ENTITLEMENT = "care.leave_entitlement"
KIND_HARDSHIP_CATEGORIES = "care.hardship_categories"
KIND_FACILITY_KINDS = "care.facility_kinds"

# The event the trigger-5 report (家庭变故) records; the triggers list maps it to a due talk.
EVENT_FAMILY_MISFORTUNE = "care.family_misfortune_reported"


class TalkKind(models.TextChoices):
    FIVE_MUSTS = "five_musts", _("五必谈")
    ANNUAL = "annual", _("年度谈心谈话（班子成员、下一级主要负责人）")
    ORGANISATION = "organisation", _("组织部门谈心谈话")
    REQUESTED = "requested", _("应约谈话（向组织说说心里话）")
    OTHER = "other", _("其他谈心谈话")


class ObligationStatus(models.TextChoices):
    DUE = "due", _("待谈话")
    HELD = "held", _("已谈话")
    CANCELLED = "cancelled", _("已取消")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    HELD = "held", _("已谈话")
    DECLINED = "declined", _("未受理")


class CheckupStatus(models.TextChoices):
    PENDING = "pending", _("未体检")
    ATTENDED = "attended", _("已体检")
    EXEMPTED = "exempted", _("免检（已说明原因）")


class LeaveKind(models.TextChoices):
    ANNUAL = "annual", _("带薪年休假")
    OVERTIME_OFF = "overtime_off", _("加班补休")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    CLOSED = "closed", _("已办结")


class FundEntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("拨入")
    DISBURSEMENT = "disbursement", _("支出")


class RoomStatus(models.TextChoices):
    VACANT = "vacant", _("空置")
    OCCUPIED = "occupied", _("已入住")
    REPAIR = "repair", _("维修中")


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("排队中")
    ALLOCATED = "allocated", _("已分配")
    WITHDRAWN = "withdrawn", _("已撤回")


class FacilityState(models.TextChoices):
    NONE = "none", _("未建")
    PLANNED = "planned", _("已规划")
    BUILDING = "building", _("在建")
    IN_USE = "in_use", _("已建成使用")
    NEEDS_REPAIR = "needs_repair", _("需维修改造")


class LogSubject(models.TextChoices):
    OBLIGATION = "obligation", _("五必谈应谈事项")
    TALK = "talk", _("谈心谈话")
    REQUEST = "request", _("谈话申请")
    CHECKUP = "checkup", _("健康体检")
    LEAVE = "leave", _("休假")
    APPLICATION = "application", _("困难帮扶申请")
    FUND = "fund", _("关爱基金")
    HOUSING = "housing", _("周转住房")
    FACILITY = "facility", _("五小设施")
    BONUS = "bonus", _("年度考核奖")


class BonusSide(models.TextChoices):
    """Which side of the F 18 comparison the cadre's unit stood on."""

    TOWNSHIP = "township", _("乡镇机关")
    COUNTY_DEPARTMENT = "county_department", _("县直机关")
    OTHER = "other", _("其他单位（不参与比较）")

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    GOVERNMENT = "government", _("人民政府")
    DEPARTMENT = "department", _("党政部门")
    TOWNSHIP = "township", _("乡镇")
    STREET = "street", _("街道")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("国有企业")
    PARTY_ORG = "party_org", _("党组织")
    REGION = "region", _("行政区")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("高中及以下")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("大学本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class StaffingType(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("行政编制")
    INSTITUTIONAL = "institutional", _("事业编制")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class CadreStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    RETIRED = "retired", _("退休")
    LEFT = "left", _("调离")


class Role(models.TextChoices):
    """What a user may do for their unit (DOMAIN §1)."""

    ORGANISATION = "organisation", _("组织部门")
    DISCIPLINE = "discipline", _("纪检监察")
    COMMITTEE = "committee", _("党委（党组）成员")
    UNIT_LEADER = "unit_leader", _("单位领导")
    CADRE = "cadre", _("干部本人")
    AUDITOR = "auditor", _("审计（只读）")
    ADMIN = "admin", _("系统管理员")


class FrontlineKind(models.TextChoices):
    FRONTLINE = "frontline", _("一线岗位")
    URGENT = "urgent", _("急难险重任务")
    VILLAGE = "village", _("驻村帮扶")
    PROJECT = "project", _("重点项目")
    PETITION = "petition", _("信访维稳")
    OTHER = "other", _("其他")


class MentoringKind(models.TextChoices):
    MENTOR = "mentor", _("导师传帮带")
    LEADER_PAIR = "leader_pair", _("县级领导结对帮带")


class PerformanceSource(models.TextChoices):
    ASSESSMENT = "assessment", _("考核")
    COMMENDATION = "commendation", _("表彰奖励")
    FRONTLINE = "frontline", _("一线工作")
    DISCIPLINE = "discipline", _("纪检监察")
    SUPERVISION = "supervision", _("监察")
    AUDIT = "audit", _("审计")
    PETITION = "petition", _("信访")
    INSPECTION = "inspection", _("巡察")
    TOLERANCE = "tolerance", _("容错纠错")
    INCENTIVES = "incentives", _("激励选任")
    CARE = "care", _("关心关爱")
    OTHER = "other", _("其他")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    SUCCEEDED = "succeeded", _("已导入")
    FAILED = "failed", _("未导入（有错误）")

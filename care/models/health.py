"""Health (F 19): the yearly check-up plan of each management authority, with extra items for
frontline, hardship-area and special-industry cadres, and the check-up records that make up
each cadre's health record (分级建立干部健康档案)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, PolicyList, Unit, tracked

from ..choices import CheckupStatus
from .common import OwnRowsQuerySet, UnitScopedQuerySet


@tracked()
class CheckupPlan(models.Model):
    """One year's check-up plan of a unit's organisation department for the cadres it manages,
    under the extra-items list version in force when it was made."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位（管理权限）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    standard_items = models.TextField(_("常规体检项目"))
    institution = models.CharField(_("体检机构"), max_length=100, blank=True)
    start_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    extras_list = models.ForeignKey(
        PolicyList, verbose_name=_("加项清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("年度体检计划")
        verbose_name_plural = _("年度体检计划")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="care_checkupplan_once_a_year")
        ]

    def __str__(self):
        return self.title


class CheckupRecordQuerySet(OwnRowsQuerySet):
    pass


@tracked()
class CheckupRecord(models.Model):
    """A cadre's place in a plan: the extra items that apply (frontline, hardship, special
    industry), whether and when they went, the conclusion (sensitive: the cadre and the
    organisation department only)."""

    plan = models.ForeignKey(
        CheckupPlan, verbose_name=_("体检计划"), on_delete=models.PROTECT, related_name="records"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="checkups"
    )
    extra_items = models.JSONField(_("加检项目"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CheckupStatus.choices, default=CheckupStatus.PENDING
    )
    attended_on = models.DateField(_("体检日期"), null=True, blank=True)
    conclusion = models.TextField(_("体检结论"), blank=True)
    follow_up = models.TextField(_("健康建议及跟踪"), blank=True)
    exemption_reason = models.CharField(_("免检原因"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckupRecordQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "cadre__name", "pk"]
        verbose_name = _("体检记录")
        verbose_name_plural = _("干部健康档案（体检记录）")
        constraints = [
            models.UniqueConstraint(fields=["plan", "cadre"], name="care_checkuprecord_once")
        ]

    def __str__(self):
        return f"{self.cadre}（{self.plan.year}）"

"""Paid annual leave and overtime time off (F 19, ZJK 12(五)): the yearly plan with the
entitlement from years of service, the leave taken, and overtime that earns time off."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, PolicyList, tracked

from ..choices import LeaveKind
from .common import OwnRowsQuerySet


@tracked()
class LeavePlan(models.Model):
    """A cadre's leave plan for a year: the entitlement (5/10/15 days by years of service, from
    the entitlement list version recorded here) and the planned periods."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="leave_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    entitlement_list = models.ForeignKey(
        PolicyList, verbose_name=_("年休假天数清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    service_years = models.PositiveSmallIntegerField(_("累计工作年限"))
    entitlement_days = models.PositiveSmallIntegerField(_("应休天数"))
    planned_days = models.PositiveSmallIntegerField(_("计划休假天数"))
    planned_periods = models.CharField(_("计划休假时段"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "cadre__name"]
        verbose_name = _("年度休假计划")
        verbose_name_plural = _("年度休假计划")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="care_leaveplan_once_a_year")
        ]

    def __str__(self):
        return f"{self.cadre}（{self.year}）"


@tracked()
class LeaveRecord(models.Model):
    """Leave taken: annual leave or overtime time off, counted in working days."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="leave_records"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=LeaveKind.choices)
    year = models.PositiveSmallIntegerField(_("所属年度"))
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    days = models.DecimalField(_("天数（工作日）"), max_digits=5, decimal_places=1)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "-pk"]
        verbose_name = _("休假记录")
        verbose_name_plural = _("休假记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="care_leaverecord_dates"
            ),
            models.CheckConstraint(condition=Q(days__gt=0), name="care_leaverecord_days"),
        ]

    def __str__(self):
        return f"{self.cadre}：{self.get_kind_display()} {self.start_on}—{self.end_on}"


@tracked()
class OvertimeRecord(models.Model):
    """Overtime outside the statutory working days (公务员法: 给予相应的补休): it earns time off,
    which overtime-off leave then uses."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="overtime_records"
    )
    worked_on = models.DateField(_("加班日期"))
    days = models.DecimalField(_("折合天数"), max_digits=4, decimal_places=1)
    reason = models.CharField(_("加班事由"), max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-worked_on", "-pk"]
        verbose_name = _("加班记录")
        verbose_name_plural = _("加班记录")
        constraints = [
            models.CheckConstraint(condition=Q(days__gt=0), name="care_overtimerecord_days"),
        ]

    def __str__(self):
        return f"{self.cadre}：{self.worked_on}"

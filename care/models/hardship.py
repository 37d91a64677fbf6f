"""Hardship help (F 17, ZJK 12(四)): applications for medical subsidies, spouse employment,
children's schooling and other help, reviewed by the organisation department, and the care
funds (关爱专项资金 / 乡镇干部关爱基金) kept as ledgers whose balance never goes negative."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.models import APPEND_ONLY, Cadre, PolicyList, Unit, tracked

from ..choices import ApplicationStatus, FundEntryKind
from .common import OwnRowsQuerySet, UnitScopedQuerySet


@tracked()
class HardshipApplication(models.Model):
    """An application for help: the category (from the categories list), the situation, the
    amount asked for and, once reviewed, the decision and the amount granted."""

    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("干部"),
        on_delete=models.PROTECT,
        related_name="hardship_applications",
    )
    categories_list = models.ForeignKey(
        PolicyList, verbose_name=_("帮扶类别清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    category_code = models.CharField(_("类别代码"), max_length=40)
    category_label = models.CharField(_("帮扶类别"), max_length=100)
    description = models.TextField(_("困难情况"))
    amount_requested = models.DecimalField(
        _("申请金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    amount_granted = models.DecimalField(
        _("批准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("困难帮扶申请")
        verbose_name_plural = _("困难帮扶申请")

    def __str__(self):
        return f"{self.cadre}：{self.category_label}"


@tracked()
class CareFund(models.Model):
    """A care fund of a unit. `balance` is kept by the ledger service under a row lock and the
    database refuses a negative balance."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("基金名称"), max_length=100)
    balance = models.DecimalField(_("余额（元）"), max_digits=14, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("关爱基金")
        verbose_name_plural = _("关爱基金")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="care_carefund_not_negative"),
            models.UniqueConstraint(fields=["unit", "name"], name="care_carefund_unique_name"),
        ]

    def __str__(self):
        return self.name


class FundEntryQuerySet(UnitScopedQuerySet):
    unit_path = "fund__unit"


class FundEntry(models.Model):
    """One line of a fund's ledger: money in or out, with the balance after it. Append-only."""

    fund = models.ForeignKey(
        CareFund, verbose_name=_("关爱基金"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("收支"), max_length=20, choices=FundEntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(_("余额（元）"), max_digits=14, decimal_places=2)
    application = models.ForeignKey(
        HardshipApplication,
        verbose_name=_("帮扶申请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
    )
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("基金收支记录")
        verbose_name_plural = _("基金收支记录")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="care_fundentry_positive"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="care_fundentry_not_negative"
            ),
        ]
        triggers = [*APPEND_ONLY]

    def __str__(self):
        return f"{self.fund}：{self.get_kind_display()} {self.amount}"

"""The ledger of handled and disciplined cadres (受处理处分干部台账, F 15), the 能上能下 action
record (F 11, ZJK 6) and the reviews opened when an impact period ends (F 15 "按程序予以正常
使用"; X 能下再上)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import APPEND_ONLY, Cadre, Event, PolicyList, PostLevel, tracked

from ..choices import (
    AdjustmentStatus,
    DownAction,
    Rating,
    ReviewDecision,
    ReviewStatus,
    SanctionStatus,
)
from .common import CadreScopedQuerySet

# A sanction in these states is still held against the cadre (the impact period runs, or the
# kind is not yet known); the others no longer block.
BLOCKING_SANCTION_STATUSES = (SanctionStatus.PENDING_KIND, SanctionStatus.IN_IMPACT)


@tracked()
class Sanction(models.Model):
    """One handling or disciplinary sanction of a cadre: its kind from the sanction-kinds list
    (which gives the impact period), the decision, and where it came from (entered by the
    organisation department, or recorded from an accountability decision of the tolerance
    app). `impact_until` is the last day of the impact period."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="sanctions"
    )
    kinds_list = models.ForeignKey(
        PolicyList,
        verbose_name=_("处理处分种类清单版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind_code = models.CharField(_("种类代码"), max_length=40, blank=True)
    kind_label = models.CharField(_("处理处分种类"), max_length=100, blank=True)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    impact_months = models.PositiveSmallIntegerField(_("影响期（月）"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"))
    impact_until = models.DateField(_("影响期截止"), null=True, blank=True)
    authority = models.CharField(_("决定机关"), max_length=100, blank=True)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    reason = models.TextField(_("事由"))
    matter = models.ForeignKey(
        "tolerance.AccountabilityMatter",
        verbose_name=_("问责事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_event = models.OneToOneField(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=SanctionStatus.choices, default=SanctionStatus.IN_IMPACT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CadreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("受处理处分记录")
        verbose_name_plural = _("受处理处分干部台账")
        indexes = [
            models.Index(fields=["status", "impact_until"], name="incentives_sanction_expiry"),
        ]

    def __str__(self):
        return f"{self.cadre}：{self.kind_label or _('待确认')}（{self.decided_on}）"


class TrackingQuerySet(CadreScopedQuerySet):
    cadre_path = "sanction__cadre"


class SanctionTracking(models.Model):
    """跟踪掌握 (F 15): a dated note of the cadre's attitude, work and public opinion while the
    sanction's effects run. Append-only."""

    sanction = models.ForeignKey(
        Sanction, verbose_name=_("处理处分"), on_delete=models.PROTECT, related_name="trackings"
    )
    tracked_on = models.DateField(_("了解日期"))
    attitude = models.CharField(_("思想动态（认错态度）"), max_length=10, choices=Rating.choices)
    attitude_note = models.TextField(_("思想动态说明"), blank=True)
    work = models.CharField(_("工作状态"), max_length=10, choices=Rating.choices)
    work_note = models.TextField(_("工作状态及业绩说明"), blank=True)
    public_opinion = models.CharField(_("群众评价"), max_length=10, choices=Rating.choices)
    public_opinion_note = models.TextField(_("群众评价说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrackingQuerySet.as_manager()

    class Meta:
        ordering = ["-tracked_on", "-pk"]
        verbose_name = _("跟踪了解记录")
        verbose_name_plural = _("跟踪了解记录")
        triggers = [*APPEND_ONLY]

    def __str__(self):
        return f"{self.sanction}：{self.tracked_on}"


@tracked()
class Adjustment(models.Model):
    """能上能下: a cadre removed (免职), adjusted (调整) or demoted (降职) for the situations of
    the down-situations list, with the post before and after and the impact period (from the
    sanction-kinds list) after which the cadre is reviewed and may come back up (能下再上)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="adjustments"
    )
    action = models.CharField(_("方式"), max_length=20, choices=DownAction.choices)
    situations_list = models.ForeignKey(
        PolicyList, verbose_name=_("情形清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    situation_codes = models.JSONField(_("情形代码"), default=list)
    situation_labels = models.JSONField(_("情形"), default=list)
    reason = models.TextField(_("事实和理由"))
    decided_on = models.DateField(_("决定日期"))
    from_post = models.CharField(_("原职务"), max_length=100)
    from_level = models.ForeignKey(
        PostLevel,
        verbose_name=_("原职务层次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_post = models.CharField(_("调整后职务"), max_length=100, blank=True)
    to_level = models.ForeignKey(
        PostLevel,
        verbose_name=_("调整后职务层次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    impact_list = models.ForeignKey(
        PolicyList, verbose_name=_("影响期清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    impact_months = models.PositiveSmallIntegerField(_("影响期（月）"))
    impact_until = models.DateField(_("影响期截止"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.IN_EFFECT,
    )
    reinstated_on = models.DateField(_("重新使用日期"), null=True, blank=True)
    reinstated_post = models.CharField(_("重新任用职务"), max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CadreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("能上能下记录")
        verbose_name_plural = _("能上能下记录")
        indexes = [
            models.Index(fields=["status", "impact_until"], name="incentives_adjust_expiry"),
        ]

    def __str__(self):
        return f"{self.cadre}：{self.get_action_display()}（{self.decided_on}）"


class ReviewQuerySet(CadreScopedQuerySet):
    pass


@tracked()
class ExpiryReview(models.Model):
    """The review opened once when an impact period has ended: the organisation department
    weighs the nature, motive, gravity, consequences and attitude (F 15) and decides normal use
    by procedure, reinstatement (能下再上) or further observation. Exactly one per sanction or
    adjustment, enforced by the database."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+"
    )
    sanction = models.OneToOneField(
        Sanction,
        verbose_name=_("处理处分"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review",
    )
    adjustment = models.OneToOneField(
        Adjustment,
        verbose_name=_("能上能下记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review",
    )
    opened_on = models.DateField(_("启动日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    decision = models.CharField(
        _("研判结论"), max_length=20, choices=ReviewDecision.choices, blank=True
    )
    analysis = models.TextField(_("综合分析研判"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("研判时间"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["status", "opened_on", "pk"]
        verbose_name = _("影响期满研判")
        verbose_name_plural = _("影响期满研判")
        constraints = [
            models.CheckConstraint(
                condition=Q(sanction__isnull=False, adjustment__isnull=True)
                | Q(sanction__isnull=True, adjustment__isnull=False),
                name="incentives_review_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.cadre}：{self.get_status_display()}"

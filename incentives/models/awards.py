"""Awards and exemplars (F 4, ZJK 12(二), Z, J, X): campaigns such as 担当作为好干部, 人民满意
公务员 and 一事一嘉奖, with nomination → review → public notice (公示) with objections → award,
and the exemplar register (先进典型)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, PolicyList, Unit, tracked

from ..choices import CampaignStatus, NominationStatus, ObjectionStatus
from .common import CadreScopedQuerySet, UnitScopedQuerySet, cadre_scope_q, unit_scope_q


@tracked()
class AwardCampaign(models.Model):
    """One award campaign run by a unit: its kind (from the award-kinds list, which gives the
    public-notice period in working days), the nomination deadline and the notice window."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    kinds_list = models.ForeignKey(
        PolicyList, verbose_name=_("表彰种类清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    kind_code = models.CharField(_("表彰种类代码"), max_length=40)
    kind_label = models.CharField(_("表彰种类"), max_length=100)
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("评选条件和要求"), blank=True)
    nomination_deadline = models.DateField(_("推荐截止日期"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CampaignStatus.choices,
        default=CampaignStatus.NOMINATING,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("评选表彰活动")
        verbose_name_plural = _("评选表彰活动")

    def __str__(self):
        return self.title


class NominationQuerySet(CadreScopedQuerySet):
    def restrict(self, user, action="view"):
        q = unit_scope_q(user, action, prefix="campaign__unit")
        if q is None:
            return self.none()
        cadre_q = cadre_scope_q(user, action)
        if not cadre_q:  # the whole system: no cadre limit
            return self.filter(q)
        return self.filter(q & (Q(cadre__isnull=True) | cadre_q))


@tracked()
class Nomination(models.Model):
    """A nominee of a campaign: a cadre, or a unit for a collective award (先进集体)."""

    campaign = models.ForeignKey(
        AwardCampaign,
        verbose_name=_("评选活动"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("推荐干部"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
    )
    nominee_unit = models.ForeignKey(
        Unit,
        verbose_name=_("推荐集体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deeds = models.TextField(_("主要事迹"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    awarded_on = models.DateField(_("表彰日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("推荐人选")
        verbose_name_plural = _("推荐人选")
        constraints = [
            models.CheckConstraint(
                condition=Q(cadre__isnull=False, nominee_unit__isnull=True)
                | Q(cadre__isnull=True, nominee_unit__isnull=False),
                name="incentives_nomination_one_nominee",
            ),
            models.UniqueConstraint(
                fields=["campaign", "cadre"], name="incentives_nomination_cadre_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "nominee_unit"], name="incentives_nomination_unit_once"
            ),
        ]

    def __str__(self):
        return str(self.cadre or self.nominee_unit)


class ObjectionQuerySet(NominationQuerySet):
    def restrict(self, user, action="view"):
        nominations = Nomination.objects.restrict(user, action)
        return self.filter(nomination__in=nominations)


@tracked()
class Objection(models.Model):
    """An objection received during the public notice. An open or upheld objection blocks the
    award; a dismissed one does not."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("推荐人选"), on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("反映内容"))
    submitter = models.CharField(_("反映人（可匿名）"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.TextField(_("核查结论"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self):
        return f"{self.nomination}：{self.get_status_display()}"


class ExemplarQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        """Entries of units in the user's subtree; an individual's entry only when the cadre is
        inside the user's management scope too (post level included)."""
        q = unit_scope_q(user, action)
        if q is None:
            return self.none()
        cadre_q = cadre_scope_q(user, action)
        if not cadre_q:  # the whole system: no cadre limit
            return self.filter(q)
        return self.filter(q & (Q(cadre__isnull=True) | cadre_q))


@tracked()
class Exemplar(models.Model):
    """The exemplar register (先进典型): a cadre or a unit held up as a model, with the deeds
    and where they were publicised; awards enter it, and it can be added to directly."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("登记单位"), on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("干部"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplars",
    )
    collective = models.ForeignKey(
        Unit,
        verbose_name=_("先进集体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("荣誉或典型称号"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    deeds = models.TextField(_("先进事迹"))
    publicity = models.TextField(_("宣传情况"), blank=True)
    nomination = models.OneToOneField(
        Nomination,
        verbose_name=_("来源表彰"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplar",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExemplarQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型库")
        constraints = [
            models.CheckConstraint(
                condition=Q(cadre__isnull=False, collective__isnull=True)
                | Q(cadre__isnull=True, collective__isnull=False),
                name="incentives_exemplar_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.cadre or self.collective}：{self.title}"

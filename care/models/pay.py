"""The annual assessment bonus (年度考核奖) of each cadre, for the pay tilt of F 18: 乡镇机关
公务员年度考核奖水平高于当地县直机关同职务（职级）人员; 向艰苦岗位……倾斜.

A record keeps, as they were when it was entered, the cadre's post level (职务) and rank
(职级), the unit, the county it lies in, whether the unit was a township organ or a county
department (`BonusSide`) and whether it lay in a hardship area: the comparison of a year stays
what it was when the cadre later moves or is promoted."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, PostLevel, Rank, Unit, tracked

from ..choices import BonusSide
from .common import OwnRowsQuerySet


@tracked()
class AssessmentBonus(models.Model):
    """One cadre's annual assessment bonus for a year (one per cadre and year), in yuan."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="assessment_bonuses"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("年度考核奖金额（元）"), max_digits=12, decimal_places=2)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位（登记时）"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Unit,
        verbose_name=_("所在县（登记时）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    side = models.CharField(_("单位类别（登记时）"), max_length=20, choices=BonusSide.choices)
    hardship_area = models.BooleanField(_("艰苦（困难）地区（登记时）"), default=False)
    post_level = models.ForeignKey(
        PostLevel,
        verbose_name=_("职务层次（登记时）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rank = models.ForeignKey(
        Rank,
        verbose_name=_("职级（登记时）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "cadre__name", "pk"]
        verbose_name = _("年度考核奖")
        verbose_name_plural = _("年度考核奖")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="care_bonus_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="care_bonus_amount"),
        ]
        indexes = [models.Index(fields=["county", "year"], name="care_bonus_county_year")]

    def __str__(self):
        return f"{self.cadre}（{self.year}）"

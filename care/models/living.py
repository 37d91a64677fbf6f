"""Living conditions (F 20): township turnover housing (周转住房: rooms, allocations, the
waiting list) and the five small facilities (五小设施: 小食堂、小厕所、小澡堂、小图书室、小文体室)
of each remote or poor township."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, PolicyList, Unit, tracked

from ..choices import FacilityState, RoomStatus, WaitingStatus
from .common import UnitScopedQuerySet


@tracked()
class HousingRoom(models.Model):
    """A turnover-housing room of a township."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("所在乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.CharField(_("楼栋"), max_length=50)
    number = models.CharField(_("房号"), max_length=20)
    area = models.DecimalField(
        _("面积（㎡）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RoomStatus.choices, default=RoomStatus.VACANT
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "building", "number"]
        verbose_name = _("周转住房")
        verbose_name_plural = _("周转住房")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "building", "number"], name="care_housingroom_unique"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.building}-{self.number}"


class AllocationQuerySet(UnitScopedQuerySet):
    unit_path = "room__unit"


@tracked()
class HousingAllocation(models.Model):
    """A cadre living in a room from `start_on` until `end_on` (open while they live there).
    One open allocation per room and per cadre, enforced by the database."""

    room = models.ForeignKey(
        HousingRoom, verbose_name=_("房间"), on_delete=models.PROTECT, related_name="allocations"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField(_("入住日期"))
    end_on = models.DateField(_("退房日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "-pk"]
        verbose_name = _("住房分配")
        verbose_name_plural = _("住房分配")
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=Q(end_on__isnull=True), name="care_allocation_room_open"
            ),
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(end_on__isnull=True),
                name="care_allocation_cadre_open",
            ),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.room}"


@tracked()
class HousingApplication(models.Model):
    """The waiting list: a cadre asking for turnover housing in a township, served in order of
    application."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("申请乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+"
    )
    applied_on = models.DateField(_("申请日期"))
    reason = models.CharField(_("申请理由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    allocation = models.OneToOneField(
        HousingAllocation,
        verbose_name=_("分配结果"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["applied_on", "pk"]
        verbose_name = _("周转住房申请（轮候）")
        verbose_name_plural = _("周转住房轮候名单")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status="waiting"),
                name="care_housingapplication_one_waiting",
            )
        ]

    def __str__(self):
        return f"{self.cadre}（{self.applied_on}）"


@tracked()
class Facility(models.Model):
    """One of the five small facilities of a township and its state."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    kinds_list = models.ForeignKey(
        PolicyList, verbose_name=_("设施清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    kind_code = models.CharField(_("设施代码"), max_length=40)
    kind_label = models.CharField(_("设施"), max_length=100)
    state = models.CharField(
        _("状态"), max_length=20, choices=FacilityState.choices, default=FacilityState.NONE
    )
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    updated_on = models.DateField(_("更新日期"))

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "kind_code"]
        verbose_name = _("五小设施")
        verbose_name_plural = _("五小设施")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind_code"], name="care_facility_once")
        ]

    def __str__(self):
        return f"{self.unit}：{self.kind_label}"

"""Talks (谈心谈话, F 16, X): talk records, the due talks of the 五必谈 created from the
triggers, the family-misfortune reports of trigger 5 and the cadres' own requests for a talk
("向组织说说心里话")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Event, PolicyList, Unit, tracked

from ..choices import ObligationStatus, RequestStatus, TalkKind
from .common import CadreScopedQuerySet, OwnRowsQuerySet


@tracked()
class Talk(models.Model):
    """A talk held: who talked with whom, when, of what kind, the summary and the follow-up
    actions. The confidential content is readable only by the talk's parties and the
    organisation department (`care.talks.can_read_confidential`)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="talks"
    )
    talker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("谈话人（用户）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    talker_cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("谈话人（干部）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talks_given",
    )
    talker_name = models.CharField(_("谈话人"), max_length=100)
    kind = models.CharField(_("谈话类别"), max_length=20, choices=TalkKind.choices)
    held_on = models.DateField(_("谈话日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    summary = models.TextField(_("谈话摘要"))
    follow_up = models.TextField(_("跟进措施"), blank=True)
    confidential = models.BooleanField(_("含保密内容"), default=False)
    confidential_content = models.TextField(_("保密内容"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("谈心谈话记录")
        verbose_name_plural = _("谈心谈话记录")
        indexes = [
            models.Index(fields=["talker_cadre", "held_on"], name="care_talk_talker_year"),
        ]

    def __str__(self):
        return f"{self.talker_name} → {self.cadre}（{self.held_on}）"


class ObligationQuerySet(CadreScopedQuerySet):
    pass


@tracked()
class TalkObligation(models.Model):
    """A due talk (应谈事项) of the 五必谈: created once per source event by the trigger it
    matched (the event id is unique here), assigned by management authority to the
    organisation department of `responsible_unit` (and, when chosen, one of its users), due on
    `due_on`; reminded before the deadline, escalated to the superior once overdue, closed by
    the talk that was held."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="talk_obligations"
    )
    triggers_list = models.ForeignKey(
        PolicyList, verbose_name=_("五必谈清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    trigger_code = models.CharField(_("情形代码"), max_length=40)
    trigger_label = models.CharField(_("必谈情形"), max_length=200)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    source_event = models.OneToOneField(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位（管理权限）"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_on = models.DateField(_("产生日期"))
    due_on = models.DateField(_("应谈期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.DUE
    )
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    talk = models.OneToOneField(
        Talk,
        verbose_name=_("谈话记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligation",
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on", "pk"]
        verbose_name = _("五必谈应谈事项")
        verbose_name_plural = _("五必谈应谈事项")
        indexes = [models.Index(fields=["status", "due_on"], name="care_obligation_due")]

    def __str__(self):
        return f"{self.cadre}：{self.trigger_label}（{self.due_on}前）"


@tracked()
class MisfortuneReport(models.Model):
    """Trigger 5 (发生家庭变故必谈): a family misfortune reported on a page; it records the
    event `care.family_misfortune_reported`, which the triggers list turns into a due talk."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("变故情况"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    objects = CadreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("家庭变故报告")
        verbose_name_plural = _("家庭变故报告")

    def __str__(self):
        return f"{self.cadre}（{self.occurred_on}）"


@tracked()
class TalkRequest(models.Model):
    """向组织说说心里话 (X): a cadre asks the organisation for a talk and follows its status."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="talk_requests"
    )
    topic = models.CharField(_("谈话主题"), max_length=200)
    content = models.TextField(_("想说的话"))
    preferred_talker = models.CharField(_("希望的谈话人"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    response = models.TextField(_("组织答复"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    talk = models.OneToOneField(
        Talk,
        verbose_name=_("谈话记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("谈话申请（向组织说说心里话）")
        verbose_name_plural = _("谈话申请（向组织说说心里话）")

    def __str__(self):
        return f"{self.cadre}：{self.topic}"

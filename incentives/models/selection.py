"""Priority promotion (优先提拔使用, ZJK 3 and annex 1, F 7) and exceptional promotion (破格提拔,
ZJK 4, F 8)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, PolicyList, PostLevel, Unit, tracked

from ..choices import CandidateListStatus, CandidateStatus, RecordStatus
from .common import CadreScopedQuerySet, UnitScopedQuerySet


@tracked()
class PriorityRecord(models.Model):
    """A cadre linked to one situation of the priority-promotion list, with the evidence (the
    deed, the commendation, the instruction that praised it)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="priority_records"
    )
    situations_list = models.ForeignKey(
        PolicyList, verbose_name=_("情形清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    situation_code = models.CharField(_("情形代码"), max_length=40)
    situation_label = models.CharField(_("情形"), max_length=300)
    evidence = models.TextField(_("事实依据"))
    evidence_on = models.DateField(_("事实发生时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    withdrawn_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CadreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-evidence_on", "-pk"]
        verbose_name = _("优先提拔使用情形")
        verbose_name_plural = _("优先提拔使用情形")

    def __str__(self):
        return f"{self.cadre}：{self.situation_label}"


@tracked()
class CandidateList(models.Model):
    """破格提拔人选名单: the candidates a unit's organisation department puts forward for
    exceptional promotion, checked under the path and check lists in force when it opened."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    paths_list = models.ForeignKey(
        PolicyList, verbose_name=_("破格路径清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    checks_list = models.ForeignKey(
        PolicyList, verbose_name=_("破格条件清单版本"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CandidateListStatus.choices,
        default=CandidateListStatus.DRAFT,
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("破格提拔人选名单")
        verbose_name_plural = _("破格提拔人选名单")

    def __str__(self):
        return self.title


class CandidateQuerySet(CadreScopedQuerySet):
    pass


@tracked()
class Candidate(models.Model):
    """One cadre on a candidate list: the allowed jump (path) and target post, the deeds, the
    confirmations the age rule asks of a cadre 55 or older (ZJK 5), and the check results as
    last evaluated."""

    candidate_list = models.ForeignKey(
        CandidateList, verbose_name=_("名单"), on_delete=models.CASCADE, related_name="candidates"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+"
    )
    path_code = models.CharField(_("破格路径代码"), max_length=40)
    path_label = models.CharField(_("破格路径"), max_length=300)
    target_post = models.CharField(_("拟任职务"), max_length=100)
    target_level = models.ForeignKey(
        PostLevel, verbose_name=_("拟任职务层次"), on_delete=models.PROTECT, related_name="+"
    )
    deeds = models.TextField(_("主要实绩"))
    healthy = models.BooleanField(_("身体健康"), default=False)
    outstanding = models.BooleanField(_("实绩突出"), default=False)
    recognised = models.BooleanField(_("群众认可"), default=False)
    check_results = models.JSONField(_("条件核查结果"), default=list, blank=True)
    checks_passed = models.BooleanField(_("符合破格条件"), default=False)
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    decision_note = models.CharField(_("研究意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["candidate_list", "pk"]
        verbose_name = _("破格提拔人选")
        verbose_name_plural = _("破格提拔人选")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate_list", "cadre"], name="incentives_candidate_once_per_list"
            )
        ]

    def __str__(self):
        return f"{self.cadre} → {self.target_post}"

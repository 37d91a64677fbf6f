"""Fault tolerance (容错纠错) and clearing of names (澄清正名), DOMAIN §4.

Every table is scoped by the unit of the body handling the matter (`handling_unit`): a user sees
what their unit's subtree handles. The workflow status of a case or a clearing matter is written
only by its transition service (`tolerance.workflow`), which also writes the append-only status
change row that the timelines show.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.choices import Role
from cadre.models import APPEND_ONLY, Cadre, PolicyItem, PolicyList, Unit, tracked

from .choices import (
    OPEN_CASE_STATUSES,
    TOLERATED_OUTCOMES,
    AccountableBody,
    Answer,
    CaseOrigin,
    CaseStatus,
    ClearingConclusion,
    ClearingStatus,
    CorrectionStatus,
    InquiryKind,
    MatterStatus,
    Outcome,
    ReportSource,
)

# Roles that work on tolerance and clearing files (ZJK art. 7: the party committee leads;
# discipline and organisation are the implementing bodies). Auditors read.
FILE_ROLES = frozenset({Role.DISCIPLINE, Role.ORGANISATION, Role.COMMITTEE, Role.AUDITOR})
WORK_ROLES = frozenset({Role.DISCIPLINE, Role.ORGANISATION})
# Roles that act on files (transitions check their own role table on top of this).
ACT_ROLES = WORK_ROLES | {Role.COMMITTEE}
APPLICANT_ROLES = frozenset({Role.CADRE, Role.UNIT_LEADER})


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def files_scope_q(user, prefix="handling_unit"):
    """Q for the files a user may see: those handled inside their unit's subtree. Case files
    are only for discipline, organisation, the committee and auditors (ARCHITECTURE, Access)."""
    scope = access.scope_for(user)
    if scope.everything:
        return Q()
    if not (_roles(user) & FILE_ROLES) or not scope.path:
        return None
    return Q(**{f"{prefix}__path__startswith": scope.path})


class ScopedQuerySet(models.QuerySet):
    scope_prefix = "handling_unit"

    def restrict(self, user, action="view"):
        q = files_scope_q(user, self.scope_prefix)
        if q is None:
            return self.none()
        if action != "view" and not access.scope_for(user).everything:
            if not (_roles(user) & ACT_ROLES) and action != "export":
                return self.none()
        return self.filter(q)


class CaseQuerySet(ScopedQuerySet):
    def restrict(self, user, action="view"):
        q = files_scope_q(user)
        if q is None:
            # A cadre or unit that applied sees its own applications, read-only.
            if action == "view" and _roles(user) & APPLICANT_ROLES:
                return self.filter(applicant=user)
            return self.none()
        return super().restrict(user, action)

    def open(self):
        return self.filter(status__in=OPEN_CASE_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class ChildQuerySet(models.QuerySet):
    """Records hanging from a case: scoped through their case."""

    scope_prefix = "case__handling_unit"

    def restrict(self, user, action="view"):
        q = files_scope_q(user, self.scope_prefix)
        if q is None:
            return self.none()
        if action != "view" and not access.scope_for(user).everything:
            if not (_roles(user) & ACT_ROLES) and action != "export":
                return self.none()
        return self.filter(q)


class ClearingChildQuerySet(ChildQuerySet):
    scope_prefix = "clearing__handling_unit"


@tracked()
class AccountabilityMatter(models.Model):
    """问责事项: who holds whom to account, for what, in which form. Whoever holds to account
    considers tolerance (谁负责问责、谁考虑容错, ZJK art. 9): a matter can open a case."""

    number = models.CharField(_("编号"), max_length=30, unique=True, editable=False)
    handling_unit = models.ForeignKey(
        Unit,
        verbose_name=_("问责机关所在单位"),
        on_delete=models.PROTECT,
        related_name="accountability_matters",
    )
    accountable_body = models.CharField(
        _("问责机关"), max_length=20, choices=AccountableBody.choices
    )
    title = models.CharField(_("问责事由"), max_length=200)
    facts = models.TextField(_("问题事实"), blank=True)
    matter_category = models.CharField(
        _("事由类别"), max_length=40, blank=True, help_text=_("用于识别“同一事由”重复出错")
    )
    occurred_on = models.DateField(_("问题发生日期"))
    opened_on = models.DateField(_("启动问责日期"), default=timezone.localdate)
    cadres = models.ManyToManyField(
        Cadre, verbose_name=_("被问责干部"), blank=True, related_name="accountability_matters"
    )
    party_org = models.ForeignKey(
        Unit,
        verbose_name=_("被问责党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountability_matters_as_subject",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MatterStatus.choices, default=MatterStatus.OPEN
    )
    form = models.CharField(_("问责方式"), max_length=40, blank=True)
    form_label = models.CharField(_("问责方式名称"), max_length=100, blank=True)
    forms_list = models.ForeignKey(
        PolicyList,
        verbose_name=_("问责方式清单版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("问责决定日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("问责事项")
        verbose_name_plural = _("问责事项")
        indexes = [models.Index(fields=["handling_unit", "-opened_on"])]

    def __str__(self):
        return f"{self.number} {self.title}"


@tracked()
class Reminder(models.Model):
    """组织提醒: a reminder talk or written reminder given to a cadre about an emerging problem
    (苗头性问题). Exclusion 9 looks these up: repeating the same error after a reminder."""

    handling_unit = models.ForeignKey(
        Unit, verbose_name=_("提醒单位"), on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("被提醒干部"), on_delete=models.PROTECT, related_name="reminders"
    )
    given_on = models.DateField(_("提醒日期"))
    matter_category = models.CharField(_("事由类别"), max_length=40, blank=True)
    summary = models.TextField(_("提醒事由"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("组织提醒")
        verbose_name_plural = _("组织提醒")

    def __str__(self):
        return f"{self.cadre} {self.given_on}"


@tracked()
class Case(models.Model):
    """容错纠错案件: one matter judged on its own (一事一议, ZJK art. 8) under the checklist
    versions recorded at filing, concerning one or more cadres or a party organisation."""

    number = models.CharField(_("案件编号"), max_length=30, unique=True, editable=False)
    title = models.CharField(_("案件名称"), max_length=200)
    facts = models.TextField(_("失误错误事实"))
    origin = models.CharField(_("启动方式"), max_length=20, choices=CaseOrigin.choices)
    matter = models.ForeignKey(
        AccountabilityMatter,
        verbose_name=_("关联问责事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    handling_unit = models.ForeignKey(
        Unit, verbose_name=_("办理单位"), on_delete=models.PROTECT, related_name="tolerance_cases"
    )
    cadres = models.ManyToManyField(
        Cadre, verbose_name=_("涉及干部"), blank=True, related_name="tolerance_cases"
    )
    party_org = models.ForeignKey(
        Unit,
        verbose_name=_("涉及党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tolerance_cases_as_subject",
    )
    matter_category = models.CharField(_("事由类别"), max_length=40, blank=True)
    occurred_on = models.DateField(_("失误发生日期"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tolerance_applications",
    )
    application_reason = models.TextField(_("申请理由"), blank=True)

    # The checklist versions this case is judged under; published lists are frozen, so a
    # later edit of a list (a new version) never changes this case.
    distinctions_list = models.ForeignKey(
        PolicyList, on_delete=models.PROTECT, related_name="+", verbose_name=_("三个区分开来清单")
    )
    conditions_list = models.ForeignKey(
        PolicyList, on_delete=models.PROTECT, related_name="+", verbose_name=_("容错条件清单")
    )
    situations_list = models.ForeignKey(
        PolicyList, on_delete=models.PROTECT, related_name="+", verbose_name=_("容错情形清单")
    )
    exclusions_list = models.ForeignKey(
        PolicyList, on_delete=models.PROTECT, related_name="+", verbose_name=_("不予容错情形清单")
    )
    severity_list = models.ForeignKey(
        PolicyList, on_delete=models.PROTECT, related_name="+", verbose_name=_("情节程度清单")
    )
    severity = models.ForeignKey(
        PolicyItem,
        verbose_name=_("情节与后果程度"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.FILED
    )
    status_changed_at = models.DateTimeField(_("进入当前状态时间"), default=timezone.now)
    due_on = models.DateField(_("本环节办理期限"), null=True, blank=True)
    overdue_notified_on = models.DateField(_("超期提醒日期"), null=True, blank=True)

    # Preliminary opinion (ZJK art. 9; J 三(五)2: motive and attitude, objective conditions,
    # nature and degree, consequences, losses recovered).
    motive_attitude = models.TextField(_("动机态度"), blank=True)
    objective_conditions = models.TextField(_("客观条件"), blank=True)
    nature_degree = models.TextField(_("性质程度"), blank=True)
    consequences = models.TextField(_("后果影响"), blank=True)
    losses_recovered = models.TextField(_("挽回损失情况"), blank=True)
    proposed_outcome = models.CharField(
        _("初步认定意见"), max_length=20, choices=Outcome.choices, blank=True
    )
    proposal_reasons = models.TextField(_("初步意见理由"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)

    # The committee's decision (ZJK art. 9) and the suggestion it was taken against.
    suggestion = models.JSONField(_("系统研判建议（认定时）"), default=dict, blank=True)
    outcome = models.CharField(_("认定结论"), max_length=20, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField(_("认定理由"), blank=True)
    departs_from_suggestion = models.BooleanField(_("与系统建议不一致"), default=False)
    decision_meeting = models.CharField(_("认定会议"), max_length=200, blank=True)
    decided_on = models.DateField(_("认定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Written feedback and filing with the level above (ZJK art. 10).
    feedback_to = models.CharField(_("书面反馈对象"), max_length=200, blank=True)
    feedback_sent_on = models.DateField(_("反馈日期"), null=True, blank=True)
    filing_recipients = models.CharField(_("报备机关"), max_length=300, blank=True)
    filed_upward_on = models.DateField(_("报备日期"), null=True, blank=True)
    filing_acknowledged_on = models.DateField(_("上级备案确认日期"), null=True, blank=True)
    filing_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # ZJK art. 11(四): tolerable but refused by an inactive body → that body is held to account.
    oversight_flagged = models.BooleanField(_("应容未容问责标记"), default=False)
    oversight_reason = models.TextField(_("应容未容说明"), blank=True)
    oversight_flagged_on = models.DateField(null=True, blank=True)
    oversight_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("立案时间"), auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("容错纠错案件")
        verbose_name_plural = _("容错纠错案件")
        indexes = [
            models.Index(fields=["handling_unit", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | ~Q(status__in=["filed", "investigating", "preliminary"]),
                name="tolerance_case_outcome_only_when_decided",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self):
        return self.status in OPEN_CASE_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def is_tolerated(self):
        return self.outcome in TOLERATED_OUTCOMES


class CaseStatusChange(models.Model):
    """One step of a case's workflow: who moved it, from which state to which, why, when.
    Append-only; the case timeline reads it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    transition = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reason = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        triggers = [*APPEND_ONLY]

    def __str__(self):
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


@tracked()
class ChecklistAnswer(models.Model):
    """The answer to one checklist item for a case (a distinction's side, a condition met, a
    situation or an exclusion present), with its evidence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(PolicyItem, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("结论"), max_length=3, choices=Answer.choices)
    evidence = models.TextField(_("事实与依据"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单研判")
        verbose_name_plural = _("清单研判")
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="tolerance_checklistanswer_once")
        ]

    def __str__(self):
        return f"{self.case_id} {self.item_id} {self.answer}"


@tracked()
class Inquiry(models.Model):
    """调查核实记录: investigation, hearing the units and people involved, public
    representatives or service recipients taking part, or a third-party evaluation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="inquiries")
    kind = models.CharField(_("类别"), max_length=30, choices=InquiryKind.choices)
    held_on = models.DateField(_("日期"))
    party = models.CharField(_("调查对象/参与方"), max_length=200)
    content = models.TextField(_("内容"))
    findings = models.TextField(_("查明情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("调查核实记录")
        verbose_name_plural = _("调查核实记录")

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


@tracked()
class Consultation(models.Model):
    """沟通会商 (ZJK art. 11(一)): discipline, organisation and functional departments agree
    on the matter; whoever holds to account leads (谁问责，谁牵头)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consultations")
    held_on = models.DateField(_("会商日期"))
    lead_body = models.CharField(_("牵头单位"), max_length=200)
    participants = models.TextField(_("参加单位和人员"))
    topic = models.CharField(_("会商事项"), max_length=200)
    conclusions = models.TextField(_("会商结论"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("沟通会商记录")
        verbose_name_plural = _("沟通会商记录")

    def __str__(self):
        return f"{self.topic} {self.held_on}"


@tracked()
class CorrectionPlan(models.Model):
    """纠错 (ZJK art. 11(二)): remedial measures, root-cause analysis and an improvement plan,
    tracked to done."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    remedial_measures = models.TextField(_("补救措施"))
    root_cause = models.TextField(_("原因分析"), blank=True)
    improvement_plan = models.TextField(_("整改和完善制度措施"), blank=True)
    responsible = models.CharField(_("责任单位/责任人"), max_length=200)
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(
        _("进度"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.PLANNED
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.TextField(_("整改成效"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("纠错整改")
        verbose_name_plural = _("纠错整改")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="tolerance_correctionplan_done_has_date",
            )
        ]

    def __str__(self):
        return self.remedial_measures[:40]


@tracked()
class ClearingMatter(models.Model):
    """澄清正名 (DOMAIN §4.6): a report against a cadre or a party organisation, verified
    quickly, concluded, and — when unfounded — the subject cleared within a set scope."""

    number = models.CharField(_("编号"), max_length=30, unique=True, editable=False)
    handling_unit = models.ForeignKey(
        Unit, verbose_name=_("办理单位"), on_delete=models.PROTECT, related_name="clearing_matters"
    )
    cadres = models.ManyToManyField(
        Cadre, verbose_name=_("被反映干部"), blank=True, related_name="clearing_matters"
    )
    party_org = models.ForeignKey(
        Unit,
        verbose_name=_("被反映党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clearing_matters_as_subject",
    )
    source = models.CharField(_("线索来源"), max_length=20, choices=ReportSource.choices)
    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    allegation = models.TextField(_("反映的主要问题"))
    accuser_name = models.CharField(_("举报人"), max_length=100, blank=True)
    accuser_contact = models.CharField(_("举报人联系方式"), max_length=100, blank=True)
    background_check = models.TextField(
        _("侧面了解情况"), blank=True, help_text=_("处置问题线索前的侧面了解（闽 13）")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ClearingStatus.choices, default=ClearingStatus.RECEIVED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    conclusion = models.CharField(
        _("核查结论"), max_length=20, choices=ClearingConclusion.choices, blank=True
    )
    conclusion_reasons = models.TextField(_("结论依据"), blank=True)
    concluded_on = models.DateField(_("结论日期"), null=True, blank=True)
    referral_note = models.TextField(_("诬告陷害移送查处情况"), blank=True)
    referred_on = models.DateField(_("移送日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("澄清正名事项")
        verbose_name_plural = _("澄清正名事项")
        indexes = [models.Index(fields=["handling_unit", "status"])]

    def __str__(self):
        return f"{self.number}"


class ClearingStatusChange(models.Model):
    """One step of a clearing matter's workflow (append-only)."""

    clearing = models.ForeignKey(
        ClearingMatter, on_delete=models.PROTECT, related_name="status_changes"
    )
    transition = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ClearingStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ClearingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("澄清正名流转记录")
        verbose_name_plural = _("澄清正名流转记录")
        triggers = [*APPEND_ONLY]

    def __str__(self):
        return f"{self.clearing_id}: {self.from_status} → {self.to_status}"


@tracked()
class Clarification(models.Model):
    """How the subject was cleared (X: a letter to the unit, a meeting, a notice, or a reply in
    an integrity opinion) and within which scope."""

    clearing = models.ForeignKey(
        ClearingMatter, on_delete=models.CASCADE, related_name="clarifications"
    )
    method = models.CharField(_("澄清方式"), max_length=40)
    method_label = models.CharField(_("澄清方式名称"), max_length=100)
    scope = models.CharField(_("澄清范围"), max_length=200)
    held_on = models.DateField(_("日期"))
    content = models.TextField(_("澄清内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClearingChildQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("澄清记录")
        verbose_name_plural = _("澄清记录")

    def __str__(self):
        return f"{self.method_label} {self.held_on}"


@tracked()
class BlacklistEntry(models.Model):
    """失信黑名单 (X): a person found to have made a false accusation (诬告陷害)."""

    clearing = models.ForeignKey(
        ClearingMatter, on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    person_name = models.CharField(_("姓名"), max_length=100)
    person_unit = models.CharField(_("工作单位或住址"), max_length=200, blank=True)
    reason = models.TextField(_("列入事由"))
    listed_on = models.DateField(_("列入日期"), default=timezone.localdate)
    listed_until = models.DateField(_("移出日期"), null=True, blank=True)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ClearingChildQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("失信黑名单")
        verbose_name_plural = _("失信黑名单")

    def __str__(self):
        return self.person_name


class FollowUpQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        case_q = files_scope_q(user, "case__handling_unit")
        if case_q is None:
            return self.none()
        if action != "view" and not access.scope_for(user).everything:
            if not (_roles(user) & ACT_ROLES) and action != "export":
                return self.none()
        if not case_q:
            return self
        clearing_q = files_scope_q(user, "clearing__handling_unit")
        return self.filter(case_q | clearing_q)


@tracked()
class FollowUpVisit(models.Model):
    """回访 (ZJK art. 11(五); Z: 一人一策、一件一档, visits until the person is at ease):
    after a case or after a clearing."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    clearing = models.ForeignKey(
        ClearingMatter, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("回访对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visited_on = models.DateField(_("回访日期"))
    visitors = models.CharField(_("回访人员"), max_length=200)
    findings = models.TextField(_("回访情况（思想状态、履职表现）"))
    at_ease = models.BooleanField(_("思想包袱已解除"), default=False)
    next_visit_on = models.DateField(_("下次回访日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["visited_on", "id"]
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(clearing__isnull=True))
                | (Q(case__isnull=True) & Q(clearing__isnull=False)),
                name="tolerance_followupvisit_one_parent",
            )
        ]

    def __str__(self):
        return f"{self.visited_on} {self.visitors}"


@tracked()
class Publication(models.Model):
    """公开登记: a tolerated case or a clearing made public within a set scope, or a periodic
    bulletin of unfounded reports (ZJK art. 11(三))."""

    handling_unit = models.ForeignKey(
        Unit, verbose_name=_("公开单位"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="publications"
    )
    clearing = models.ForeignKey(
        ClearingMatter, on_delete=models.PROTECT, null=True, blank=True, related_name="publications"
    )
    period_start = models.DateField(_("通报期间起"), null=True, blank=True)
    period_end = models.DateField(_("通报期间止"), null=True, blank=True)
    scope = models.CharField(_("公开范围"), max_length=40)
    scope_label = models.CharField(_("公开范围名称"), max_length=100)
    channel = models.CharField(_("公开方式"), max_length=200)
    published_on = models.DateField(_("公开日期"))
    content = models.TextField(_("公开内容"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("公开登记")
        verbose_name_plural = _("公开登记")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(clearing__isnull=True),
                name="tolerance_publication_at_most_one_parent",
            )
        ]

    def __str__(self):
        return f"{self.scope_label} {self.published_on}"

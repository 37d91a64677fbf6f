"""API serializers of the tolerance app. They check the shape of input and hand it to
tolerance.services / tolerance.workflow; the rules live there."""

from functools import cache

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadre.choices import Role
from cadre.models import Cadre, Unit

from ..choices import (
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
    SuggestionStatus,
)
from ..models import (
    AccountabilityMatter,
    BlacklistEntry,
    Case,
    CaseStatusChange,
    ChecklistAnswer,
    Clarification,
    ClearingMatter,
    ClearingStatusChange,
    Consultation,
    CorrectionPlan,
    FollowUpVisit,
    Inquiry,
    Publication,
    Reminder,
)
from ..workflow import CASE_TRANSITIONS, CLEARING_TRANSITIONS


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _roles(user):
    return set(getattr(user, "roles", None) or [])


# --- choice fields ----------------------------------------------------------------------------
# Several tolerance models have a `status` (or `outcome`, `kind` …) with their own choices. Each
# choice set is published once in the schema under an app-qualified component name, so that no
# two apps' enums collide on a field name.


@cache
def _choice_class(name, choices, blank):
    component = f"Tolerance{name}{'OrBlank' if blank else ''}Enum"
    schema = serializers.ChoiceField(choices=choices, allow_blank=blank)
    return extend_schema_field(schema, component_name=component)(
        type(f"{name}ChoiceField", (serializers.ChoiceField,), {})
    )


def choice(name, choices, *, blank=False, **kwargs):
    """A ChoiceField whose enum is the schema component `Tolerance<name>Enum`."""
    pairs = tuple(choices.choices) if hasattr(choices, "choices") else tuple(choices)
    return _choice_class(name, pairs, blank)(choices=pairs, allow_blank=blank, **kwargs)


def _label(source):
    return serializers.CharField(source=source, read_only=True)


def _name(source):
    """The display name of a related row (a user, a unit), null when there is none."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


CASE_TRANSITION_CHOICES = tuple((t.name, t.label) for t in CASE_TRANSITIONS.values())
CLEARING_TRANSITION_CHOICES = tuple((t.name, t.label) for t in CLEARING_TRANSITIONS.values())
_OPENING_LABELS = {"file": _("立案"), "receive": _("受理")}


# --- shared pieces ----------------------------------------------------------------------------


class CadreRefSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Cadre
        fields = ["id", "name", "post", "unit_name"]
        read_only_fields = fields


class TransitionOptionSerializer(serializers.Serializer):
    """A transition the requesting user's roles allow from the current state."""

    name = serializers.CharField(label=_("操作代码"), read_only=True)
    label = serializers.CharField(label=_("操作"), read_only=True)
    target = serializers.CharField(label=_("转入状态"), read_only=True)
    reason_required = serializers.BooleanField(label=_("须填写说明"), read_only=True)


class _StatusChangeSerializer(serializers.ModelSerializer):
    actor_name = _name("actor")
    transition_label = serializers.SerializerMethodField(label=_("操作"))
    table = {}

    def get_transition_label(self, row) -> str:
        known = self.table.get(row.transition)
        if known is not None:
            return str(known.label)
        return str(_OPENING_LABELS.get(row.transition, row.transition))


class CaseStatusChangeSerializer(_StatusChangeSerializer):
    from_status = choice("CaseStatus", CaseStatus, blank=True, read_only=True)
    to_status = choice("CaseStatus", CaseStatus, read_only=True)
    to_status_label = _label("get_to_status_display")
    table = CASE_TRANSITIONS

    class Meta:
        model = CaseStatusChange
        fields = [
            "id",
            "transition",
            "transition_label",
            "from_status",
            "to_status",
            "to_status_label",
            "actor_name",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class ClearingStatusChangeSerializer(_StatusChangeSerializer):
    from_status = choice("ClearingStatus", ClearingStatus, blank=True, read_only=True)
    to_status = choice("ClearingStatus", ClearingStatus, read_only=True)
    to_status_label = _label("get_to_status_display")
    table = CLEARING_TRANSITIONS

    class Meta:
        model = ClearingStatusChange
        fields = CaseStatusChangeSerializer.Meta.fields
        read_only_fields = fields


class FollowUpVisitSerializer(serializers.ModelSerializer):
    cadre_name = _name("cadre.name")
    recorded_by_name = _name("recorded_by")

    class Meta:
        model = FollowUpVisit
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "visited_on",
            "visitors",
            "findings",
            "at_ease",
            "next_visit_on",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class FollowUpVisitInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField(label=_("回访日期"))
    visitors = serializers.CharField(label=_("回访人员"), max_length=200)
    findings = serializers.CharField(label=_("回访情况（思想状态、履职表现）"))
    at_ease = serializers.BooleanField(label=_("思想包袱已解除"), default=False)
    next_visit_on = serializers.DateField(label=_("下次回访日期"), required=False, allow_null=True)
    cadre = serializers.PrimaryKeyRelatedField(
        label=_("回访对象"), queryset=Cadre.objects.none(), required=False, allow_null=True
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["cadre"].queryset = Cadre.objects.restrict(_user(self), "view")
        return fields


class PublicationSerializer(serializers.ModelSerializer):
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)
    case_number = _name("case.number")
    clearing_number = _name("clearing.number")
    published_by_name = _name("published_by")

    class Meta:
        model = Publication
        fields = [
            "id",
            "handling_unit",
            "handling_unit_name",
            "case",
            "case_number",
            "clearing",
            "clearing_number",
            "period_start",
            "period_end",
            "scope",
            "scope_label",
            "channel",
            "published_on",
            "content",
            "published_by_name",
            "created_at",
        ]
        read_only_fields = fields


class ClearingPublicationInputSerializer(serializers.Serializer):
    """在一定范围内通报澄清 (ZJK art. 11(三))."""

    scope = serializers.CharField(
        label=_("公开范围"), max_length=40, help_text=_("公开范围清单中的代码，如 unit、system")
    )
    channel = serializers.CharField(label=_("公开方式"), max_length=200)
    content = serializers.CharField(label=_("公开内容"))


class BulletinInputSerializer(serializers.Serializer):
    """定期公布不实举报的案例 (ZJK art. 11(三))."""

    handling_unit = serializers.PrimaryKeyRelatedField(
        label=_("公开单位"), queryset=Unit.objects.none()
    )
    period_start = serializers.DateField(label=_("通报期间起"))
    period_end = serializers.DateField(label=_("通报期间止"))
    scope = serializers.CharField(
        label=_("公开范围"), max_length=40, help_text=_("公开范围清单中的代码，如 unit、system")
    )
    channel = serializers.CharField(label=_("公开方式"), max_length=200)

    def get_fields(self):
        fields = super().get_fields()
        fields["handling_unit"].queryset = Unit.objects.restrict(_user(self), "view")
        return fields


# --- judgement --------------------------------------------------------------------------------


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField(label=_("类别"), help_text="accountability / case / reminder")
    date = serializers.CharField(label=_("日期"))
    label = serializers.CharField(label=_("内容"))
    cadre = serializers.CharField(label=_("干部"))
    ref = serializers.CharField(label=_("编号"))


class SuggestionSerializer(serializers.Serializer):
    """The system's suggestion (judgement.suggest): advice; the committee decides."""

    status = choice("SuggestionStatus", SuggestionStatus, read_only=True)
    status_label = serializers.CharField(read_only=True)
    proposed_outcome = choice("Outcome", Outcome, blank=True, read_only=True)
    outcome_label = serializers.CharField(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    missing = serializers.ListField(child=serializers.CharField(), read_only=True)
    blocking = serializers.ListField(child=serializers.CharField(), read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    repeat_findings = FindingSerializer(many=True, read_only=True)
    versions = serializers.DictField(child=serializers.CharField(), read_only=True)


class PolicyItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)


class ChecklistVersionSerializer(serializers.Serializer):
    """One checklist version the case is judged under, with its items."""

    field = serializers.CharField(read_only=True, help_text=_("案件上记录该清单的字段"))
    kind = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    items = PolicyItemRefSerializer(many=True, read_only=True)


CHECKLIST_FIELDS = (
    "distinctions_list",
    "conditions_list",
    "situations_list",
    "exclusions_list",
    "severity_list",
)


def checklist_versions(case):
    return [
        {
            "field": field,
            "kind": policy_list.kind,
            "id": policy_list.pk,
            "title": policy_list.title,
            "version": policy_list.version,
            "items": list(policy_list.items.all()),
        }
        for field in CHECKLIST_FIELDS
        for policy_list in [getattr(case, field)]
    ]


class ChecklistAnswerSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    label = serializers.CharField(source="item.label", read_only=True)
    checklist = serializers.SerializerMethodField(label=_("清单类别"))
    answer = choice("Answer", Answer, read_only=True)
    answer_label = _label("get_answer_display")
    answered_by_name = _name("answered_by")

    class Meta:
        model = ChecklistAnswer
        fields = [
            "id",
            "item",
            "code",
            "label",
            "checklist",
            "answer",
            "answer_label",
            "evidence",
            "answered_by_name",
            "answered_at",
        ]
        read_only_fields = fields

    def get_checklist(self, row) -> str:
        kinds = self.context.get("list_kinds") or {}
        return kinds.get(row.item.policy_list_id, "")


class ChecklistAnswerInputSerializer(serializers.Serializer):
    answer = choice(
        "Answer", Answer, blank=True, label=_("结论"), help_text=_("yes / no；空字符串表示清除")
    )
    evidence = serializers.CharField(
        label=_("事实与依据"), required=False, allow_blank=True, default=""
    )


class ChecklistInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        label=_("清单研判"),
        child=ChecklistAnswerInputSerializer(),
        required=False,
        default=dict,
        help_text=_(
            "条目代码（如 D1、C3、S7、N9）或条目编号 → 结论与依据。PUT 为整体替换："
            "未列出的已有研判被清除；PATCH 只改列出的条目"
        ),
    )
    severity = serializers.CharField(
        label=_("情节与后果程度"),
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("情节程度清单中的代码（如 L1）；空字符串表示清除；不传则不变"),
    )


class CaseChecklistSerializer(serializers.Serializer):
    """The checklist state of a case and the suggestion computed from it."""

    status = choice("CaseStatus", CaseStatus, read_only=True)
    versions = ChecklistVersionSerializer(many=True, read_only=True)
    answers = ChecklistAnswerSerializer(many=True, read_only=True)
    severity = serializers.CharField(read_only=True, allow_null=True)
    severity_label = serializers.CharField(read_only=True, allow_null=True)
    suggestion = SuggestionSerializer(read_only=True)


# --- records around a case --------------------------------------------------------------------


class InquirySerializer(serializers.ModelSerializer):
    kind = choice("InquiryKind", InquiryKind, label=_("类别"))
    kind_label = _label("get_kind_display")
    recorded_by_name = _name("recorded_by")

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "kind",
            "kind_label",
            "held_on",
            "party",
            "content",
            "findings",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ConsultationSerializer(serializers.ModelSerializer):
    recorded_by_name = _name("recorded_by")

    class Meta:
        model = Consultation
        fields = [
            "id",
            "held_on",
            "lead_body",
            "participants",
            "topic",
            "conclusions",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class CorrectionPlanSerializer(serializers.ModelSerializer):
    status = choice("CorrectionStatus", CorrectionStatus, read_only=True)
    status_label = _label("get_status_display")

    class Meta:
        model = CorrectionPlan
        fields = [
            "id",
            "remedial_measures",
            "root_cause",
            "improvement_plan",
            "responsible",
            "due_on",
            "status",
            "status_label",
            "done_on",
            "result",
            "created_at",
        ]
        read_only_fields = ["status", "done_on", "result", "created_at"]


class CorrectionProgressSerializer(serializers.Serializer):
    status = choice("CorrectionStatus", CorrectionStatus, label=_("进度"))
    result = serializers.CharField(label=_("整改成效"), required=False, allow_blank=True)
    done_on = serializers.DateField(label=_("完成日期"), required=False, allow_null=True)


class OversightInputSerializer(serializers.Serializer):
    oversight_reason = serializers.CharField(
        label=_("应容未容说明"), allow_blank=True, help_text=_("应予容错而未容错的理由")
    )


# --- cases ------------------------------------------------------------------------------------


class CaseListSerializer(serializers.ModelSerializer):
    """A row of the case list."""

    origin = choice("CaseOrigin", CaseOrigin, read_only=True)
    status = choice("CaseStatus", CaseStatus, read_only=True)
    status_label = _label("get_status_display")
    outcome = choice("Outcome", Outcome, blank=True, read_only=True)
    outcome_label = _label("get_outcome_display")
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)
    party_org_name = _name("party_org.name")
    cadre_names = serializers.SerializerMethodField(label=_("涉及干部"))
    is_overdue = serializers.BooleanField(label=_("已超期"), read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "origin",
            "status",
            "status_label",
            "outcome",
            "outcome_label",
            "handling_unit",
            "handling_unit_name",
            "party_org",
            "party_org_name",
            "cadre_names",
            "occurred_on",
            "due_on",
            "is_overdue",
            "created_at",
        ]
        read_only_fields = fields

    def get_cadre_names(self, case) -> list[str]:
        # Served from the viewset's prefetch: no query per row.
        return [cadre.name for cadre in case.cadres.all()]


class CaseDetailSerializer(CaseListSerializer):
    """A whole case file: subjects, the checklist versions, answers, the current suggestion,
    what the requesting user may do next, the timeline and the records around it."""

    matter_number = _name("matter.number")
    cadres = CadreRefSerializer(many=True, read_only=True)
    applicant_name = _name("applicant")
    checklists = serializers.SerializerMethodField(label=_("适用清单版本"))
    severity = serializers.CharField(source="severity.code", read_only=True, allow_null=True)
    severity_label = _name("severity.label")
    proposed_outcome = choice("Outcome", Outcome, blank=True, read_only=True)
    proposed_by_name = _name("proposed_by")
    decided_by_name = _name("decided_by")
    decision_suggestion = serializers.JSONField(
        source="suggestion", read_only=True, label=_("系统研判建议（认定时）")
    )
    answers = serializers.SerializerMethodField(label=_("清单研判"))
    suggestion = serializers.SerializerMethodField(label=_("系统研判建议（当前）"))
    allowed_transitions = serializers.SerializerMethodField(label=_("可执行的操作"))
    timeline = CaseStatusChangeSerializer(source="status_changes", many=True, read_only=True)
    inquiries = InquirySerializer(many=True, read_only=True)
    consultations = ConsultationSerializer(many=True, read_only=True)
    corrections = CorrectionPlanSerializer(many=True, read_only=True)
    visits = FollowUpVisitSerializer(many=True, read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "facts",
            "matter",
            "matter_number",
            "matter_category",
            "cadres",
            "applicant",
            "applicant_name",
            "application_reason",
            "checklists",
            "severity",
            "severity_label",
            "status_changed_at",
            "motive_attitude",
            "objective_conditions",
            "nature_degree",
            "consequences",
            "losses_recovered",
            "proposed_outcome",
            "proposal_reasons",
            "proposed_by_name",
            "proposed_at",
            "decision_suggestion",
            "decision_reasons",
            "departs_from_suggestion",
            "decision_meeting",
            "decided_on",
            "decided_by_name",
            "feedback_to",
            "feedback_sent_on",
            "filing_recipients",
            "filed_upward_on",
            "filing_acknowledged_on",
            "oversight_flagged",
            "oversight_reason",
            "oversight_flagged_on",
            "answers",
            "suggestion",
            "allowed_transitions",
            "timeline",
            "inquiries",
            "consultations",
            "corrections",
            "visits",
            "publications",
        ]
        read_only_fields = fields

    def get_checklists(self, case) -> ChecklistVersionSerializer(many=True):
        return ChecklistVersionSerializer(checklist_versions(case), many=True).data

    def get_answers(self, case) -> ChecklistAnswerSerializer(many=True):
        kinds = {getattr(case, f"{f}_id"): getattr(case, f).kind for f in CHECKLIST_FIELDS}
        return ChecklistAnswerSerializer(
            case.answers.all(), many=True, context={**self.context, "list_kinds": kinds}
        ).data

    def get_suggestion(self, case) -> SuggestionSerializer:
        from ..judgement import suggest

        return SuggestionSerializer(suggest(case)).data

    def get_allowed_transitions(self, case) -> TransitionOptionSerializer(many=True):
        from ..workflow import allowed_case_transitions

        options = allowed_case_transitions(_user(self), case)
        return TransitionOptionSerializer(options, many=True).data


class CaseCreateSerializer(serializers.Serializer):
    """Input of a new case: filed with an accountability matter, or on application by the
    cadre or the unit (services.case_file)."""

    title = serializers.CharField(label=_("案件名称"), max_length=200)
    facts = serializers.CharField(label=_("失误错误事实"))
    origin = choice("CaseOrigin", CaseOrigin, label=_("启动方式"))
    handling_unit = serializers.PrimaryKeyRelatedField(
        label=_("办理单位"), queryset=Unit.objects.none(), required=False, allow_null=True
    )
    occurred_on = serializers.DateField(label=_("失误发生日期"))
    cadres = serializers.PrimaryKeyRelatedField(
        label=_("涉及干部"), queryset=Cadre.objects.none(), many=True, required=False
    )
    party_org = serializers.PrimaryKeyRelatedField(
        label=_("涉及党组织"), queryset=Unit.objects.none(), required=False, allow_null=True
    )
    matter = serializers.PrimaryKeyRelatedField(
        label=_("关联问责事项"),
        queryset=AccountabilityMatter.objects.none(),
        required=False,
        allow_null=True,
    )
    matter_category = serializers.CharField(
        label=_("事由类别"), max_length=40, required=False, allow_blank=True
    )
    application_reason = serializers.CharField(
        label=_("申请理由"), required=False, allow_blank=True
    )

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        units = Unit.objects.restrict(user, "view")
        if getattr(user, "unit_id", None):
            # An application goes to the applicant's unit or one above it.
            units = Unit.objects.filter(pk__in=units.values("pk")) | Unit.objects.filter(
                pk__in=user.unit.ancestor_ids
            )
        fields["handling_unit"].queryset = units
        fields["party_org"].queryset = units
        fields["cadres"].child_relation.queryset = Cadre.objects.restrict(user, "view")
        fields["matter"].queryset = AccountabilityMatter.objects.restrict(user, "view")
        return fields


class _TransitionInputSerializer(serializers.Serializer):
    expected_status_help = _(
        "请求方看到的当前状态；案件已被他人推进到其他状态时返回 409，不会覆盖他人的操作"
    )
    reason = serializers.CharField(
        label=_("说明"), required=False, allow_blank=True, default="", max_length=2000
    )

    def to_internal_value(self, data):
        # Errors in `data` name the same fields as the workflow's own errors: top level.
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, dict) and isinstance(detail.get("data"), dict):
                nested = detail.pop("data")
                detail.update(nested)
            raise serializers.ValidationError(detail) from exc


class CaseTransitionDataSerializer(serializers.Serializer):
    """What a case transition records; each transition reads its own fields."""

    motive_attitude = serializers.CharField(label=_("动机态度"), required=False, allow_blank=True)
    objective_conditions = serializers.CharField(
        label=_("客观条件"), required=False, allow_blank=True
    )
    nature_degree = serializers.CharField(label=_("性质程度"), required=False, allow_blank=True)
    consequences = serializers.CharField(label=_("后果影响"), required=False, allow_blank=True)
    losses_recovered = serializers.CharField(
        label=_("挽回损失情况"), required=False, allow_blank=True
    )
    proposed_outcome = choice(
        "Outcome",
        Outcome,
        label=_("初步认定意见"),
        required=False,
        help_text=_("submit_opinion：免责、从轻、减轻或不予容错"),
    )
    proposal_reasons = serializers.CharField(
        label=_("初步意见理由"), required=False, allow_blank=True
    )
    outcome = choice("Outcome", Outcome, label=_("认定结论"), required=False, help_text=_("decide"))
    decision_reasons = serializers.CharField(
        label=_("认定理由"),
        required=False,
        allow_blank=True,
        help_text=_("decide：与系统建议不一致时必须填写"),
    )
    decision_meeting = serializers.CharField(
        label=_("认定会议"), required=False, allow_blank=True, max_length=200
    )
    decided_on = serializers.DateField(label=_("认定日期"), required=False)
    feedback_to = serializers.CharField(
        label=_("书面反馈对象"), required=False, allow_blank=True, help_text=_("send_feedback")
    )
    filing_recipients = serializers.CharField(
        label=_("报备机关"), required=False, allow_blank=True, help_text=_("file_upward")
    )
    scope = serializers.CharField(
        label=_("公开范围"), required=False, allow_blank=True, help_text=_("publish")
    )
    channel = serializers.CharField(label=_("公开方式"), required=False, allow_blank=True)
    content = serializers.CharField(label=_("公开内容"), required=False, allow_blank=True)


class CaseTransitionSerializer(_TransitionInputSerializer):
    transition = choice("CaseTransition", CASE_TRANSITION_CHOICES, label=_("操作"))
    expected_status = choice(
        "CaseStatus",
        CaseStatus,
        label=_("预期当前状态"),
        required=False,
        help_text=_TransitionInputSerializer.expected_status_help,
    )
    data = CaseTransitionDataSerializer(required=False, default=dict)


class AccuserSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("姓名"), max_length=100)
    unit = serializers.CharField(
        label=_("工作单位或住址"), max_length=200, required=False, allow_blank=True, default=""
    )


class ClearingTransitionDataSerializer(serializers.Serializer):
    conclusion = choice(
        "ClearingConclusion",
        ClearingConclusion,
        label=_("核查结论"),
        required=False,
        help_text=_("conclude"),
    )
    conclusion_reasons = serializers.CharField(
        label=_("结论依据"), required=False, allow_blank=True
    )
    referral_note = serializers.CharField(
        label=_("诬告陷害移送查处情况"),
        required=False,
        allow_blank=True,
        help_text=_("诬告陷害时必填"),
    )
    accusers = AccuserSerializer(
        many=True,
        required=False,
        label=_("诬告人"),
        help_text=_("诬告陷害时列入失信黑名单的人；不填则用受理时登记的举报人"),
    )


class ClearingTransitionSerializer(_TransitionInputSerializer):
    transition = choice("ClearingTransition", CLEARING_TRANSITION_CHOICES, label=_("操作"))
    expected_status = choice(
        "ClearingStatus",
        ClearingStatus,
        label=_("预期当前状态"),
        required=False,
        help_text=_TransitionInputSerializer.expected_status_help,
    )
    data = ClearingTransitionDataSerializer(required=False, default=dict)


# --- accountability and reminders -------------------------------------------------------------


class AccountabilityMatterSerializer(serializers.ModelSerializer):
    accountable_body = choice("AccountableBody", AccountableBody, read_only=True)
    accountable_body_label = _label("get_accountable_body_display")
    status = choice("MatterStatus", MatterStatus, read_only=True)
    status_label = _label("get_status_display")
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)
    party_org_name = _name("party_org.name")
    cadre_names = serializers.SerializerMethodField(label=_("被问责干部"))
    case_ids = serializers.SerializerMethodField(label=_("容错案件"))

    class Meta:
        model = AccountabilityMatter
        fields = [
            "id",
            "number",
            "title",
            "facts",
            "accountable_body",
            "accountable_body_label",
            "matter_category",
            "handling_unit",
            "handling_unit_name",
            "party_org",
            "party_org_name",
            "cadre_names",
            "occurred_on",
            "opened_on",
            "status",
            "status_label",
            "form",
            "form_label",
            "decided_on",
            "case_ids",
            "created_at",
        ]
        read_only_fields = fields

    def get_cadre_names(self, matter) -> list[str]:
        return [cadre.name for cadre in matter.cadres.all()]

    def get_case_ids(self, matter) -> list[int]:
        return [case.pk for case in matter.cases.all()]


class AccountabilityMatterCreateSerializer(serializers.Serializer):
    handling_unit = serializers.PrimaryKeyRelatedField(
        label=_("问责机关所在单位"), queryset=Unit.objects.none()
    )
    accountable_body = choice("AccountableBody", AccountableBody, label=_("问责机关"))
    title = serializers.CharField(label=_("问责事由"), max_length=200)
    facts = serializers.CharField(label=_("问题事实"), required=False, allow_blank=True)
    matter_category = serializers.CharField(
        label=_("事由类别"), max_length=40, required=False, allow_blank=True
    )
    occurred_on = serializers.DateField(label=_("问题发生日期"))
    opened_on = serializers.DateField(label=_("启动问责日期"), required=False, allow_null=True)
    cadres = serializers.PrimaryKeyRelatedField(
        label=_("被问责干部"), queryset=Cadre.objects.none(), many=True, required=False
    )
    party_org = serializers.PrimaryKeyRelatedField(
        label=_("被问责党组织"), queryset=Unit.objects.none(), required=False, allow_null=True
    )
    consider_tolerance = serializers.BooleanField(
        label=_("同步考虑容错"),
        default=True,
        help_text=_("谁负责问责、谁考虑容错：默认同时立容错案件"),
    )

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        fields["handling_unit"].queryset = Unit.objects.restrict(user, "view")
        fields["party_org"].queryset = Unit.objects.restrict(user, "view")
        fields["cadres"].child_relation.queryset = Cadre.objects.restrict(user, "view")
        return fields


class MatterDecideSerializer(serializers.Serializer):
    form = serializers.CharField(
        label=_("问责方式"), max_length=40, help_text=_("问责方式清单中的代码，如 admonish")
    )
    decided_on = serializers.DateField(label=_("问责决定日期"), required=False, allow_null=True)


class ReminderSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)

    class Meta:
        model = Reminder
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "handling_unit",
            "handling_unit_name",
            "given_on",
            "matter_category",
            "summary",
            "created_at",
        ]
        read_only_fields = fields


class ReminderCreateSerializer(serializers.Serializer):
    cadre = serializers.PrimaryKeyRelatedField(label=_("被提醒干部"), queryset=Cadre.objects.none())
    given_on = serializers.DateField(label=_("提醒日期"))
    summary = serializers.CharField(label=_("提醒事由"))
    matter_category = serializers.CharField(
        label=_("事由类别"), max_length=40, required=False, allow_blank=True
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["cadre"].queryset = Cadre.objects.restrict(_user(self), "view")
        return fields


# --- clearing of names ------------------------------------------------------------------------


class ClearingListSerializer(serializers.ModelSerializer):
    source = choice("ReportSource", ReportSource, read_only=True)
    source_label = _label("get_source_display")
    status = choice("ClearingStatus", ClearingStatus, read_only=True)
    status_label = _label("get_status_display")
    conclusion = choice("ClearingConclusion", ClearingConclusion, blank=True, read_only=True)
    conclusion_label = _label("get_conclusion_display")
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)
    party_org_name = _name("party_org.name")
    cadre_names = serializers.SerializerMethodField(label=_("被反映干部"))

    class Meta:
        model = ClearingMatter
        fields = [
            "id",
            "number",
            "source",
            "source_label",
            "received_on",
            "status",
            "status_label",
            "conclusion",
            "conclusion_label",
            "concluded_on",
            "handling_unit",
            "handling_unit_name",
            "party_org",
            "party_org_name",
            "cadre_names",
            "created_at",
        ]
        read_only_fields = fields

    def get_cadre_names(self, clearing) -> list[str]:
        return [cadre.name for cadre in clearing.cadres.all()]


class ClarificationSerializer(serializers.ModelSerializer):
    recorded_by_name = _name("recorded_by")

    class Meta:
        model = Clarification
        fields = [
            "id",
            "method",
            "method_label",
            "scope",
            "held_on",
            "content",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["method_label", "created_at"]
        extra_kwargs = {
            "method": {"help_text": _("澄清方式清单中的代码，如 letter、meeting")},
        }


class BlacklistEntrySerializer(serializers.ModelSerializer):
    clearing_number = serializers.CharField(source="clearing.number", read_only=True)
    listed_by_name = _name("listed_by")

    class Meta:
        model = BlacklistEntry
        fields = [
            "id",
            "clearing",
            "clearing_number",
            "person_name",
            "person_unit",
            "reason",
            "listed_on",
            "listed_until",
            "listed_by_name",
        ]
        read_only_fields = fields


class ClearingDetailSerializer(ClearingListSerializer):
    cadres = CadreRefSerializer(many=True, read_only=True)
    accuser_name = serializers.SerializerMethodField(label=_("举报人"))
    accuser_contact = serializers.SerializerMethodField(label=_("举报人联系方式"))
    allowed_transitions = serializers.SerializerMethodField(label=_("可执行的操作"))
    timeline = ClearingStatusChangeSerializer(source="status_changes", many=True, read_only=True)
    clarifications = ClarificationSerializer(many=True, read_only=True)
    visits = FollowUpVisitSerializer(many=True, read_only=True)
    blacklist_entries = BlacklistEntrySerializer(many=True, read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)

    class Meta(ClearingListSerializer.Meta):
        fields = [
            *ClearingListSerializer.Meta.fields,
            "cadres",
            "allegation",
            "accuser_name",
            "accuser_contact",
            "background_check",
            "status_changed_at",
            "conclusion_reasons",
            "referral_note",
            "referred_on",
            "allowed_transitions",
            "timeline",
            "clarifications",
            "visits",
            "blacklist_entries",
            "publications",
        ]
        read_only_fields = fields

    def _may_see_accuser(self):
        # The accuser is protected (举报人保护): only the discipline body handling the report
        # sees who made it.
        user = _user(self)
        return bool(getattr(user, "is_superuser", False) or Role.DISCIPLINE in _roles(user))

    def get_accuser_name(self, clearing) -> str:
        return clearing.accuser_name if self._may_see_accuser() else ""

    def get_accuser_contact(self, clearing) -> str:
        return clearing.accuser_contact if self._may_see_accuser() else ""

    def get_allowed_transitions(self, clearing) -> TransitionOptionSerializer(many=True):
        from ..workflow import allowed_clearing_transitions

        options = allowed_clearing_transitions(_user(self), clearing)
        return TransitionOptionSerializer(options, many=True).data


class ClearingCreateSerializer(serializers.Serializer):
    handling_unit = serializers.PrimaryKeyRelatedField(
        label=_("办理单位"), queryset=Unit.objects.none()
    )
    source = choice("ReportSource", ReportSource, label=_("线索来源"))
    allegation = serializers.CharField(label=_("反映的主要问题"))
    cadres = serializers.PrimaryKeyRelatedField(
        label=_("被反映干部"), queryset=Cadre.objects.none(), many=True, required=False
    )
    party_org = serializers.PrimaryKeyRelatedField(
        label=_("被反映党组织"), queryset=Unit.objects.none(), required=False, allow_null=True
    )
    received_on = serializers.DateField(label=_("受理日期"), required=False, allow_null=True)
    accuser_name = serializers.CharField(
        label=_("举报人"), max_length=100, required=False, allow_blank=True
    )
    accuser_contact = serializers.CharField(
        label=_("举报人联系方式"), max_length=100, required=False, allow_blank=True
    )
    background_check = serializers.CharField(
        label=_("侧面了解情况"), required=False, allow_blank=True
    )

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        fields["handling_unit"].queryset = Unit.objects.restrict(user, "view")
        fields["party_org"].queryset = Unit.objects.restrict(user, "view")
        fields["cadres"].child_relation.queryset = Cadre.objects.restrict(user, "view")
        return fields


class BackgroundCheckSerializer(serializers.Serializer):
    background_check = serializers.CharField(label=_("侧面了解情况"), allow_blank=True)

"""Forms of the tolerance pages. They check the shape of the input; the rules (who may file,
which cadres, which states, reasons when departing from the suggestion) live in `services` and
`workflow`, whose errors the views put back on the field they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import (
    CadreChoiceField,
    CadreMultipleChoiceField,
    UnitChoiceField,
    limit_cadre_options,
)
from cadre.models import Cadre, Unit
from cadre.selectors import policy_items

from .choices import (
    KIND_ACCOUNTABILITY_FORMS,
    KIND_MATTER_CATEGORIES,
    KIND_PUBLICATION_SCOPES,
    AccountableBody,
    CaseOrigin,
    CorrectionStatus,
    InquiryKind,
    Outcome,
)
from .models import APPLICANT_ROLES, WORK_ROLES


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def _policy_choices(kind, unit, blank=None):
    _list, items = policy_items(kind, unit)
    choices = [(item.code, item.label) for item in items]
    return [("", blank), *choices] if blank is not None else choices


class ChineseErrorsMixin:
    """Required and invalid-date messages in the words the rest of the pages use."""

    def _set_messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")
                field.widget = _date_widget()
                field.widget.is_required = field.required


class SubjectsMixin:
    """The cadre select with its search box (`cadre_q`)."""

    def _limit_cadres(self, name="cadres"):
        if name not in self.fields:
            return
        search = (self.data.get("cadre_q") or "").strip() if self.is_bound else ""
        if self.is_bound:
            getter = getattr(self.data, "getlist", None)
            selected = getter(self.add_prefix(name)) if getter else self.data.get(name) or []
            if isinstance(selected, str | int):
                selected = [selected]
        else:
            selected = self.initial.get(name) or []
            if not isinstance(selected, list | tuple):
                selected = [selected]
            selected = [getattr(v, "pk", v) for v in selected]
        limit_cadre_options(self.fields[name], search, selected)


class MatterOpenForm(ChineseErrorsMixin, SubjectsMixin, forms.Form):
    """Open an accountability matter (问责); by default a tolerance case is filed with it."""

    handling_unit = UnitChoiceField(label=_("问责机关所在单位"), queryset=Unit.objects.none())
    accountable_body = forms.ChoiceField(label=_("问责机关"), choices=AccountableBody.choices)
    title = forms.CharField(label=_("问责事由"), max_length=200)
    facts = forms.CharField(label=_("问题事实"), widget=_text_area(4), required=False)
    matter_category = forms.ChoiceField(
        label=_("事由类别"),
        required=False,
        help_text=_("用于识别“同一事由”重复出错（不予容错情形 N9）"),
    )
    occurred_on = forms.DateField(label=_("问题发生日期"))
    opened_on = forms.DateField(label=_("启动问责日期"), required=False)
    cadres = CadreMultipleChoiceField(
        label=_("被问责干部"),
        queryset=Cadre.objects.none(),
        required=False,
        help_text=_("可多选；人数较多时先在上方按姓名查找"),
    )
    party_org = UnitChoiceField(
        label=_("被问责党组织"), queryset=Unit.objects.none(), required=False
    )
    consider_tolerance = forms.BooleanField(
        label=_("同步启动容错调查"),
        required=False,
        initial=True,
        help_text=_("谁负责问责、谁考虑容错：同时受理一件容错纠错案件"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_messages()
        units = Unit.objects.restrict(user).only("id", "name", "depth", "path")
        base_depth = user.unit.depth if user.unit_id else 0
        for name in ("handling_unit", "party_org"):
            self.fields[name].queryset = units
            self.fields[name].base_depth = base_depth
        self.fields["party_org"].empty_label = _("（无）")
        self.fields["handling_unit"].empty_label = None
        self.initial.setdefault("handling_unit", user.unit_id)
        self.initial.setdefault("opened_on", timezone.localdate())
        if "discipline" in _roles(user):
            self.initial.setdefault("accountable_body", AccountableBody.DISCIPLINE)
        else:
            self.initial.setdefault("accountable_body", AccountableBody.ORGANISATION)
        self.fields["matter_category"].choices = _policy_choices(
            KIND_MATTER_CATEGORIES, user.unit, _("（未分类）")
        )
        self.fields["cadres"].queryset = Cadre.objects.restrict(user).select_related("unit")
        self._limit_cadres()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["cadres"] = list(data["cadres"])
        return data


class CaseApplyForm(ChineseErrorsMixin, SubjectsMixin, forms.Form):
    """A tolerance application (容错申请) by a cadre for themself or by a unit; discipline and
    organisation users register an application received on someone's behalf."""

    origin = forms.ChoiceField(label=_("申请方式"))
    handling_unit = UnitChoiceField(label=_("受理单位"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("事项名称"), max_length=200)
    facts = forms.CharField(label=_("失误错误事实"), widget=_text_area(4))
    matter_category = forms.ChoiceField(label=_("事由类别"), required=False)
    occurred_on = forms.DateField(label=_("失误发生日期"))
    cadres = CadreMultipleChoiceField(
        label=_("涉及干部"), queryset=Cadre.objects.none(), required=False
    )
    party_org = UnitChoiceField(label=_("涉及党组织"), queryset=Unit.objects.none(), required=False)
    application_reason = forms.CharField(label=_("申请理由"), widget=_text_area(4))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_messages()
        roles = _roles(user)
        self.on_behalf = bool(roles & WORK_ROLES)
        base_depth = user.unit.depth if user.unit_id else 0
        for name in ("handling_unit", "party_org"):
            self.fields[name].base_depth = base_depth
        self.fields["handling_unit"].empty_label = None
        self.fields["party_org"].empty_label = _("（无）")
        origins = [CaseOrigin.CADRE_APPLICATION, CaseOrigin.UNIT_APPLICATION]
        if self.on_behalf:
            units = Unit.objects.restrict(user).only("id", "name", "depth", "path")
            self.fields["handling_unit"].queryset = units
            self.fields["party_org"].queryset = units
            self.fields["cadres"].queryset = Cadre.objects.restrict(user).select_related("unit")
            self.fields["application_reason"].required = False
            self.fields["application_reason"].help_text = _("申请人提出的理由（代为登记）")
        else:
            # A cadre or unit applies to its own unit or a unit above it.
            above = user.unit.ancestor_ids if user.unit_id else []
            units = Unit.objects.filter(pk__in=above).only("id", "name", "depth", "path")
            self.fields["handling_unit"].queryset = units
            self.fields["handling_unit"].base_depth = 0
            origins = []
            if user.cadre_id:
                origins.append(CaseOrigin.CADRE_APPLICATION)
            if "unit_leader" in roles:
                origins.append(CaseOrigin.UNIT_APPLICATION)
            if "unit_leader" in roles:
                self.fields["cadres"].queryset = Cadre.objects.restrict(user).select_related("unit")
                self.fields["party_org"].queryset = Unit.objects.filter(pk=user.unit_id)
                self.fields["cadres"].help_text = _("单位申请时选择；个人申请时不填")
            else:
                del self.fields["cadres"]
                del self.fields["party_org"]
        self.fields["origin"].choices = [(o.value, o.label) for o in origins]
        self.initial.setdefault("handling_unit", user.unit_id)
        self.fields["matter_category"].choices = _policy_choices(
            KIND_MATTER_CATEGORIES, user.unit, _("（未分类）")
        )
        self._limit_cadres()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["cadres"] = list(data.get("cadres") or [])
        data.setdefault("party_org", None)
        return data


def can_apply(user):
    roles = _roles(user)
    return bool(roles & WORK_ROLES) or (
        bool(roles & APPLICANT_ROLES)
        and user.unit_id is not None
        and (user.cadre_id is not None or "unit_leader" in roles)
    )


class ReminderForm(ChineseErrorsMixin, SubjectsMixin, forms.Form):
    """An organisational reminder (组织提醒) about an emerging problem."""

    cadre = CadreChoiceField(label=_("被提醒干部"), queryset=Cadre.objects.none())
    given_on = forms.DateField(label=_("提醒日期"))
    matter_category = forms.ChoiceField(
        label=_("事由类别"),
        required=False,
        help_text=_("同一事由再次出错时，容错研判据此提示不予容错情形 N9"),
    )
    summary = forms.CharField(label=_("提醒事由"), widget=_text_area(4))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_messages()
        self.initial.setdefault("given_on", timezone.localdate())
        self.fields["cadre"].queryset = Cadre.objects.restrict(user).select_related("unit")
        self.fields["cadre"].empty_label = _("（请选择）")
        self.fields["matter_category"].choices = _policy_choices(
            KIND_MATTER_CATEGORIES, user.unit, _("（未分类）")
        )
        self._limit_cadres("cadre")


class MatterDecideForm(ChineseErrorsMixin, forms.Form):
    form = forms.ChoiceField(label=_("问责方式"))
    decided_on = forms.DateField(label=_("问责决定日期"), required=False)

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_messages()
        self.initial.setdefault("decided_on", timezone.localdate())
        self.fields["form"].choices = _policy_choices(
            KIND_ACCOUNTABILITY_FORMS, matter.handling_unit, _("（请选择）")
        )


# --- the case page ------------------------------------------------------------------------


class TransitionForm(ChineseErrorsMixin, forms.Form):
    """A transition without data of its own: an optional (or required) explanation."""

    reason = forms.CharField(label=_("说明"), widget=_text_area(2), required=False)
    has_data = False

    def __init__(self, *args, transition, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self._set_messages()
        if "reason" in self.fields and transition.reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].label = _("理由")

    def service_data(self):
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return data


class SubmitOpinionForm(TransitionForm):
    """The preliminary opinion (J 三(五)2): motive and attitude, objective conditions, nature
    and degree, consequences, losses recovered, and the proposal with its reasons."""

    reason = None
    has_data = True
    motive_attitude = forms.CharField(label=_("动机态度"), widget=_text_area(), required=False)
    objective_conditions = forms.CharField(label=_("客观条件"), widget=_text_area(), required=False)
    nature_degree = forms.CharField(label=_("性质程度"), widget=_text_area(), required=False)
    consequences = forms.CharField(label=_("后果影响"), widget=_text_area(), required=False)
    losses_recovered = forms.CharField(label=_("挽回损失情况"), widget=_text_area(), required=False)
    proposed_outcome = forms.ChoiceField(
        label=_("初步认定意见"), choices=[("", _("（请选择）")), *Outcome.choices]
    )
    proposal_reasons = forms.CharField(label=_("初步意见理由"), widget=_text_area())


class DecideForm(TransitionForm):
    reason = None
    has_data = True
    outcome = forms.ChoiceField(
        label=_("认定结论"), choices=[("", _("（请选择）")), *Outcome.choices]
    )
    decision_reasons = forms.CharField(
        label=_("认定理由"),
        widget=_text_area(),
        required=False,
        help_text=_("认定结论与系统建议不一致时，必须写明理由"),
    )
    decision_meeting = forms.CharField(
        label=_("认定会议"), max_length=200, required=False, help_text=_("如：县委常委会第12次会议")
    )
    decided_on = forms.DateField(label=_("认定日期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decided_on", timezone.localdate())


class SendFeedbackForm(TransitionForm):
    reason = None
    has_data = True
    feedback_to = forms.CharField(
        label=_("书面反馈对象"), max_length=200, help_text=_("被问责单位或干部本人")
    )


class FileUpwardForm(TransitionForm):
    reason = None
    has_data = True
    filing_recipients = forms.CharField(
        label=_("报备机关"),
        max_length=300,
        help_text=_("上一级纪检监察机关、组织人事部门和问责部门"),
    )


class PublishForm(TransitionForm):
    reason = None
    has_data = True
    scope = forms.ChoiceField(label=_("公开范围"))
    channel = forms.CharField(
        label=_("公开方式"), max_length=200, help_text=_("如：政务网站、内部通报")
    )
    content = forms.CharField(label=_("公开内容"), widget=_text_area(4))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["scope"].choices = _policy_choices(
            KIND_PUBLICATION_SCOPES, case.handling_unit, _("（请选择）")
        )


TRANSITION_FORMS = {
    "submit_opinion": SubmitOpinionForm,
    "decide": DecideForm,
    "send_feedback": SendFeedbackForm,
    "file_upward": FileUpwardForm,
    "publish": PublishForm,
}

# Irreversible steps ask for confirmation first.
CONFIRM_TRANSITIONS = {
    "decide": _("确认以此结论作出认定？认定后不能修改。"),
    "withdraw": _("确认撤回该案件？撤回后不能恢复办理。"),
    "close": _("确认办结该案件？"),
}


def transition_form(transition, case, data=None):
    form_class = TRANSITION_FORMS.get(transition.name, TransitionForm)
    return form_class(data, transition=transition, case=case, prefix=f"t-{transition.name}")


class InquiryForm(ChineseErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=InquiryKind.choices)
    held_on = forms.DateField(label=_("日期"))
    party = forms.CharField(label=_("调查对象/参与方"), max_length=200)
    content = forms.CharField(label=_("内容"), widget=_text_area())
    findings = forms.CharField(label=_("查明情况"), widget=_text_area(), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "inquiry")
        super().__init__(*args, **kwargs)
        self._set_messages()
        self.initial.setdefault("held_on", timezone.localdate())


class ConsultationForm(ChineseErrorsMixin, forms.Form):
    held_on = forms.DateField(label=_("会商日期"))
    lead_body = forms.CharField(label=_("牵头单位"), max_length=200, help_text=_("谁问责，谁牵头"))
    participants = forms.CharField(label=_("参加单位和人员"), widget=_text_area(2))
    topic = forms.CharField(label=_("会商事项"), max_length=200)
    conclusions = forms.CharField(label=_("会商结论"), widget=_text_area())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "consultation")
        super().__init__(*args, **kwargs)
        self._set_messages()
        self.initial.setdefault("held_on", timezone.localdate())


class CorrectionForm(ChineseErrorsMixin, forms.Form):
    remedial_measures = forms.CharField(label=_("补救措施"), widget=_text_area())
    root_cause = forms.CharField(label=_("原因分析"), widget=_text_area(), required=False)
    improvement_plan = forms.CharField(
        label=_("整改和完善制度措施"), widget=_text_area(), required=False
    )
    responsible = forms.CharField(label=_("责任单位/责任人"), max_length=200)
    due_on = forms.DateField(label=_("完成时限"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "correction")
        super().__init__(*args, **kwargs)
        self._set_messages()


class CorrectionUpdateForm(ChineseErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("进度"), choices=CorrectionStatus.choices)
    result = forms.CharField(
        label=_("整改成效"),
        widget=_text_area(2),
        required=False,
        help_text=_("标记完成时必填"),
    )
    done_on = forms.DateField(label=_("完成日期"), required=False)

    def __init__(self, *args, plan, **kwargs):
        kwargs.setdefault("prefix", f"plan-{plan.pk}")
        kwargs.setdefault("initial", {"status": plan.status, "result": plan.result})
        super().__init__(*args, **kwargs)
        self._set_messages()


class VisitForm(ChineseErrorsMixin, forms.Form):
    cadre = CadreChoiceField(label=_("回访对象"), queryset=Cadre.objects.none(), required=False)
    visited_on = forms.DateField(label=_("回访日期"))
    visitors = forms.CharField(label=_("回访人员"), max_length=200)
    findings = forms.CharField(label=_("回访情况（思想状态、履职表现）"), widget=_text_area())
    at_ease = forms.BooleanField(label=_("思想包袱已解除"), required=False)
    next_visit_on = forms.DateField(label=_("下次回访日期"), required=False)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("prefix", "visit")
        super().__init__(*args, **kwargs)
        self._set_messages()
        self.initial.setdefault("visited_on", timezone.localdate())
        self.fields["cadre"].queryset = case.cadres.select_related("unit")
        self.fields["cadre"].empty_label = _("（涉及的全部干部）")


class OversightForm(ChineseErrorsMixin, forms.Form):
    oversight_reason = forms.CharField(
        label=_("应容未容说明"),
        widget=_text_area(),
        help_text=_("符合容错条件而未予容错的事实和理由"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "oversight")
        super().__init__(*args, **kwargs)
        self._set_messages()


class ChecklistRow:
    """One checklist item as the case page shows and posts it."""

    def __init__(self, item, answer=None, evidence="", error=None):
        self.item = item
        self.answer = answer or ""
        self.evidence = evidence or ""
        self.error = error
        self.findings = []

    @property
    def name(self):
        return f"answer-{self.item.pk}"

    @property
    def evidence_name(self):
        return f"evidence-{self.item.pk}"


def checklist_answers(data, items):
    """The service's `answers` from the posted checklist: {item id: (answer, evidence)}."""
    answers = {}
    for item in items:
        key = f"answer-{item.pk}"
        if key not in data and f"evidence-{item.pk}" not in data:
            continue
        answers[item.pk] = (
            (data.get(key) or "").strip(),
            (data.get(f"evidence-{item.pk}") or "").strip(),
        )
    return answers

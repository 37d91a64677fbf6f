"""Staff pages of fault tolerance (容错纠错, DOMAIN §4.1-4.5): the inspector's worklist, filing an
accountability matter or a tolerance application, the case page with its checklist, suggestion,
records, documents and workflow buttons, accountability matters and organisational reminders.

Reads go through `restrict(user)`, so a file outside the user's jurisdiction is not found (404);
a role that may not act answers 403. Writes go through `services` and `workflow`: their
validation errors go back on the form field they name, a transition conflict (two people acting
on the same case) is told on the page with what the user submitted."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.forms import ChoiceField
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cadre.exports import attachment_header
from cadre.models import Cadre, PolicyItem
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator
from cadre.selectors import policy_items

from . import forms, judgement, selectors, services, workflow
from .choices import (
    EXCLUSION_REPEAT,
    KIND_MATTER_CATEGORIES,
    OPEN_CASE_STATUSES,
    CaseStatus,
    MatterStatus,
    Outcome,
)
from .filtersets import AccountabilityMatterFilterSet, CaseFilterSet, ReminderFilterSet
from .models import (
    FILE_ROLES,
    WORK_ROLES,
    AccountabilityMatter,
    Case,
    CorrectionPlan,
    Reminder,
)

CASES_PER_PAGE = 30
MATTERS_PER_PAGE = 30
REMINDERS_PER_PAGE = 30


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def _is_file_user(user):
    return user.is_superuser or bool(_roles(user) & FILE_ROLES)


def _can_work(user):
    return bool(_roles(user) & WORK_ROLES)


def _require_work(user):
    require(_can_work(user), _("您的角色不能办理此事项"))


def _error_messages(error: ValidationError):
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def _category_labels(unit):
    _list, items = policy_items(KIND_MATTER_CATEGORIES, unit)
    return {item.code: item.label for item in items}


def _is_filtered(request):
    return any(value for key, value in request.GET.items() if key != "page")


# --- worklist -------------------------------------------------------------------------------


def _case_filterset(request):
    queryset = selectors.case_worklist(request.user).prefetch_related(
        Prefetch("cadres", Cadre.objects.only("id", "name").order_by("name", "id"))
    )
    return CaseFilterSet(request.GET, queryset=queryset)


def _subjects(case):
    names = [cadre.name for cadre in case.cadres.all()]
    if case.party_org_id:
        names.append(case.party_org.name)
    return "、".join(names)


def _case_rows(cases):
    detail = reverse("tolerance:case_detail", args=[0]).removesuffix("0/")
    statuses, origins, outcomes = (
        dict(CaseStatus.choices),
        dict(Case._meta.get_field("origin").choices),
        dict(Outcome.choices),
    )
    return [
        {
            "url": f"{detail}{case.pk}/",
            "number": case.number,
            "title": case.title,
            "subjects": _subjects(case),
            "unit": case.handling_unit.name,
            "origin": origins.get(case.origin, ""),
            "status": statuses.get(case.status, case.status),
            "due_on": case.due_on if case.status in OPEN_CASE_STATUSES else None,
            "overdue": getattr(case, "urgency", None) == 0,
            "outcome": outcomes.get(case.outcome, ""),
        }
        for case in cases
    ]


@login_required
def index(request):
    """The inspector's worklist: overdue first, then by deadline."""
    user = request.user
    filterset = _case_filterset(request)
    form = filterset.form
    for name in ("outcome", "origin"):
        field = form.fields[name]
        field.choices = [("", _("全部")), *list(field.choices)[1:]]
    paginator = CappedPaginator(filterset.qs, CASES_PER_PAGE, count_queryset=filterset.qs)
    page = paginator.get_page(request.GET.get("page"))
    file_user = _is_file_user(user)
    return render(
        request,
        "tolerance/case_list.html",
        {
            "tab": "cases",
            "filterset": filterset,
            "form": form,
            "statuses": CaseStatus.choices,
            "status_selected": request.GET.get("status", ""),
            "unit_options": unit_options(user, request.GET.get("unit", "")) if file_user else "",
            "page": page,
            "rows": _case_rows(page.object_list),
            "is_filtered": _is_filtered(request),
            "can_open_matter": _can_work(user),
            "can_apply": forms.can_apply(user),
            "can_export": file_user,
        },
    )


@login_required
def case_export(request):
    """The filtered worklist as an Excel workbook."""
    user = request.user
    if not _is_file_user(user):
        raise PermissionDenied(_("您没有导出的权限"))
    filterset = _case_filterset(request)
    headers = [
        _("案件编号"),
        _("案件名称"),
        _("涉及干部/党组织"),
        _("办理单位"),
        _("启动方式"),
        _("状态"),
        _("本环节办理期限"),
        _("是否超期"),
        _("认定结论"),
        _("立案日期"),
    ]
    statuses = dict(CaseStatus.choices)
    origins = dict(Case._meta.get_field("origin").choices)
    outcomes = dict(Outcome.choices)

    def rows():
        for case in filterset.qs.iterator(chunk_size=1000):
            open_ = case.status in OPEN_CASE_STATUSES
            yield [
                case.number,
                case.title,
                _subjects(case),
                case.handling_unit.name,
                str(origins.get(case.origin, "")),
                str(statuses.get(case.status, case.status)),
                case.due_on if open_ and case.due_on else None,
                _("超期") if case.urgency == 0 else "",
                str(outcomes.get(case.outcome, "")),
                timezone.localtime(case.created_at).date(),
            ]

    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("容错纠错案件"),
        _("容错纠错案件-%(day)s.xlsx") % {"day": day},
        f"tolerance-cases-{day}.xlsx",
        headers,
        rows(),
    )


# --- filing -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def matter_create(request):
    """Open an accountability matter; whoever holds to account considers tolerance."""
    user = request.user
    _require_work(user)
    form = forms.MatterOpenForm(request.POST or None, user=user)
    if request.method == "POST" and "_search" not in request.POST and form.is_valid():
        try:
            matter = services.accountability_matter_open(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            case = matter.cases.first()
            if case is not None:
                messages.success(
                    request,
                    _("已启动问责事项 %(matter)s，并同步受理容错纠错案件 %(case)s。")
                    % {"matter": matter.number, "case": case.number},
                )
                return redirect("tolerance:case_detail", case.pk)
            messages.success(request, _("已启动问责事项 %(matter)s。") % {"matter": matter.number})
            return redirect("tolerance:matter_detail", matter.pk)
    return _form_page(request, form, _("启动问责"), "matters", searching="_search" in request.POST)


@login_required
@require_http_methods(["GET", "POST"])
def case_apply(request):
    """A tolerance application by a cadre or a unit (or registered on their behalf)."""
    user = request.user
    if not forms.can_apply(user):
        raise PermissionDenied(_("您的角色不能提出容错申请"))
    form = forms.CaseApplyForm(request.POST or None, user=user)
    if request.method == "POST" and "_search" not in request.POST and form.is_valid():
        try:
            case = services.case_file(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已提交容错申请，案件编号 %(n)s。") % {"n": case.number})
            return redirect("tolerance:case_detail", case.pk)
    title = _("登记容错申请") if form.on_behalf else _("申请容错")
    return _form_page(request, form, title, "cases", searching="_search" in request.POST)


def _form_page(request, form, title, tab, *, searching=False, back=None, intro=""):
    if searching:
        form.errors.clear()  # a search of the cadre list is not a submission
    return render(
        request,
        "tolerance/form.html",
        {
            "form": form,
            "title": title,
            "tab": tab,
            "back": back or reverse("tolerance:index"),
            "intro": intro,
            "cadre_search": request.POST.get("cadre_q", ""),
            "has_cadre_field": any(name in form.fields for name in ("cadres", "cadre")),
        },
    )


# --- the case page ------------------------------------------------------------------------


def _case_queryset(user):
    return Case.objects.restrict(user).select_related(
        "handling_unit",
        "party_org",
        "matter",
        "severity",
        "severity_list",
        "distinctions_list",
        "conditions_list",
        "situations_list",
        "exclusions_list",
        "applicant",
        "created_by",
        "proposed_by",
        "decided_by",
        "filing_acknowledged_by",
        "oversight_flagged_by",
    )


def _get_case(request, pk):
    return get_object_or_404(_case_queryset(request.user), pk=pk)


def _case_url(case, anchor=""):
    url = reverse("tolerance:case_detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


_TRANSITION_LABELS = {name: t.label for name, t in workflow.CASE_TRANSITIONS.items()}


def _timeline(changes, inquiries, consultations, corrections, visits, publications):
    """The status changes merged with the records of the case, by date."""
    entries = []
    for change in changes:
        when = timezone.localtime(change.created_at)
        entries.append(
            {
                "day": when.date(),
                "sort": change.created_at,
                "time": when,
                "kind": "status",
                "title": _TRANSITION_LABELS.get(change.transition, _("受理立案")),
                "from": change.get_from_status_display() if change.from_status else "",
                "to": change.get_to_status_display(),
                "actor": change.actor,
                "text": change.reason,
            }
        )

    def add(day, row, kind, title, text, actor=None):
        entries.append(
            {
                "day": day,
                "sort": row.created_at,
                "kind": kind,
                "title": title,
                "text": text,
                "actor": actor,
            }
        )

    for row in inquiries:
        add(row.held_on, row, "inquiry", row.get_kind_display(), f"{row.party}：{row.content}")
    for row in consultations:
        add(row.held_on, row, "consultation", _("沟通会商"), f"{row.topic}：{row.conclusions}")
    for row in corrections:
        add(
            timezone.localtime(row.created_at).date(),
            row,
            "correction",
            _("制定纠错整改措施"),
            row.remedial_measures,
        )
        if row.done_on:
            entries.append(
                {
                    "day": row.done_on,
                    "sort": row.created_at,
                    "kind": "correction",
                    "title": _("纠错整改完成"),
                    "text": row.result,
                    "actor": None,
                }
            )
    for row in visits:
        add(row.visited_on, row, "visit", _("跟踪回访"), row.findings)
    for row in publications:
        add(
            row.published_on,
            row,
            "publication",
            _("公开"),
            f"{row.scope_label}（{row.channel}）",
        )
    entries.sort(key=lambda e: (e["day"], e["sort"] or datetime.min))
    return entries


_SECTION_TITLES = (
    ("distinctions_list", gettext_lazy("三个区分开来"), "distinctions"),
    ("conditions_list", gettext_lazy("容错条件（须同时符合）"), "conditions"),
    ("situations_list", gettext_lazy("予以容错的情形（至少符合一项）"), "situations"),
    ("exclusions_list", gettext_lazy("不予容错的情形（符合任一项即不予容错）"), "exclusions"),
)


def _checklist(case, data=None, errors=None):
    """The checklist sections of the case: items of the list versions it is judged under, with
    the saved answers, or the posted ones when a save failed."""
    list_ids = [getattr(case, f"{field}_id") for field, _t, _k in _SECTION_TITLES]
    items = list(
        PolicyItem.objects.filter(policy_list_id__in=list_ids).order_by("order", "code", "pk")
    )
    answers = {a.item_id: a for a in case.answers.all()}
    errors = errors or {}
    sections = []
    for field, title, key in _SECTION_TITLES:
        policy_list = getattr(case, field)
        rows = []
        for item in items:
            if item.policy_list_id != policy_list.pk:
                continue
            saved = answers.get(item.pk)
            if data is not None:
                answer = data.get(f"answer-{item.pk}", "")
                evidence = data.get(f"evidence-{item.pk}", "")
            else:
                answer = saved.answer if saved else ""
                evidence = saved.evidence if saved else ""
            error = errors.get(str(item.pk)) or errors.get(item.code)
            rows.append(forms.ChecklistRow(item, answer, evidence, error and error[0]))
        sections.append({"key": key, "title": title, "list": policy_list, "rows": rows})
    return items, sections


def _case_context(request, case, *, bound=None, checklist_data=None, checklist_errors=None):
    """Everything the case page shows. `bound` maps a form's key to the bound form that failed,
    so it is shown again with what the user entered and its errors."""
    user = request.user
    bound = bound or {}
    changes = list(case.status_changes.select_related("actor"))
    context = {"case": case, "tab": "cases", "staff_view": _is_file_user(user)}
    cadres_qs = case.cadres.select_related("unit").order_by("name")
    context["case_cadres"] = list(cadres_qs)
    context["category_label"] = _category_labels(case.handling_unit).get(
        case.matter_category, case.matter_category
    )
    if not context["staff_view"]:
        # An applicant follows their application: its state and steps, not the investigation.
        context["timeline"] = _timeline(changes, [], [], [], [], [])
        return context

    can_work = _can_work(user)
    status = case.status
    items, sections = _checklist(case, checklist_data, checklist_errors)
    findings = judgement.repeat_findings(case)
    suggestion = judgement.suggest(case, findings)
    for section in sections:
        for row in section["rows"]:
            if row.item.code == EXCLUSION_REPEAT and section["key"] == "exclusions":
                row.findings = findings
    inquiries = list(case.inquiries.select_related("recorded_by"))
    consultations = list(case.consultations.select_related("recorded_by"))
    corrections = list(case.corrections.select_related("created_by"))
    visits = list(case.visits.select_related("cadre", "recorded_by"))
    publications = list(case.publications.select_related("published_by"))

    transitions = []
    for transition in workflow.allowed_case_transitions(user, case):
        form = bound.get(f"t-{transition.name}") or forms.transition_form(transition, case)
        transitions.append(
            {
                "t": transition,
                "form": form,
                "confirm": forms.CONFIRM_TRANSITIONS.get(transition.name, ""),
            }
        )

    can_answer = can_work and status in services.ANSWERABLE_STATES
    can_correct = can_work and status in services.CORRECTION_STATES
    can_update_correction = can_work and status in (
        *services.CORRECTION_STATES,
        CaseStatus.FOLLOW_UP,
    )
    correction_rows = [
        {
            "plan": plan,
            "form": bound.get(f"plan-{plan.pk}") or forms.CorrectionUpdateForm(plan=plan)
            if can_update_correction and plan.status != "done"
            else None,
        }
        for plan in corrections
    ]
    roles = _roles(user)
    can_flag = (
        bool(roles & {"discipline", "committee"})
        and case.outcome == Outcome.NOT_TOLERATED
        and not case.oversight_flagged
    )
    can_acknowledge = (
        can_work
        and case.filed_upward_on is not None
        and case.filing_acknowledged_on is None
        and user.unit_id is not None
        and user.unit_id != case.handling_unit_id
    )
    context.update(
        {
            "sections": sections,
            "list_versions": [
                case.distinctions_list,
                case.conditions_list,
                case.situations_list,
                case.exclusions_list,
                case.severity_list,
            ],
            "severity_options": list(case.severity_list.items.all()),
            "severity_selected": (
                checklist_data.get("severity", "")
                if checklist_data is not None
                else (case.severity.code if case.severity_id else "")
            ),
            "checklist_errors": (checklist_errors or {}).get("__all__", []),
            "severity_error": (checklist_errors or {}).get("severity"),
            "suggestion": suggestion,
            "findings": findings,
            "can_answer": can_answer,
            "transitions": transitions,
            "inquiries": inquiries,
            "consultations": consultations,
            "correction_rows": correction_rows,
            "visits": visits,
            "publications": publications,
            "inquiry_form": (bound.get("inquiry") or forms.InquiryForm()) if can_answer else None,
            "consultation_form": (bound.get("consultation") or forms.ConsultationForm())
            if can_work and case.is_open
            else None,
            "correction_form": (bound.get("correction") or forms.CorrectionForm())
            if can_correct
            else None,
            "visit_form": (bound.get("visit") or forms.VisitForm(case=case))
            if can_work and status in services.VISIT_CASE_STATES
            else None,
            "oversight_form": (bound.get("oversight") or forms.OversightForm())
            if can_flag
            else None,
            "can_acknowledge": can_acknowledge,
            "documents": _available_documents(case),
            "timeline": _timeline(
                changes, inquiries, consultations, corrections, visits, publications
            ),
        }
    )
    return context


def _available_documents(case):
    from . import documents

    return [
        {"kind": spec.code, "label": spec.label}
        for spec in documents.available_case_documents(case)
    ]


def _render_case(request, pk, *, status=200, **kwargs):
    case = _get_case(request, pk)
    extra = {k: kwargs.pop(k) for k in ("conflict", "rejected") if k in kwargs}
    context = _case_context(request, case, **kwargs)
    context.update(extra)
    return render(request, "tolerance/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk):
    return _render_case(request, pk)


@login_required
@require_POST
def case_checklist(request, pk):
    """Save the checklist answers and the severity level, then show the new suggestion."""
    user = request.user
    case = _get_case(request, pk)
    _require_work(user)
    items, _sections = _checklist(case)
    answers = forms.checklist_answers(request.POST, items)
    severity = request.POST.get("severity") if "severity" in request.POST else None
    try:
        services.case_checklist_save(actor=user, case=case, answers=answers, severity=severity)
    except ValidationError as error:
        return _render_case(
            request,
            pk,
            checklist_data=request.POST,
            checklist_errors=_error_messages(error),
        )
    messages.success(request, _("已保存清单研判，系统研判建议已更新。"))
    return redirect(_case_url(case, "suggestion"))


@login_required
@require_POST
def case_transition(request, pk, name):
    """One view for every transition; the page says which state it showed (expected_status)
    so that a second person acting on the same case is told rather than overwriting."""
    user = request.user
    case = _get_case(request, pk)
    transition = workflow.CASE_TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    if not _roles(user) & transition.roles:
        raise PermissionDenied(_("您的角色不能执行“%(label)s”") % {"label": transition.label})
    form = forms.transition_form(transition, case, request.POST)
    expected = request.POST.get("expected_status", "")
    if form.is_valid():
        try:
            workflow.case_transition(
                actor=user,
                case=case,
                name=name,
                expected_status=expected,
                reason=form.cleaned_data.get("reason") or "",
                data=form.service_data(),
            )
        except workflow.TransitionConflict as conflict:
            return _render_case(
                request, pk, status=409, conflict=str(conflict), rejected=_submitted(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已完成“%(label)s”。") % {"label": transition.label})
            return redirect(_case_url(case))
    elif (expected and expected != case.status) or case.status not in transition.sources:
        conflict = _(
            "当前状态为“%(status)s”，不能执行“%(label)s”：可能已被他人处理，请刷新后查看"
        ) % {"status": case.get_status_display(), "label": transition.label}
        return _render_case(request, pk, status=409, conflict=conflict, rejected=_submitted(form))
    return _render_case(request, pk, bound={f"t-{name}": form})


def _submitted(form):
    """What the user entered in a transition form that could not be applied, to show back."""
    values = []
    for name, field in form.fields.items():
        value = form[name].value()
        if value in (None, "", []):
            continue
        if isinstance(field, ChoiceField):
            value = dict(field.choices).get(value, value)
        values.append({"label": field.label, "value": value})
    return {"label": form.transition.label, "values": values}


def _record_view(request, pk, form_factory, save, key, message, anchor):
    """A record added from the case page: saved through its service, or the page shown again
    with the form's errors and what was entered."""
    user = request.user
    case = _get_case(request, pk)
    _require_work(user)
    form = form_factory(case, request.POST)
    if form.is_valid():
        try:
            save(user, case, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(_case_url(case, anchor))
    return _render_case(request, pk, bound={key: form})


@login_required
@require_POST
def case_inquiry_add(request, pk):
    return _record_view(
        request,
        pk,
        lambda case, data: forms.InquiryForm(data),
        lambda user, case, d: services.inquiry_add(actor=user, case=case, **d),
        "inquiry",
        _("已登记调查核实记录。"),
        "inquiries",
    )


@login_required
@require_POST
def case_consultation_add(request, pk):
    return _record_view(
        request,
        pk,
        lambda case, data: forms.ConsultationForm(data),
        lambda user, case, d: services.consultation_add(actor=user, case=case, **d),
        "consultation",
        _("已登记沟通会商记录。"),
        "consultations",
    )


@login_required
@require_POST
def case_correction_add(request, pk):
    return _record_view(
        request,
        pk,
        lambda case, data: forms.CorrectionForm(data),
        lambda user, case, d: services.correction_add(actor=user, case=case, **d),
        "correction",
        _("已登记纠错整改措施。"),
        "corrections",
    )


@login_required
@require_POST
def case_correction_update(request, pk, plan_pk):
    user = request.user
    case = _get_case(request, pk)
    _require_work(user)
    plan = get_object_or_404(CorrectionPlan.objects.restrict(user).filter(case=case), pk=plan_pk)
    form = forms.CorrectionUpdateForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.correction_update(actor=user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已更新纠错整改进度。"))
            return redirect(_case_url(case, "corrections"))
    return _render_case(request, pk, bound={f"plan-{plan.pk}": form})


@login_required
@require_POST
def case_visit_add(request, pk):
    return _record_view(
        request,
        pk,
        lambda case, data: forms.VisitForm(data, case=case),
        lambda user, case, d: services.visit_add(actor=user, case=case, **d),
        "visit",
        _("已登记回访记录。"),
        "visits",
    )


@login_required
@require_POST
def case_oversight(request, pk):
    """ZJK art. 11(四): flag a case refused by an inactive body (应容未容)."""
    user = request.user
    case = _get_case(request, pk)
    form = forms.OversightForm(request.POST)
    if form.is_valid():
        try:
            services.case_flag_oversight(
                actor=user, case=case, reason=form.cleaned_data["oversight_reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已标记“应容未容”，转问责程序处理。"))
            return redirect(_case_url(case))
    return _render_case(request, pk, bound={"oversight": form})


@login_required
@require_POST
def case_acknowledge(request, pk):
    """The level above confirms it received the filing (备案, ZJK art. 10)."""
    user = request.user
    case = _get_case(request, pk)
    try:
        services.case_acknowledge_filing(actor=user, case=case)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("已确认备案。"))
    return redirect(_case_url(case))


@login_required
def case_document(request, pk, kind):
    """A document of the case as a Word file: only in the states in which it exists."""
    user = request.user
    case = _get_case(request, pk)
    from . import documents

    if kind not in documents.CASE_DOCUMENTS:
        raise Http404
    if not _is_file_user(user):
        raise PermissionDenied(_("您没有下载案件文书的权限"))

    try:
        filename, content = documents.case_document(case, kind)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(_case_url(case, "documents"))
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, f"{case.number}-{kind}.docx")
    return response


# --- accountability matters ------------------------------------------------------------------


@login_required
def matter_list(request):
    user = request.user
    queryset = (
        AccountabilityMatter.objects.restrict(user)
        .select_related("handling_unit", "party_org")
        .prefetch_related(Prefetch("cadres", Cadre.objects.only("id", "name").order_by("name")))
        .annotate(case_count=Count("cases", distinct=True))
        .order_by("-opened_on", "-id")
    )
    filterset = AccountabilityMatterFilterSet(request.GET, queryset=queryset)
    form = filterset.form
    form.fields["status"].choices = [("", _("全部")), *MatterStatus.choices]
    paginator = CappedPaginator(
        filterset.qs,
        MATTERS_PER_PAGE,
        count_queryset=AccountabilityMatterFilterSet(
            request.GET, queryset=AccountabilityMatter.objects.restrict(user)
        ).qs,
    )
    page = paginator.get_page(request.GET.get("page"))
    categories = _category_labels(user.unit)
    for matter in page.object_list:
        matter.subjects = "、".join(
            [c.name for c in matter.cadres.all()]
            + ([matter.party_org.name] if matter.party_org_id else [])
        )
        matter.category_label = categories.get(matter.matter_category, matter.matter_category)
    return render(
        request,
        "tolerance/matter_list.html",
        {
            "tab": "matters",
            "form": form,
            "page": page,
            "is_filtered": _is_filtered(request),
            "unit_options": unit_options(user, request.GET.get("unit", "")),
            "can_open_matter": _can_work(user),
        },
    )


def _matter_page(request, matter, decide_form=None, status=200):
    user = request.user
    cases = list(
        Case.objects.restrict(user)
        .filter(matter=matter)
        .select_related("handling_unit")
        .order_by("created_at")
    )
    can_decide = _can_work(user) and matter.status == MatterStatus.OPEN
    return render(
        request,
        "tolerance/matter_detail.html",
        {
            "tab": "matters",
            "matter": matter,
            "cadres": list(matter.cadres.select_related("unit").order_by("name")),
            "cases": cases,
            "category_label": _category_labels(matter.handling_unit).get(
                matter.matter_category, matter.matter_category
            ),
            "decide_form": (decide_form or forms.MatterDecideForm(matter=matter))
            if can_decide
            else None,
            "can_drop": can_decide,
        },
        status=status,
    )


def _get_matter(request, pk):
    return get_object_or_404(
        AccountabilityMatter.objects.restrict(request.user).select_related(
            "handling_unit", "party_org", "created_by"
        ),
        pk=pk,
    )


@login_required
def matter_detail(request, pk):
    return _matter_page(request, _get_matter(request, pk))


@login_required
@require_POST
def matter_decide(request, pk):
    user = request.user
    matter = _get_matter(request, pk)
    _require_work(user)
    form = forms.MatterDecideForm(request.POST, matter=matter)
    if form.is_valid():
        try:
            services.accountability_matter_decide(
                actor=user,
                matter=matter,
                form=form.cleaned_data["form"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录问责决定。"))
            return redirect("tolerance:matter_detail", matter.pk)
    return _matter_page(request, matter, form)


@login_required
@require_POST
def matter_drop(request, pk):
    user = request.user
    matter = _get_matter(request, pk)
    _require_work(user)
    try:
        services.accountability_matter_drop(actor=user, matter=matter)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("已记录不予问责。"))
    return redirect("tolerance:matter_detail", matter.pk)


# --- reminders ---------------------------------------------------------------------------------


@login_required
def reminder_list(request):
    user = request.user
    queryset = Reminder.objects.restrict(user).select_related(
        "cadre__unit", "handling_unit", "created_by"
    )
    filterset = ReminderFilterSet(request.GET, queryset=queryset)
    paginator = CappedPaginator(filterset.qs, REMINDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    categories = _category_labels(user.unit)
    for reminder in page.object_list:
        reminder.category_label = categories.get(reminder.matter_category, reminder.matter_category)
    return render(
        request,
        "tolerance/reminder_list.html",
        {
            "tab": "reminders",
            "page": page,
            "is_filtered": _is_filtered(request),
            "unit_options": unit_options(user, request.GET.get("unit", "")),
            "can_add": _can_work(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_create(request):
    user = request.user
    _require_work(user)
    form = forms.ReminderForm(request.POST or None, user=user)
    if request.method == "POST" and "_search" not in request.POST and form.is_valid():
        try:
            services.reminder_record(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记组织提醒。"))
            return redirect("tolerance:reminder_list")
    return _form_page(
        request,
        form,
        _("登记组织提醒"),
        "reminders",
        searching="_search" in request.POST,
        back=reverse("tolerance:reminder_list"),
        intro=_("对苗头性问题的提醒谈话或书面提醒；同一事由再次出错时，系统在容错研判中提示。"),
    )

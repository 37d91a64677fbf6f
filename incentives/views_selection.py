"""Pages of priority promotion (优先提拔使用, ZJK 3 and annex 1, F 7) and exceptional promotion
(破格提拔, ZJK 4, F 8; the age rules of ZJK 5).

Reads go through `restrict(user)`: a record, list or candidate outside the user's jurisdiction
is not found (404); a role that may not act answers 403. Writes go through
`incentives.selection`, whose validation errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.models import Unit
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator

from . import filtersets_selection as filtersets
from . import forms_selection as forms
from . import selection
from .choices import CandidateListStatus, LogSubject, RecordStatus
from .models import Candidate
from .models.common import can_read, can_write

RECORDS_PER_PAGE = 50
LISTS_PER_PAGE = 30
AUTO_SHOWN = 100
EXPORT_CHUNK = 2000


def _require_read(user):
    require(can_read(user), _("您的角色不能查看优先提拔和破格提拔"))


def _require_write(user):
    require(can_write(user), _("优先提拔和破格提拔由组织部门办理"))


def _error_text(error) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


def _today():
    return timezone.localdate().strftime("%Y%m%d")


# --- priority promotion ---------------------------------------------------------------------


def _priority_filtered(request):
    filterset = filtersets.PriorityRecordFilterSet(
        request.GET, queryset=selection.priority_records(request.user)
    )
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _auto_unit(request):
    value = request.GET.get("unit")
    if str(value or "").isdigit():
        return Unit.objects.restrict(request.user).filter(pk=int(value)).first()
    return None


@login_required
def priority_list(request):
    """The links to priority situations, with the cadres the system recognises from their
    annual grades (F 7: 连续多年年度考核优秀)."""
    user = request.user
    _require_read(user)
    filterset, rows = _priority_filtered(request)
    paginator = CappedPaginator(rows, RECORDS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    _list, situations = selection.priority_situations(user.unit if user.unit_id else None)
    auto_item, auto_rows = selection.excellent_streak_cadres(
        user, search=request.GET.get("q", ""), unit=_auto_unit(request), items=situations
    )
    groups = sorted({item.group for item in situations if item.group})
    data = filterset.data
    return render(
        request,
        "incentives/selection/priority_list.html",
        {
            "tab": "priority",
            "page": page,
            "form": filterset.form,
            "can_write": can_write(user),
            "situations": situations,
            "groups": groups,
            "statuses": RecordStatus.choices,
            "selected": {k: data.get(k, "") for k in ("situation", "group", "status", "q")},
            "unit_options": unit_options(user, data.get("unit", "")),
            "auto_item": auto_item,
            "auto_rows": auto_rows[:AUTO_SHOWN],
            "auto_total": len(auto_rows),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@login_required
def priority_export(request):
    """The filtered links as an Excel workbook (all pages)."""
    user = request.user
    _require_read(user)
    _filterset, rows = _priority_filtered(request)
    headers = [
        _("姓名"),
        _("单位"),
        _("现任职务"),
        _("情形代码"),
        _("优先提拔使用情形"),
        _("清单版本"),
        _("事实依据"),
        _("事实发生时间"),
        _("状态"),
        _("撤销理由"),
        _("登记人"),
    ]
    data = (
        [
            r.cadre.name,
            r.cadre.unit.name,
            r.cadre.post,
            r.situation_code,
            r.situation_label,
            r.situations_list.version,
            r.evidence,
            r.evidence_on,
            r.get_status_display(),
            r.withdrawn_reason,
            str(r.recorded_by or ""),
        ]
        for r in rows.iterator(chunk_size=EXPORT_CHUNK)
    )
    day = _today()
    return xlsx_response(
        _("优先提拔使用"),
        _("优先提拔使用情形-%(day)s.xlsx") % {"day": day},
        f"priority-{day}.xlsx",
        headers,
        data,
    )


@login_required
def priority_auto_export(request):
    """The cadres recognised from their 优秀 streak (F 7), as an Excel workbook."""
    user = request.user
    _require_read(user)
    _item, rows = selection.excellent_streak_cadres(
        user, search=request.GET.get("q", ""), unit=_auto_unit(request)
    )
    headers = [_("姓名"), _("单位"), _("现任职务"), _("职务层次"), _("连续优秀年数"), _("优秀年度")]
    data = (
        [
            row.cadre.name,
            row.cadre.unit.name,
            row.cadre.post,
            row.cadre.post_level.name if row.cadre.post_level_id else "",
            row.streak,
            "、".join(str(y) for y in row.years),
        ]
        for row in rows
    )
    day = _today()
    return xlsx_response(
        _("连续多年考核优秀"),
        _("连续多年年度考核优秀干部-%(day)s.xlsx") % {"day": day},
        f"excellent-streak-{day}.xlsx",
        headers,
        data,
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_create(request):
    user = request.user
    _require_write(user)
    form = forms.PriorityLinkForm(
        request.POST or None, user=user, search=request.GET.get("cadre_q", "")
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = selection.priority_link(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记%(name)s：%(code)s %(label)s")
                % {
                    "name": record.cadre.name,
                    "code": record.situation_code,
                    "label": record.situation_label,
                },
            )
            return redirect("incentives:priority_list")
    return render(
        request,
        "incentives/selection/form.html",
        {
            "tab": "priority",
            "form": form,
            "title": _("登记优先提拔使用情形"),
            "submit_label": _("登记"),
            "cancel_url": "incentives:priority_list",
            "cadre_search": True,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_withdraw(request, pk):
    """Confirm, then withdraw a link with the reason."""
    user = request.user
    record = get_object_or_404(selection.priority_records(user), pk=pk)
    _require_write(user)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            selection.priority_withdraw(
                actor=user, record=record, reason=form.cleaned_data["reason"]
            )
        except selection.TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:priority_list")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已撤销%(name)s的“%(label)s”")
                % {"name": record.cadre.name, "label": record.situation_label},
            )
            return redirect("incentives:priority_list")
    return render(
        request,
        "incentives/selection/priority_withdraw.html",
        {
            "tab": "priority",
            "record": record,
            "form": form,
            "timeline": selection.history(LogSubject.PRIORITY, record),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- exceptional promotion ------------------------------------------------------------------


def _lists_filtered(request):
    filterset = filtersets.CandidateListFilterSet(
        request.GET, queryset=selection.candidate_lists(request.user)
    )
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


@login_required
def candidate_lists(request):
    user = request.user
    _require_read(user)
    filterset, rows = _lists_filtered(request)
    paginator = CappedPaginator(selection.with_counts(rows), LISTS_PER_PAGE, count_queryset=rows)
    page = paginator.get_page(request.GET.get("page"))
    data = filterset.data
    return render(
        request,
        "incentives/selection/candidate_lists.html",
        {
            "tab": "exceptional",
            "page": page,
            "form": filterset.form,
            "can_write": can_write(user),
            "statuses": CandidateListStatus.choices,
            "selected": {k: data.get(k, "") for k in ("status", "year", "q")},
            "unit_options": unit_options(user, data.get("unit", "")),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_list_create(request):
    user = request.user
    _require_write(user)
    form = forms.CandidateListForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_list = selection.candidate_list_open(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已建立名单“%(t)s”") % {"t": candidate_list.title})
            return redirect("incentives:candidate_list_detail", pk=candidate_list.pk)
    return render(
        request,
        "incentives/selection/form.html",
        {
            "tab": "exceptional",
            "form": form,
            "title": _("新建破格提拔人选名单"),
            "submit_label": _("建立"),
            "cancel_url": "incentives:candidate_lists",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _get_list(user, pk):
    return get_object_or_404(selection.with_counts(selection.candidate_lists(user)), pk=pk)


def _candidate_rows(user, candidate_list, rules=None):
    candidates = list(selection.candidates_of(user, candidate_list))
    young = selection.young_flags([c.cadre for c in candidates], candidate_list.unit, rules=rules)
    today = timezone.localdate()
    rows = []
    for candidate in candidates:
        rows.append(
            {
                "candidate": candidate,
                "age": selection.age_on(candidate.cadre.birth_date, today),
                "young": young.get(candidate.cadre_id, ""),
                "failed": [r for r in candidate.check_results if not r.get("passed")],
                "form_url": selection.appointment_form_url(candidate),
                "can_decide": selection.can_decide(candidate),
            }
        )
    return rows


@login_required
def candidate_list_detail(request, pk):
    user = request.user
    _require_read(user)
    candidate_list = _get_list(user, pk)
    writer = can_write(user)
    rules = selection.age_rules(candidate_list.unit)
    return render(
        request,
        "incentives/selection/candidate_list_detail.html",
        {
            "tab": "exceptional",
            "cl": candidate_list,
            "rows": _candidate_rows(user, candidate_list, rules),
            "can_write": writer,
            "can_edit": writer and selection.can_edit_list(candidate_list),
            "can_submit": writer and selection.can_transition_list(candidate_list, "submit"),
            "can_close": writer and selection.can_transition_list(candidate_list, "close"),
            "checks": list(candidate_list.checks_list.items.all()),
            "senior_rule": selection.senior_rule(candidate_list.unit, rules),
            "timeline": selection.history(LogSubject.CANDIDATE_LIST, candidate_list),
        },
    )


@login_required
def candidate_list_export(request, pk):
    user = request.user
    _require_read(user)
    candidate_list = _get_list(user, pk)
    headers = [
        _("姓名"),
        _("性别"),
        _("年龄"),
        _("单位"),
        _("现任职务"),
        _("现职务层次"),
        _("破格路径"),
        _("拟任职务"),
        _("拟任职务层次"),
        _("年轻干部"),
        _("主要实绩"),
        _("符合破格条件"),
        _("未通过的条件"),
        _("核查时间"),
        _("状态"),
        _("研究意见"),
    ]
    data = []
    for row in _candidate_rows(user, candidate_list):
        c = row["candidate"]
        data.append(
            [
                c.cadre.name,
                c.cadre.get_gender_display(),
                row["age"],
                c.cadre.unit.name,
                c.cadre.post,
                c.cadre.post_level.name if c.cadre.post_level_id else "",
                f"{c.path_code} {c.path_label}",
                c.target_post,
                c.target_level.name,
                row["young"],
                c.deeds,
                (_("是") if c.checks_passed else _("否")) if c.checked_at else _("未核查"),
                "；".join(f"{r['label']}：{r['detail']}" for r in row["failed"]),
                timezone.localtime(c.checked_at).strftime("%Y-%m-%d %H:%M") if c.checked_at else "",
                c.get_status_display(),
                c.decision_note,
            ]
        )
    day = _today()
    return xlsx_response(
        _("破格提拔人选"),
        _("%(title)s-%(day)s.xlsx") % {"title": candidate_list.title, "day": day},
        f"candidates-{candidate_list.pk}-{day}.xlsx",
        headers,
        data,
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_add(request, pk):
    user = request.user
    _require_read(user)
    candidate_list = _get_list(user, pk)
    _require_write(user)
    form = forms.CandidateForm(
        request.POST or None,
        user=user,
        candidate_list=candidate_list,
        search=request.GET.get("cadre_q", ""),
    )
    if request.method == "POST" and form.is_valid():
        try:
            candidate = selection.candidate_add(
                actor=user, candidate_list=candidate_list, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已将%(name)s列入名单") % {"name": candidate.cadre.name})
            return redirect("incentives:candidate_list_detail", pk=candidate_list.pk)
    return render(
        request,
        "incentives/selection/form.html",
        {
            "tab": "exceptional",
            "form": form,
            "title": _("添加破格提拔人选：%(t)s") % {"t": candidate_list.title},
            "submit_label": _("添加"),
            "cancel_href": candidate_list_url(candidate_list),
            "cadre_search": True,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def candidate_list_url(candidate_list):
    return reverse("incentives:candidate_list_detail", args=[candidate_list.pk])


def _get_candidate(user, pk):
    return get_object_or_404(
        Candidate.objects.restrict(user).select_related("candidate_list", "cadre", "cadre__unit"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_remove(request, pk):
    """Confirm, then take a candidate off a list in preparation."""
    user = request.user
    _require_read(user)
    candidate = _get_candidate(user, pk)
    _require_write(user)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            selection.candidate_remove(
                actor=user, candidate=candidate, reason=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已将%(name)s移出名单") % {"name": candidate.cadre.name})
        return redirect("incentives:candidate_list_detail", pk=candidate.candidate_list_id)
    return render(
        request,
        "incentives/selection/candidate_remove.html",
        {"tab": "exceptional", "candidate": candidate, "form": form},
    )


@login_required
@require_POST
def candidate_list_check(request, pk):
    user = request.user
    _require_read(user)
    candidate_list = _get_list(user, pk)
    _require_write(user)
    try:
        checked = selection.candidates_check(actor=user, candidate_list=candidate_list)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        passed = sum(1 for c in checked if c.checks_passed)
        messages.success(
            request,
            _("已核查%(n)s名人选，%(ok)s名符合破格提拔条件") % {"n": len(checked), "ok": passed},
        )
    return redirect("incentives:candidate_list_detail", pk=candidate_list.pk)


@login_required
@require_POST
def candidate_list_transition(request, pk, action):
    user = request.user
    _require_read(user)
    candidate_list = _get_list(user, pk)
    _require_write(user)
    services = {
        "submit": selection.candidate_list_submit,
        "close": selection.candidate_list_close,
    }
    if action not in services:
        raise PermissionDenied
    try:
        services[action](
            actor=user, candidate_list=candidate_list, note=request.POST.get("note", "")
        )
    except selection.TransitionConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        done = _("已提交党委（党组）研究") if action == "submit" else _("名单已办结")
        messages.success(request, done)
    return redirect("incentives:candidate_list_detail", pk=candidate_list.pk)


@login_required
@require_POST
def candidate_decide(request, pk):
    user = request.user
    _require_read(user)
    candidate = _get_candidate(user, pk)
    _require_write(user)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        errors = [f"{form.fields[f].label}：{' '.join(e)}" for f, e in form.errors.items()]
        messages.error(request, "；".join(errors))
    else:
        try:
            selection.candidate_decide(actor=user, candidate=candidate, **form.cleaned_data)
        except selection.TransitionConflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("已记录对%(name)s的研究意见") % {"name": candidate.cadre.name},
            )
    return redirect("incentives:candidate_list_detail", pk=candidate.candidate_list_id)


@login_required
@require_POST
def candidate_confirm_age(request, pk):
    user = request.user
    _require_read(user)
    candidate = _get_candidate(user, pk)
    _require_write(user)
    form = forms.ConfirmAgeForm(request.POST)
    form.is_valid()
    try:
        selection.candidate_confirm_age(actor=user, candidate=candidate, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已记录确认情况，请重新核查破格条件"))
    return redirect("incentives:candidate_list_detail", pk=candidate.candidate_list_id)

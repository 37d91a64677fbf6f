"""Pages of the talks (谈心谈话, F 16, X): the 五必谈 due talks with their filters, Excel export,
assignment and cancellation; the talks held, recorded from a due talk, a request or freely;
the cadres' requests ("向组织说说心里话") and the organisation department's answer; the
family-misfortune report (trigger 5); and "我的关爱", a cadre's own view.

Reads go through `restrict(user)`: a record outside the user's jurisdiction is not found (404).
Confidential content is shown only where `talks.can_read_confidential` allows it (a request's
content where `talks.can_read_request_content` does). Writes go through `care.talks`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator
from cadre.selectors import policy_items

from . import filtersets_talks as filtersets
from . import forms_talks as forms
from . import talks
from .choices import KIND_TALK_TRIGGERS, LogSubject, ObligationStatus, RequestStatus
from .models import TalkObligation, TalkRequest
from .models.common import can_read, can_write

PER_PAGE = 50
EXPORT_CHUNK = 2000


def _require_staff(user):
    require(can_read(user), _("您的角色不能查看谈心谈话记录"))


def _require_write(user):
    require(can_write(user), _("谈心谈话由组织部门办理"))


def _filtered(request, filterset_class, queryset):
    filterset = filterset_class(request.GET, queryset=queryset)
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _is_filtered(request):
    return any(v for k, v in request.GET.items() if k != "page")


def _trigger_choices(user):
    _list, items = policy_items(KIND_TALK_TRIGGERS, user.unit if user.unit_id else None)
    return [(item.code, item.label) for item in items]


# --- due talks (五必谈) -------------------------------------------------------------------------


@login_required
def obligation_list(request):
    """The due talks the user may see: overdue ones highlighted, soonest deadline first."""
    user = request.user
    _require_staff(user)
    filterset, rows = _filtered(
        request, filtersets.ObligationFilterSet, talks.obligation_list(user)
    )
    paginator = CappedPaginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "care/talks/obligation_list.html",
        {
            "tab": "obligations",
            "page": page,
            "form": filterset.form,
            "today": today,
            "rows": [(o, talks.is_overdue(o, today)) for o in page.object_list],
            "triggers": _trigger_choices(user),
            "unit_options": unit_options(user, filterset.data.get("unit", "")),
            "can_write": can_write(user),
            "is_filtered": _is_filtered(request),
        },
    )


def _obligation_columns():
    return [
        (_("干部"), lambda o: o.cadre.name),
        (_("单位"), lambda o: o.cadre.unit.name),
        (_("必谈情形"), lambda o: o.trigger_label),
        (_("事由"), lambda o: o.reason),
        (_("产生日期"), lambda o: o.created_on),
        (_("应谈期限"), lambda o: o.due_on),
        (_("状态"), lambda o: o.get_status_display()),
        (_("是否逾期"), lambda o: _("逾期") if talks.is_overdue(o) else ""),
        (_("责任单位"), lambda o: o.responsible_unit.name),
        (_("承办人"), lambda o: str(o.assignee or "")),
        (_("谈话日期"), lambda o: o.talk.held_on if o.talk_id else None),
        (_("取消原因"), lambda o: o.cancel_reason),
    ]


@login_required
def obligation_export(request):
    user = request.user
    _require_staff(user)
    _filterset, rows = _filtered(
        request, filtersets.ObligationFilterSet, talks.obligation_list(user)
    )
    return xlsx_response(
        _("五必谈"),
        _("五必谈应谈事项"),
        "due-talks",
        _obligation_columns(),
        rows.iterator(chunk_size=EXPORT_CHUNK),
        dated=True,
    )


def _obligation_context(request, obligation, **extra):
    user = request.user
    writable = can_write(user) and obligation.status == ObligationStatus.DUE
    return {
        "tab": "obligations",
        "obligation": obligation,
        "overdue": talks.is_overdue(obligation),
        "timeline": talks.timeline_rows(LogSubject.OBLIGATION, obligation),
        "can_act": writable,
        "assign_form": extra.pop("assign_form", None)
        or (forms.AssignForm(obligation=obligation) if writable else None),
        "cancel_form": extra.pop("cancel_form", None) or (forms.CancelForm() if writable else None),
        **extra,
    }


@login_required
def obligation_detail(request, pk):
    user = request.user
    _require_staff(user)
    obligation = get_object_or_404(talks.obligation_list(user), pk=pk)
    return render(
        request, "care/talks/obligation_detail.html", _obligation_context(request, obligation)
    )


def _obligation_for_action(user, pk):
    obligation = get_object_or_404(talks.obligation_list(user), pk=pk)
    _require_write(user)
    if not TalkObligation.objects.restrict(user, "change").filter(pk=pk).exists():
        raise PermissionDenied(_("该干部不在您的管理范围内"))
    return obligation


@login_required
@require_POST
def obligation_assign(request, pk):
    user = request.user
    obligation = _obligation_for_action(user, pk)
    form = forms.AssignForm(request.POST, obligation=obligation)
    if form.is_valid():
        try:
            talks.obligation_assign(
                actor=user, obligation=obligation, assignee=form.cleaned_data["assignee"]
            )
        except talks.TransitionConflict as error:
            messages.error(request, str(error))
            return redirect("care:obligation_detail", pk=pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已交由%(name)s承办。") % {"name": form.cleaned_data["assignee"]}
            )
            return redirect("care:obligation_detail", pk=pk)
    return render(
        request,
        "care/talks/obligation_detail.html",
        _obligation_context(request, obligation, assign_form=form),
        status=400,
    )


@login_required
@require_POST
def obligation_cancel(request, pk):
    user = request.user
    obligation = _obligation_for_action(user, pk)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            talks.obligation_cancel(
                actor=user, obligation=obligation, reason=form.cleaned_data["reason"]
            )
        except talks.TransitionConflict as error:
            messages.error(request, str(error))
            return redirect("care:obligation_detail", pk=pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已取消该应谈事项。"))
            return redirect("care:obligation_detail", pk=pk)
    return render(
        request,
        "care/talks/obligation_detail.html",
        _obligation_context(request, obligation, cancel_form=form),
        status=400,
    )


# --- talks ------------------------------------------------------------------------------------


@login_required
def talk_list(request):
    user = request.user
    _require_staff(user)
    filterset, rows = _filtered(request, filtersets.TalkFilterSet, talks.talk_list(user))
    paginator = CappedPaginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/talks/talk_list.html",
        {
            "tab": "talks",
            "page": page,
            "form": filterset.form,
            "unit_options": unit_options(user, filterset.data.get("unit", "")),
            "can_write": can_write(user),
            "is_filtered": _is_filtered(request),
        },
    )


def _talk_columns(user):
    return [
        (_("谈话日期"), lambda t: t.held_on),
        (_("谈话对象"), lambda t: t.cadre.name),
        (_("单位"), lambda t: t.cadre.unit.name),
        (_("谈话人"), lambda t: t.talker_name),
        (_("谈话类别"), lambda t: t.get_kind_display()),
        (_("地点"), lambda t: t.place),
        (_("谈话摘要"), lambda t: t.summary),
        (_("跟进措施"), lambda t: t.follow_up),
        (_("保密内容"), lambda t: talks.confidential_shown(user, t)),
    ]


@login_required
def talk_export(request):
    """The filtered talks; confidential content only where the user may read it."""
    user = request.user
    _require_staff(user)
    _filterset, rows = _filtered(request, filtersets.TalkFilterSet, talks.talk_list(user))
    return xlsx_response(
        _("谈心谈话"),
        _("谈心谈话记录"),
        "talks",
        _talk_columns(user),
        rows.iterator(chunk_size=EXPORT_CHUNK),
        dated=True,
    )


@login_required
def talk_detail(request, pk):
    user = request.user
    talk = get_object_or_404(talks.talk_list(user), pk=pk)
    return render(
        request,
        "care/talks/talk_detail.html",
        {
            "tab": "talks" if can_read(user) else "mine",
            "talk": talk,
            "confidential": talks.confidential_shown(user, talk),
            "timeline": talks.timeline_rows(LogSubject.TALK, talk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def talk_create(request):
    """Record a talk; `?obligation=` or `?request=` records it against that due talk or
    request (the cadre is fixed and the record closes it)."""
    user = request.user
    _require_write(user)
    source = request.POST if request.method == "POST" else request.GET
    obligation = talk_request = None
    if str(source.get("obligation") or "").isdigit():
        obligation = get_object_or_404(
            TalkObligation.objects.restrict(user, "change"), pk=source["obligation"]
        )
    if str(source.get("request") or "").isdigit():
        talk_request = get_object_or_404(
            TalkRequest.objects.restrict(user, "change"), pk=source["request"]
        )
    # The coverage page links here with the secretary and the person to talk with.
    initial = {
        name: request.GET[name]
        for name in ("cadre", "talker_cadre", "kind")
        if request.method == "GET" and request.GET.get(name)
    }
    form = forms.TalkForm(
        request.POST or None,
        user=user,
        obligation=obligation,
        request=talk_request,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            talk = talks.talk_record(
                actor=user, obligation=obligation, request=talk_request, **form.service_kwargs()
            )
        except talks.TransitionConflict as error:
            messages.error(request, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记与%(name)s的谈话。") % {"name": talk.cadre.name},
            )
            return redirect("care:talk_detail", pk=talk.pk)
    return render(
        request,
        "care/talks/talk_form.html",
        {
            "tab": "talks",
            "form": form,
            "obligation": obligation,
            "talk_request": talk_request,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- trigger 5 --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def misfortune_create(request):
    user = request.user
    _require_write(user)
    form = forms.MisfortuneForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            report = talks.misfortune_report(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已报告%(name)s的家庭变故，系统将生成“发生家庭变故必谈”应谈事项。")
                % {"name": report.cadre.name},
            )
            return redirect("care:obligation_list")
    return render(
        request,
        "care/talks/misfortune_form.html",
        {"tab": "obligations", "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- requests ---------------------------------------------------------------------------------


@login_required
def request_list(request):
    user = request.user
    _require_staff(user)
    filterset, rows = _filtered(request, filtersets.TalkRequestFilterSet, talks.request_list(user))
    paginator = CappedPaginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/talks/request_list.html",
        {
            "tab": "requests",
            "page": page,
            "form": filterset.form,
            "is_filtered": _is_filtered(request),
        },
    )


def _request_context(request, talk_request, **extra):
    user = request.user
    open_ = talk_request.status in (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED)
    return {
        "tab": "requests" if can_read(user) else "mine",
        "talk_request": talk_request,
        "content": talks.request_content_shown(user, talk_request),
        "timeline": talks.timeline_rows(LogSubject.REQUEST, talk_request),
        "can_act": can_write(user) and open_,
        "can_accept": can_write(user) and talk_request.status == RequestStatus.SUBMITTED,
        "answer_form": extra.pop("answer_form", None) or forms.AnswerForm(),
        **extra,
    }


@login_required
def request_detail(request, pk):
    talk_request = get_object_or_404(talks.request_list(request.user), pk=pk)
    return render(
        request, "care/talks/request_detail.html", _request_context(request, talk_request)
    )


def _answer(request, pk, service, done):
    user = request.user
    talk_request = get_object_or_404(talks.request_list(user), pk=pk)
    _require_write(user)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            service(actor=user, request=talk_request, response=form.cleaned_data["response"])
        except talks.TransitionConflict as error:
            messages.error(request, str(error))
            return redirect("care:request_detail", pk=pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("care:request_detail", pk=pk)
    return render(
        request,
        "care/talks/request_detail.html",
        _request_context(request, talk_request, answer_form=form),
        status=400,
    )


@login_required
@require_POST
def request_accept(request, pk):
    return _answer(request, pk, talks.talk_request_accept, _("已受理该谈话申请。"))


@login_required
@require_POST
def request_decline(request, pk):
    return _answer(request, pk, talks.talk_request_decline, _("已答复不予受理。"))


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    """A cadre's own request for a talk (向组织说说心里话)."""
    user = request.user
    if not user.cadre_id:
        raise PermissionDenied(_("只有已关联干部档案的用户才能提出谈话申请"))
    form = forms.TalkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            talks.talk_request_submit(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("您的谈话申请已提交，组织部门将与您联系。"))
            return redirect("care:my_care")
    return render(
        request,
        "care/talks/request_form.html",
        {"tab": "mine", "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def my_care(request):
    """我的关爱: the user's own talks, requests and due talks."""
    user = request.user
    mine = talks.my_care(user)
    return render(
        request,
        "care/talks/my_care.html",
        {
            "tab": "mine",
            "has_cadre": bool(user.cadre_id),
            "talks": [(t, talks.confidential_shown(user, t)) for t in mine["talks"][:100]],
            "requests": list(mine["requests"][:100]),
            "due": list(mine["due"][:100]),
        },
    )

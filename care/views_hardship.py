"""Pages of hardship help (F 17) and the care funds (ZJK 12(四)): the applications with their
filters and Excel export, an application with its review and timeline, a new application (staff
for a cadre, or a cadre for themself), the funds with their balances, a fund's ledger (export),
and deposits and disbursements (each confirmed before it is made).

Reads go through `restrict(user)` (a cadre user reads their own applications); writes through
`care.hardship`, whose errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.models import Cadre
from cadre.pages import add_service_errors, unit_options, xlsx_response
from cadre.pagination import CappedPaginator

from . import filtersets_hardship as filtersets
from . import forms_hardship as forms
from . import hardship
from .choices import ApplicationStatus, LogSubject
from .models.common import can_read, can_write
from .views_leave import is_filtered, labelled_timeline, require_read, require_write

PER_PAGE = 50
S = ApplicationStatus


def _may_list(user):
    return can_read(user) or getattr(user, "cadre_id", None) is not None


def _filtered_applications(request):
    filterset = filtersets.HardshipApplicationFilterSet(
        request.GET, queryset=hardship.applications_for(request.user)
    )
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _category_options(user):
    _list, items = hardship.categories_for(user.unit if user.unit_id else None)
    return [(item.code, item.label) for item in items]


@login_required
def application_list(request):
    """Applications in the jurisdiction (a cadre: their own), newest first, with counts per
    status of the filtered rows."""
    user = request.user
    if not _may_list(user):
        require_read(user)
    filterset, rows = _filtered_applications(request)
    counts = rows.order_by().aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in S.values},
        granted=Sum("amount_granted"),
    )
    paginator = CappedPaginator(rows, PER_PAGE, count_queryset=rows)
    page = paginator.get_page(request.GET.get("page"))
    data = filterset.data
    return render(
        request,
        "care/hardship/application_list.html",
        {
            "tab": "hardship" if can_read(user) else "mine",
            "page": page,
            "counts": counts,
            "statuses": S.choices,
            "categories": _category_options(user),
            "selected": {k: data.get(k, "") for k in ("status", "category", "name")},
            "unit_options": unit_options(user, data.get("unit", "")) if can_read(user) else "",
            "is_staff": can_read(user),
            "can_apply": can_write(user) or getattr(user, "cadre_id", None) is not None,
            "is_filtered": is_filtered(request),
        },
    )


def _application_columns():
    return [
        (_("申请时间"), lambda a: a.created_at.strftime("%Y-%m-%d")),
        (_("申请人"), lambda a: a.cadre.name),
        (_("单位"), lambda a: a.cadre.unit.name),
        (_("帮扶类别"), lambda a: a.category_label),
        (_("困难情况"), lambda a: a.description),
        (_("申请金额（元）"), lambda a: float(a.amount_requested) if a.amount_requested else ""),
        (_("状态"), lambda a: a.get_status_display()),
        (_("批准金额（元）"), lambda a: float(a.amount_granted) if a.amount_granted else ""),
        (_("审核意见"), lambda a: a.review_note),
        (_("审核人"), lambda a: str(a.reviewed_by or "")),
    ]


@login_required
def application_export(request):
    user = request.user
    require_read(user)
    _filterset, rows = _filtered_applications(request)
    return xlsx_response(
        _("困难帮扶申请"),
        _("困难帮扶申请"),
        "hardship-applications",
        _application_columns(),
        rows.iterator(chunk_size=2000),
        dated=True,
    )


def _detail_context(request, application, review_form=None, close_form=None):
    user = request.user
    staff = can_write(user)
    return {
        "tab": "hardship" if can_read(user) else "mine",
        "application": application,
        "timeline": labelled_timeline(LogSubject.APPLICATION, application),
        "entries": application.fund_entries.select_related("fund", "recorded_by"),
        "paid": hardship.paid_for(application),
        "review_form": (review_form or forms.ReviewForm())
        if staff and application.status == S.SUBMITTED
        else None,
        "close_form": (close_form or forms.CloseForm())
        if staff and hardship.can_move(application, S.CLOSED)
        else None,
        "is_staff": can_read(user),
    }


@login_required
def application_detail(request, pk):
    user = request.user
    if not _may_list(user):
        require_read(user)
    application = get_object_or_404(hardship.applications_for(user), pk=pk)
    return render(
        request, "care/hardship/application_detail.html", _detail_context(request, application)
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request):
    """Staff apply for a cadre they manage; a cadre applies for themself."""
    user = request.user
    own = None
    if not can_write(user):
        if not getattr(user, "cadre_id", None):
            raise PermissionDenied(_("您的角色不能提交困难帮扶申请"))
        own = get_object_or_404(Cadre.objects.select_related("unit"), pk=user.cadre_id)
    initial = {"cadre": request.GET.get("cadre")} if request.GET.get("cadre") else {}
    form = forms.ApplicationForm(request.POST or None, user=user, own_cadre=own, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = hardship.application_submit(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已提交%(name)s的困难帮扶申请（%(category)s），待组织部门审核。")
                % {"name": application.cadre.name, "category": application.category_label},
            )
            return redirect("care:application_detail", application.pk)
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "hardship" if can_read(user) else "mine",
            "form": form,
            "title": _("提交困难帮扶申请"),
            "intro": _(
                "医疗补助、工会医疗互助、配偶就业、子女就学和生活困难补助等（闽17；张家口第十二条（四））。"
            ),
            "submit_label": _("提交申请"),
            "cancel_url": reverse("care:application_list"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def application_review(request, pk):
    user = request.user
    application = get_object_or_404(hardship.applications_for(user), pk=pk)
    require_write(user)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == S.APPROVED:
                hardship.application_approve(
                    actor=user,
                    application=application,
                    amount_granted=data.get("amount_granted"),
                    note=data["note"],
                )
            else:
                hardship.application_reject(actor=user, application=application, note=data["note"])
        except hardship.TransitionConflict as error:
            messages.error(request, str(error))
            return redirect("care:application_detail", application.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已审核：%(name)s。") % {"name": application.cadre.name})
            return redirect("care:application_detail", application.pk)
    return render(
        request,
        "care/hardship/application_detail.html",
        _detail_context(request, application, review_form=form),
        status=400,
    )


@login_required
@require_POST
def application_close(request, pk):
    user = request.user
    application = get_object_or_404(hardship.applications_for(user), pk=pk)
    require_write(user)
    form = forms.CloseForm(request.POST)
    if form.is_valid():
        try:
            hardship.application_close(
                actor=user, application=application, note=form.cleaned_data["note"]
            )
        except hardship.TransitionConflict as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("申请已办结。"))
    return redirect("care:application_detail", application.pk)


# --- funds --------------------------------------------------------------------------------------


@login_required
def fund_list(request):
    """The care funds in the jurisdiction with their balances."""
    user = request.user
    require_read(user)
    filterset = filtersets.CareFundFilterSet(request.GET, queryset=hardship.funds_for(user))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    total = rows.order_by().aggregate(total=Sum("balance"))["total"]
    paginator = CappedPaginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/hardship/fund_list.html",
        {
            "tab": "funds",
            "page": page,
            "total": total,
            "q": filterset.data.get("q", ""),
            "unit_options": unit_options(user, filterset.data.get("unit", "")),
            "can_write": can_write(user),
            "is_filtered": is_filtered(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_new(request):
    user = request.user
    require_write(user)
    form = forms.FundForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            fund = hardship.fund_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已设立关爱基金：%(name)s。") % {"name": fund.name})
            return redirect("care:fund_detail", fund.pk)
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "funds",
            "form": form,
            "title": _("设立关爱基金"),
            "cancel_url": reverse("care:fund_list"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _entries(request, fund):
    filterset = filtersets.FundEntryFilterSet(
        request.GET, queryset=hardship.entries_for(request.user).filter(fund=fund)
    )
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


@login_required
def fund_detail(request, pk):
    """A fund and its ledger, newest first."""
    user = request.user
    require_read(user)
    fund = get_object_or_404(hardship.funds_for(user), pk=pk)
    filterset, rows = _entries(request, fund)
    sums = rows.order_by().aggregate(
        deposits=Sum("amount", filter=Q(kind="deposit")),
        disbursements=Sum("amount", filter=Q(kind="disbursement")),
    )
    paginator = CappedPaginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/hardship/fund_detail.html",
        {
            "tab": "funds",
            "fund": fund,
            "page": page,
            "sums": sums,
            "kind": filterset.data.get("kind", ""),
            "can_write": can_write(user),
        },
    )


@login_required
def fund_export(request, pk):
    user = request.user
    require_read(user)
    fund = get_object_or_404(hardship.funds_for(user), pk=pk)
    _filterset, rows = _entries(request, fund)
    columns = [
        (_("时间"), lambda e: e.at.strftime("%Y-%m-%d %H:%M")),
        (_("收支"), lambda e: e.get_kind_display()),
        (_("金额（元）"), lambda e: float(e.amount)),
        (_("余额（元）"), lambda e: float(e.balance_after)),
        (_("摘要"), lambda e: e.note),
        (_("帮扶申请"), lambda e: e.application.cadre.name if e.application_id else ""),
        (_("经办人"), lambda e: str(e.recorded_by or "")),
    ]
    return xlsx_response(
        fund.name[:31],
        _("%(name)s收支明细") % {"name": fund.name},
        f"fund-{fund.pk}",
        columns,
        rows,
        dated=True,
    )


def _money_page(request, pk, *, form_class, title, confirm, submit_label, run):
    user = request.user
    fund = get_object_or_404(hardship.funds_for(user), pk=pk)
    require_write(user)
    kwargs = {"user": user, "fund": fund} if form_class is forms.DisburseForm else {}
    initial = {}
    if request.GET.get("application", "").isdigit():
        initial["application"] = int(request.GET["application"])
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            entry = run(user, fund, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except hardship.TransitionConflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已登记%(kind)s %(amount)s元，余额%(balance)s元。")
                % {
                    "kind": entry.get_kind_display(),
                    "amount": entry.amount,
                    "balance": entry.balance_after,
                },
            )
            return redirect("care:fund_detail", fund.pk)
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "funds",
            "form": form,
            "title": f"{title}：{fund.name}",
            "intro": _("当前余额：%(balance)s元") % {"balance": fund.balance},
            "confirm": confirm,
            "submit_label": submit_label,
            "cancel_url": reverse("care:fund_detail", args=[fund.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_deposit(request, pk):
    return _money_page(
        request,
        pk,
        form_class=forms.DepositForm,
        title=_("资金拨入"),
        confirm=_("确定登记这笔拨入吗？收支记录登记后不能修改或删除。"),
        submit_label=_("确认拨入"),
        run=lambda user, fund, data: hardship.fund_deposit(actor=user, fund=fund, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_disburse(request, pk):
    return _money_page(
        request,
        pk,
        form_class=forms.DisburseForm,
        title=_("资金支出"),
        confirm=_("确定从基金支出这笔款项吗？收支记录登记后不能修改或删除。"),
        submit_label=_("确认支出"),
        run=lambda user, fund, data: hardship.fund_disburse(actor=user, fund=fund, **data),
    )

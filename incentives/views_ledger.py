"""Pages of the ledger of handled and disciplined cadres (受处理处分干部台账, F 15), the 能上能下
record (F 11, ZJK 6) and the expiry reviews (F 15; X 能下再上): lists with filters and Excel
export, details with their timelines, and the forms of the organisation department.

Reads go through the selectors of `incentives.ledger` (`restrict(user)`): a record outside the
user's jurisdiction is not found (404); a role that may not act answers 403. Writes go through
the services, whose validation errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator

from . import filtersets_ledger as filtersets
from . import forms_ledger as forms
from . import ledger
from .choices import AdjustmentStatus, LogSubject, ReviewStatus, SanctionStatus
from .models import ExpiryReview, SanctionTracking
from .models.common import can_read, can_write, timeline

PER_PAGE = 50
EXPORT_CHUNK = 2000


# What each line of a timeline says (IncentiveLog.action).
ACTION_LABELS = {
    "record": _lazy("登记"),
    "record_from_accountability": _lazy("根据问责决定登记"),
    "confirm_kind": _lazy("确认处理处分种类"),
    "revoke": _lazy("撤销"),
    "tracking": _lazy("登记跟踪了解情况"),
    "open_review": _lazy("影响期满，启动研判"),
    "open": _lazy("启动研判"),
    "review_normal_use": _lazy("研判：按程序正常使用"),
    "review_reinstate": _lazy("研判：重新使用（能下再上）"),
    "review_observe": _lazy("研判：继续考察"),
    "normal_use": _lazy("按程序正常使用"),
    "reinstate": _lazy("重新使用（能下再上）"),
    "observe": _lazy("继续考察"),
}
STATUS_LABELS = {
    LogSubject.SANCTION: dict(SanctionStatus.choices),
    LogSubject.ADJUSTMENT: dict(AdjustmentStatus.choices),
    LogSubject.REVIEW: dict(ReviewStatus.choices),
}


def _timeline(subject, obj):
    """The record's log lines, in words."""
    statuses = STATUS_LABELS[subject]
    return [
        {
            "at": entry.at,
            "actor": entry.actor,
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "from_status": statuses.get(entry.from_status, entry.from_status),
            "to_status": statuses.get(entry.to_status, entry.to_status),
            "note": entry.note,
        }
        for entry in timeline(subject, obj)
    ]


def _require_read(user):
    require(can_read(user), _("您的角色不能查看受处理处分干部台账"))


def _require_write(user):
    require(can_write(user), _("受处理处分干部台账和能上能下由组织部门办理"))


def _context(request, tab, **extra):
    return {"tab": tab, "can_write": can_write(request.user), **extra}


def _list_page(request, filterset_class, queryset, template, tab):
    user = request.user
    _require_read(user)
    filterset = filterset_class(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        _context(
            request,
            tab,
            page=page,
            form=filterset.form,
            unit_options=unit_options(user, filterset.data.get("unit", ""), with_selected=False),
            is_filtered=any(v for k, v in request.GET.items() if k != "page"),
        ),
    )


def _date(value):
    return value.isoformat() if value else ""


def _form_page(request, form, *, title, tab, back, intro="", status=None, confirm=""):
    return render(
        request,
        "incentives/ledger/form.html",
        _context(
            request,
            tab,
            form=form,
            title=title,
            back_href=reverse(back),
            intro=intro,
            confirm=confirm,
        ),
        status=status or (400 if form.is_bound and form.errors else 200),
    )


# --- sanctions --------------------------------------------------------------------------------


@login_required
def sanction_list(request):
    """The ledger: every sanction the user may see, newest decision first."""
    return _list_page(
        request,
        filtersets.SanctionFilterSet,
        ledger.sanction_ledger(request.user),
        "incentives/ledger/sanction_list.html",
        "ledger",
    )


def _sanction_columns():
    return [
        (_("姓名"), lambda s: s.cadre.name),
        (_("单位"), lambda s: s.cadre.unit.name),
        (_("职务"), lambda s: s.cadre.post),
        (_("类别"), lambda s: str(ledger.category_label(s.category)) if s.category else ""),
        (_("处理处分种类"), lambda s: s.kind_label or _("待确认")),
        (_("决定日期"), lambda s: _date(s.decided_on)),
        (_("决定机关"), lambda s: s.authority),
        (_("文号"), lambda s: s.document_number),
        (_("事由"), lambda s: s.reason),
        (_("影响期（月）"), lambda s: s.impact_months if s.impact_months is not None else ""),
        (_("影响期截止"), lambda s: _date(s.impact_until)),
        (_("状态"), lambda s: s.get_status_display()),
        (_("跟踪了解情况"), lambda s: ledger.tracking_summary(s.trackings.all())),
    ]


@login_required
def sanction_export(request):
    """The filtered ledger as an Excel workbook, with a summary of the tracking entries."""
    user = request.user
    _require_read(user)
    filterset = filtersets.SanctionFilterSet(request.GET, queryset=ledger.sanction_ledger(user))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = rows.prefetch_related(
        Prefetch("trackings", queryset=SanctionTracking.objects.order_by("-tracked_on", "-pk"))
    )
    title = _("受处理处分干部台账")
    return xlsx_response(
        title,
        title,
        "sanctions",
        _sanction_columns(),
        rows.iterator(chunk_size=EXPORT_CHUNK),
        dated=True,
    )


@login_required
def sanction_detail(request, pk):
    user = request.user
    _require_read(user)
    sanction = get_object_or_404(ledger.sanction_ledger(user), pk=pk)
    review = ExpiryReview.objects.filter(sanction=sanction).first()
    writable = can_write(user)
    return render(
        request,
        "incentives/ledger/sanction_detail.html",
        _context(
            request,
            "ledger",
            sanction=sanction,
            category=ledger.category_label(sanction.category) if sanction.category else "",
            trackings=sanction.trackings.select_related("recorded_by"),
            timeline=_timeline(LogSubject.SANCTION, sanction),
            review=review,
            can_confirm=writable and sanction.status == SanctionStatus.PENDING_KIND,
            can_revoke=writable and sanction.status in ledger.SANCTION_TRANSITIONS["revoke"][0],
            can_track=writable and sanction.status in ledger.TRACKING_STATUSES,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def sanction_record(request):
    user = request.user
    _require_write(user)
    form = forms.SanctionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            sanction = ledger.sanction_record(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记%(name)s“%(kind)s”，影响期至%(until)s。")
                % {
                    "name": sanction.cadre.name,
                    "kind": sanction.kind_label,
                    "until": sanction.impact_until,
                },
            )
            return redirect("incentives:sanction_detail", sanction.pk)
    return _form_page(
        request,
        form,
        title=_("登记受处理处分干部"),
        tab="ledger",
        back="incentives:sanction_list",
    )


def _sanction_step(request, pk, form_class, step, *, title, success, confirm="", **form_kwargs):
    """A form on one sanction (confirm the kind, revoke, tracking): GET shows it, POST acts."""
    user = request.user
    _require_read(user)
    sanction = get_object_or_404(ledger.sanction_ledger(user), pk=pk)
    _require_write(user)
    if callable(form_kwargs.get("unit")):
        form_kwargs["unit"] = form_kwargs["unit"](sanction)
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            step(actor=user, sanction=sanction, **form.cleaned_data)
        except ledger.TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:sanction_detail", sanction.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success % {"name": sanction.cadre.name})
            return redirect("incentives:sanction_detail", sanction.pk)
    return render(
        request,
        "incentives/ledger/form.html",
        _context(
            request,
            "ledger",
            form=form,
            title=title,
            subject=sanction,
            back_href=reverse("incentives:sanction_detail", args=[sanction.pk]),
            confirm=confirm,
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sanction_confirm_kind(request, pk):
    return _sanction_step(
        request,
        pk,
        forms.ConfirmKindForm,
        ledger.sanction_confirm_kind,
        title=_("确认处理处分种类"),
        success=_("已确认%(name)s的处理处分种类，影响期开始计算。"),
        unit=lambda sanction: sanction.cadre.unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sanction_revoke(request, pk):
    return _sanction_step(
        request,
        pk,
        forms.RevokeForm,
        ledger.sanction_revoke,
        title=_("撤销处理处分记录"),
        success=_("已撤销%(name)s的处理处分记录。"),
        confirm=_("撤销后该记录不再作为影响干部使用的依据，确认撤销？"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def sanction_tracking(request, pk):
    return _sanction_step(
        request,
        pk,
        forms.TrackingForm,
        ledger.sanction_tracking_add,
        title=_("登记跟踪了解情况"),
        success=_("已登记%(name)s的跟踪了解情况。"),
    )


# --- 能上能下 ----------------------------------------------------------------------------------


@login_required
def adjustment_list(request):
    return _list_page(
        request,
        filtersets.AdjustmentFilterSet,
        ledger.adjustment_ledger(request.user),
        "incentives/ledger/adjustment_list.html",
        "updown",
    )


def _adjustment_columns():
    return [
        (_("姓名"), lambda a: a.cadre.name),
        (_("单位"), lambda a: a.cadre.unit.name),
        (_("方式"), lambda a: a.get_action_display()),
        (_("情形"), lambda a: "；".join(a.situation_labels)),
        (_("事实和理由"), lambda a: a.reason),
        (_("决定日期"), lambda a: _date(a.decided_on)),
        (_("原职务"), lambda a: a.from_post),
        (_("原职务层次"), lambda a: a.from_level.name if a.from_level_id else ""),
        (_("调整后职务"), lambda a: a.to_post),
        (_("调整后职务层次"), lambda a: a.to_level.name if a.to_level_id else ""),
        (_("影响期（月）"), lambda a: a.impact_months),
        (_("影响期截止"), lambda a: _date(a.impact_until)),
        (_("状态"), lambda a: a.get_status_display()),
        (_("重新使用日期"), lambda a: _date(a.reinstated_on)),
        (_("重新任用职务"), lambda a: a.reinstated_post),
    ]


@login_required
def adjustment_export(request):
    user = request.user
    _require_read(user)
    filterset = filtersets.AdjustmentFilterSet(request.GET, queryset=ledger.adjustment_ledger(user))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    title = _("能上能下记录")
    return xlsx_response(
        title, title, "adjustments", _adjustment_columns(), rows.iterator(EXPORT_CHUNK), dated=True
    )


@login_required
def adjustment_detail(request, pk):
    user = request.user
    _require_read(user)
    adjustment = get_object_or_404(ledger.adjustment_ledger(user), pk=pk)
    return render(
        request,
        "incentives/ledger/adjustment_detail.html",
        _context(
            request,
            "updown",
            adjustment=adjustment,
            timeline=_timeline(LogSubject.ADJUSTMENT, adjustment),
            review=ExpiryReview.objects.filter(adjustment=adjustment).first(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_record(request):
    user = request.user
    _require_write(user)
    form = forms.AdjustmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = ledger.adjustment_record(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记%(name)s%(action)s，影响期至%(until)s。")
                % {
                    "name": adjustment.cadre.name,
                    "action": adjustment.get_action_display(),
                    "until": adjustment.impact_until,
                },
            )
            return redirect("incentives:adjustment_detail", adjustment.pk)
    return _form_page(
        request,
        form,
        title=_("登记能上能下（免职、调整、降职）"),
        tab="updown",
        back="incentives:adjustment_list",
    )


# --- expiry reviews ---------------------------------------------------------------------------


@login_required
def review_list(request):
    """The reviews, open ones first."""
    return _list_page(
        request,
        filtersets.ExpiryReviewFilterSet,
        ledger.review_queue(request.user),
        "incentives/ledger/review_list.html",
        "reviews",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_decide(request, pk):
    """The review with what the ledger knows (the sanction or action, its tracking entries
    and timeline) and, while open, the organisation department's conclusion."""
    user = request.user
    _require_read(user)
    review = get_object_or_404(ledger.review_queue(user), pk=pk)
    can_decide = can_write(user) and review.status == ReviewStatus.OPEN
    if request.method == "POST":
        _require_write(user)
    form = forms.ReviewDecideForm(request.POST or None, review=review) if can_decide else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("该研判已作出结论，不能重复研判"))
            return redirect("incentives:review_decide", review.pk)
        if form.is_valid():
            try:
                ledger.review_decide(actor=user, review=review, **form.service_kwargs())
            except ledger.TransitionConflict as conflict:
                messages.error(request, str(conflict))
                return redirect("incentives:review_decide", review.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("已作出研判结论：%(name)s。") % {"name": review.cadre.name}
                )
                return redirect("incentives:review_list")
    subject = review.sanction or review.adjustment
    trackings = (
        review.sanction.trackings.select_related("recorded_by") if review.sanction_id else []
    )
    return render(
        request,
        "incentives/ledger/review_decide.html",
        _context(
            request,
            "reviews",
            review=review,
            subject=subject,
            trackings=trackings,
            form=form,
            timeline=_timeline(LogSubject.REVIEW, review),
        ),
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )

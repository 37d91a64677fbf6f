"""Pages of the points ledger (考核积分制, DOMAIN §2, X "223"): the ledger with its filters,
totals and Excel export; submitting an item; recording the city's assessment result for the
leading and responsible departments (double rule); the organisation department's review queue;
and the per-unit totals of a period.

Reads go through `points.points_ledger` / `restrict(user)`: an entry or unit outside the user's
jurisdiction is not found (404); a role that may not act answers 403. Writes go through
`assessment.points`, whose validation errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.models import Unit
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator
from cadre.templatetags.cadre_tags import select_html

from . import filtersets, points
from . import forms_points as forms
from .choices import PointsStatus
from .models import unit_scope_q

ENTRIES_PER_PAGE = 50
QUEUE_PER_PAGE = 30
UNITS_PER_PAGE = 50
EXPORT_CHUNK = 2000
TAB = "points"


def _can_read(user):
    return user.is_superuser or unit_scope_q(user) is not None


def _require_read(user):
    require(_can_read(user), _("您的角色不能查看考核积分"))


def _common(request, **extra):
    user = request.user
    return {
        "tab": TAB,
        "can_submit": points.can_submit_points(user),
        "can_review": points.is_points_reviewer(user),
        **extra,
    }


def _item_options(user, selected):
    _catalogue, items = points.catalogue_for(user.unit if user.unit_id else None)
    return select_html(
        "item",
        None,
        [(code, item.label) for code, item in items.items()],
        str(selected or ""),
        with_select=False,
    )


def _filtered(request):
    filterset = filtersets.PointsEntryFilterSet(
        request.GET, queryset=points.points_ledger(request.user)
    )
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


# --- the ledger -------------------------------------------------------------------------------


@login_required
def ledger(request):
    """The entries the user may see, newest first, with the approved and pending totals of the
    filtered rows."""
    user = request.user
    _require_read(user)
    filterset, rows = _filtered(request)
    totals = rows.order_by().aggregate(
        approved=Sum("points", filter=Q(status=PointsStatus.APPROVED)),
        pending=Sum("points", filter=Q(status=PointsStatus.PENDING)),
        pending_count=Count("pk", filter=Q(status=PointsStatus.PENDING)),
        added=Sum("points", filter=Q(status=PointsStatus.APPROVED, points__gt=0)),
        deducted=Sum("points", filter=Q(status=PointsStatus.APPROVED, points__lt=0)),
    )
    paginator = CappedPaginator(rows, ENTRIES_PER_PAGE, count_queryset=rows)
    page = paginator.get_page(request.GET.get("page"))
    data = filterset.data
    return render(
        request,
        "assessment/points/ledger.html",
        _common(
            request,
            page=page,
            form=filterset.form,
            totals=totals,
            unit_options=unit_options(user, data.get("unit", "")),
            item_options=_item_options(user, data.get("item", "")),
            statuses=PointsStatus.choices,
            status_selected=data.get("status", ""),
            is_filtered=any(v for k, v in request.GET.items() if k != "page"),
        ),
    )


def _export_columns():
    return [
        (_("发生日期"), lambda e: e.occurred_on),
        (_("计分单位"), lambda e: e.unit.name),
        (_("相关干部"), lambda e: e.cadre.name if e.cadre_id else ""),
        (_("积分项目"), lambda e: e.item.label),
        (_("承担角色"), lambda e: e.get_role_display() if e.role else ""),
        (_("基础分值"), lambda e: float(e.base_points)),
        (_("计分"), lambda e: float(e.points)),
        (_("佐证材料"), lambda e: e.evidence),
        (_("状态"), lambda e: e.get_status_display()),
        (_("提交人"), lambda e: str(e.submitted_by or "")),
        (_("审核人"), lambda e: str(e.reviewed_by or "")),
        (_("审核意见"), lambda e: e.review_note),
    ]


@login_required
def export(request):
    """The filtered ledger as an Excel workbook (the rows the list shows, all pages)."""
    user = request.user
    _require_read(user)
    _filterset, rows = _filtered(request)
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("考核积分"),
        _("考核积分-%(day)s.xlsx") % {"day": day},
        f"points-{day}.xlsx",
        _export_columns(),
        rows.iterator(chunk_size=EXPORT_CHUNK),
    )


# --- submitting -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request):
    user = request.user
    if not points.can_submit_points(user):
        raise PermissionDenied(_("您的角色不能登记考核积分"))
    form = forms.PointsEntryForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            entry = points.points_entry_submit(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已提交%(unit)s“%(item)s”%(points)s分，待组织部门审核。")
                % {"unit": entry.unit.name, "item": entry.item.label, "points": entry.points},
            )
            return redirect("assessment:points")
    return render(
        request,
        "assessment/points/form.html",
        _common(
            request,
            form=form,
            title=_("登记考核积分"),
            action="assessment:points_submit",
            submit_label=_("提交审核"),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def city_result(request):
    user = request.user
    if not points.is_points_reviewer(user):
        raise PermissionDenied(_("市级考核得失分由组织部门登记"))
    form = forms.CityResultForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            entries = points.points_city_result_record(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已为牵头和责任部门登记%(n)s条积分（各%(points)s分），待审核。")
                % {"n": len(entries), "points": entries[0].points},
            )
            return redirect("assessment:points")
    return render(
        request,
        "assessment/points/form.html",
        _common(
            request,
            form=form,
            title=_("登记市级考核得失分（牵头和责任部门双倍计分）"),
            action="assessment:points_city_result",
            submit_label=_("登记"),
            intro=_("全县在市级考核中加分或扣分的，牵头部门和责任部门按清单规定的倍数加分或扣分。"),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


# --- review -----------------------------------------------------------------------------------


def _queue_context(request, bound=None):
    user = request.user
    bound = bound or {}
    queue = points.review_queue(user)
    paginator = CappedPaginator(queue, QUEUE_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = []
    for entry in page.object_list:
        own = entry.submitted_by_id == user.pk
        rows.append(
            {
                "entry": entry,
                "own": own,
                "form": None if own else bound.get(entry.pk) or forms.ReviewForm(prefix=entry.pk),
            }
        )
    return _common(request, page=page, rows=rows)


@login_required
def review_queue(request):
    """The pending entries the organisation department decides (not their own)."""
    if not points.is_points_reviewer(request.user):
        raise PermissionDenied(_("考核积分由组织部门审核"))
    return render(request, "assessment/points/review_queue.html", _queue_context(request))


@login_required
@require_POST
def review(request, pk):
    user = request.user
    entry = get_object_or_404(points.points_ledger(user), pk=pk)
    if not points.is_points_reviewer(user):
        raise PermissionDenied(_("考核积分由组织部门审核"))
    form = forms.ReviewForm(request.POST, prefix=entry.pk)
    if form.is_valid():
        try:
            points.points_entry_review(
                actor=user,
                entry=entry,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except points.ReviewConflict as error:
            messages.error(request, " ".join(error.messages))
            return redirect("assessment:points_review_queue")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("已通过") if form.cleaned_data["approve"] else _("已退回")
            messages.success(
                request,
                _("%(done)s：%(unit)s“%(item)s”%(points)s分。")
                % {
                    "done": done,
                    "unit": entry.unit.name,
                    "item": entry.item.label,
                    "points": entry.points,
                },
            )
            return redirect("assessment:points_review_queue")
    return render(
        request,
        "assessment/points/review_queue.html",
        _queue_context(request, bound={entry.pk: form}),
        status=400,
    )


# --- per-unit totals --------------------------------------------------------------------------


@login_required
def summary(request):
    """Each unit of the chosen subtree with its approved points of the period."""
    user = request.user
    _require_read(user)
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = forms.PeriodForm(data)
    units = Unit.objects.restrict(user).order_by("path")
    year, quarter, root = timezone.localdate().year, None, None
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        if form.cleaned_data["unit"]:
            root = get_object_or_404(units, pk=form.cleaned_data["unit"])
    if root is not None:
        units = units.subtree(root)
    start, end = points.quarter_bounds(year, quarter)
    paginator = CappedPaginator(units.only("id", "name", "depth", "path"), UNITS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page_units = list(page.object_list)
    totals = points.unit_points([u.pk for u in page_units], start, end)
    base_depth = page_units[0].depth if page_units else 0
    rows = [
        {"unit": u, "indent": "\u3000" * max(u.depth - base_depth, 0), "total": totals[u.pk]}
        for u in page_units
    ]
    return render(
        request,
        "assessment/points/summary.html",
        _common(
            request,
            page=page,
            rows=rows,
            form=form,
            year=year,
            quarter=quarter,
            start=start,
            end=end,
            unit_options=unit_options(user, root.pk if root else ""),
        ),
    )

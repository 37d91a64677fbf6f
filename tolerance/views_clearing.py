"""Staff pages of the clearing of names (澄清正名, DOMAIN §4.6): the list of reports and the
report form, a matter's file with its workflow, clarifications and follow-up visits, the
periodic list of unfounded reports with its bulletin, and the dishonesty blacklist.

Reads go through `restrict(user, action)`: a matter outside the user's jurisdiction is not
found (404); a role that may not act answers 403. Writes go through `tolerance.services` and
`tolerance.workflow`, whose validation errors are put back on the form they concern. The
accuser's name and contact are shown to discipline users only (pages and exports)."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cadre import access
from cadre.choices import Role
from cadre.exports import attachment_header
from cadre.models import Cadre, Unit
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator
from cadre.templatetags.cadre_tags import select_html

from . import services
from .choices import CLEARED_CONCLUSIONS, ClearingConclusion, ClearingStatus, ReportSource
from .filtersets import ClearingFilterSet
from .forms_clearing import (
    BackgroundCheckForm,
    BlacklistSearchForm,
    BulletinForm,
    ClarificationForm,
    ClearingOpenForm,
    ClearingPublicationForm,
    PeriodForm,
    VisitForm,
    current_quarter,
    transition_form,
)
from .models import (
    FILE_ROLES,
    WORK_ROLES,
    BlacklistEntry,
    ClearingMatter,
    ClearingStatusChange,
    FollowUpVisit,
    Publication,
)
from .selectors import unfounded_reports
from .workflow import (
    CLEARING_TRANSITIONS,
    TransitionConflict,
    allowed_clearing_transitions,
)
from .workflow import clearing_transition as clearing_transition_service

PER_PAGE = 50
EXPORT_CHUNK = 2000
# The dishonesty blacklist names people: discipline and organisation only (X).
BLACKLIST_ROLES = frozenset({Role.DISCIPLINE, Role.ORGANISATION})
# Transitions that cannot be undone ask for confirmation first.
CONFIRM = {
    "conclude": gettext_lazy(
        "核查结论作出后不能修改；结论为诬告陷害的，诬告人将列入失信黑名单。确定提交吗？"
    ),
    "close": gettext_lazy("办结后不能再登记澄清和回访。确定办结吗？"),
}
LETTER = "clarification_letter"


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def _require_files(user):
    """Clearing files are for discipline, organisation, the committee and auditors."""
    require(
        access.scope_for(user).everything or _roles(user) & FILE_ROLES,
        _("您的角色不能查看澄清正名事项"),
    )


def can_see_accuser(user):
    """The accuser is protected: only the discipline body that handles reports sees them."""
    return Role.DISCIPLINE in _roles(user)


def can_see_blacklist(user):
    return user.is_superuser or bool(_roles(user) & BLACKLIST_ROLES)


def _detail_url(clearing_or_pk):
    pk = getattr(clearing_or_pk, "pk", clearing_or_pk)
    return reverse("tolerance:clearing_detail", args=[pk])


def _cadre_names():
    return Prefetch("cadres", queryset=Cadre.objects.only("id", "name").order_by("name", "id"))


def _subjects(clearing):
    names = [c.name for c in clearing.cadres.all()]
    if clearing.party_org_id:
        names.append(clearing.party_org.name)
    return "、".join(names)


# --- list, export and the report form ---------------------------------------------------------


def _clearing_filterset(user, data, action="view"):
    queryset = ClearingMatter.objects.restrict(user, action)
    return ClearingFilterSet(data, queryset=queryset)


def _list_rows(clearings, show_accuser):
    detail = _detail_url(0).removesuffix("0/")
    rows = []
    for clearing in clearings:
        row = {
            "url": f"{detail}{clearing.pk}/",
            "number": clearing.number,
            "received_on": clearing.received_on,
            "subjects": _subjects(clearing),
            "source": clearing.get_source_display(),
            "allegation": clearing.allegation,
            "status": clearing.get_status_display(),
            "conclusion": clearing.get_conclusion_display() if clearing.conclusion else "",
            "unit": clearing.handling_unit.name,
        }
        if show_accuser:
            row["accuser"] = clearing.accuser_name
        rows.append(row)
    return rows


@login_required
def clearing_list(request):
    user = request.user
    _require_files(user)
    filterset = _clearing_filterset(user, request.GET)
    clearings = filterset.qs.select_related("handling_unit", "party_org").prefetch_related(
        _cadre_names()
    )
    paginator = CappedPaginator(clearings, PER_PAGE, count_queryset=filterset.qs)
    page = paginator.get_page(request.GET.get("page"))
    show_accuser = can_see_accuser(user)
    form = filterset.form
    return render(
        request,
        "tolerance/clearing/clearing_list.html",
        {
            "tab": "clearing",
            "filter_form": form,
            "status_options": select_html(
                "status", None, ClearingStatus.choices, request.GET.get("status", ""), False
            ),
            "conclusion_options": select_html(
                "conclusion",
                None,
                ClearingConclusion.choices,
                request.GET.get("conclusion", ""),
                False,
            ),
            "source_options": select_html(
                "source", None, ReportSource.choices, request.GET.get("source", ""), False
            ),
            "unit_options": unit_options(user, request.GET.get("unit", "")),
            "page": page,
            "rows": _list_rows(page.object_list, show_accuser),
            "show_accuser": show_accuser,
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
            "can_open": Role.DISCIPLINE in _roles(user),
        },
    )


@login_required
def clearing_export(request):
    user = request.user
    _require_files(user)
    filterset = _clearing_filterset(user, request.GET, "export")
    show_accuser = can_see_accuser(user)
    headers = [
        _("编号"),
        _("受理日期"),
        _("被反映对象"),
        _("线索来源"),
        _("反映的主要问题"),
        _("状态"),
        _("核查结论"),
        _("结论日期"),
        _("办理单位"),
    ]
    if show_accuser:
        headers += [_("举报人"), _("举报人联系方式")]

    def rows():
        clearings = (
            filterset.qs.select_related("handling_unit", "party_org")
            .prefetch_related(_cadre_names())
            .iterator(chunk_size=EXPORT_CHUNK)
        )
        for c in clearings:
            row = [
                c.number,
                c.received_on,
                _subjects(c),
                c.get_source_display(),
                c.allegation,
                c.get_status_display(),
                c.get_conclusion_display() if c.conclusion else "",
                c.concluded_on,
                c.handling_unit.name,
            ]
            if show_accuser:
                row += [c.accuser_name, c.accuser_contact]
            yield row

    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("澄清正名事项"),
        _("澄清正名事项-%(day)s.xlsx") % {"day": day},
        f"clearing-{day}.xlsx",
        headers,
        rows(),
    )


@login_required
def clearing_open(request):
    user = request.user
    if Role.DISCIPLINE not in _roles(user):
        raise PermissionDenied(_("举报由纪检监察机关登记受理"))
    subject_unit = None
    raw = request.GET.get("subject_unit", "")
    if raw.isdigit():
        subject_unit = Unit.objects.restrict(user).filter(pk=int(raw)).first()
    form = ClearingOpenForm(request.POST or None, user=user, subject_unit=subject_unit)
    if request.method == "POST" and form.is_valid():
        try:
            clearing = services.clearing_open(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记举报 %(number)s。") % {"number": clearing.number})
            return redirect(_detail_url(clearing))
    units = Unit.objects.restrict(user).order_by("path").values_list("id", "name", "depth")
    base_depth = user.unit.depth if user.unit_id else 0
    subject_unit_options = select_html(
        "subject_unit",
        None,
        ((pk, "\u3000" * max(depth - base_depth, 0) + name) for pk, name, depth in units),
        str(subject_unit.pk) if subject_unit else "",
        with_select=False,
    )
    return render(
        request,
        "tolerance/clearing/clearing_form.html",
        {
            "tab": "clearing",
            "form": form,
            "subject_unit": subject_unit,
            "subject_unit_options": subject_unit_options,
        },
    )


# --- a matter's file --------------------------------------------------------------------------


def _clearing_file_queryset(user):
    return (
        ClearingMatter.objects.restrict(user)
        .select_related("handling_unit", "party_org", "created_by")
        .prefetch_related(
            Prefetch("cadres", Cadre.objects.select_related("unit").order_by("name", "id")),
            "clarifications",
            Prefetch("visits", FollowUpVisit.objects.select_related("cadre")),
            "blacklist_entries",
            "publications",
            Prefetch("status_changes", ClearingStatusChange.objects.select_related("actor")),
        )
    )


def _get_clearing(user, pk):
    return get_object_or_404(_clearing_file_queryset(user), pk=pk)


def _timeline(clearing):
    entries = []
    for change in clearing.status_changes.all():
        transition = CLEARING_TRANSITIONS.get(change.transition)
        entries.append(
            {
                "when": change.created_at,
                "actor": change.actor,
                "label": transition.label if transition else _("登记受理"),
                "from": change.get_from_status_display() if change.from_status else "",
                "to": change.get_to_status_display(),
                "reason": change.reason,
            }
        )
    return entries


def _render_detail(request, clearing, forms=None):
    """The file of a matter; `forms` holds the bound form of a failed submission by key."""
    user = request.user
    roles = _roles(user)
    forms = forms or {}
    transitions = []
    for transition in allowed_clearing_transitions(user, clearing):
        form = forms.get(("transition", transition.name))
        if form is None:
            initial = {"name": transition.name, "expected_status": clearing.status}
            if transition.name == "conclude" and clearing.accuser_name:
                initial["accusers"] = clearing.accuser_name
            form = transition_form(
                transition.name, initial=initial, auto_id=f"id_{transition.name}_%s"
            )
        transitions.append(
            {"transition": transition, "form": form, "confirm": CONFIRM.get(transition.name, "")}
        )
    cleared = clearing.conclusion in CLEARED_CONCLUSIONS
    can_background = Role.DISCIPLINE in roles and clearing.status in (
        ClearingStatus.RECEIVED,
        ClearingStatus.VERIFYING,
    )
    can_clarify = bool(roles & WORK_ROLES) and cleared
    can_clarify = can_clarify and clearing.status == ClearingStatus.CONCLUDED
    can_visit = bool(roles & WORK_ROLES) and clearing.status in (
        ClearingStatus.CLARIFIED,
        ClearingStatus.FOLLOW_UP,
    )
    can_publish = bool(roles & WORK_ROLES) and cleared
    can_publish = can_publish and clearing.status in PUBLISHABLE_STATES
    from .documents import clearing_document_available

    visits = list(clearing.visits.all())
    context = {
        "tab": "clearing",
        "clearing": clearing,
        "cadres": list(clearing.cadres.all()),
        "show_accuser": can_see_accuser(user),
        "show_blacklist": can_see_blacklist(user),
        "timeline": _timeline(clearing),
        "transitions": transitions,
        "cleared": cleared,
        "can_download_letter": clearing_document_available(clearing, LETTER),
        "visits": visits,
        "last_visit": visits[-1] if visits else None,
        "background_form": forms.get("background")
        or (
            BackgroundCheckForm(initial={"background_check": clearing.background_check})
            if can_background
            else None
        ),
        "clarification_form": forms.get("clarification")
        or (ClarificationForm(clearing=clearing) if can_clarify else None),
        "visit_form": forms.get("visit") or (VisitForm(clearing=clearing) if can_visit else None),
        "publication_form": forms.get("publication")
        or (ClearingPublicationForm(clearing=clearing) if can_publish else None),
    }
    return render(request, "tolerance/clearing/clearing_detail.html", context)


@login_required
def clearing_detail(request, pk):
    user = request.user
    _require_files(user)
    return _render_detail(request, _get_clearing(user, pk))


@login_required
@require_POST
def clearing_transition(request, pk):
    user = request.user
    _require_files(user)
    clearing = _get_clearing(user, pk)
    name = request.POST.get("name", "")
    transition = CLEARING_TRANSITIONS.get(name)
    if transition is None:
        messages.error(request, _("未知的操作，请刷新页面后重试。"))
        return redirect(_detail_url(clearing))
    if not _roles(user) & transition.roles:
        raise PermissionDenied(_("您的角色不能执行“%(label)s”") % {"label": transition.label})
    form = transition_form(name, request.POST, auto_id=f"id_{name}_%s")
    if form.is_valid():
        try:
            clearing_transition_service(
                actor=user,
                clearing=clearing,
                name=name,
                expected_status=form.cleaned_data["expected_status"],
                reason=form.cleaned_data["reason"],
                data=form.transition_data(),
            )
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect(_detail_url(clearing))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已完成“%(label)s”。") % {"label": transition.label})
            return redirect(_detail_url(clearing))
    return _render_detail(request, clearing, {("transition", name): form})


@login_required
@require_POST
def clearing_background(request, pk):
    user = request.user
    _require_files(user)
    clearing = _get_clearing(user, pk)
    form = BackgroundCheckForm(request.POST)
    if form.is_valid():
        try:
            services.clearing_background_save(actor=user, clearing=clearing, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存侧面了解情况。"))
            return redirect(_detail_url(clearing))
    return _render_detail(request, clearing, {"background": form})


@login_required
@require_POST
def clarification_add(request, pk):
    user = request.user
    _require_files(user)
    clearing = _get_clearing(user, pk)
    form = ClarificationForm(request.POST, clearing=clearing)
    if form.is_valid():
        try:
            services.clarification_add(actor=user, clearing=clearing, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记澄清正名记录。"))
            return redirect(_detail_url(clearing))
    return _render_detail(request, clearing, {"clarification": form})


PUBLISHABLE_STATES = (ClearingStatus.CLARIFIED, ClearingStatus.FOLLOW_UP, ClearingStatus.CLOSED)


@login_required
@require_POST
def publication_add(request, pk):
    user = request.user
    _require_files(user)
    clearing = _get_clearing(user, pk)
    form = ClearingPublicationForm(request.POST, clearing=clearing)
    if form.is_valid():
        try:
            services.clearing_publish(actor=user, clearing=clearing, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记通报澄清情况。"))
            return redirect(_detail_url(clearing))
    return _render_detail(request, clearing, {"publication": form})


@login_required
@require_POST
def visit_add(request, pk):
    user = request.user
    _require_files(user)
    clearing = _get_clearing(user, pk)
    form = VisitForm(request.POST, clearing=clearing)
    if form.is_valid():
        try:
            services.visit_add(actor=user, clearing=clearing, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记回访记录。"))
            return redirect(_detail_url(clearing))
    return _render_detail(request, clearing, {"visit": form})


@login_required
def clearing_document(request, pk):
    """The clarification letter (澄清正名函) of an unfounded or false report."""
    from .documents import clearing_document as build_document

    user = request.user
    _require_files(user)
    clearing = get_object_or_404(
        ClearingMatter.objects.restrict(user).select_related("handling_unit", "party_org"),
        pk=pk,
    )
    try:
        filename, content = build_document(clearing, LETTER)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(_detail_url(clearing))
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(
        filename, f"clarification-letter-{clearing.pk}.{extension}"
    )
    return response


# --- periodic list of unfounded reports -------------------------------------------------------


def _period(user, data):
    """(form, start, end, unit) of the unfounded list; (form, None, None, None) when invalid."""
    form = PeriodForm(data, user=user)
    if not form.is_valid():
        return form, None, None, None
    data = form.cleaned_data
    return form, data["start"], data["end"], data["unit"]


def _unfounded_rows(user, unit, start, end):
    return (
        unfounded_reports(user, unit, start, end)
        .select_related("handling_unit", "party_org")
        .prefetch_related(_cadre_names())
    )


def _render_unfounded(request, period_form, start, end, unit, bulletin_form=None):
    user = request.user
    page = rows = None
    bulletins = []
    if unit is not None:
        paginator = CappedPaginator(
            _unfounded_rows(user, unit, start, end),
            PER_PAGE,
            count_queryset=unfounded_reports(user, unit, start, end),
        )
        page = paginator.get_page(request.GET.get("page"))
        rows = [
            {
                "url": _detail_url(c),
                "number": c.number,
                "concluded_on": c.concluded_on,
                "subjects": _subjects(c),
                "allegation": c.allegation,
                "conclusion": c.get_conclusion_display(),
                "unit": c.handling_unit.name,
            }
            for c in page.object_list
        ]
        bulletins = list(
            Publication.objects.restrict(user).filter(
                case__isnull=True,
                clearing__isnull=True,
                handling_unit=unit,
                period_start=start,
                period_end=end,
            )
        )
        if bulletin_form is None and _roles(user) & WORK_ROLES and paginator.count:
            bulletin_form = BulletinForm(
                initial={"period_start": start, "period_end": end, "unit": unit.pk}, unit=unit
            )
    query = urlencode({"start": start, "end": end, "unit": unit.pk}) if unit else ""
    return render(
        request,
        "tolerance/clearing/unfounded_list.html",
        {
            "tab": "unfounded",
            "period_form": period_form,
            "start": start,
            "end": end,
            "unit": unit,
            "page": page,
            "rows": rows,
            "bulletins": bulletins,
            "bulletin_form": bulletin_form,
            "export_query": query,
            "unit_options": unit_options(user, unit.pk if unit else request.GET.get("unit", "")),
        },
    )


@login_required
def unfounded_list(request):
    user = request.user
    _require_files(user)
    period_form, start, end, unit = _period(user, request.GET)
    return _render_unfounded(request, period_form, start, end, unit)


@login_required
def unfounded_export(request):
    user = request.user
    _require_files(user)
    _form, start, end, unit = _period(user, request.GET)
    if unit is None:
        raise Http404
    headers = [
        _("编号"),
        _("结论日期"),
        _("被反映对象"),
        _("反映的主要问题"),
        _("核查结论"),
        _("办理单位"),
    ]
    rows = (
        [
            c.number,
            c.concluded_on,
            _subjects(c),
            c.allegation,
            c.get_conclusion_display(),
            c.handling_unit.name,
        ]
        for c in _unfounded_rows(user, unit, start, end).iterator(chunk_size=EXPORT_CHUNK)
    )
    return xlsx_response(
        _("不实举报"),
        _("不实举报-%(start)s至%(end)s.xlsx") % {"start": start, "end": end},
        f"unfounded-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        headers,
        rows,
    )


@login_required
@require_POST
def unfounded_publish(request):
    user = request.user
    _require_files(user)
    if not _roles(user) & WORK_ROLES:
        raise PermissionDenied(_("不实举报通报由纪检监察机关或组织部门发布"))
    raw = request.POST.get("unit", "")
    unit = Unit.objects.restrict(user).filter(pk=int(raw)).first() if raw.isdigit() else None
    if unit is None:
        raise Http404
    form = BulletinForm(request.POST, unit=unit)
    if form.is_valid():
        data = form.cleaned_data
        start, end = data["period_start"], data["period_end"]
        try:
            services.unfounded_bulletin_publish(
                actor=user,
                handling_unit=unit,
                period_start=start,
                period_end=end,
                scope=data["scope"],
                channel=data["channel"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已发布 %(start)s 至 %(end)s 的不实举报通报。") % {"start": start, "end": end},
            )
            query = urlencode({"start": start, "end": end, "unit": unit.pk})
            return redirect(f"{reverse('tolerance:unfounded_list')}?{query}")
    start = form.cleaned_data.get("period_start")
    end = form.cleaned_data.get("period_end")
    if start is None or end is None:
        start, end = current_quarter()
    period_form = PeriodForm({"start": start, "end": end, "unit": unit.pk}, user=user)
    period_form.is_valid()
    return _render_unfounded(request, period_form, start, end, unit, form)


# --- dishonesty blacklist ---------------------------------------------------------------------


def _blacklist_queryset(user, data):
    if not can_see_blacklist(user):
        raise PermissionDenied(_("失信黑名单仅限纪检监察机关和组织部门查看"))
    form = BlacklistSearchForm(data)
    entries = BlacklistEntry.objects.restrict(user).select_related(
        "clearing", "clearing__handling_unit"
    )
    if form.is_valid() and (q := form.cleaned_data["q"].strip()):
        entries = entries.filter(
            Q(person_name__contains=q)
            | Q(person_unit__contains=q)
            | Q(clearing__number__startswith=q)
        )
    return form, entries


@login_required
def blacklist(request):
    user = request.user
    form, entries = _blacklist_queryset(user, request.GET)
    paginator = CappedPaginator(entries, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "tolerance/clearing/blacklist.html",
        {
            "tab": "blacklist",
            "form": form,
            "page": page,
            "today": today,
            "is_filtered": bool(request.GET.get("q")),
        },
    )


@login_required
def blacklist_export(request):
    user = request.user
    _form, entries = _blacklist_queryset(user, request.GET)
    headers = [
        _("姓名"),
        _("工作单位或住址"),
        _("列入事由"),
        _("列入日期"),
        _("移出日期"),
        _("澄清正名事项"),
        _("办理单位"),
    ]
    rows = (
        [
            e.person_name,
            e.person_unit,
            e.reason,
            e.listed_on,
            e.listed_until,
            e.clearing.number,
            e.clearing.handling_unit.name,
        ]
        for e in entries.iterator(chunk_size=EXPORT_CHUNK)
    )
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("失信黑名单"),
        _("失信黑名单-%(day)s.xlsx") % {"day": day},
        f"blacklist-{day}.xlsx",
        headers,
        rows,
    )

"""Pages of awards and exemplars (评选表彰与先进典型, F 4, ZJK 12(二), J, X): the campaigns with
their filters; a campaign with its nominees, objections and timeline, the steps nominating →
reviewing → public notice → award (each confirmed first), the review of each nominee, the
objections of the notice and their check; the Excel list of a campaign's nominees with the
results; the exemplar register with its filters, export, direct entry and detail.

Reads go through the selectors of `incentives.awards` (`restrict(user)`): a record outside the
user's jurisdiction is not found (404); a role that may not act answers 403. Writes go through
the services, whose errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator

from . import awards
from . import forms_awards as forms
from .awards import TransitionConflict
from .choices import CampaignStatus, NominationStatus, ObjectionStatus
from .filtersets_awards import AwardCampaignFilterSet, ExemplarFilterSet
from .models.common import can_read, can_write

CAMPAIGNS_PER_PAGE = 30
EXEMPLARS_PER_PAGE = 50
EXPORT_CHUNK = 2000


ACTION_LABELS = {
    "create": _lazy("发起"),
    "close_nominations": _lazy("截止推荐，进入审核"),
    "start_notice": _lazy("开始公示"),
    "award": _lazy("表彰"),
    "nominate": _lazy("推荐"),
    "approve": _lazy("审核通过"),
    "reject": _lazy("审核未通过"),
    "withdraw": _lazy("撤回推荐"),
    "notice": _lazy("进入公示"),
    "objection": _lazy("收到公示异议"),
    "objection_resolved": _lazy("公示异议核查办结"),
    "block": _lazy("公示有异议未通过"),
}
STATUS_LABELS = {
    **dict(CampaignStatus.choices),
    **dict(NominationStatus.choices),
    **dict(ObjectionStatus.choices),
}


def _timeline(campaign, nominations):
    """The campaign's and its nominees' steps, for the timeline."""
    names = {n.pk: str(n) for n in nominations}
    entries = []
    for line in awards.campaign_timeline(campaign, names):
        entries.append(
            {
                "at": line.at,
                "who": names.get(line.subject_id) if line.subject == "nomination" else "",
                "title": ACTION_LABELS.get(line.action, line.action),
                "from": STATUS_LABELS.get(line.from_status, ""),
                "to": STATUS_LABELS.get(line.to_status, ""),
                "actor": line.actor,
                "note": line.note,
            }
        )
    return entries


def _require_read(user):
    require(can_read(user), _("您的角色不能查看评选表彰"))


def _require_write(user):
    require(can_write(user), _("评选表彰由组织部门办理"))


def _form_page(request, form, *, title, tab="awards", back, intro="", submit_label=None):
    return render(
        request,
        "incentives/awards/form.html",
        {
            "tab": tab,
            "form": form,
            "title": title,
            "back": reverse(back) if isinstance(back, str) else reverse(back[0], args=back[1:]),
            "intro": intro,
            "submit_label": submit_label or _("保存"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- campaigns --------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    user = request.user
    _require_read(user)
    filterset = AwardCampaignFilterSet(request.GET, queryset=awards.campaigns_for(user))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = rows.annotate(nominee_count=Count("nominations")).order_by("-year", "-pk")
    paginator = CappedPaginator(rows, CAMPAIGNS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    _list, kinds = awards.award_kinds_at(user.unit if user.unit_id else None)
    return render(
        request,
        "incentives/awards/campaign_list.html",
        {
            "tab": "awards",
            "page": page,
            "form": filterset.form,
            "kinds": [(k.code, k.label) for k in kinds],
            "statuses": CampaignStatus.choices,
            "data": filterset.data,
            "can_write": can_write(user),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    user = request.user
    _require_write(user)
    form = forms.CampaignForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = awards.campaign_create(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已发起评选活动“%(title)s”。") % {"title": campaign.title})
            return redirect("incentives:campaign_detail", pk=campaign.pk)
    return _form_page(
        request,
        form,
        title=_("发起评选表彰活动"),
        back="incentives:campaign_list",
        intro=_(
            "表彰种类取自本地区评选表彰种类清单；公示期按清单规定的工作日计算，"
            "一事一嘉奖、一事一表扬、一事一通报不公示。"
        ),
        submit_label=_("发起"),
    )


def _campaign(user, pk):
    return get_object_or_404(awards.campaigns_for(user), pk=pk)


@login_required
def campaign_detail(request, pk, bound=None):
    user = request.user
    _require_read(user)
    campaign = _campaign(user, pk)
    nominations = list(awards.campaign_nominations(user, campaign))
    writer = can_write(user)
    bound = bound or {}
    rows = []
    for nomination in nominations:
        reviewable = writer and awards.can_review(nomination, campaign)
        rows.append(
            {
                "n": nomination,
                "objections": list(nomination.objections.all()),
                "review_form": (bound.get(nomination.pk) or forms.ReviewForm(prefix=nomination.pk))
                if reviewable
                else None,
                "can_withdraw": writer and awards.can_withdraw(nomination, campaign),
                "can_object": writer and awards.can_object(nomination, campaign),
            }
        )
    counts = {}
    for nomination in nominations:
        counts[nomination.status] = counts.get(nomination.status, 0) + 1
    today = timezone.localdate()
    return render(
        request,
        "incentives/awards/campaign_detail.html",
        {
            "tab": "awards",
            "campaign": campaign,
            "rows": rows,
            "counts": [
                (label, counts[value])
                for value, label in NominationStatus.choices
                if value in counts
            ],
            "transitions": awards.allowed_transitions(campaign) if writer else [],
            "can_nominate": writer and campaign.status == CampaignStatus.NOMINATING,
            "collective": awards.campaign_is_collective(campaign),
            "notice_over": campaign.notice_end is not None and today > campaign.notice_end,
            "timeline": _timeline(campaign, nominations),
            "ObjectionStatus": ObjectionStatus,
        },
        status=400 if bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_transition(request, pk, name):
    """Confirm, then take one step of the campaign."""
    user = request.user
    _require_read(user)
    campaign = _campaign(user, pk)
    _require_write(user)
    transition = awards.CAMPAIGN_TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    form = forms.NoteForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            campaign = awards.campaign_transition(
                actor=user, campaign=campaign, name=name, note=form.cleaned_data["note"]
            )
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:campaign_detail", pk=campaign.pk)
        except ValidationError as exc:
            error = exc
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("“%(title)s”已%(step)s，当前状态：%(status)s。")
                % {
                    "title": campaign.title,
                    "step": transition.label,
                    "status": campaign.get_status_display(),
                },
            )
            return redirect("incentives:campaign_detail", pk=campaign.pk)
    allowed = transition in awards.allowed_transitions(campaign)
    pending = awards.campaign_nominations(user, campaign)
    if name == "start_notice":
        affected = pending.filter(status=NominationStatus.APPROVED)
    elif name == "award":
        affected = pending.filter(
            status=NominationStatus.IN_NOTICE
            if awards.has_notice(campaign)
            else NominationStatus.APPROVED
        )
    else:
        affected = pending.exclude(status=NominationStatus.WITHDRAWN)
    return render(
        request,
        "incentives/awards/confirm.html",
        {
            "tab": "awards",
            "campaign": campaign,
            "transition": transition,
            "allowed": allowed,
            "affected": list(affected),
            "form": form,
            "notice_end": awards.notice_window(timezone.localdate(), campaign.notice_days)
            if name == "start_notice"
            else None,
        },
        status=400 if error is not None else 200,
    )


def _nomination_columns():
    return [
        (_("序号"), lambda n: n.pk),
        (_("推荐对象"), lambda n: n.cadre.name if n.cadre_id else n.nominee_unit.name),
        (_("所在单位"), lambda n: n.cadre.unit.name if n.cadre_id else n.nominee_unit.name),
        (_("职务"), lambda n: n.cadre.post if n.cadre_id else ""),
        (_("主要事迹"), lambda n: n.deeds),
        (_("状态"), lambda n: n.get_status_display()),
        (_("审核意见"), lambda n: n.review_note),
        (
            _("公示异议"),
            lambda n: "；".join(
                f"{o.received_on}｜{o.content}｜{o.get_status_display()}"
                + (f"：{o.resolution}" if o.resolution else "")
                for o in n.objections.all()
            ),
        ),
        (_("表彰日期"), lambda n: n.awarded_on),
    ]


@login_required
def campaign_export(request, pk):
    """The campaign's nominees with the review, the objections and the results."""
    user = request.user
    _require_read(user)
    campaign = _campaign(user, pk)
    rows = awards.campaign_nominations(user, campaign)
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("推荐人选"),
        _("%(title)s-推荐人选及结果-%(day)s.xlsx") % {"title": campaign.title, "day": day},
        f"campaign-{campaign.pk}-{day}.xlsx",
        _nomination_columns(),
        rows,
    )


# --- nominations ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request, pk):
    user = request.user
    _require_read(user)
    campaign = _campaign(user, pk)
    _require_write(user)
    form = forms.NominationForm(
        request.POST if request.method == "POST" else None, user=user, campaign=campaign
    )
    if request.method == "POST" and form.is_valid():
        try:
            nomination = awards.nominate(actor=user, campaign=campaign, **form.service_kwargs())
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:campaign_detail", pk=campaign.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已推荐%(name)s。") % {"name": nomination})
            return redirect("incentives:campaign_detail", pk=campaign.pk)
    return _form_page(
        request,
        form,
        title=_("推荐人选：%(title)s") % {"title": campaign.title},
        back=("incentives:campaign_detail", campaign.pk),
        intro=_("处理处分影响期内的干部不得评先评优；经容错免责的不受影响。"),
        submit_label=_("推荐"),
    )


def _nomination(user, pk):
    return get_object_or_404(awards.nominations_for(user), pk=pk)


@login_required
@require_POST
def nomination_review(request, pk):
    user = request.user
    _require_read(user)
    nomination = _nomination(user, pk)
    _require_write(user)
    form = forms.ReviewForm(request.POST, prefix=nomination.pk)
    if form.is_valid():
        try:
            awards.nomination_review(
                actor=user,
                nomination=nomination,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("审核通过") if form.cleaned_data["approve"] else _("审核未通过")
            messages.success(request, f"{nomination}：{done}")
            return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
    return campaign_detail(request, nomination.campaign_id, bound={nomination.pk: form})


@login_required
@require_http_methods(["GET", "POST"])
def nomination_withdraw(request, pk):
    user = request.user
    _require_read(user)
    nomination = _nomination(user, pk)
    _require_write(user)
    form = forms.NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            awards.nomination_withdraw(
                actor=user, nomination=nomination, note=form.cleaned_data["note"]
            )
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("已撤回%(name)s的推荐。") % {"name": nomination})
        return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
    return render(
        request,
        "incentives/awards/withdraw.html",
        {"tab": "awards", "nomination": nomination, "form": form},
    )


# --- objections -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def objection_record(request, pk):
    user = request.user
    _require_read(user)
    nomination = _nomination(user, pk)
    _require_write(user)
    form = forms.ObjectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            awards.objection_record(actor=user, nomination=nomination, **form.cleaned_data)
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已登记对%(name)s的公示异议，待核查。") % {"name": nomination}
            )
            return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
    campaign = nomination.campaign
    return _form_page(
        request,
        form,
        title=_("登记公示异议：%(name)s") % {"name": nomination},
        back=("incentives:campaign_detail", campaign.pk),
        intro=_("公示期%(start)s至%(end)s。异议未核查办结前不能表彰；反映属实的不予表彰。")
        % {"start": campaign.notice_start, "end": campaign.notice_end},
        submit_label=_("登记"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_resolve(request, pk):
    user = request.user
    _require_read(user)
    objection = get_object_or_404(awards.objections_for(user), pk=pk)
    _require_write(user)
    nomination = objection.nomination
    form = forms.ResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            awards.objection_resolve(actor=user, objection=objection, **form.cleaned_data)
        except TransitionConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("公示异议已核查办结。"))
            return redirect("incentives:campaign_detail", pk=nomination.campaign_id)
    return _form_page(
        request,
        form,
        title=_("核查公示异议：%(name)s") % {"name": nomination},
        back=("incentives:campaign_detail", nomination.campaign_id),
        intro=_("反映内容：%(content)s") % {"content": objection.content},
        submit_label=_("办结"),
    )


# --- the exemplar register --------------------------------------------------------------------


def _exemplars(request):
    filterset = ExemplarFilterSet(request.GET, queryset=awards.exemplars_for(request.user))
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


@login_required
def exemplar_list(request):
    user = request.user
    _require_read(user)
    filterset, rows = _exemplars(request)
    page = CappedPaginator(rows, EXEMPLARS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "incentives/awards/exemplar_list.html",
        {
            "tab": "exemplars",
            "page": page,
            "unit_options": unit_options(user, filterset.data.get("unit", "")),
            "form": filterset.form,
            "data": filterset.data,
            "can_write": can_write(user),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def _exemplar_columns():
    return [
        (_("年度"), lambda e: e.year),
        (_("姓名或集体"), lambda e: e.cadre.name if e.cadre_id else e.collective.name),
        (_("所在单位"), lambda e: e.unit.name),
        (_("职务"), lambda e: e.cadre.post if e.cadre_id else ""),
        (_("荣誉或典型称号"), lambda e: e.title),
        (_("先进事迹"), lambda e: e.deeds),
        (_("宣传情况"), lambda e: e.publicity),
        (
            _("来源"),
            lambda e: e.nomination.campaign.title if e.nomination_id else str(_("直接登记")),
        ),
    ]


@login_required
def exemplar_export(request):
    user = request.user
    _require_read(user)
    _filterset, rows = _exemplars(request)
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("先进典型库"),
        _("先进典型库-%(day)s.xlsx") % {"day": day},
        f"exemplars-{day}.xlsx",
        _exemplar_columns(),
        rows.iterator(chunk_size=EXPORT_CHUNK),
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_create(request):
    user = request.user
    _require_write(user)
    form = forms.ExemplarForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            exemplar = awards.exemplar_add(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记先进典型%(name)s。") % {"name": exemplar})
            return redirect("incentives:exemplar_detail", pk=exemplar.pk)
    return _form_page(
        request,
        form,
        title=_("登记先进典型"),
        tab="exemplars",
        back="incentives:exemplar_list",
        intro=_("干部和先进集体二选一。经评选表彰的人选在表彰时自动登记入库。"),
        submit_label=_("登记"),
    )


@login_required
def exemplar_detail(request, pk):
    user = request.user
    _require_read(user)
    exemplar = get_object_or_404(awards.exemplars_for(user), pk=pk)
    return render(
        request,
        "incentives/awards/exemplar_detail.html",
        {"tab": "exemplars", "exemplar": exemplar},
    )

"""Pages of the 360-degree evaluation (360度反馈评价法, DOMAIN §2, county survey X).

Staff pages: the rounds (and opening one), a round with its invitations per rater group and the
weighted results, generating links (shown once, with an Excel download of the same links),
closing. Reads go through `evaluation.evaluations_for(user)`: a round outside the jurisdiction
is not found (404); a reader who may not act is refused (403).

The rater page (`rate/<token>/`) needs no login: the token is the only key. It shows the
round's subjects with a 0-100 score each, works on a phone, and after submitting only thanks
the rater. Nothing on any page shows an individual score or which link gave it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cadre import access
from cadre.pages import add_service_errors, require, xlsx_response
from cadre.pagination import CappedPaginator

from . import evaluation as ev
from .choices import EvaluationStatus
from .forms_evaluation import EvaluationOpenForm, InviteForm, RaterForm
from .models import READ_ROLES, RaterInvitation

PER_PAGE = 30
DENIED = "360度评价由组织部门办理"


def _can_read(user):
    return user.is_superuser or bool(set(user.roles or []) & READ_ROLES)


def _require_read(user):
    require(_can_read(user), _("您的角色不能查看360度评价"))


def _require_write(user):
    require(ev.may_write(user), _(DENIED))


def _get(request, pk):
    """The round as a staff reader sees it (404 out of jurisdiction, 403 for a non-reader)."""
    _require_read(request.user)
    queryset = (
        ev.evaluations_for(request.user)
        .select_related("unit", "groups_list")
        .prefetch_related("groups_list__items")
    )
    return get_object_or_404(queryset, pk=pk)


def _rater_url(request, token):
    return request.build_absolute_uri(reverse("assessment:evaluation_rate", args=[token]))


# --- rounds -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_list(request):
    """The rounds the user may see, newest first; the organisation department opens one here."""
    user = request.user
    _require_read(user)
    can_write = ev.may_write(user)
    form = None
    if can_write:
        form = EvaluationOpenForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                evaluation = ev.evaluation_open(actor=user, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已建立“%(title)s”。") % {"title": evaluation.title})
                return redirect("assessment:evaluation_detail", evaluation.pk)
    elif request.method == "POST":
        raise PermissionDenied(_(DENIED))
    rounds = ev.evaluations_for(user).select_related("unit").order_by("-year", "-pk")
    annotated = rounds.annotate(
        subject_count=Count("subjects", distinct=True),
        issued=Count("invitations", distinct=True),
        used=Count("invitations", filter=Q(invitations__used_on__isnull=False), distinct=True),
    )
    page = CappedPaginator(annotated, PER_PAGE, count_queryset=rounds).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessment/evaluation/list.html",
        {"tab": "evaluations", "page": page, "form": form, "can_write": can_write},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _detail_context(request, evaluation, *, invite_form=None):
    user = request.user
    groups = ev.group_weights(evaluation)
    counts = ev.invitation_counts([evaluation]).get(evaluation.pk, {})
    invitations = []
    for code, group in groups.items():
        issued = counts.get(code, {}).get("issued", 0)
        used = counts.get(code, {}).get("used", 0)
        invitations.append(
            {
                "code": code,
                "label": group["label"],
                "weight": group["weight"],
                "percent": group["percent"],
                "issued": issued,
                "used": used,
                "unused": issued - used,
            }
        )
    accepting = ev.is_accepting(evaluation)
    can_write = ev.may_write(user)
    if can_write and accepting and invite_form is None:
        invite_form = InviteForm(groups=groups)
    return {
        "tab": "evaluations",
        "evaluation": evaluation,
        "groups": list(groups.values()),
        "invitations": invitations,
        "results": ev.weighted_scores(evaluation) if not accepting else [],
        "subjects": (
            [(ev.subject_name(s), s) for s in ev.subjects_of([evaluation.pk])] if accepting else []
        ),
        "min_group_size": ev.MIN_GROUP_SIZE,
        "accepting": accepting,
        "invite_form": invite_form if can_write and accepting else None,
        "can_close": can_write and evaluation.status == EvaluationStatus.OPEN,
    }


@login_required
def evaluation_detail(request, pk):
    evaluation = _get(request, pk)
    return render(
        request, "assessment/evaluation/detail.html", _detail_context(request, evaluation)
    )


@never_cache
@login_required
@require_POST
def evaluation_invite(request, pk):
    """Generate links and show them this once (the page is not cached): only their hashes are
    kept, so they can be listed again by nobody — the Excel download posts them back."""
    evaluation = _get(request, pk)
    _require_write(request.user)
    form = InviteForm(request.POST, groups=ev.group_weights(evaluation))
    if form.is_valid():
        group = form.cleaned_data["group"]
        try:
            tokens = ev.evaluation_invite(
                actor=request.user,
                evaluation=evaluation,
                group=group,
                count=form.cleaned_data["count"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = ev.group_weights(evaluation)[group]["label"]
            return render(
                request,
                "assessment/evaluation/links.html",
                {
                    "tab": "evaluations",
                    "evaluation": evaluation,
                    "group": group,
                    "group_label": label,
                    "links": [(t, _rater_url(request, t)) for t in tokens],
                },
            )
    context = _detail_context(request, evaluation, invite_form=form)
    return render(request, "assessment/evaluation/detail.html", context, status=400)


@never_cache
@login_required
@require_POST
def evaluation_links_export(request, pk):
    """The links just generated, as an Excel workbook to hand out. The browser posts back the
    tokens it was shown; each must be a link of this round (they are not stored)."""
    evaluation = _get(request, pk)
    _require_write(request.user)
    tokens = [t.strip() for t in request.POST.getlist("token") if t.strip()]
    if not tokens or len(tokens) > ev.MAX_INVITATIONS:
        return render(
            request,
            "assessment/evaluation/links_gone.html",
            {"tab": "evaluations", "evaluation": evaluation},
            status=400,
        )
    hashes = {ev.token_hash(t): t for t in tokens}
    groups = dict(
        RaterInvitation.objects.filter(
            evaluation=evaluation, token_hash__in=list(hashes)
        ).values_list("token_hash", "group")
    )
    if len(groups) != len(hashes):
        return render(
            request,
            "assessment/evaluation/links_gone.html",
            {"tab": "evaluations", "evaluation": evaluation},
            status=400,
        )
    labels = {code: g["label"] for code, g in ev.group_weights(evaluation).items()}
    return xlsx_response(
        _("评价链接"),
        _("%(title)s-评价链接.xlsx") % {"title": evaluation.title},
        f"evaluation-{evaluation.pk}-links.xlsx",
        [_("序号"), _("评价主体"), _("评价链接（每个链接只能使用一次）")],
        (
            [n, labels.get(groups[digest], groups[digest]), _rater_url(request, token)]
            for n, (digest, token) in enumerate(hashes.items(), start=1)
        ),
    )


@login_required
@require_POST
def evaluation_close(request, pk):
    evaluation = _get(request, pk)
    try:
        ev.evaluation_close(actor=request.user, evaluation=evaluation)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("评价已结束，未使用的链接已失效。"))
    return redirect("assessment:evaluation_detail", evaluation.pk)


@login_required
def evaluation_results_export(request, pk):
    """The weighted results as an Excel workbook: aggregates only, as on the page."""
    evaluation = _get(request, pk)
    if not access.can(request.user, access.EXPORT):
        raise PermissionDenied(_("您的角色不能导出"))
    if not ev.results_visible(evaluation):
        messages.error(request, _("评价结束后才能查看和导出结果。"))
        return redirect("assessment:evaluation_detail", evaluation.pk)
    groups = list(ev.group_weights(evaluation).values())
    header = [_("评价对象"), _("单位")]
    for group in groups:
        header += [f"{group['label']}（{group['percent']}%）{_('平均分')}", _("人数")]

    def lines():
        for row in ev.weighted_scores(evaluation):
            cells = [row["name"], row["unit"]]
            for cell in row["groups"]:
                cells += [
                    float(cell["average"]) if cell["average"] is not None else "",
                    cell["count"],
                ]
            weighted = float(row["weighted"]) if row["weighted"] is not None else ""
            yield [*cells, row["count"], weighted]

    return xlsx_response(
        _("360度评价结果"),
        _("%(title)s-结果.xlsx") % {"title": evaluation.title},
        f"evaluation-{evaluation.pk}-results.xlsx",
        [*header, _("总人数"), _("加权得分")],
        lines(),
    )


# --- the rater's page (no login) --------------------------------------------------------------


def _no_referrer(response):
    # The token is in the address: never send it to another site. (Not "no-referrer": the
    # browser would then post the form with `Origin: null`, which the CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unusable(request, error):
    status = 404 if error.code == "unknown" else 410
    response = render(
        request,
        "assessment/evaluation/rate_error.html",
        {"message": error.messages[0], "code": error.code},
        status=status,
    )
    return _no_referrer(response)


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token):
    """The anonymous rater's form. No account is involved: even a signed-in user's identity is
    not recorded with the scores."""
    invitation = ev.invitation_for(token)
    try:
        ev.check_invitation(invitation)
    except ev.InvitationUnusable as error:
        return _unusable(request, error)
    evaluation = invitation.evaluation
    subjects = list(ev.subjects_of([evaluation.pk]))
    form = RaterForm(request.POST or None, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        try:
            ev.evaluation_submit(token=token, scores=form.scores())
        except ev.InvitationUnusable as error:
            return _unusable(request, error)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("assessment:evaluation_rate_thanks")
    groups = ev.group_weights(evaluation)
    group = groups.get(invitation.group, {"label": invitation.group})
    response = render(
        request,
        "assessment/evaluation/rate.html",
        {"evaluation": evaluation, "group_label": group["label"], "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
    return _no_referrer(response)


@never_cache
def rate_thanks(request):
    return _no_referrer(render(request, "assessment/evaluation/rate_thanks.html"))

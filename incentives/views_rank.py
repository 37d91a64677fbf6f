"""Pages of rank promotion (职级晋升, F 10, F 7): everyone in the user's jurisdiction eligible
now for the next rank, with filters and Excel export; and one cadre's check with every reason.

Read-only roles may view; a cadre outside the jurisdiction is not found (404). The rules live
in `incentives.eligibility`."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.models import Rank
from cadre.pages import require, unit_options, xlsx_response
from cadre.templatetags.cadre_tags import select_html

from .eligibility import rank_cadres_in_scope, rank_eligibility, rank_eligible_list
from .forms_rank import CheckDateForm
from .models.common import can_read

PER_PAGE = 50
TAB = "rank"


def _require_read(user):
    require(can_read(user), _("您的角色不能查看职级晋升"))


def _rank_options(selected):
    return select_html(
        "target",
        None,
        Rank.objects.order_by("order").values_list("code", "name"),
        str(selected or ""),
        with_select=False,
    )


@login_required
def eligible_list(request):
    """The cadres eligible now, those flagged for priority (连续多年优秀) first."""
    user = request.user
    _require_read(user)
    filterset, results = rank_eligible_list(user, request.GET)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    data = filterset.data
    return render(
        request,
        "incentives/rank/eligible_list.html",
        {
            "tab": TAB,
            "page": page,
            "form": filterset.form,
            "today": timezone.localdate(),
            "unit_options": unit_options(user, data.get("unit", "")),
            "rank_options": _rank_options(data.get("target", "")),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def _export_columns():
    return [
        (_("姓名"), lambda r: r.cadre.name),
        (_("单位"), lambda r: r.cadre.unit.name),
        (_("现任职务"), lambda r: r.cadre.post),
        (_("现任职级"), lambda r: r.current_rank.name),
        (_("任现职级时间"), lambda r: r.cadre.rank_since),
        (_("计算任职年限"), lambda r: r.counted_text),
        (_("可晋升职级"), lambda r: r.next_rank.name if r.next_rank else r.ladder_item_code),
        (_("优先晋升"), lambda r: _("是") if r.priority else ""),
        (_("依据"), lambda r: "；".join(reason.text for reason in r.reasons)),
    ]


@login_required
def eligible_export(request):
    """The filtered list as an Excel workbook (every page)."""
    user = request.user
    _require_read(user)
    _filterset, results = rank_eligible_list(user, request.GET)
    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("职级晋升"),
        _("符合职级晋升条件人员-%(day)s.xlsx") % {"day": day},
        f"rank-eligible-{day}.xlsx",
        _export_columns(),
        results,
    )


@login_required
def cadre_check(request, pk):
    """One cadre's rank promotion on a date: eligible or not, with every rule's reason."""
    user = request.user
    _require_read(user)
    cadre = get_object_or_404(rank_cadres_in_scope(user), pk=pk)
    form = CheckDateForm(request.GET or None)
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    result = rank_eligibility([cadre], on)[0]
    return render(
        request,
        "incentives/rank/cadre.html",
        {"tab": TAB, "cadre": cadre, "result": result, "form": form, "on": on},
    )

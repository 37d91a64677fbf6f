"""Pages of the team structure checks (F 9; ZJK 12(四)) and of the 干部任免审批表.

The teams list shows every county in the user's jurisdiction with its F 9 numbers and the
township work of its organs' leaders; a county's page lists the team with the flags of each
member, the organs' leaders, and exports both to Excel. Reads go through `incentives.structure`
(`restrict(user)` underneath): a county outside the jurisdiction is not found (404); a team
whose post levels lie beyond what the user's unit manages is shown with the message saying so,
never with numbers it could not count.

The appointment form page (organisation department and administrators only) fills the
standard form from the record and returns it as a Word file; each view of the form is logged
like any view of a personnel file."""

import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from cadre.auth import client_ip
from cadre.exports import XLSX_CONTENT_TYPE, attachment_header
from cadre.models import Cadre
from cadre.pages import require
from cadre.pagination import CappedPaginator
from cadre.services import cadre_view_log

from . import documents, structure
from .models.common import can_read, can_write

TAB = "structure"
TEAMS_PER_PAGE = 50
LEADERS_PER_PAGE = 50


def _require_read(user):
    require(can_read(user), _("您的角色不能查看领导班子结构"))


def _yes_no(value):
    return _("是") if value else _("否")


# --- teams --------------------------------------------------------------------------------------


@login_required
def team_list(request):
    """Every county of the jurisdiction with the team's F 9 numbers and the organs' leaders
    lacking three years of township work (ZJK 12(四))."""
    user = request.user
    _require_read(user)
    filterset = structure.TeamFilterSet(request.GET, queryset=structure.counties_for(user))
    counties = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = CappedPaginator(counties, TEAMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    summaries = structure.team_summaries(user, page.object_list)
    rules = summaries[0].rules if summaries else None
    return render(
        request,
        "incentives/structure/team_list.html",
        {
            "tab": TAB,
            "page": page,
            "summaries": summaries,
            "rules": rules,
            "query": request.GET.get("q", ""),
            "is_filtered": bool(request.GET.get("q")),
        },
    )


def _county(user, county_pk):
    return get_object_or_404(structure.counties_for(user), pk=county_pk)


@login_required
def team_detail(request, county_pk):
    """One county's team: the F 9 check and each member with the flags the selection weighs
    (served as township head, township years, age, 年轻干部), then the organs' leaders."""
    user = request.user
    _require_read(user)
    county = _county(user, county_pk)
    summary = structure.team_summary(user, county)
    lacking_only = request.GET.get("lacking") == "1"
    leaders = structure.organ_leaders(user, summary, lacking_only=lacking_only)
    paginator = CappedPaginator(leaders, LEADERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "incentives/structure/team_detail.html",
        {
            "tab": TAB,
            "county": county,
            "summary": summary,
            "rules": summary.rules,
            "members": structure.team_members(user, summary),
            "page": page,
            "lacking_only": lacking_only,
            "cutoff": structure.recent_cutoff(summary.rules),
            "can_fill_form": can_write(user),
        },
    )


def _summary_lines(summary):
    if not summary.visible:
        return [str(summary.message)]
    share = summary.share
    organs = summary.organs
    return [
        _(
            "班子成员%(size)s人，具有乡镇（街道）党政正职经历%(count)s人，"
            "按不少于%(share)s应有%(required)s人，%(result)s"
        )
        % {
            "size": share.size,
            "count": share.count,
            "share": summary.rules.share_text,
            "required": share.required,
            "result": _("符合要求") if share.ok else _("还差%(n)s人") % {"n": share.shortfall},
        },
        _(
            "县级机关科级领导干部%(leaders)s人，具有%(years)s年以上乡镇工作经历%(with)s人，"
            "不足%(years)s年%(lacking)s人（其中近%(recent)s年任职的%(recent_lacking)s人）"
        )
        % {
            "leaders": organs.leaders,
            "years": summary.rules.min_years.normalize(),
            "with": organs.with_years,
            "lacking": organs.lacking,
            "recent": summary.rules.recent_years,
            "recent_lacking": organs.recent_lacking,
        },
    ]


@login_required
def team_export(request, county_pk):
    """The team and the organs' leaders of one county as an Excel workbook."""
    user = request.user
    _require_read(user)
    county = _county(user, county_pk)
    summary = structure.team_summary(user, county)
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet(_("领导班子成员"))
    sheet.append([_("%(county)s领导班子结构") % {"county": county.name}])
    for line in _summary_lines(summary):
        sheet.append([line])
    sheet.append([])
    sheet.append(
        [
            _("姓名"),
            _("性别"),
            _("出生年月"),
            _("年龄"),
            _("单位"),
            _("现任职务"),
            _("职务层次"),
            _("曾任乡镇党政正职"),
            _("乡镇工作年限"),
            _("年轻干部"),
        ]
    )
    for cadre in structure.team_members(user, summary):
        sheet.append(
            [
                cadre.name,
                cadre.get_gender_display(),
                cadre.birth_date.strftime("%Y.%m"),
                cadre.age,
                cadre.unit.name,
                cadre.post,
                cadre.post_level.name,
                _yes_no(cadre.served_township_head),
                float(cadre.township_years),
                cadre.young_label or "",
            ]
        )

    sheet = workbook.create_sheet(_("县级机关科级领导干部"))
    years = summary.rules.min_years.normalize()
    sheet.append(
        [
            _("姓名"),
            _("单位"),
            _("现任职务"),
            _("职务层次"),
            _("任现职时间"),
            _("乡镇工作年限"),
            _("具有%(years)s年以上乡镇工作经历") % {"years": years},
            _("近%(recent)s年任职且乡镇工作经历不足") % {"recent": summary.rules.recent_years},
        ]
    )
    for cadre in structure.organ_leaders(user, summary).iterator(chunk_size=2000):
        sheet.append(
            [
                cadre.name,
                cadre.unit.name,
                cadre.post,
                cadre.post_level.name,
                cadre.post_since.isoformat() if cadre.post_since else "",
                float(cadre.township_years),
                _yes_no(not cadre.lacking),
                _yes_no(cadre.recent_lacking),
            ]
        )

    stream = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(stream)
    stream.seek(0)
    day = timezone.localdate().strftime("%Y%m%d")
    response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(
        _("领导班子结构-%(county)s-%(day)s.xlsx") % {"county": county.name, "day": day},
        f"team-{county.pk}-{day}.xlsx",
    )
    return response


# --- 干部任免审批表 -----------------------------------------------------------------------------


class AppointmentForm(forms.Form):
    proposed_post = forms.CharField(label=gettext_lazy("拟任职务"), max_length=200, required=False)
    proposed_removal = forms.CharField(
        label=gettext_lazy("拟免职务"), max_length=200, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("任免理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_form(request, cadre_pk):
    """GET: the form, prefilled from the query (proposed_post, proposed_removal, reason).
    POST: the 干部任免审批表 as a Word file."""
    user = request.user
    if not can_write(user):
        raise PermissionDenied(_("干部任免审批表由组织部门填报"))
    cadre = get_object_or_404(
        Cadre.objects.restrict(user, "export").select_related("unit", "post_level"), pk=cadre_pk
    )
    cadre_view_log(user=user, cadre=cadre, path=request.path, ip_address=client_ip(request))
    if request.method == "POST":
        form = AppointmentForm(request.POST)
        if form.is_valid():
            content = documents.appointment_form_docx(cadre=cadre, user=user, **form.cleaned_data)
            response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
            response["Content-Disposition"] = attachment_header(
                documents.filename_for(cadre), f"appointment-form-{cadre.pk}.docx"
            )
            return response
    else:
        form = AppointmentForm(
            initial={name: request.GET.get(name, "") for name in AppointmentForm.base_fields}
        )
    return render(
        request,
        "incentives/structure/appointment_form.html",
        {"tab": TAB, "cadre": cadre, "form": form},
        status=400 if form.is_bound else 200,
    )

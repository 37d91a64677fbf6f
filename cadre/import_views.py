"""Pages of the Excel import of cadres: upload, template download, and the status page with
its progress feed and the report of every bad row. The work is done by `cadre.imports`."""

import io

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from . import access, imports
from .models import ImportJob

RECENT_JOBS = 10


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("请使用导入模板填写，.xlsx 格式，不超过 20 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                _("只能上传 .xlsx 格式的 Excel 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）")
            )
        if upload.size > imports.MAX_FILE_SIZE:
            raise ValidationError(_("文件不能超过 20 MB，请拆分成几个文件分别导入"))
        return upload


def _require_import(user):
    if not access.can(user, access.IMPORT):
        raise PermissionDenied(_("您没有导入干部信息的权限"))


def _own_job(request, pk):
    """The user's own job; anyone else's is not found."""
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk, created_by=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_import(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_job_submit(
                user=request.user, filename=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("cadre:import_status", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).defer("content")[:RECENT_JOBS]
    return render(
        request,
        "cadre/import_start.html",
        {
            "form": form,
            "jobs": jobs,
            "columns": imports.COLUMNS,
            "sync_max_rows": settings.IMPORT_SYNC_MAX_ROWS,
        },
    )


@login_required
@require_GET
def import_template(request):
    _require_import(request.user)
    content = imports.template_workbook(user=request.user)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=imports.TEMPLATE_FILENAME,
        content_type=imports.XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def import_status(request, pk):
    _require_import(request.user)
    job = _own_job(request, pk)
    return render(
        request,
        "cadre/import_status.html",
        {"job": job, "progress": imports.import_job_progress(job)},
    )


@login_required
@require_GET
def import_progress(request, pk):
    _require_import(request.user)
    job = _own_job(request, pk)
    return JsonResponse(imports.import_job_progress(job))

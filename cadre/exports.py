"""Excel exports of the cadre registry: the same rows the list shows, streamed in chunks into a
write-only workbook so that a province-wide export stays within memory."""

import tempfile
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000


def cadre_columns():
    """(header, value of a row) for every column of the cadre export."""
    return [
        (_("姓名"), lambda c, user: c.name),
        (_("性别"), lambda c, user: c.get_gender_display()),
        (_("出生年月"), lambda c, user: c.birth_date.strftime("%Y.%m")),
        (_("年龄"), lambda c, user: c.age),
        (_("身份证号"), lambda c, user: c.id_number_for(user)),
        (_("单位"), lambda c, user: c.unit.name),
        (_("现任职务"), lambda c, user: c.post),
        (_("职务层次"), lambda c, user: c.post_level.name if c.post_level else ""),
        (_("职级"), lambda c, user: c.rank.name if c.rank else ""),
        (_("标签"), lambda c, user: "、".join(tag.name for tag in c.tags.all())),
        (_("状态"), lambda c, user: c.get_status_display()),
    ]


def cadre_workbook(queryset, user, stream):
    """Write the cadres of `queryset` (already restricted to what `user` may see) to `stream`.
    ID numbers are written as the user may see them: masked unless they may read them."""
    columns = cadre_columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("干部名册"))
    sheet.append([header for header, _value in columns])
    rows = (
        queryset.select_related("unit", "post_level", "rank")
        .prefetch_related("tags")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for cadre in rows:
        sheet.append([value(cadre, user) for _header, value in columns])
    workbook.save(stream)


def attachment_header(filename, fallback):
    """Content-Disposition with an ASCII fallback and the real name per RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def cadre_export_response(queryset, user):
    day = timezone.localdate().strftime("%Y%m%d")
    # Spooled: small exports stay in memory, large ones go to a temporary file.
    stream = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    cadre_workbook(queryset, user, stream)
    stream.seek(0)
    response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(
        _("干部名册-%(day)s.xlsx") % {"day": day}, f"cadres-{day}.xlsx"
    )
    return response

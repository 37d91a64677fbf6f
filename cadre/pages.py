"""Helpers of the staff pages of every app: the permission check of a view, a service's
validation errors on a form, the unit filter of the lists and their Excel downloads."""

import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook

from .exports import XLSX_CONTENT_TYPE, attachment_header
from .models import Unit
from .templatetags.cadre_tags import select_html

# The unit filter offers the user's unit and two levels below it (province → cities →
# counties); deeper units are reached from the unit pages, which link to the lists with ?unit=.
UNIT_FILTER_DEPTH = 2
# Exports up to this size stay in memory, larger ones go to a temporary file.
SPOOL_SIZE = 8 * 1024 * 1024


def require(allowed, message):
    """Refuse the request (403) with `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def add_service_errors(form, error):
    """Show a service's ValidationError on the fields it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def unit_options(user, selected, queryset=None, *, depth=UNIT_FILTER_DEPTH, with_selected=True):
    """<option>s of the unit filter, indented below the user's unit: the units of `queryset`
    (by default every unit the user may see) down to `depth` levels below the user's unit
    (None: every level) and, unless `with_selected` is false, the selected one when deeper."""
    base_depth = user.unit.depth if user.unit_id else 0
    units = queryset if queryset is not None else Unit.objects.restrict(user)
    shown = units
    if depth is not None:
        shown = units.filter(depth__lte=base_depth + depth)
        if with_selected and str(selected).isdigit():
            shown = shown | units.filter(pk=int(selected))
    return select_html(
        "unit",
        None,
        (
            (pk, "\u3000" * max(unit_depth - base_depth, 0) + name)
            for pk, name, unit_depth in shown.order_by("path").values_list("id", "name", "depth")
        ),
        str(selected or ""),
        with_select=False,
    )


def _is_columns(columns):
    return bool(columns) and all(
        isinstance(column, tuple) and len(column) == 2 and callable(column[1]) for column in columns
    )


def xlsx_response(sheet_title, filename, fallback, columns, rows, *, dated=False):
    """An Excel download of one sheet: a header row, then a line per row.

    `columns` is either the header row, each of `rows` being the list of its cells, or
    (header, value) pairs, the cells of a row being value(row) for each column. The workbook
    is written write-only (rows may be an iterator over a large queryset). `filename` is the
    name shown to the user, `fallback` its ASCII form; with `dated`, both get "-YYYYMMDD.xlsx"
    (today) added."""
    columns = list(columns)
    workbook = Workbook(write_only=True)
    # Excel refuses sheet names over 31 characters (an English title may be longer).
    sheet = workbook.create_sheet(str(sheet_title)[:31])
    if _is_columns(columns):
        sheet.append([header for header, _value in columns])
        for row in rows:
            sheet.append([value(row) for _header, value in columns])
    else:
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
    stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_SIZE)
    workbook.save(stream)
    stream.seek(0)
    if dated:
        day = timezone.localdate().strftime("%Y%m%d")
        filename, fallback = f"{filename}-{day}.xlsx", f"{fallback}-{day}.xlsx"
    response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response

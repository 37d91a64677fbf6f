"""Excel import of cadres (干部信息导入).

A user downloads the template, fills one cadre per row and uploads it. The file is checked as a
whole first and every bad row is reported with its reasons; only a file without errors is
imported, all rows in one transaction (all or nothing). Small files are imported while the
user waits; larger ones (more than `IMPORT_SYNC_MAX_ROWS` data rows) by a Celery task whose
progress the status page polls.

Progress is kept in the cache while the import transaction is open (its writes are not
visible to other connections until it commits); the final counts and the report are written
to the `ImportJob` row in the same transaction as the cadres.
"""

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pghistory
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import access
from .choices import Education, Gender, ImportStatus, StaffingType
from .crypto import id_number_hash, id_number_is_valid, id_number_with_check
from .models import Cadre, CadreTag, ImportJob, PostLevel, Rank, Unit
from .services import cadre_create

logger = logging.getLogger(__name__)

SHEET_TITLE = "干部信息"
HELP_SHEET_TITLE = "说明"
UNITS_SHEET_TITLE = "单位代码"
LISTS_SHEET_TITLE = "可选值"
TEMPLATE_FILENAME = "干部信息导入模板.xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_SIZE = 20 * 1024 * 1024
PROGRESS_EVERY = 100
PROGRESS_TIMEOUT = 24 * 3600
# Rows of the template that carry dropdowns and text formats.
TEMPLATE_ROWS = 2000
TRUE_WORDS = {"是", "Y", "YES", "TRUE", "1", "√"}
FALSE_WORDS = {"否", "N", "NO", "FALSE", "0", "×"}
TAG_SEPARATORS = re.compile(r"[,，、;；]")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(?:(\d{1,2})\s*日?)?)?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
FINISHED = (ImportStatus.SUCCEEDED, ImportStatus.FAILED)


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    kind: str
    required: bool = False
    note: str = ""

    @property
    def header(self):
        return f"{self.name}*" if self.required else self.name


DATE_NOTE = "日期格式，或文本 1985-06-12、1985/06/12、1985.06（只有年月时按当月1日计）"

# The columns of the template, in order. A trailing * marks a required column.
COLUMNS = (
    Column("姓名", "name", "text", True, "最多50字"),
    Column("性别", "gender", "choice", True),
    Column("出生日期", "birth_date", "date", True, DATE_NOTE),
    Column("民族", "ethnicity", "text", note="如“汉族”“回族”；留空按汉族"),
    Column(
        "身份证号",
        "id_number",
        "id_number",
        True,
        "18位公民身份号码，末位可为X；请以文本格式填写；不能与系统中已有干部重复",
    ),
    Column("入党时间", "party_member_since", "date", note=DATE_NOTE),
    Column("学历", "education", "choice"),
    Column("编制类型", "staffing_type", "choice", True),
    Column("单位代码", "unit", "unit", True, "单位的代码（见“单位代码”页），须在您的管理范围内"),
    Column("现任职务", "post", "text", True, "如“副镇长”，最多100字"),
    Column("职务层次", "post_level", "post_level"),
    Column("职级", "rank", "rank"),
    Column("任现职时间", "post_since", "date", note=DATE_NOTE),
    Column("任现职级时间", "rank_since", "date", note=DATE_NOTE),
    Column("参加工作时间", "work_since", "date", note=DATE_NOTE),
    Column("乡镇工作年限", "township_years", "decimal", note="数字，可保留1位小数；留空按0计"),
    Column("曾任乡镇党政正职", "served_township_head", "bool", note="填“是”或“否”；留空按否计"),
    Column("标签", "tags", "tags", note="可填多个，用逗号分隔"),
    Column("联系电话", "phone", "text", note="最多20字"),
)
COLUMN_BY_NAME = {column.name: column for column in COLUMNS}
COLUMN_NAME_BY_FIELD = {column.field: column.name for column in COLUMNS}
CHOICES = {"gender": Gender, "education": Education, "staffing_type": StaffingType}
# Fields handed to cadre_create that are not plain values of the Cadre row.
RELATED_FIELDS = ("unit", "post_level", "rank", "tags", "id_number")


def _error(row, column, message):
    return {"row": row, "column": column, "message": str(message)}


# --- the template ---------------------------------------------------------------------------


def template_workbook(user=None) -> bytes:
    """The import template: the header row, one example row and the sheets that explain each
    column and its allowed values. With a user, the example uses a unit they manage and a
    sheet lists the codes of all units they may import into."""
    levels = list(PostLevel.objects.order_by("order"))
    ranks = list(Rank.objects.order_by("order"))
    tags = list(CadreTag.objects.order_by("name"))
    units = list(Unit.objects.restrict(user).order_by("path")) if user is not None else []

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([column.header for column in COLUMNS])
    ws.append(_example_row(units[0] if units else None, levels, ranks, tags))
    _style_sheet(ws)

    lists = {
        "gender": [str(label) for label in Gender.labels],
        "education": [str(label) for label in Education.labels],
        "staffing_type": [str(label) for label in StaffingType.labels],
        "post_level": [level.name for level in levels],
        "rank": [rank.name for rank in ranks],
        "served_township_head": ["是", "否"],
    }
    _add_help_sheet(wb, lists, tags)
    if units:
        sheet = wb.create_sheet(UNITS_SHEET_TITLE)
        sheet.append(["单位代码", "单位名称"])
        top = units[0].depth
        for unit in units:
            sheet.append([unit.code, "\u3000" * (unit.depth - top) + unit.name])
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["B"].width = 40
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    _add_dropdowns(wb, ws, lists)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _example_row(unit, levels, ranks, tags):
    level = levels[0] if levels else None
    rank = next((r for r in ranks if level and r.equivalent_level_id == level.pk), None)
    values = {
        "name": "张某某",
        "gender": str(Gender.MALE.label),
        "birth_date": date(1985, 6, 12),
        "ethnicity": "汉族",
        "id_number": id_number_with_check("11010119850612123"),
        "party_member_since": date(2008, 7, 1),
        "education": str(Education.BACHELOR.label),
        "staffing_type": str(StaffingType.ADMINISTRATIVE.label),
        "unit": unit.code if unit else "（填写单位代码）",
        "post": "副镇长",
        "post_level": level.name if level else "",
        "rank": rank.name if rank else "",
        "post_since": date(2020, 3, 1),
        "rank_since": date(2021, 6, 1),
        "work_since": date(2008, 7, 1),
        "township_years": 5,
        "served_township_head": "否",
        "tags": tags[0].name if tags else "",
        "phone": "13800000000",
    }
    return [values[column.field] for column in COLUMNS]


def _style_sheet(ws):
    required_fill = PatternFill("solid", fgColor="FDECEA")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        header = ws.cell(1, index)
        header.font = Font(bold=True, color="B71C1C" if column.required else "222222")
        header.alignment = Alignment(horizontal="center")
        if column.required:
            header.fill = required_fill
        ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        example = ws.cell(2, index)
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        elif column.kind == "id_number" or column.field == "phone":
            # Text, or Excel turns an 18-digit number into 1.10101E+17 and loses digits.
            example.number_format = "@"
            ws.column_dimensions[letter].width = 22
    ws.freeze_panes = "A2"


def _add_dropdowns(wb, ws, lists):
    sheet = wb.create_sheet(LISTS_SHEET_TITLE)
    sheet.sheet_state = "hidden"
    for index, (field, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index).value = COLUMN_NAME_BY_FIELD[field]
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index).value = value
        if not values:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET_TITLE}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="输入值无效",
            error="请从下拉列表中选择",
        )
        target = get_column_letter(_column_index(field))
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS}")
        ws.add_data_validation(validation)


def _column_index(field):
    return next(i for i, column in enumerate(COLUMNS, start=1) if column.field == field)


def _add_help_sheet(wb, lists, tags):
    sheet = wb.create_sheet(HELP_SHEET_TITLE)
    sheet.append(["列名", "是否必填", "填写说明", "可选值"])
    allowed = dict(lists)
    allowed["tags"] = [tag.name for tag in tags]
    for column in COLUMNS:
        sheet.append(
            [
                column.name,
                "必填" if column.required else "选填",
                column.note,
                "、".join(allowed.get(column.field, [])),
            ]
        )
    sheet.append([])
    for line in (
        "填写说明：",
        "1. 第一行为表头，请勿修改；从第二行起每行填写一名干部，示例行可直接覆盖。",
        "2. 标 * 的列必须填写；有下拉框的列请从下拉框中选择。",
        "3. 上传后系统先检查整个文件，任何一行有错都不会导入，并列出每个错误的行号和原因；"
        "请改正后重新上传。",
        "4. 身份证号请以文本格式填写，避免被 Excel 改写为科学计数法。",
    ):
        sheet.append([line])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (18, 10, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# --- reading and checking a file ------------------------------------------------------------


class UnreadableFile(ValueError):
    pass


def _open_rows(content: bytes):
    """The rows of the file's first sheet as tuples of cell values."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise UnreadableFile(_("无法读取文件，请上传 Excel（.xlsx）文件")) from exc
    if not wb.worksheets:
        raise UnreadableFile(_("文件中没有工作表"))
    ws = wb.worksheets[0]
    # Some programs write a wrong sheet size; read whatever is there.
    ws.reset_dimensions()
    return wb, ws.iter_rows(values_only=True)


def _is_blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def count_data_rows(content: bytes) -> int:
    """How many non-empty rows follow the header. Raises ValidationError for a file that
    is not a readable workbook."""
    try:
        wb, rows = _open_rows(content)
    except UnreadableFile as exc:
        raise ValidationError(str(exc)) from exc
    try:
        next(rows, None)
        return sum(1 for values in rows if not _is_blank(values))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("无法读取文件，请上传 Excel（.xlsx）文件")) from exc
    finally:
        wb.close()


def _header_name(value) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    return text.rstrip("*＊")


def _read_header(values):
    """Column positions by column name, or the one error that says what is wrong."""
    positions, unknown = {}, []
    for index, value in enumerate(values):
        name = _header_name(value)
        if not name:
            continue
        if name in COLUMN_BY_NAME and name not in positions:
            positions[name] = index
        else:
            unknown.append(name)
    missing = [
        column.header for column in COLUMNS if column.required and column.name not in positions
    ]
    if not missing and not unknown:
        return positions, None
    problems = []
    if missing:
        problems.append(_("缺少必填列：%(columns)s") % {"columns": "、".join(missing)})
    if unknown:
        problems.append(_("无法识别的列：%(columns)s") % {"columns": "、".join(unknown)})
    message = _("表头不正确（%(problems)s）。请下载导入模板，按模板第一行的列名填写。") % {
        "problems": "；".join(problems)
    }
    return positions, _error(1, "", message)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        if isinstance(value, float):
            # 1985.06 typed as a number; 1985.1 means October.
            text = f"{value:.2f}"
        else:
            text = _text(value)
        match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
        if not match:
            raise ValueError(
                _("“%(value)s”不是有效的日期，请填写如 1985-06-12、1985/06/12 或 1985.06")
                % {"value": text}
            )
        year, month, day = match.groups()
        try:
            result = date(int(year), int(month), int(day or 1))
        except ValueError:
            raise ValueError(_("“%(value)s”不是存在的日期") % {"value": text}) from None
    if result > timezone.localdate():
        raise ValueError(_("日期不能晚于今天"))
    if result.year < 1900:
        raise ValueError(_("日期不能早于1900年"))
    return result


def _parse_choice(choices, column, text):
    by_label = {str(label): value for value, label in choices.choices}
    if text in by_label:
        return by_label[text]
    if text in choices.values:
        return text
    raise ValueError(
        _("“%(value)s”不是有效的%(column)s，可选：%(allowed)s")
        % {"value": text, "column": column.name, "allowed": "、".join(by_label)}
    )


def _parse_bool(text):
    word = text.upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("请填写“是”或“否”"))


def _parse_years(value, text):
    try:
        years = Decimal(str(value) if isinstance(value, int | float) else text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s”不是数字") % {"value": text}) from None
    if not years.is_finite() or years < 0 or years >= 100:
        raise ValueError(_("应为 0 到 99.9 之间的数字"))
    return years.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _split_tags(text):
    return [name.strip() for name in TAG_SEPARATORS.split(text) if name.strip()]


def parse_and_validate(content: bytes, user):
    """Read and check a whole file.

    Returns `(rows, errors)`. `rows` holds one `{"row": n, "values": {...}}` per good data row,
    `values` being the keyword arguments of `services.cadre_create`; `errors` holds one
    `{"row": n, "column": name, "message": text}` per problem found, for every bad row (a row
    may have several). `n` is the Excel row number. Runs a fixed number of queries however
    long the file is."""
    if not access.can(user, access.IMPORT):
        return [], [_error(None, "", _("您没有导入干部信息的权限"))]
    try:
        wb, sheet_rows = _open_rows(content)
    except UnreadableFile as exc:
        return [], [_error(None, "", str(exc))]
    try:
        header = next(sheet_rows, None)
        if header is None or _is_blank(header):
            return [], [_error(1, "", _("文件是空的：第一行应为表头，请使用导入模板填写"))]
        positions, header_error = _read_header(header)
        if header_error:
            return [], [header_error]
        raw_rows = []
        for number, values in enumerate(sheet_rows, start=2):
            if _is_blank(values):
                continue
            raw_rows.append(
                (
                    number,
                    {
                        name: values[index] if index < len(values) else None
                        for name, index in positions.items()
                    },
                )
            )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        logger.info("unreadable import file: %s", exc)
        return [], [_error(None, "", _("无法读取文件，请上传 Excel（.xlsx）文件"))]
    finally:
        wb.close()
    if not raw_rows:
        return [], [_error(None, "", _("文件中没有干部数据：请从第二行起每行填写一名干部"))]
    return _validate_rows(raw_rows, user)


def _validate_rows(raw_rows, user):
    lookups = _Lookups.load(raw_rows, user)
    rows, errors = [], []
    seen_ids = {}
    for number, raw in raw_rows:
        values, row_errors = _validate_row(number, raw, lookups, seen_ids)
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append({"row": number, "values": values})
    return rows, errors


@dataclass
class _Lookups:
    """Everything a row is checked against, loaded once for the whole file."""

    units_in_scope: dict
    units_elsewhere: set
    levels: dict
    ranks: dict
    tags: dict
    taken_id_hashes: set
    max_level_order: int | None

    @classmethod
    def load(cls, raw_rows, user):
        codes, hashes = set(), set()
        for _number, raw in raw_rows:
            if code := _text(raw.get("单位代码")):
                codes.add(code)
            number = _text(raw.get("身份证号")).upper()
            if id_number_is_valid(number):
                hashes.add(id_number_hash(number))
        in_scope = {unit.code: unit for unit in Unit.objects.restrict(user).filter(code__in=codes)}
        missing = codes - in_scope.keys()
        elsewhere = (
            set(Unit.objects.filter(code__in=missing).values_list("code", flat=True))
            if missing
            else set()
        )
        taken = (
            set(
                Cadre.objects.filter(id_number_hash__in=hashes).values_list(
                    "id_number_hash", flat=True
                )
            )
            if hashes
            else set()
        )
        return cls(
            units_in_scope=in_scope,
            units_elsewhere=elsewhere,
            levels={level.name: level for level in PostLevel.objects.all()},
            ranks={rank.name: rank for rank in Rank.objects.all()},
            tags={tag.name: tag for tag in CadreTag.objects.all()},
            taken_id_hashes=taken,
            max_level_order=access.scope_for(user).max_level_order,
        )


def _validate_row(number, raw, lookups, seen_ids):
    values, errors = {}, []

    def fail(column, message):
        errors.append(_error(number, column.name, message))

    for column in COLUMNS:
        value = raw.get(column.name)
        text = _text(value)
        if not text:
            if column.required:
                fail(column, _("必填项不能为空"))
            continue
        try:
            parsed = _parse_cell(column, value, text, lookups)
        except ValueError as exc:
            fail(column, str(exc))
            continue
        if column.kind == "id_number":
            id_hash = id_number_hash(parsed)
            if id_hash in seen_ids:
                fail(column, _("与第%(row)s行的身份证号重复") % {"row": seen_ids[id_hash]})
                continue
            seen_ids[id_hash] = number
            if id_hash in lookups.taken_id_hashes:
                fail(column, _("该身份证号已登记在系统中的其他干部名下"))
                continue
        values[column.field] = parsed

    birth, id_number = values.get("birth_date"), values.get("id_number")
    if birth and id_number and id_number[6:12] != f"{birth:%Y%m}":
        fail(
            COLUMN_BY_NAME["身份证号"],
            _("身份证号中的出生年月（%(id)s）与出生日期（%(birth)s）不一致")
            % {"id": f"{id_number[6:10]}.{id_number[10:12]}", "birth": f"{birth:%Y.%m}"},
        )
    errors.extend(_model_errors(number, values, failed={e["column"] for e in errors}))
    return values, errors


def _parse_cell(column, value, text, lookups):
    kind = column.kind
    if kind == "text":
        return text
    if kind == "date":
        return _parse_date(value)
    if kind == "choice":
        return _parse_choice(CHOICES[column.field], column, text)
    if kind == "bool":
        return _parse_bool(text)
    if kind == "decimal":
        return _parse_years(value, text)
    if kind == "id_number":
        if isinstance(value, int | float):
            raise ValueError(
                _("身份证号须以文本格式填写（数字格式会丢失末位），请把单元格设为文本后重填")
            )
        number = re.sub(r"\s+", "", text).upper()
        if not id_number_is_valid(number):
            raise ValueError(_("身份证号码格式或校验位不正确"))
        return number
    if kind == "unit":
        if text in lookups.units_in_scope:
            return lookups.units_in_scope[text]
        if text in lookups.units_elsewhere:
            raise ValueError(_("单位不在您的管理范围内"))
        raise ValueError(_("单位代码“%(code)s”不存在") % {"code": text})
    if kind == "post_level":
        level = lookups.levels.get(text)
        if level is None:
            raise ValueError(
                _("“%(value)s”不是有效的职务层次，可选：%(allowed)s")
                % {"value": text, "allowed": "、".join(lookups.levels)}
            )
        if lookups.max_level_order is not None and level.order > lookups.max_level_order:
            raise ValueError(_("职务层次“%(value)s”超出您的干部管理权限") % {"value": text})
        return level
    if kind == "rank":
        rank = lookups.ranks.get(text)
        if rank is None:
            raise ValueError(_("“%(value)s”不是有效的职级，请按“说明”页填写") % {"value": text})
        return rank
    if kind == "tags":
        names = _split_tags(text)
        unknown = [name for name in names if name not in lookups.tags]
        if unknown:
            raise ValueError(
                _("标签不存在：%(names)s；可选：%(allowed)s")
                % {"names": "、".join(unknown), "allowed": "、".join(lookups.tags)}
            )
        return [lookups.tags[name] for name in dict.fromkeys(names)]
    raise AssertionError(f"unknown column kind {kind}")


def _model_errors(number, values, failed):
    """The Cadre model's own checks (lengths, choices, date order) on the row's plain values,
    without touching the database."""
    plain = {k: v for k, v in values.items() if k not in RELATED_FIELDS}
    cadre = Cadre(**plain)
    exclude = set(RELATED_FIELDS) | {
        column.field for column in COLUMNS if column.name in failed or column.field not in values
    }
    try:
        cadre.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return _errors_from_validation(number, exc)
    return []


def _errors_from_validation(number, exc: ValidationError):
    if not hasattr(exc, "error_dict"):
        return [_error(number, "", message) for message in exc.messages]
    errors = []
    for field, messages in exc.message_dict.items():
        column = "" if field == NON_FIELD_ERRORS else COLUMN_NAME_BY_FIELD.get(field, field)
        errors.extend(_error(number, column, message) for message in messages)
    return errors


# --- importing ------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def apply_rows(rows, user, progress=None):
    """Create a cadre for every row, through `cadre_create` (which checks each one again and
    writes the first post-history entry), in one transaction: if any row fails, nothing is
    kept. Returns `(created_count, errors)`. `progress(done, total)` is called every
    `PROGRESS_EVERY` rows and at the end."""
    if not access.can(user, access.ADD):
        return 0, [_error(None, "", _("您没有新增干部的权限"))]
    total = len(rows)
    errors = []
    try:
        with transaction.atomic():
            for done, row in enumerate(rows, start=1):
                try:
                    cadre_create(actor=user, **row["values"])
                except ValidationError as exc:
                    errors.extend(_errors_from_validation(row["row"], exc))
                except IntegrityError:
                    errors.append(_error(row["row"], "", _("与已有数据冲突，未能保存")))
                except PermissionDenied as exc:
                    errors.append(_error(row["row"], "", str(exc)))
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
            if errors:
                raise _Rollback
    except _Rollback:
        return 0, errors
    return total, errors


# --- import jobs ----------------------------------------------------------------------------


def _progress_key(job_id):
    return f"import-job:{job_id}:progress"


def _set_progress(job_id, **state):
    state["status"] = str(state["status"])
    # Progress is a courtesy: an unreachable cache must not stop the import.
    try:
        cache.set(_progress_key(job_id), state, PROGRESS_TIMEOUT)
    except Exception:
        logger.warning("could not store progress of import job %s", job_id, exc_info=True)


def _get_progress(job_id):
    try:
        return cache.get(_progress_key(job_id))
    except Exception:
        logger.warning("could not read progress of import job %s", job_id, exc_info=True)
        return None


def import_job_create(*, user, filename: str, content: bytes) -> ImportJob:
    """Store an uploaded file as a pending import job. Raises ValidationError when the file
    cannot be read as a workbook, PermissionDenied when the user may not import."""
    if not access.can(user, access.IMPORT):
        raise PermissionDenied(_("您没有导入干部信息的权限"))
    rows = count_data_rows(content)
    job = ImportJob.objects.create(
        kind="cadres",
        filename=filename[:200],
        content=content,
        total_rows=rows,
        created_by=user,
        unit=user.unit if user.unit_id else None,
    )
    _set_progress(job.pk, status=ImportStatus.PENDING, processed=0, total=rows)
    return job


def import_job_submit(*, user, filename: str, content: bytes) -> ImportJob:
    """Create the job and import it: at once for a small file, by a Celery task after commit
    for one with more than `IMPORT_SYNC_MAX_ROWS` data rows."""
    job = import_job_create(user=user, filename=filename, content=content)
    if job.total_rows <= settings.IMPORT_SYNC_MAX_ROWS:
        import_job_run(job.pk)
        job.refresh_from_db()
    else:
        from .tasks import run_import_job

        run_import_job.delay_on_commit(job.pk)
    return job


def import_job_run(job_id):
    """Validate and import one job. Safe to run twice or concurrently: a finished job is left
    alone, and the job row is locked for the whole import. Returns the final status."""
    # Visible at once to the status page; the rest happens inside the import transaction.
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status in FINISHED:
                return job.status if job else None
            with pghistory.context(user=job.created_by_id, import_job=job.pk):
                _run_locked(job)
    except Exception:
        logger.exception("import job %s crashed", job_id)
        ImportJob.objects.filter(pk=job_id).exclude(status__in=FINISHED).update(
            status=ImportStatus.FAILED,
            errors=[
                _error(None, "", _("导入时发生系统错误，未导入任何数据，请稍后重试或联系管理员"))
            ],
            finished_at=timezone.now(),
        )
        _set_progress(job_id, status=ImportStatus.FAILED, processed=0, total=0)
        return ImportStatus.FAILED
    _set_progress(job_id, status=job.status, processed=job.processed_rows, total=job.total_rows)
    return job.status


def _run_locked(job):
    user = job.created_by
    _set_progress(
        job.pk, status=ImportStatus.RUNNING, phase="validating", processed=0, total=job.total_rows
    )
    rows, errors = parse_and_validate(bytes(job.content), user)
    bad_rows = {error["row"] for error in errors if error["row"] is not None}
    job.total_rows = len(rows) + len(bad_rows)
    created = 0
    if not errors:

        def progress(done, total):
            _set_progress(
                job.pk, status=ImportStatus.RUNNING, phase="importing", processed=done, total=total
            )

        created, errors = apply_rows(rows, user, progress=progress)
    job.status = ImportStatus.FAILED if errors else ImportStatus.SUCCEEDED
    job.errors = sorted(errors, key=lambda e: (e["row"] or 0))
    job.created_count = created
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "errors",
            "created_count",
            "total_rows",
            "processed_rows",
            "finished_at",
        ]
    )


def import_job_progress(job: ImportJob) -> dict:
    """What the status page shows: the job row once it is finished, else the live progress
    the running import keeps in the cache."""
    status, processed, total, phase = job.status, job.processed_rows, job.total_rows, ""
    if status not in FINISHED:
        live = _get_progress(job.pk) or {}
        if live.get("status") not in FINISHED:
            status = live.get("status", status)
            processed = live.get("processed", processed)
            total = live.get("total", total)
            phase = live.get("phase", "")
    finished = status in FINISHED
    percent = 100 if finished else (int(processed * 100 / total) if total else 0)
    if status == ImportStatus.SUCCEEDED:
        message = _("导入完成：共导入 %(count)s 名干部") % {"count": job.created_count}
    elif status == ImportStatus.FAILED:
        message = _("未导入：发现 %(count)s 个问题，请按下表修改后重新上传") % {
            "count": len(job.errors)
        }
    elif status == ImportStatus.RUNNING and phase == "importing":
        message = _("正在导入：已处理 %(done)s / %(total)s 行") % {
            "done": processed,
            "total": total,
        }
    elif status == ImportStatus.RUNNING:
        message = _("正在检查文件（共 %(total)s 行）…") % {"total": total}
    else:
        message = _("排队等待处理（共 %(total)s 行）…") % {"total": total}
    return {
        "status": str(status),
        "status_label": str(ImportStatus(status).label),
        "processed": processed,
        "total": total,
        "percent": percent,
        "finished": finished,
        "created": job.created_count if finished else 0,
        "error_count": len(job.errors) if finished else 0,
        "message": message,
    }

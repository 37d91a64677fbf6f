"""The 干部任免审批表 (cadre appointment and removal approval form) of a cadre, filled from the
record: identity, party and work dates, education, current, proposed and removed posts, the
résumé from the post history, rewards and sanctions (commendations of the performance record,
the ledger's sanctions that stand), the last three annual assessment grades, the reasons, and
the blocks the submitting unit, the approving body and the administrative body sign.

Laid out as the standard form on A4: one grid with the labels in 宋体 and the record in 仿宋,
the title in 方正小标宋; what the record does not hold (籍贯, 出生地, 健康状况, family members)
is left blank for the hand. The ID number is never printed. The caller reads the cadre through
`Cadre.objects.restrict(user)` first: this module only writes what the record holds.
"""

import io
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assessment.choices import Grade
from assessment.selectors import annual_grades
from cadre.choices import PerformanceSource, UnitKind
from cadre.models import Cadre, PerformanceEntry, PostHistory

from .choices import SanctionStatus
from .models import Sanction

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FONT_TITLE = "方正小标宋简体"
FONT_LABEL = "宋体"
FONT_VALUE = "仿宋_GB2312"
FONT_LATIN = "Times New Roman"
SIZE_TITLE = Pt(22)  # 二号
SIZE_CELL = Pt(12)  # 小四
SIZE_NOTE = Pt(10.5)  # 五号
# Seven columns: four label/value pairs across, the photo in the last column.
COLUMN_WIDTHS = (Mm(24), Mm(24), Mm(22), Mm(24), Mm(26), Mm(22), Mm(28))
GRADE_YEARS = 3
# The résumé fills the rest of the first page.
RESUME_LINES = 22
DASH = "—"
SEAL_BLOCK = "（盖章）\n年　　月　　日"


def filename_for(cadre: Cadre) -> str:
    return _("干部任免审批表-%(name)s.docx") % {"name": cadre.name}


def year_month(value: date | None) -> str:
    """1980.01: how the form writes a month."""
    return f"{value.year}.{value.month:02d}" if value else ""


def chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def unit_post(unit_name: str, post: str) -> str:
    """甲县一镇镇长: the unit and the post, without saying the unit twice."""
    unit_name = unit_name or ""
    return post if unit_name and post.startswith(unit_name) else f"{unit_name}{post}"


def submitting_body(unit) -> str:
    """呈报单位: the organisation department of an area's party committee (中共甲县委员会组织部),
    the party committee of a township or street, else the unit itself."""
    if unit is None:
        return ""
    if unit.kind == UnitKind.REGION:
        return _("中共%(unit)s委员会组织部") % {"unit": unit.name}
    if unit.kind in (UnitKind.TOWNSHIP, UnitKind.STREET):
        return _("中共%(unit)s委员会") % {"unit": unit.name}
    if unit.kind == UnitKind.PARTY_COMMITTEE:
        return _("%(unit)s组织部") % {"unit": unit.name}
    return unit.name


# --- what the form says -------------------------------------------------------------------------


def resume_lines(cadre: Cadre) -> list[str]:
    """简历: one line per post, oldest first, "YYYY.MM—YYYY.MM 单位职务"; the post still held
    runs to 至今."""
    rows = PostHistory.objects.filter(cadre=cadre).select_related("unit")
    lines = []
    for row in rows.order_by("start_date", "pk"):
        end = year_month(row.end_date) if row.end_date else _("至今")
        unit_name = row.unit_name or (row.unit.name if row.unit_id else "")
        lines.append(f"{year_month(row.start_date)}—{end} {unit_post(unit_name, row.post)}")
    return lines


def rewards_and_sanctions(cadre: Cadre) -> list[str]:
    """奖惩情况: the commendations of the performance record and the ledger's sanctions that
    have not been revoked, oldest first."""
    dated = []
    commendations = PerformanceEntry.objects.filter(
        cadre=cadre, source=PerformanceSource.COMMENDATION
    )
    for entry in commendations.order_by("occurred_on", "pk"):
        dated.append((entry.occurred_on, 0, f"{year_month(entry.occurred_on)} {entry.title}"))
    sanctions = Sanction.objects.filter(cadre=cadre).exclude(status=SanctionStatus.REVOKED)
    for sanction in sanctions.order_by("decided_on", "pk"):
        kind = sanction.kind_label or _("处理处分（种类待确认）")
        by = "，".join(x for x in (sanction.authority, sanction.document_number) if x)
        text = _("%(month)s 受到%(kind)s") % {
            "month": year_month(sanction.decided_on),
            "kind": kind,
        }
        dated.append((sanction.decided_on, 1, f"{text}（{by}）" if by else text))
    return [text for _day, _order, text in sorted(dated, key=lambda d: (d[0], d[1]))]


def grade_lines(cadre: Cadre) -> list[str]:
    """年度考核结果: the last three fixed annual grades, oldest first."""
    grades = {year: grade for (_cadre, year), grade in annual_grades([cadre.pk]).items()}
    years = sorted(grades)[-GRADE_YEARS:]
    labels = dict(Grade.choices)
    return [
        _("%(year)s年度考核%(grade)s") % {"year": year, "grade": labels.get(grades[year], "")}
        for year in years
    ]


# --- the Word layout ----------------------------------------------------------------------------


def _set_fonts(run, east_asian, size, bold=False):
    run.font.name = FONT_LATIN
    run.font.size = size
    run.font.bold = bold
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:ascii"), FONT_LATIN)
    r_fonts.set(qn("w:hAnsi"), FONT_LATIN)


def _fill(cell, text, *, label=False, align=None, min_lines=1):
    """Write `text` (lines split on newlines) in the cell: labels centred in 宋体, the record
    in 仿宋, left-aligned unless told."""
    lines = str(text or "").splitlines() or [""]
    lines += [""] * (min_lines - len(lines))
    font = FONT_LABEL if label else FONT_VALUE
    if align is None:
        align = WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell.paragraphs[0].text = ""
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(20)
        fmt.space_before = fmt.space_after = Pt(0)
        if line:
            _set_fonts(paragraph.add_run(line), font, SIZE_CELL)


class _Form:
    def __init__(self):
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(25), Mm(20)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT_LATIN
        normal.font.size = SIZE_CELL
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_VALUE)
        title = self.doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = Pt(12)
        _set_fonts(title.add_run(_("干部任免审批表")), FONT_TITLE, SIZE_TITLE)
        self.new_table()

    def new_table(self):
        self.table = self.doc.add_table(rows=0, cols=len(COLUMN_WIDTHS))
        self.table.style = "Table Grid"
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def next_page(self):
        """The form's second page starts with 奖惩情况."""
        self.doc.add_page_break()
        self.new_table()

    def row(self):
        cells = self.table.add_row().cells
        for cell, width in zip(cells, COLUMN_WIDTHS, strict=True):
            cell.width = width
        return cells

    def wide(self, label, value, *, min_lines=1, align=None):
        """A label in the first column, the value across the other six."""
        cells = self.row()
        _fill(cells[0], label, label=True)
        merged = cells[1].merge(cells[-1])
        _fill(merged, value, min_lines=min_lines, align=align)
        return merged

    def note(self, text):
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        _set_fonts(paragraph.add_run(text), FONT_VALUE, SIZE_NOTE)

    def to_bytes(self) -> bytes:
        stream = io.BytesIO()
        self.doc.save(stream)
        return stream.getvalue()


def appointment_form_docx(
    *, cadre: Cadre, user, proposed_post: str = "", proposed_removal: str = "", reason: str = ""
) -> bytes:
    """The 干部任免审批表 of `cadre` as .docx bytes; `user` fills it in (填表人) for their unit
    (呈报单位)."""
    cadre = Cadre.objects.select_related("unit").get(pk=cadre.pk)
    today = timezone.localdate()
    form = _Form()

    # Identity: three rows of label/value pairs, the photo to the right of four rows.
    identity = [
        (
            (_("姓名"), cadre.name),
            (_("性别"), cadre.get_gender_display()),
            (
                _("出生年月\n（岁）"),
                f"{year_month(cadre.birth_date)}\n"
                + _("（%(age)s岁）") % {"age": age_on(cadre.birth_date, today)},
            ),
        ),
        ((_("民族"), cadre.ethnicity), (_("籍贯"), ""), (_("出生地"), "")),
        (
            (_("入党\n时间"), year_month(cadre.party_member_since)),
            (_("参加工作\n时间"), year_month(cadre.work_since)),
            (_("健康状况"), ""),
        ),
    ]
    rows = []
    for pairs in identity:
        cells = form.row()
        for index, (label, value) in enumerate(pairs):
            _fill(cells[index * 2], label, label=True)
            _fill(cells[index * 2 + 1], value, align=WD_ALIGN_PARAGRAPH.CENTER)
        rows.append(cells)
    cells = form.row()
    _fill(cells[0], _("专业技术\n职务"), label=True)
    _fill(cells[1].merge(cells[2]), "")
    _fill(cells[3], _("熟悉专业\n有何专长"), label=True)
    _fill(cells[4].merge(cells[5]), "")
    rows.append(cells)
    photo = rows[0][6].merge(rows[-1][6])
    _fill(photo, _("照片"), label=True)

    cells = form.row()
    _fill(cells[0], _("学历"), label=True)
    _fill(cells[1].merge(cells[2]), cadre.get_education_display(), align=WD_ALIGN_PARAGRAPH.CENTER)
    _fill(cells[3], _("毕业院校\n系及专业"), label=True)
    _fill(cells[4].merge(cells[6]), "")

    form.wide(_("现任职务"), unit_post(cadre.unit.name, cadre.post))
    form.wide(_("拟任职务"), proposed_post)
    form.wide(_("拟免职务"), proposed_removal)
    form.wide(_("简\n\n\n\n历"), "\n".join(resume_lines(cadre)), min_lines=RESUME_LINES)

    form.next_page()
    form.wide(_("奖惩\n情况"), "\n".join(rewards_and_sanctions(cadre)) or _("无"), min_lines=5)
    form.wide(_("年度考核\n结果"), "；".join(grade_lines(cadre)) or DASH, min_lines=3)
    form.wide(_("任免\n理由"), reason, min_lines=5)

    # 家庭主要成员及重要社会关系: headings and blank lines for the hand.
    family = []
    headings = (_("称谓"), _("姓名"), _("年龄"), _("政治面貌"), _("工作单位及职务"))
    for line in range(7):
        cells = form.row()
        work = cells[5].merge(cells[6])
        for cell, heading in zip((*cells[1:5], work), headings, strict=True):
            _fill(cell, heading if line == 0 else "", label=line == 0)
        family.append(cells[0])
    _fill(family[0].merge(family[-1]), _("家庭主要\n成员及\n重要社会\n关系"), label=True)

    unit = user.unit if getattr(user, "unit_id", None) else None
    form.wide(
        _("呈报\n单位"),
        f"\n{submitting_body(unit)}\n\n{chinese_date(today)}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    form.wide(_("审批机关\n意见"), f"\n{SEAL_BLOCK}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    form.wide(_("行政机关\n任免意见"), f"\n{SEAL_BLOCK}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    form.note(
        _("填表人：%(name)s　　　　填表时间：%(day)s")
        % {"name": str(user), "day": chinese_date(today)}
    )
    return form.to_bytes()

"""The comprehensive analysis report of a leadership team (领导班子综合研判报告, ZJK 14 分析研判):
written from what the quarter recorded — the members and their quarterly reviews, the unit's
score, points and ranking places, the latest annual team grade, the consequences — under the
five headings of the analysis: 政治表现、能力水平、工作实绩、工作作风、班子结构.

Laid out as an official document like the tolerance documents (GB/T 9704 in spirit: A4, 仿宋
三号 body, 黑体 and 楷体 headings, 方正小标宋 title, page numbers). The caller reads the unit
through `restrict(user)` first: this module only writes what the records say."""

import io
from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from cadre.choices import CadreStatus, Education, Gender, UnitKind
from cadre.models import Cadre, Unit
from tolerance.choices import AccountableBody
from tolerance.documents import (
    FONT_BODY,
    FONT_HEADING,
    FONT_LATIN,
    FONT_PAGE_NUMBER,
    FONT_SUBHEADING,
    FONT_TITLE,
    LINE_SPACING,
    SIZE_BODY,
    SIZE_TABLE,
    SIZE_TITLE,
    body_name,
    chinese_date,
)

from .choices import PointsStatus
from .models import Consequence, PointsEntry, QuarterlyReview, TeamAssessment, UnitQuarterScore
from .quarterly import quarter_bounds
from .rankings import ranking_places

_CN_NUMBERS = "一二三四五六七八九十"
# Age bands of the team-structure analysis (班子结构: 年龄结构).
AGE_BANDS = (
    (None, 35, "35岁及以下"),
    (36, 45, "36至45岁"),
    (46, 55, "46至55岁"),
    (56, None, "56岁及以上"),
)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return label
    return AGE_BANDS[-1][2]


# --- the Word layout (the tolerance documents' page and fonts) --------------------------------


def _fonts(run, east_asian, size=SIZE_BODY, bold=None):
    run.font.name = FONT_LATIN
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:ascii"), FONT_LATIN)
    r_fonts.set(qn("w:hAnsi"), FONT_LATIN)
    run.font.size = size
    if bold is not None:
        run.font.bold = bold


def _spacing(paragraph, line=LINE_SPACING):
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = fmt.space_after = Pt(0)


class _Report:
    """An A4 official-document page with the blocks the report needs."""

    def __init__(self):
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT_LATIN
        normal.font.size = SIZE_BODY
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)
        _spacing(normal)
        self._page_numbers(section)

    def _page_numbers(self, section):
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(paragraph.add_run("— "), FONT_PAGE_NUMBER, Pt(14))
        run = paragraph.add_run()
        _fonts(run, FONT_PAGE_NUMBER, Pt(14))
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), tag)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._element.append(element)
        _fonts(paragraph.add_run(" —"), FONT_PAGE_NUMBER, Pt(14))

    def title(self, text):
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(paragraph, Pt(36))
        _fonts(paragraph.add_run(text), FONT_TITLE, SIZE_TITLE)
        self.doc.add_paragraph()

    def heading(self, text):
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _fonts(paragraph.add_run(text), FONT_HEADING)

    def subheading(self, label, text=""):
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _fonts(paragraph.add_run(label), FONT_SUBHEADING)
        if text:
            _fonts(paragraph.add_run(text), FONT_BODY)

    def para(self, text):
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _fonts(paragraph.add_run(text), FONT_BODY)

    def grid(self, header, rows):
        """A table with a header row, in 小四 so that it stays on the page."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, FONT_HEADING)
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                self._cell(cell, text, FONT_BODY)
        return table

    def _cell(self, cell, text, font):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(paragraph, Pt(20))
        _fonts(paragraph.add_run("—" if text in (None, "") else str(text)), font, SIZE_TABLE)

    def signature(self, issuer, on):
        self.doc.add_paragraph()
        for text in (issuer, chinese_date(on)):
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)
            _fonts(paragraph.add_run(text), FONT_BODY)

    def to_bytes(self) -> bytes:
        stream = io.BytesIO()
        self.doc.save(stream)
        return stream.getvalue()


# --- what the report says ---------------------------------------------------------------------


def _numbered(index):
    return _CN_NUMBERS[index] if index < len(_CN_NUMBERS) else str(index + 1)


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def _counts(counter: Counter, order) -> str:
    parts = [f"{label}{counter[key]}人" for key, label in order if counter.get(key)]
    return "、".join(parts) or "—"


class _TeamData:
    """Everything the report prints, read in a fixed number of queries."""

    def __init__(self, unit: Unit, year: int, quarter: int):
        self.unit, self.year, self.quarter = unit, year, quarter
        self.start, self.end = quarter_bounds(year, quarter)
        self.members = list(
            Cadre.objects.filter(unit=unit, status=CadreStatus.ACTIVE)
            .select_related("post_level")
            .order_by("-post_level__order", "name", "pk")
        )
        self.reviews = {
            r.cadre_id: r
            for r in QuarterlyReview.objects.filter(
                cadre__in=[m.pk for m in self.members], year=year, quarter=quarter
            )
        }
        self.score = UnitQuarterScore.objects.filter(unit=unit, year=year, quarter=quarter).first()
        self.points = list(
            PointsEntry.objects.filter(
                unit=unit,
                status=PointsStatus.APPROVED,
                occurred_on__range=(self.start, self.end),
            )
            .select_related("item")
            .order_by("occurred_on", "pk")
        )
        self.places = list(ranking_places(unit, year, quarter))
        self.team_grade = (
            TeamAssessment.objects.filter(unit=unit)
            .exclude(cycle__status="open")
            .select_related("cycle")
            .order_by("-cycle__year")
            .first()
        )
        self.consequences = list(
            Consequence.objects.filter(cadre__unit=unit, year=year)
            .filter(Q(quarter=quarter) | Q(quarter__isnull=True))
            .select_related("cadre")
            .order_by("created_at", "pk")
        )
        areas = Unit.objects.filter(
            pk__in=unit.ancestor_ids, kind__in=[UnitKind.REGION, UnitKind.PARTY_COMMITTEE]
        ).exclude(pk=unit.pk)
        self.area = areas.order_by("-depth").first() or unit

    # the figures the sections quote
    def reviewed(self):
        return [self.reviews[m.pk] for m in self.members if m.pk in self.reviews]

    def points_total(self):
        return sum((e.points for e in self.points), Decimal(0))

    def grade_counts(self):
        return Counter(r.get_grade_display() for r in self.reviewed())


def _members_table(b: _Report, d: _TeamData):
    rows = []
    for member in d.members:
        review = d.reviews.get(member.pk)
        rows.append(
            (
                member.name,
                member.post,
                review.weeks_recorded if review else "",
                review.months_summarised if review else "",
                _number(review.evaluation_score) if review and review.evaluation_score else "",
                _number(review.score) if review else "",
                review.get_grade_display() if review else _("未评"),
            )
        )
    header = (
        _("姓名"),
        _("职务"),
        _("纪实周数"),
        _("小结月数"),
        _("360度评价"),
        _("综合得分"),
        _("总评等次"),
    )
    b.grid(header, rows)


def _political(d: _TeamData) -> str:
    party = sum(1 for m in d.members if m.party_member_since)
    talks = d.consequences
    text = _("班子成员%(n)s人，其中中共党员%(party)s人。") % {
        "n": len(d.members),
        "party": party,
    }
    if d.team_grade is not None:
        text += _("%(year)s年度领导班子考核等次为“%(grade)s”，担当作为情况：%(resp)s") % {
            "year": d.team_grade.cycle.year,
            "grade": d.team_grade.get_grade_display(),
            "resp": d.team_grade.responsibility.strip().rstrip("。") + "。",
        }
    else:
        text += _("尚无已确定的年度领导班子考核等次。")
    if talks:
        text += _("本季度有%(n)s人次被运用考核结果（见“考核结果运用”）。") % {"n": len(talks)}
    else:
        text += _("本季度未发生考核结果运用情形。")
    return text


def _ability(d: _TeamData) -> str:
    scores = [r.evaluation_score for r in d.reviewed() if r.evaluation_score is not None]
    if not scores:
        text = _("本季度班子成员尚无360度评价得分。")
    else:
        average = sum(scores, Decimal(0)) / len(scores)
        text = _("%(n)s名班子成员参加360度评价，平均得分%(avg)s，最高%(high)s，最低%(low)s。") % {
            "n": len(scores),
            "avg": _number(average),
            "high": _number(max(scores)),
            "low": _number(min(scores)),
        }
    educated = Counter(m.education for m in d.members if m.education)
    degree = educated[Education.BACHELOR] + educated[Education.MASTER] + educated[Education.DOCTOR]
    text += _("大学本科及以上学历%(n)s人。") % {"n": degree}
    return text


def _results(d: _TeamData) -> str:
    if d.score is not None:
        text = _("本季度单位综合得分%(score)s，其中考核积分%(points)s。") % {
            "score": _number(d.score.score),
            "points": _number(d.score.points),
        }
    else:
        text = _("本季度单位得分尚未计算（季度总评运行后生成）。")
    added = [e for e in d.points if e.points > 0]
    deducted = [e for e in d.points if e.points < 0]
    text += _("已审核加分%(a)s项、扣分%(d)s项，合计%(total)s分。") % {
        "a": len(added),
        "d": len(deducted),
        "total": _number(d.points_total()),
    }
    for place in d.places:
        subject = place.unit.name if place.unit_id else place.cadre.name
        mark = ""
        if place.is_top:
            mark = _("（前%(n)s名）") % {"n": place.group.top_n}
        elif place.is_bottom:
            mark = _("（后%(n)s名）") % {"n": place.group.bottom_n}
        text += _("在“%(group)s”中，%(subject)s排第%(rank)s名（共%(size)s）%(mark)s。") % {
            "group": place.group.name,
            "subject": subject,
            "rank": place.rank,
            "size": place.size,
            "mark": mark,
        }
    return text


def _style(d: _TeamData) -> str:
    reviewed = d.reviewed()
    if not reviewed:
        return _("本季度尚无季度总评结果。")
    weeks = sum(r.weeks_recorded for r in reviewed)
    months = sum(r.months_summarised for r in reviewed)
    grades = d.grade_counts()
    return _(
        "%(n)s名班子成员本季度共记录每周纪实%(weeks)s周次、月度小结%(months)s月次；季度总评等次："
        "%(grades)s。"
    ) % {
        "n": len(reviewed),
        "weeks": weeks,
        "months": months,
        "grades": "、".join(f"{label}{count}人" for label, count in grades.items()) or "—",
    }


def _structure(d: _TeamData) -> str:
    ages = [age_on(m.birth_date, d.end) for m in d.members]
    bands = Counter(age_band(a) for a in ages)
    genders = Counter(m.gender for m in d.members)
    education = Counter(m.education or "" for m in d.members)
    if not d.members:
        return _("班子暂无在职成员。")
    average = Decimal(sum(ages)) / len(ages)
    return _(
        "班子成员%(n)s人，平均年龄%(avg)s岁。年龄结构：%(bands)s。性别结构：%(genders)s。"
        "学历结构：%(education)s。"
    ) % {
        "n": len(d.members),
        "avg": average.quantize(Decimal("0.1")),
        "bands": _counts(bands, [(label, label) for _l, _h, label in AGE_BANDS]),
        "genders": _counts(genders, Gender.choices),
        "education": _counts(education, [*Education.choices, ("", _("未填写"))]),
    }


def structure_counts(members, on: date) -> dict[str, Counter]:
    """Counts by age band, gender and education of `members` (班子结构), for pages and tests."""
    return {
        "age": Counter(age_band(age_on(m.birth_date, on)) for m in members),
        "gender": Counter(m.get_gender_display() for m in members),
        "education": Counter(m.get_education_display() or _("未填写") for m in members),
    }


def team_analysis_report(unit: Unit, year: int, quarter: int) -> tuple[str, bytes]:
    """The team's 综合研判报告 of the quarter: (file name, .docx bytes)."""
    d = _TeamData(unit, year, quarter)
    b = _Report()
    b.title(
        _("%(unit)s领导班子%(year)s年第%(q)s季度综合研判报告")
        % {"unit": unit.name, "year": year, "q": quarter}
    )
    b.para(
        _(
            "根据平时考核和分析研判有关规定，结合%(year)s年第%(q)s季度每周纪实、月度小结、"
            "季度总评、考核积分、360度评价和综合评价排名情况，现对%(unit)s领导班子及其成员"
            "综合研判如下。"
        )
        % {"year": year, "q": quarter, "unit": unit.name}
    )
    headings = (f"{_numbered(i)}、" for i in range(10))
    b.heading(next(headings) + _("班子成员及季度总评"))
    if d.members:
        _members_table(b, d)
    else:
        b.para(_("班子暂无在职成员。"))
    b.heading(next(headings) + _("综合研判"))
    sections = [
        (_("政治表现"), _political(d)),
        (_("能力水平"), _ability(d)),
        (_("工作实绩"), _results(d)),
        (_("工作作风"), _style(d)),
        (_("班子结构"), _structure(d)),
    ]
    for index, (label, text) in enumerate(sections):
        b.subheading(f"（{_numbered(index)}）{label}。", text)
    b.heading(next(headings) + _("考核积分明细"))
    if d.points:
        b.grid(
            (_("日期"), _("积分项目"), _("计分")),
            [(e.occurred_on.isoformat(), e.item.label, f"{e.points:+}") for e in d.points],
        )
    else:
        b.para(_("本季度无已审核的考核积分。"))
    b.heading(next(headings) + _("考核结果运用"))
    if d.consequences:
        b.grid(
            (_("姓名"), _("原因"), _("处理措施"), _("情况说明")),
            [
                (c.cadre.name, c.get_cause_display(), c.get_kind_display(), c.detail)
                for c in d.consequences
            ],
        )
    else:
        b.para(_("本季度无。"))
    b.signature(body_name(d.area, AccountableBody.ORGANISATION), timezone.localdate())
    filename = _("%(unit)s领导班子%(year)s年第%(q)s季度综合研判报告.docx") % {
        "unit": unit.name,
        "year": year,
        "q": quarter,
    }
    return filename, b.to_bytes()

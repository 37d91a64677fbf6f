"""The Word documents of a tolerance case and of a clearing matter, laid out as official
documents (党政机关公文格式, GB/T 9704 in spirit): A4, 37/35/28/26 mm margins, the issuing
body in red above a red rule, the document number, a 方正小标宋 title, 三号 仿宋 body with a
two-character indent, 黑体 level-1 headings, and the signature block with the date.

`case_document(case, kind)` and `clearing_document(clearing, kind)` return (filename, bytes);
a kind the file's state does not allow yet raises ValidationError. The caller reads the file
through `restrict(user)` first: this module only writes what the file records.
"""

import io
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from cadre.choices import Role, UnitKind
from cadre.exports import attachment_header

from .choices import (
    CLEARED_CONCLUSIONS,
    TOLERATED_OUTCOMES,
    AccountableBody,
    Answer,
    CaseStatus,
    ClearingConclusion,
    ClearingStatus,
    Outcome,
)
from .models import Case, ChecklistAnswer, ClearingMatter

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Fonts of GB/T 9704: 方正小标宋 for the title and the issuing body, 仿宋 for the body, 黑体
# for level-1 headings, 楷体 for level-2 headings; Latin text in Times New Roman.
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING = "黑体"
FONT_SUBHEADING = "楷体_GB2312"
FONT_LATIN = "Times New Roman"
FONT_PAGE_NUMBER = "宋体"
SIZE_BODY = Pt(16)  # 三号
SIZE_TITLE = Pt(22)  # 二号
SIZE_MASTHEAD = Pt(36)  # 发文机关标志, in red
SIZE_TABLE = Pt(12)  # 小四, so a filing form stays on a few pages
LINE_SPACING = Pt(29)  # 22 lines to the 225 mm type area
RED = RGBColor(0xC0, 0x00, 0x00)

# States in which the preliminary opinion exists; those in which the decision exists.
_DECIDED_STATES = (
    CaseStatus.DECIDED,
    CaseStatus.FEEDBACK_SENT,
    CaseStatus.FILED_UPWARD,
    CaseStatus.PUBLISHED,
    CaseStatus.CORRECTING,
    CaseStatus.FOLLOW_UP,
    CaseStatus.CLOSED,
)
_PRELIMINARY_STATES = (CaseStatus.PRELIMINARY, *_DECIDED_STATES)


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    states: tuple
    unavailable: str  # why it cannot be generated yet
    needs: str = ""  # the field the document prints, set once the state is reached


CASE_DOCUMENTS = {
    k.code: k
    for k in (
        DocumentKind(
            "preliminary_opinion",
            gettext_lazy("容错认定初步意见"),
            _PRELIMINARY_STATES,
            gettext_lazy("案件提出初步意见后才能生成初步意见"),
            "proposed_outcome",
        ),
        DocumentKind(
            "decision",
            gettext_lazy("容错认定决定书"),
            _DECIDED_STATES,
            gettext_lazy("党委（党组）认定后才能生成认定决定书"),
            "outcome",
        ),
        DocumentKind(
            "feedback_letter",
            gettext_lazy("容错认定书面反馈函"),
            _DECIDED_STATES,
            gettext_lazy("党委（党组）认定后才能生成书面反馈函"),
            "outcome",
        ),
        DocumentKind(
            "filing_form",
            gettext_lazy("容错纠错情况备案表"),
            _DECIDED_STATES,
            gettext_lazy("党委（党组）认定后才能生成备案表"),
            "outcome",
        ),
    )
}

CLEARING_DOCUMENTS = {
    k.code: k
    for k in (
        DocumentKind(
            "clarification_letter",
            gettext_lazy("澄清正名函"),
            (
                ClearingStatus.CONCLUDED,
                ClearingStatus.CLARIFIED,
                ClearingStatus.FOLLOW_UP,
                ClearingStatus.CLOSED,
            ),
            gettext_lazy("核查认定反映不实或诬告陷害后才能生成澄清正名函"),
            "conclusion",
        ),
    )
}

# Short marks of the document numbers (发文字号 机关代字).
_NUMBER_MARKS = {
    "preliminary_opinion": "容初",
    "decision": "容认",
    "feedback_letter": "容函",
    "filing_form": "容备",
    "clarification_letter": "澄函",
}


# --- availability -----------------------------------------------------------------------------


def case_document_available(case: Case, kind: str) -> bool:
    spec = CASE_DOCUMENTS.get(kind)
    if spec is None or case.status not in spec.states:
        return False
    return bool(getattr(case, spec.needs))


def available_case_documents(case: Case) -> list[DocumentKind]:
    """The documents the case's state allows (feeds the download links of the case page)."""
    return [spec for code, spec in CASE_DOCUMENTS.items() if case_document_available(case, code)]


def clearing_document_available(clearing: ClearingMatter, kind: str) -> bool:
    spec = CLEARING_DOCUMENTS.get(kind)
    return (
        spec is not None
        and clearing.status in spec.states
        and clearing.conclusion in CLEARED_CONCLUSIONS
    )


def available_clearing_documents(clearing: ClearingMatter) -> list[DocumentKind]:
    return [
        spec
        for code, spec in CLEARING_DOCUMENTS.items()
        if clearing_document_available(clearing, code)
    ]


def _check_kind(table, kind, available):
    spec = table.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("未知的文书类别：%(kind)s") % {"kind": kind}})
    if not available:
        raise ValidationError({"kind": str(spec.unavailable)})
    return spec


# --- entry points -----------------------------------------------------------------------------


def case_document(case: Case, kind: str) -> tuple[str, bytes]:
    """The Word document `kind` of `case`: (file name, .docx bytes)."""
    spec = _check_kind(CASE_DOCUMENTS, kind, case_document_available(case, kind))
    data = _CaseData(case)
    builder = _Builder()
    _CASE_WRITERS[kind](builder, data, kind)
    return f"{spec.label}-{case.number}.docx", builder.to_bytes()


def clearing_document(clearing: ClearingMatter, kind: str) -> tuple[str, bytes]:
    """The Word document `kind` of a clearing matter: (file name, .docx bytes)."""
    spec = _check_kind(CLEARING_DOCUMENTS, kind, clearing_document_available(clearing, kind))
    builder = _Builder()
    _clarification_letter(builder, clearing, kind)
    return f"{spec.label}-{clearing.number}.docx", builder.to_bytes()


def docx_response(filename: str, content: bytes) -> HttpResponse:
    """A download of a generated document, with an ASCII fallback name."""
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    fallback = re.sub(r"[^A-Za-z0-9.-]+", "", filename).lstrip("-.") or "document.docx"
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


# --- wording helpers --------------------------------------------------------------------------


def chinese_date(value: date | None) -> str:
    """2026年11月23日: how GB/T 9704-2012 writes the date of a document."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def document_number(file_number: str, kind: str, unit_name: str, fallback_year: int) -> str:
    """甲县容认〔2026〕12号 from the file number RC2026-00012: the year and serial of the file."""
    match = re.match(r"^[A-Z]*(\d{4})-0*(\d+)$", file_number or "")
    year, serial = (match.group(1), match.group(2)) if match else (fallback_year, file_number)
    return f"{unit_name}{_NUMBER_MARKS[kind]}〔{year}〕{serial}号"


_COMMITTEE_KINDS = {
    UnitKind.REGION,
    UnitKind.PARTY_COMMITTEE,
    UnitKind.TOWNSHIP,
    UnitKind.STREET,
}


def committee_name(unit) -> str:
    """The party committee (党委) of an area, or the party group (党组) of a department."""
    if unit.kind in _COMMITTEE_KINDS:
        return _("中共%(unit)s委员会") % {"unit": unit.name}
    return _("中共%(unit)s党组") % {"unit": unit.name}


def body_name(unit, body: str) -> str:
    """The name of the discipline body, the organisation department or the functional
    department at `unit`."""
    area = unit.kind in _COMMITTEE_KINDS
    if body == AccountableBody.DISCIPLINE:
        if area:
            return _("中共%(unit)s纪律检查委员会") % {"unit": unit.name}
        return _("%(unit)s纪检监察机构") % {"unit": unit.name}
    if body == AccountableBody.ORGANISATION:
        if area:
            return _("中共%(unit)s委员会组织部") % {"unit": unit.name}
        return _("%(unit)s组织人事部门") % {"unit": unit.name}
    return unit.name


def _body_of_user(user) -> str:
    roles = set(getattr(user, "roles", None) or [])
    if Role.DISCIPLINE in roles:
        return AccountableBody.DISCIPLINE
    return AccountableBody.ORGANISATION


def _outcome_phrase(outcome: str) -> str:
    return {
        Outcome.EXEMPT: _("予以容错，免于问责"),
        Outcome.LIGHTER: _("予以容错，从轻处理"),
        Outcome.MITIGATED: _("予以容错，减轻处理"),
        Outcome.NOT_TOLERATED: _("不予容错"),
    }.get(outcome, "")


def _sentence(text, default="—"):
    """The text as a sentence: a full stop added when the writer left it out."""
    text = str(text or "").strip()
    if not text:
        return default
    return text if text[-1] in "。！？；：.!?;:）)”" else f"{text}。"


def _join(items, sep="、"):
    return sep.join(str(i) for i in items if i)


class _CaseData:
    """Everything the case documents print, read in a fixed number of queries."""

    def __init__(self, case: Case):
        case = (
            Case.objects.select_related(
                "handling_unit",
                "handling_unit__parent",
                "party_org",
                "matter",
                "proposed_by",
                "created_by",
                "distinctions_list",
                "conditions_list",
                "situations_list",
                "exclusions_list",
                "severity_list",
                "severity",
            )
            .prefetch_related("cadres__unit")
            .get(pk=case.pk)
        )
        self.case = case
        self.unit = case.handling_unit
        self.cadres = sorted(case.cadres.all(), key=lambda c: (c.unit.path, c.name))
        answers = (
            ChecklistAnswer.objects.filter(case=case)
            .select_related("item")
            .order_by("item__order", "item__code")
        )
        self.answers = {}
        for row in answers:
            self.answers.setdefault(row.item.policy_list_id, []).append(row)
        # The accountability body: the one of the matter, else the one that filed the case.
        if case.matter_id:
            self.body = case.matter.accountable_body
        else:
            self.body = _body_of_user(case.created_by)
        self.body_name = body_name(self.unit, self.body)
        self.committee = committee_name(self.unit)

    # who the case concerns
    def subjects(self) -> list[str]:
        names = [
            _("%(name)s（%(unit)s%(post)s）")
            % {"name": c.name, "unit": c.unit.name, "post": c.post}
            for c in self.cadres
        ]
        if self.case.party_org_id:
            names.append(_("%(unit)s党组织") % {"unit": self.case.party_org.name})
        return names

    def subject_names(self) -> str:
        names = [c.name for c in self.cadres]
        if self.case.party_org_id:
            names.append(_("%(unit)s党组织") % {"unit": self.case.party_org.name})
        return _join(names)

    def subject_units(self) -> list[str]:
        units = []
        for c in self.cadres:
            if c.unit.name not in units:
                units.append(c.unit.name)
        if self.case.party_org_id and self.case.party_org.name not in units:
            units.append(self.case.party_org.name)
        return units

    # the checklists
    def rows(self, policy_list_id, answer=None):
        rows = self.answers.get(policy_list_id, [])
        return [r for r in rows if answer is None or r.answer == answer]

    def coded(self, policy_list_id, answer=Answer.YES) -> list[str]:
        return [f"{r.item.code} {r.item.label}" for r in self.rows(policy_list_id, answer)]

    def situations(self):
        return self.coded(self.case.situations_list_id)

    def conditions(self):
        return self.coded(self.case.conditions_list_id)

    def exclusions(self):
        return self.coded(self.case.exclusions_list_id)

    def distinctions(self):
        return self.rows(self.case.distinctions_list_id)

    def policy_versions(self) -> list[str]:
        case = self.case
        lists = [
            case.distinctions_list,
            case.conditions_list,
            case.situations_list,
            case.exclusions_list,
            case.severity_list,
        ]
        return [
            _("%(title)s（第%(version)s版%(source)s）")
            % {
                "title": pl.title,
                "version": pl.version,
                "source": f"，{pl.source}" if pl.source else "",
            }
            for pl in lists
        ]

    def weighing(self):
        case = self.case
        return [
            (_("动机态度"), case.motive_attitude),
            (_("客观条件"), case.objective_conditions),
            (_("性质程度"), case.nature_degree),
            (_("后果影响"), case.consequences),
            (_("挽回损失情况"), case.losses_recovered),
        ]

    def filing_recipients(self) -> str:
        """Recorded at filing; before that, the bodies one level up (ZJK art. 10)."""
        if self.case.filing_recipients:
            return self.case.filing_recipients
        parent = self.unit.parent
        if parent is None:
            return _("上级纪检监察机关、组织部门和问责部门")
        return _join(
            [
                body_name(parent, AccountableBody.DISCIPLINE),
                body_name(parent, AccountableBody.ORGANISATION),
                _("上级问责部门"),
            ]
        )

    def number(self, kind):
        year = (self.case.decided_on or timezone.localdate()).year
        return document_number(self.case.number, kind, self.unit.name, year)


# --- the Word layout --------------------------------------------------------------------------


def _set_fonts(run, east_asian, size=None, bold=None, color=None, latin=FONT_LATIN):
    run.font.name = latin
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:ascii"), latin)
    r_fonts.set(qn("w:hAnsi"), latin)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _exact_spacing(paragraph, line=LINE_SPACING, before=0, after=0):
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)


class _Builder:
    """A document with the GB/T 9704 page, styles and blocks."""

    def __init__(self):
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(28) - Mm(7)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT_LATIN
        normal.font.size = SIZE_BODY
        r_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        r_fonts.set(qn("w:eastAsia"), FONT_BODY)
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = LINE_SPACING
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(0)
        self._page_numbers(section)

    def _page_numbers(self, section):
        """— 1 — centred in the footer, 4号 宋体 (GB/T 9704 7.5)."""
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_fonts(paragraph.add_run("— "), FONT_PAGE_NUMBER, Pt(14))
        run = paragraph.add_run()
        _set_fonts(run, FONT_PAGE_NUMBER, Pt(14))
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), tag)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._element.append(element)
        _set_fonts(paragraph.add_run(" —"), FONT_PAGE_NUMBER, Pt(14))

    # 版头: issuing body, document number, red rule
    def masthead(self, issuer: str, number: str):
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_spacing(paragraph, line=Pt(48), after=12)
        _set_fonts(paragraph.add_run(issuer), FONT_TITLE, SIZE_MASTHEAD, color=RED)
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_spacing(paragraph, after=4)
        _set_fonts(paragraph.add_run(number), FONT_BODY, SIZE_BODY)
        self._red_rule(paragraph)
        self.blank()

    def _red_rule(self, paragraph):
        p_pr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", "C00000")):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        p_pr.append(borders)

    def blank(self):
        self.doc.add_paragraph()

    def title(self, text: str):
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_spacing(paragraph, line=Pt(36))
        _set_fonts(paragraph.add_run(text), FONT_TITLE, SIZE_TITLE)
        self.blank()

    def addressee(self, text: str):
        paragraph = self.doc.add_paragraph()
        _set_fonts(paragraph.add_run(f"{text}："), FONT_BODY, SIZE_BODY)

    def heading(self, text: str):
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _set_fonts(paragraph.add_run(text), FONT_HEADING, SIZE_BODY)

    def subheading(self, label: str, text: str = ""):
        """（一）动机态度。followed by the text in body font, in one paragraph."""
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _set_fonts(paragraph.add_run(label), FONT_SUBHEADING, SIZE_BODY)
        if text:
            _set_fonts(paragraph.add_run(text), FONT_BODY, SIZE_BODY)

    def para(self, text: str):
        for line in str(text or "").splitlines() or [""]:
            line = line.strip()
            if not line:
                continue
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)
            _set_fonts(paragraph.add_run(line), FONT_BODY, SIZE_BODY)

    def signature(self, issuer: str, on: date | None):
        """The issuing body and the date, right-aligned four characters from the margin."""
        self.blank()
        for text in (issuer, chinese_date(on)):
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)
            _set_fonts(paragraph.add_run(text), FONT_BODY, SIZE_BODY)

    def table(self, rows: list[tuple[str, str]]):
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = (Mm(38), Mm(118))
        for label, value in rows:
            cells = table.add_row().cells
            for cell, text, font, width in zip(
                cells, (label, value), (FONT_HEADING, FONT_BODY), widths, strict=True
            ):
                cell.width = width
                lines = str(text or "—").splitlines() or ["—"]
                cell.paragraphs[0].text = ""
                for index, line in enumerate(lines):
                    paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                    _exact_spacing(paragraph, line=Pt(20))
                    _set_fonts(paragraph.add_run(line), font, SIZE_TABLE)
        return table

    def to_bytes(self) -> bytes:
        stream = io.BytesIO()
        self.doc.save(stream)
        return stream.getvalue()


# --- the case documents -----------------------------------------------------------------------

_CN_NUMBERS = "一二三四五六七八九十"


def _numbered(index: int) -> str:
    return _CN_NUMBERS[index] if index < len(_CN_NUMBERS) else str(index + 1)


def _basic_facts(b: _Builder, d: _CaseData, headings):
    case = d.case
    b.heading(next(headings) + _("基本情况"))
    b.para(
        _(
            "案件编号：%(number)s。案件名称：%(title)s。启动方式：%(origin)s。失误发生日期：%(day)s。"
        )
        % {
            "number": case.number,
            "title": case.title,
            "origin": case.get_origin_display(),
            "day": chinese_date(case.occurred_on),
        }
    )
    b.para(_("涉及对象：%(subjects)s。") % {"subjects": _join(d.subjects()) or "—"})
    b.heading(next(headings) + _("失误错误事实"))
    b.para(case.facts)


def _checklist_findings(b: _Builder, d: _CaseData, headings):
    b.heading(next(headings) + _("“三个区分开来”研判"))
    distinctions = d.distinctions()
    if not distinctions:
        b.para(_("未作研判。"))
    for index, row in enumerate(distinctions):
        side = _("符合") if row.answer == Answer.YES else _("不符合")
        b.subheading(
            f"（{_numbered(index)}）{row.item.label}。",
            _("研判结论：%(side)s。事实与依据：%(evidence)s")
            % {"side": side, "evidence": _sentence(row.evidence)},
        )
    b.heading(next(headings) + _("容错条件、情形和不予容错情形"))
    b.para(_("符合的容错条件：%(items)s。") % {"items": _join(d.conditions(), "；") or _("无")})
    b.para(_("符合的容错情形：%(items)s。") % {"items": _join(d.situations(), "；") or _("无")})
    exclusions = d.exclusions()
    if exclusions:
        b.para(_("存在不予容错情形：%(items)s。") % {"items": _join(exclusions, "；")})
    else:
        b.para(_("经核查，未发现不予容错情形。"))
    if d.case.severity_id:
        b.para(_("情节与后果程度：%(level)s。") % {"level": d.case.severity.label})


def _policy_versions(b: _Builder, d: _CaseData):
    b.para(_("本案适用清单：%(lists)s。") % {"lists": _join(d.policy_versions(), "；")})


def _preliminary_opinion(b: _Builder, d: _CaseData, kind):
    case = d.case
    issuer = (
        body_name(d.unit, _body_of_user(case.proposed_by)) if case.proposed_by_id else d.body_name
    )
    b.masthead(issuer, d.number(kind))
    b.title(_("关于%(title)s容错认定的初步意见") % {"title": case.title})
    b.addressee(d.committee)
    b.para(
        _(
            "根据容错纠错有关规定，我们对%(subjects)s在%(title)s中出现的失误错误是否予以容错"
            "进行了调查核实，听取了有关单位和个人的意见，现将初步意见报告如下。"
        )
        % {"subjects": d.subject_names() or _("有关对象"), "title": case.title}
    )
    headings = (f"{_numbered(i)}、" for i in range(20))
    _basic_facts(b, d, headings)
    _checklist_findings(b, d, headings)
    b.heading(next(headings) + _("综合分析"))
    for index, (label, text) in enumerate(d.weighing()):
        b.subheading(f"（{_numbered(index)}）{label}。", _sentence(text, _("未作说明。")))
    b.heading(next(headings) + _("初步认定意见"))
    b.para(
        _("建议%(phrase)s（%(outcome)s）。理由：%(reasons)s")
        % {
            "phrase": _outcome_phrase(case.proposed_outcome),
            "outcome": case.get_proposed_outcome_display(),
            "reasons": _sentence(case.proposal_reasons),
        }
    )
    _policy_versions(b, d)
    b.para(_("以上意见，请予审定。"))
    b.signature(issuer, timezone.localdate(case.proposed_at) if case.proposed_at else None)


def _decision(b: _Builder, d: _CaseData, kind):
    case = d.case
    b.masthead(d.committee, d.number(kind))
    b.title(_("关于%(title)s容错认定的决定") % {"title": case.title})
    b.addressee(_join(d.subject_units() + [d.body_name]))
    meeting = case.decision_meeting or _("党委（党组）会议")
    b.para(
        _(
            "%(day)s，%(meeting)s对%(subjects)s在%(title)s中出现的失误错误是否予以容错进行了"
            "研究认定。现将认定意见决定如下。"
        )
        % {
            "day": chinese_date(case.decided_on),
            "meeting": meeting,
            "subjects": d.subject_names() or _("有关对象"),
            "title": case.title,
        }
    )
    headings = (f"{_numbered(i)}、" for i in range(20))
    _basic_facts(b, d, headings)
    _checklist_findings(b, d, headings)
    b.heading(next(headings) + _("认定意见"))
    b.para(
        _("认定结论：%(outcome)s。对%(subjects)s%(phrase)s。")
        % {
            "outcome": case.get_outcome_display(),
            "subjects": d.subject_names() or _("有关对象"),
            "phrase": _outcome_phrase(case.outcome),
        }
    )
    b.para(
        _("认定理由：%(reasons)s")
        % {"reasons": _sentence(case.decision_reasons, _("同初步意见。"))}
    )
    b.para(
        _("认定会议：%(meeting)s；认定日期：%(day)s。")
        % {"meeting": meeting, "day": chinese_date(case.decided_on)}
    )
    _policy_versions(b, d)
    b.para(
        _("请%(body)s按规定向有关单位和个人书面反馈认定结果，并报上级有关部门备案。")
        % {"body": d.body_name}
    )
    b.signature(d.committee, case.decided_on)


def _feedback_letter(b: _Builder, d: _CaseData, kind):
    """ZJK art. 10: the accountability body tells the unit or the cadre the result in writing."""
    case = d.case
    b.masthead(d.body_name, d.number(kind))
    b.title(_("关于%(title)s容错认定结果的反馈函") % {"title": case.title})
    b.addressee(case.feedback_to or _join(d.subject_units()) or d.subject_names())
    b.para(
        _(
            "%(subjects)s在%(title)s（案件编号%(number)s）中出现的失误错误，经调查核实，"
            "%(committee)s于%(day)s研究认定，现将认定结果反馈如下。"
        )
        % {
            "subjects": _join(d.subjects()) or _("有关对象"),
            "title": case.title,
            "number": case.number,
            "committee": d.committee,
            "day": chinese_date(case.decided_on),
        }
    )
    headings = (f"{_numbered(i)}、" for i in range(20))
    b.heading(next(headings) + _("认定结论"))
    b.para(
        _("认定结论：%(outcome)s，%(phrase)s。")
        % {"outcome": case.get_outcome_display(), "phrase": _outcome_phrase(case.outcome)}
    )
    b.heading(next(headings) + _("认定理由"))
    situations = d.situations()
    if situations:
        b.para(_("符合的容错情形：%(items)s。") % {"items": _join(situations, "；")})
    b.para(_sentence(case.decision_reasons or case.proposal_reasons, _("同初步意见。")))
    b.heading(next(headings) + _("有关事项"))
    if case.outcome == Outcome.EXEMPT:
        b.para(
            _(
                "对免责的干部，在考核评价、选拔任用、评先评优等方面客观公正对待，不因本次失误"
                "错误受到影响。"
            )
        )
    elif case.outcome in TOLERATED_OUTCOMES:
        b.para(_("有关问责处理按认定结论从轻或减轻作出。"))
    b.para(
        _("请结合认定结论，认真分析原因，落实整改措施。如对认定结果有异议，可按有关规定提出申诉。")
    )
    b.para(_("特此函告。"))
    b.signature(d.body_name, case.feedback_sent_on or timezone.localdate())


def _filing_form(b: _Builder, d: _CaseData, kind):
    """ZJK art. 10: filed with the discipline body, organisation department and accountability
    department one level up."""
    case = d.case
    b.masthead(d.body_name, d.number(kind))
    b.title(_("容错纠错情况备案表"))
    b.addressee(d.filing_recipients())
    distinctions = [
        _("%(code)s %(side)s：%(evidence)s")
        % {
            "code": r.item.code,
            "side": _("符合") if r.answer == Answer.YES else _("不符合"),
            "evidence": r.evidence or "—",
        }
        for r in d.distinctions()
    ]
    suggestion = case.suggestion or {}
    suggested = suggestion.get("proposed_outcome") or ""
    suggested_label = Outcome(suggested).label if suggested in Outcome.values else "—"
    b.table(
        [
            (_("案件编号"), case.number),
            (_("案件名称"), case.title),
            (_("办理单位"), d.unit.name),
            (_("启动方式"), case.get_origin_display()),
            (_("涉及干部（单位、职务）"), "\n".join(d.subjects())),
            (_("失误错误事实"), case.facts),
            (_("三个区分开来"), "\n".join(distinctions)),
            (_("符合的容错情形"), "\n".join(d.situations()) or _("无")),
            (_("符合的容错条件"), "\n".join(d.conditions()) or _("无")),
            (_("不予容错情形"), "\n".join(d.exclusions()) or _("无")),
            (
                _("初步认定意见"),
                _("%(outcome)s。%(reasons)s")
                % {
                    "outcome": case.get_proposed_outcome_display() or "—",
                    "reasons": case.proposal_reasons,
                },
            ),
            (
                _("系统研判建议"),
                _("%(outcome)s%(departs)s")
                % {
                    "outcome": suggested_label,
                    "departs": _("（认定结论与建议不一致）")
                    if case.departs_from_suggestion
                    else "",
                },
            ),
            (
                _("党委（党组）认定结论及理由"),
                _("%(outcome)s。%(reasons)s\n认定会议：%(meeting)s；认定日期：%(day)s")
                % {
                    "outcome": case.get_outcome_display(),
                    "reasons": case.decision_reasons,
                    "meeting": case.decision_meeting or "—",
                    "day": chinese_date(case.decided_on),
                },
            ),
            (
                _("书面反馈"),
                _("%(to)s，%(day)s")
                % {"to": case.feedback_to, "day": chinese_date(case.feedback_sent_on)}
                if case.feedback_sent_on
                else _("尚未反馈"),
            ),
            (_("报备机关"), d.filing_recipients()),
            (_("适用清单版本"), "\n".join(d.policy_versions())),
        ]
    )
    b.signature(d.body_name, case.filed_upward_on or timezone.localdate())


_CASE_WRITERS = {
    "preliminary_opinion": _preliminary_opinion,
    "decision": _decision,
    "feedback_letter": _feedback_letter,
    "filing_form": _filing_form,
}


# --- the clearing letter ----------------------------------------------------------------------


def _clarification_letter(b: _Builder, clearing: ClearingMatter, kind):
    """澄清正名函: the conclusion sent to the subject's unit. The accuser is never named."""
    clearing = (
        ClearingMatter.objects.select_related("handling_unit", "party_org")
        .prefetch_related("cadres__unit")
        .get(pk=clearing.pk)
    )
    unit = clearing.handling_unit
    issuer = body_name(unit, AccountableBody.DISCIPLINE)
    cadres = sorted(clearing.cadres.all(), key=lambda c: (c.unit.path, c.name))
    subjects = [
        _("%(name)s（%(unit)s%(post)s）") % {"name": c.name, "unit": c.unit.name, "post": c.post}
        for c in cadres
    ]
    units = []
    for c in cadres:
        if c.unit.name not in units:
            units.append(c.unit.name)
    if clearing.party_org_id:
        subjects.append(_("%(unit)s党组织") % {"unit": clearing.party_org.name})
        if clearing.party_org.name not in units:
            units.append(clearing.party_org.name)
    year = (clearing.concluded_on or timezone.localdate()).year
    b.masthead(issuer, document_number(clearing.number, kind, unit.name, year))
    b.title(
        _("关于为%(subjects)s澄清正名的函")
        % {"subjects": _join(c.name for c in cadres) or _join(subjects)}
    )
    b.addressee(_join(units))
    b.para(
        _(
            "%(day)s，我委受理了反映%(subjects)s有关问题的线索（编号%(number)s），"
            "经认真核查，现将核查结论函告如下。"
        )
        % {
            "day": chinese_date(clearing.received_on),
            "subjects": _join(subjects),
            "number": clearing.number,
        }
    )
    headings = (f"{_numbered(i)}、" for i in range(10))
    b.heading(next(headings) + _("反映的主要问题"))
    b.para(clearing.allegation)
    b.heading(next(headings) + _("核查结论"))
    b.para(
        _("核查结论：%(conclusion)s。%(reasons)s")
        % {
            "conclusion": clearing.get_conclusion_display(),
            "reasons": _sentence(clearing.conclusion_reasons, ""),
        }
    )
    if clearing.conclusion == ClearingConclusion.FALSE_ACCUSATION:
        b.para(_("对诬告陷害行为，已依规依纪依法移送有关机关查处。"))
    b.heading(next(headings) + _("澄清正名"))
    b.para(
        _(
            "经核查，反映%(subjects)s的问题不实，予以澄清正名。请在一定范围内说明情况，消除"
            "不良影响，支持其放下包袱、担当作为。"
        )
        % {"subjects": _join(subjects)}
    )
    b.para(_("特此函告。"))
    b.signature(issuer, clearing.concluded_on)

"""The Word documents of a tolerance case (preliminary opinion, decision, written feedback,
filing form; ZJK art. 9-10) and the clarification letter of a clearing matter: what they say,
when they may be generated, and the official-document layout (GB/T 9704)."""

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services
from tolerance.documents import (
    CASE_DOCUMENTS,
    available_case_documents,
    case_document,
    clearing_document,
    docx_response,
)
from tolerance.workflow import clearing_transition

pytestmark = pytest.mark.django_db

S2_LABEL = "在全面深化改革、扩大对外开放、推进体制机制创新中"


def _open(content: bytes):
    return Document(io.BytesIO(content))


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _mm(*lengths):
    return tuple(round(length.mm, 1) for length in lengths)


def _east_asian(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture
def preliminary(staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="开发区审批改革")
    to_preliminary(staff, case)
    return case


@pytest.fixture
def decided(staff, preliminary):
    move(
        staff.committee,
        preliminary,
        "decide",
        outcome="exempt",
        decision_reasons="先行先试、出于公心，已积极挽回损失",
        decision_meeting="县委常委会2026年第9次会议",
    )
    return preliminary


def test_decision_states_outcome_reasons_case_number_subject_and_situation(decided):
    filename, content = case_document(decided, "decision")

    text = _text(_open(content))
    assert filename == f"容错认定决定书-{decided.number}.docx"
    assert "认定结论：免责" in text
    assert "先行先试、出于公心，已积极挽回损失" in text
    assert "县委常委会2026年第9次会议" in text
    assert decided.number in text
    assert "张三" in text
    assert "S2 " + S2_LABEL in text
    assert "中共甲县委员会" in text  # the committee decides and signs


def test_decision_records_the_policy_list_versions_used(decided):
    text = _text(_open(case_document(decided, "decision")[1]))

    assert "予以容错的具体情形（第1版" in text
    assert "不予容错的具体情形（第1版" in text


def test_preliminary_opinion_weighs_the_five_aspects_and_the_distinctions(preliminary):
    filename, content = case_document(preliminary, "preliminary_opinion")

    text = _text(_open(content))
    assert filename == f"容错认定初步意见-{preliminary.number}.docx"
    for aspect in ("动机态度", "客观条件", "性质程度", "后果影响", "挽回损失情况"):
        assert aspect in text
    assert "出于公心" in text  # motive_attitude given with the opinion
    assert "D1 的事实依据" in text  # evidence of the first distinction
    assert "建议予以容错，免于问责（免责）" in text
    assert "符合容错条件和情形" in text  # the proposal's reasons
    assert "经核查，未发现不予容错情形。" in text
    assert "中共甲县纪律检查委员会" in text  # proposed by the discipline inspector


def test_feedback_letter_is_addressed_to_the_recorded_recipient(staff, decided):
    move(staff.inspector, decided, "send_feedback", feedback_to="甲县一镇党委、张三同志")

    filename, content = case_document(decided, "feedback_letter")

    text = _text(_open(content))
    assert filename == f"容错认定书面反馈函-{decided.number}.docx"
    assert "甲县一镇党委、张三同志：" in text
    assert "认定结论：免责" in text
    assert "先行先试、出于公心，已积极挽回损失" in text
    assert "张三（甲县一镇镇长）" in text
    assert "客观公正对待" in text  # what exemption means for the cadre


def test_filing_form_table_holds_the_case_for_the_upper_level(
    staff, decided, django_assert_max_num_queries
):
    move(staff.inspector, decided, "send_feedback", feedback_to="甲县一镇党委")
    move(staff.inspector, decided, "file_upward", filing_recipients="某市纪委监委、某市委组织部")

    with django_assert_max_num_queries(8):
        filename, content = case_document(decided, "filing_form")

    document = _open(content)
    assert filename == f"容错纠错情况备案表-{decided.number}.docx"
    assert len(document.tables) == 1
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["案件编号"] == decided.number
    assert "张三（甲县一镇镇长）" in rows["涉及干部（单位、职务）"]
    assert rows["符合的容错情形"].startswith("S2 " + S2_LABEL)
    assert rows["不予容错情形"] == "无"
    assert "C1 " in rows["符合的容错条件"] and "C6 " in rows["符合的容错条件"]
    assert "免责" in rows["党委（党组）认定结论及理由"]
    assert "先行先试、出于公心" in rows["党委（党组）认定结论及理由"]
    assert rows["报备机关"] == "某市纪委监委、某市委组织部"
    assert "甲县一镇党委" in rows["书面反馈"]


def test_filing_form_before_filing_proposes_the_bodies_one_level_up(decided):
    document = _open(case_document(decided, "filing_form")[1])

    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert "中共某市纪律检查委员会" in rows["报备机关"]
    assert "中共某市委员会组织部" in rows["报备机关"]
    assert rows["书面反馈"] == "尚未反馈"


def test_not_tolerated_decision_says_so(staff, preliminary):
    move(
        staff.committee, preliminary, "decide", outcome="not_tolerated", decision_reasons="损失重大"
    )

    text = _text(_open(case_document(preliminary, "decision")[1]))

    assert "认定结论：不予容错" in text
    assert "损失重大" in text


@pytest.mark.parametrize("kind", ["decision", "feedback_letter", "filing_form"])
def test_decision_documents_are_refused_before_the_committee_decides(preliminary, kind):
    with pytest.raises(ValidationError) as error:
        case_document(preliminary, kind)

    assert "认定后才能生成" in error.value.message_dict["kind"][0]


def test_nothing_is_available_while_investigating(staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])

    assert available_case_documents(case) == []
    with pytest.raises(ValidationError):
        case_document(case, "preliminary_opinion")


def test_documents_available_follow_the_state(preliminary, decided):
    assert [k.code for k in available_case_documents(decided)] == list(CASE_DOCUMENTS)


def test_withdrawn_case_has_no_documents(staff, preliminary):
    move(staff.inspector, preliminary, "withdraw", reason="申请人撤回")

    with pytest.raises(ValidationError):
        case_document(preliminary, "preliminary_opinion")


def test_unknown_kind_is_refused_in_chinese(decided):
    with pytest.raises(ValidationError) as error:
        case_document(decided, "memo")

    assert error.value.message_dict["kind"] == ["未知的文书类别：memo"]


def test_layout_is_a4_with_official_margins_and_fonts(decided):
    document = _open(case_document(decided, "decision")[1])

    section = document.sections[0]
    # Word stores lengths in twentieths of a point: compare in millimetres.
    assert _mm(section.page_width, section.page_height) == (210, 297)
    assert _mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert _mm(section.left_margin, section.right_margin) == (28, 26)
    normal = document.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size == Pt(16)
    title = next(p for p in document.paragraphs if p.text.startswith("关于"))
    assert _east_asian(title.runs[0]) == "方正小标宋简体"
    assert title.alignment == 1  # centred
    heading = next(p for p in document.paragraphs if p.text == "一、基本情况")
    assert _east_asian(heading.runs[0]) == "黑体"
    body = next(p for p in document.paragraphs if p.text.startswith("认定理由："))
    assert _east_asian(body.runs[0]) == "仿宋_GB2312"
    assert body.paragraph_format.first_line_indent == Pt(32)


def test_document_number_and_date_come_from_the_case(decided):
    document = _open(case_document(decided, "decision")[1])

    year, serial = decided.number.removeprefix("RC").split("-")
    texts = [p.text for p in document.paragraphs]
    assert f"甲县容认〔{year}〕{int(serial)}号" in texts
    day = decided.decided_on
    assert texts[-1] == f"{day.year}年{day.month}月{day.day}日"
    assert texts[-2] == "中共甲县委员会"


def test_download_response_names_the_file_in_chinese(decided):
    response = docx_response(*case_document(decided, "decision"))

    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "filename*=UTF-8''%E5%AE%B9" in response["Content-Disposition"]


# --- clearing of names ------------------------------------------------------------------------


@pytest.fixture
def clearing(staff, tree, cadres):
    clearing = services.clearing_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        source="letter",
        allegation="反映张三在项目招标中收受好处",
        cadres=[cadres.in_a],
        accuser_name="赵举报",
    )
    clearing_transition(actor=staff.inspector, clearing=clearing, name="start_verification")
    clearing.refresh_from_db()
    return clearing


def _conclude(staff, clearing, conclusion, **data):
    clearing_transition(
        actor=staff.inspector,
        clearing=clearing,
        name="conclude",
        data={"conclusion": conclusion, "conclusion_reasons": "经查招标程序合规", **data},
    )
    clearing.refresh_from_db()


def test_clarification_letter_tells_the_unit_the_report_was_unfounded(staff, clearing):
    _conclude(staff, clearing, "unfounded")

    filename, content = clearing_document(clearing, "clarification_letter")

    text = _text(_open(content))
    assert filename == f"澄清正名函-{clearing.number}.docx"
    assert "甲县一镇：" in text
    assert "核查结论：反映不实" in text
    assert "经查招标程序合规" in text
    assert "予以澄清正名" in text
    assert "张三" in text
    assert "赵举报" not in text  # the accuser is never named to the unit


def test_clarification_letter_after_false_accusation_mentions_the_referral(staff, clearing):
    _conclude(staff, clearing, "false_accusation", referral_note="移送公安机关")

    text = _text(_open(clearing_document(clearing, "clarification_letter")[1]))

    assert "核查结论：诬告陷害" in text
    assert "移送有关机关查处" in text


@pytest.mark.parametrize("conclusion", ["founded", "partly_founded", None])
def test_clarification_letter_refused_unless_concluded_unfounded(staff, clearing, conclusion):
    if conclusion:
        _conclude(staff, clearing, conclusion)

    with pytest.raises(ValidationError) as error:
        clearing_document(clearing, "clarification_letter")

    assert "反映不实或诬告陷害" in error.value.message_dict["kind"][0]

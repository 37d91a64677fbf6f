"""The 干部任免审批表 (cadre appointment and removal approval form): what it prints from the
record (identity, dates, education, posts, résumé from the post history, rewards and sanctions,
the last three annual grades), what it leaves blank, that it never prints the ID number, and
the page that fills it (scope, roles, logging)."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from assessment.choices import Grade
from assessment.models import AnnualGrade, AssessmentCycle
from cadre.choices import Education, Gender, PerformanceSource, Role
from cadre.crypto import id_number_with_check
from cadre.models import CadreViewLog, PostHistory
from cadre.selectors import policy_list_for
from cadre.services import performance_entry_append
from incentives.choices import SanctionStatus
from incentives.documents import appointment_form_docx
from incentives.models import Sanction
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
D = datetime.date
ID_NUMBER = id_number_with_check("11010119800315001")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _cells(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    cells = []
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if not cells or cells[-1] != cell.text:
                    cells.append(cell.text)
    return cells


def _after(cells, label):
    """The text of the cell right after the label cell."""
    return cells[cells.index(label) + 1]


def grade(cadre, year, value, status="closed"):
    cycle = AssessmentCycle.objects.create(
        year=year,
        unit=cadre.unit,
        title=f"{year}年度考核",
        status=status,
        quota_list=policy_list_for("assessment.grade_quotas", None),
        blockers_list=policy_list_for("assessment.excellence_blockers", None),
    )
    AnnualGrade.objects.create(
        cycle=cycle, cadre=cadre, unit=cadre.unit, grade=value, responsibility="担当作为情况"
    )


def sanction(cadre, decided_on, label, status=SanctionStatus.IN_IMPACT, **kwargs):
    return Sanction.objects.create(
        cadre=cadre,
        kinds_list=policy_list_for("incentives.sanction_kinds", None),
        kind_code=kwargs.pop("kind_code", "x"),
        kind_label=label,
        decided_on=decided_on,
        reason="事由",
        status=status,
        **kwargs,
    )


@pytest.fixture
def cadre(tree):
    """张明: 甲县一镇镇长 since 2023-04, before that deputy head of the same township, and a
    clerk of the county's 发改局; party member, bachelor, with ID number on file."""
    cadre = CadreFactory(
        name="张明",
        gender=Gender.FEMALE,
        birth_date=D(1980, 3, 15),
        ethnicity="回族",
        id_number=ID_NUMBER,
        party_member_since=D(2003, 7, 1),
        work_since=D(2002, 8, 1),
        education=Education.BACHELOR,
        unit=tree.township_a1,
        post="镇长",
        post_level=level("township_chief"),
        post_since=D(2023, 4, 1),
    )
    PostHistory.objects.create(
        cadre=cadre,
        unit=tree.dept_a,
        unit_name="甲县发改局",
        post="科员",
        start_date=D(2002, 8, 1),
        end_date=D(2015, 6, 1),
    )
    PostHistory.objects.create(
        cadre=cadre,
        unit=tree.township_a1,
        unit_name="甲县一镇",
        post="副镇长",
        start_date=D(2015, 6, 1),
        end_date=D(2023, 4, 1),
    )
    return cadre


def build(cadre, user, **kwargs):
    kwargs.setdefault("proposed_post", "甲县一镇党委书记")
    kwargs.setdefault("proposed_removal", "甲县一镇镇长")
    kwargs.setdefault("reason", "工作需要，经县委常委会研究")
    return appointment_form_docx(cadre=cadre, user=user, **kwargs)


def test_form_prints_identity_dates_education_and_posts(cadre, org_user):
    cells = _cells(build(cadre, org_user))

    assert _after(cells, "姓名") == "张明"
    assert _after(cells, "性别") == "女"
    assert _after(cells, "出生年月\n（岁）") == "1980.03\n（46岁）"
    assert _after(cells, "民族") == "回族"
    assert _after(cells, "入党\n时间") == "2003.07"
    assert _after(cells, "参加工作\n时间") == "2002.08"
    assert _after(cells, "学历") == "大学本科"
    assert _after(cells, "现任职务") == "甲县一镇镇长"
    assert _after(cells, "拟任职务") == "甲县一镇党委书记"
    assert _after(cells, "拟免职务") == "甲县一镇镇长"
    assert _after(cells, "任免\n理由").startswith("工作需要，经县委常委会研究")


def test_form_leaves_unrecorded_cells_blank(cadre, org_user):
    cells = _cells(build(cadre, org_user))

    assert _after(cells, "籍贯") == ""
    assert _after(cells, "出生地") == ""
    assert _after(cells, "健康状况") == ""


def test_form_never_prints_the_id_number(cadre, org_user):
    content = build(cadre, org_user)

    assert ID_NUMBER not in _text(content)
    document = Document(io.BytesIO(content))
    assert ID_NUMBER not in document.element.xml
    assert "身份证" not in _text(content)


def test_resume_lists_posts_oldest_first_and_the_current_one_to_date(cadre, org_user):
    resume = _after(_cells(build(cadre, org_user)), "简\n\n\n\n历")

    lines = [line for line in resume.splitlines() if line]
    assert lines == [
        "2002.08—2015.06 甲县发改局科员",
        "2015.06—2023.04 甲县一镇副镇长",
        "2023.04—至今 甲县一镇镇长",
    ]


def test_rewards_and_sanctions_list_commendations_and_sanctions_not_revoked(cadre, org_user):
    performance_entry_append(
        cadre=cadre,
        occurred_on=D(2021, 12, 20),
        source=PerformanceSource.COMMENDATION,
        title="被评为全县担当作为好干部",
    )
    performance_entry_append(
        cadre=cadre,
        occurred_on=D(2022, 1, 5),
        source=PerformanceSource.ASSESSMENT,
        title="季度第一",
    )
    sanction(
        cadre, D(2024, 3, 1), "诫勉", authority="中共甲县纪委", document_number="甲纪〔2024〕3号"
    )
    sanction(cadre, D(2024, 9, 1), "党内警告", status=SanctionStatus.REVOKED)
    sanction(cadre, D(2025, 2, 1), "", status=SanctionStatus.PENDING_KIND, kind_code="")

    text = _after(_cells(build(cadre, org_user)), "奖惩\n情况")

    assert [line for line in text.splitlines() if line] == [
        "2021.12 被评为全县担当作为好干部",
        "2024.03 受到诫勉（中共甲县纪委，甲纪〔2024〕3号）",
        "2025.02 受到处理处分（种类待确认）",
    ]
    assert "党内警告" not in text
    assert "季度第一" not in text


def test_rewards_and_sanctions_say_none_when_there_are_none(cadre, org_user):
    assert _after(_cells(build(cadre, org_user)), "奖惩\n情况").startswith("无")


def test_annual_results_are_the_last_three_fixed_grades(cadre, org_user):
    grade(cadre, 2021, Grade.BASIC)
    grade(cadre, 2022, Grade.COMPETENT)
    grade(cadre, 2023, Grade.EXCELLENT)
    grade(cadre, 2024, Grade.EXCELLENT)
    grade(cadre, 2025, Grade.EXCELLENT, status="open")  # not yet fixed

    text = _after(_cells(build(cadre, org_user)), "年度考核\n结果")

    assert text.startswith("2022年度考核称职；2023年度考核优秀；2024年度考核优秀")
    assert "2021" not in text and "2025" not in text


def test_signature_blocks_name_the_unit_the_filler_and_the_date(cadre, org_user):
    content = build(cadre, org_user)
    cells = _cells(content)

    assert _after(cells, "呈报\n单位").strip().startswith("中共甲县委员会组织部")
    assert "2026年6月17日" in _after(cells, "呈报\n单位")
    assert "（盖章）" in _after(cells, "审批机关\n意见")
    assert "（盖章）" in _after(cells, "行政机关\n任免意见")
    assert f"填表人：{org_user}" in _text(content)
    assert "干部任免审批表" in _text(content)


def test_form_is_laid_out_on_two_pages_the_second_from_rewards_and_sanctions(cadre, org_user):
    document = Document(io.BytesIO(build(cadre, org_user)))

    first, second = document.tables
    assert first.rows[0].cells[0].text == "姓名"
    assert first.rows[-1].cells[0].text == "简\n\n\n\n历"
    assert second.rows[0].cells[0].text == "奖惩\n情况"
    assert 'w:type="page"' in document.element.xml
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.1)


# --- the page -----------------------------------------------------------------------------------


def _url(cadre):
    return reverse("incentives:appointment_form", args=[cadre.pk])


def test_page_prefills_the_form_from_the_query(client, cadre, org_user):
    client.force_login(org_user)

    response = client.get(_url(cadre), {"proposed_post": "甲县一镇党委书记", "reason": "换届"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="甲县一镇党委书记"' in body
    assert "换届</textarea>" in body


def test_post_returns_the_docx_named_after_the_cadre_and_logs_the_view(client, cadre, org_user):
    client.force_login(org_user)

    response = client.post(_url(cadre), {"proposed_post": "甲县一镇党委书记", "reason": "换届"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition
    assert "%E5%BC%A0%E6%98%8E" in disposition  # 张明, RFC 5987
    assert "甲县一镇党委书记" in _text(response.content)
    assert CadreViewLog.objects.filter(cadre=cadre, user=org_user).count() == 1


def test_cadre_outside_the_jurisdiction_is_not_found(client, tree, org_user):
    other = CadreFactory(unit=tree.township_b1, post="镇长", post_level=level("township_chief"))
    leader = CadreFactory(unit=tree.county_a, post="县长", post_level=level("county_chief"))
    client.force_login(org_user)

    assert client.get(_url(other)).status_code == 404
    assert client.post(_url(other)).status_code == 404
    # Above what the county manages (县处级): not found either.
    assert client.get(_url(leader)).status_code == 404


@pytest.mark.parametrize("role", [Role.DISCIPLINE, Role.AUDITOR, Role.UNIT_LEADER, Role.CADRE])
def test_only_the_organisation_department_fills_the_form(client, tree, cadre, make_user, role):
    user = make_user(role, unit=tree.county_a, username=f"u_{role}")
    client.force_login(user)

    assert client.get(_url(cadre)).status_code == 403
    assert client.post(_url(cadre)).status_code == 403
    assert not CadreViewLog.objects.filter(cadre=cadre).exists()


def test_form_generation_query_count_is_fixed(cadre, org_user, django_assert_max_num_queries):
    for year in (2022, 2023, 2024):
        grade(cadre, year, Grade.COMPETENT)
    for month in range(1, 6):
        performance_entry_append(
            cadre=cadre,
            occurred_on=D(2024, month, 1),
            source=PerformanceSource.COMMENDATION,
            title=f"嘉奖{month}",
        )
        sanction(cadre, D(2025, month, 1), "诫勉")
    with django_assert_max_num_queries(6):
        build(cadre, org_user)

"""The statistics page (cases per year and outcome, by status, unit and situation; names
cleared, false accusations, blacklist) and the publication register, with their Excel exports:
counts a user may see, nothing beyond their jurisdiction, for the roles that see case files."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cadre.choices import Role
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services
from tolerance.models import Publication
from tolerance.workflow import clearing_transition

pytestmark = pytest.mark.django_db

STATISTICS = reverse("tolerance:statistics")
STATISTICS_EXPORT = reverse("tolerance:statistics_export")
PUBLICATIONS = reverse("tolerance:publication_list")
PUBLICATIONS_EXPORT = reverse("tolerance:publication_export")
THIS_YEAR = timezone.localdate().year


def _decide(staff, committee, case, outcome, reasons="经党委研究认定"):
    to_preliminary(staff, case)
    move(committee, case, "decide", outcome=outcome, decision_reasons=reasons)


@pytest.fixture
def committee_b(tree, make_user):
    return make_user(Role.COMMITTEE, unit=tree.county_b, username="cw_b")


@pytest.fixture
def cases(staff, tree, cadres, committee_b):
    """County A: one exempted, one not tolerated (both answered S2), one still filed.
    County B: one exempted."""
    a_exempt = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="甲县审批改革")
    _decide(staff, staff.committee, a_exempt, "exempt")
    other_a = CadreFactory(name="赵六", unit=tree.township_a1, post="副镇长")
    a_refused = open_case(staff.inspector, tree.township_a1, [other_a], title="甲县一镇拆迁")
    _decide(staff, staff.committee, a_refused, "not_tolerated", reasons="造成重大损失")
    a_open = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="甲县招商项目")
    b_staff = type(staff)(inspector=staff.other_inspector)
    b_exempt = open_case(staff.other_inspector, tree.county_b, [cadres.in_b], title="乙县试点")
    _decide(b_staff, committee_b, b_exempt, "exempt")
    return a_exempt, a_refused, a_open, b_exempt


def _table(response, key):
    return next(t for t in response.context["tables"] if t.key == key)


def _rows(response, key):
    return [list(row) for row in _table(response, key).rows]


# --- statistics -------------------------------------------------------------------------------


def test_county_inspector_counts_own_cases_by_year_and_outcome(client, staff, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS)

    assert response.status_code == 200
    # 立案年度, 免责, 从轻, 减轻, 不予容错, 未认定, 合计
    assert _rows(response, "by_year") == [[THIS_YEAR, 1, 0, 0, 1, 1, 3]]
    assert response.context["summary"]["total"] == 3
    assert response.context["summary"]["tolerated"] == 1
    statuses = dict((r[0], r[1]) for r in _rows(response, "by_status"))
    assert statuses == {"已受理": 1, "党委（党组）已认定": 2}


def test_county_inspector_sees_units_and_situations_of_own_jurisdiction_only(client, staff, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS)

    units = {r[0]: r[1:3] for r in _rows(response, "by_unit")}
    assert units == {"甲县": [2, 1], "甲县一镇": [1, 0]}
    situations = [(r[0], r[2]) for r in _rows(response, "by_situation")]
    assert situations == [("S2", 2)]
    assert "乙县" not in response.content.decode()


def test_city_inspector_counts_both_counties(client, staff, cases):
    client.force_login(staff.city_inspector)

    response = client.get(STATISTICS)

    assert _rows(response, "by_year") == [[THIS_YEAR, 2, 0, 0, 1, 1, 4]]
    assert {r[0] for r in _rows(response, "by_unit")} == {"甲县", "甲县一镇", "乙县"}


def test_unit_filter_narrows_to_the_subtree(client, staff, tree, cases):
    client.force_login(staff.city_inspector)

    response = client.get(STATISTICS, {"unit": tree.county_b.pk})

    assert response.context["summary"]["total"] == 1
    assert [r[0] for r in _rows(response, "by_unit")] == ["乙县"]


def test_unit_outside_jurisdiction_is_a_form_error_not_a_leak(client, staff, tree, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS, {"unit": tree.county_b.pk})

    assert response.status_code == 200
    assert "请选择您管辖范围内的单位" in response.content.decode()
    assert response.context["summary"]["total"] == 3  # county A's own, nothing of B


def test_year_filter_counts_that_year_and_keeps_the_trend(client, staff, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS, {"year": THIS_YEAR - 1})

    assert response.context["summary"]["total"] == 0
    assert _rows(response, "by_year") == [[THIS_YEAR, 1, 0, 0, 1, 1, 3]]
    assert _rows(response, "by_unit") == []


def test_bad_year_is_a_form_error(client, staff, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS, {"year": "二〇二六"})

    assert response.status_code == 200
    assert response.context["form"].errors["year"]


def test_charts_are_inline_svg_without_external_scripts(client, staff, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS)

    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') >= 4
    chart = _table(response, "by_year").chart
    assert "<title>2026年 免责：1</title>".replace("2026", str(THIS_YEAR)) in chart
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_clearing_numbers_count_cleared_cadres_false_accusations_and_blacklist(
    client, staff, tree, cadres
):
    def clearing(conclusion, **data):
        matter = services.clearing_open(
            actor=staff.inspector,
            handling_unit=tree.county_a,
            source="letter",
            allegation="反映违规问题",
            cadres=[cadres.in_a],
        )
        clearing_transition(actor=staff.inspector, clearing=matter, name="start_verification")
        clearing_transition(
            actor=staff.inspector,
            clearing=matter,
            name="conclude",
            data={"conclusion": conclusion, "conclusion_reasons": "经查", **data},
        )

    clearing("unfounded")
    clearing(
        "false_accusation",
        referral_note="移送查处",
        accusers=[{"name": "钱某"}, {"name": "孙某"}],
    )
    clearing("founded")
    services.clearing_open(
        actor=staff.other_inspector,
        handling_unit=tree.county_b,
        source="letter",
        allegation="乙县的反映",
        cadres=[cadres.in_b],
    )
    client.force_login(staff.inspector)

    response = client.get(STATISTICS)

    assert response.context["summary"] == {
        "total": 0,
        "tolerated": 0,
        "cleared_cadres": 1,
        "cleared_orgs": 0,
        "false_accusations": 1,
        "blacklisted": 2,
    }
    assert _rows(response, "clearing")[0] == ["受理反映事项（件）", 3]


@pytest.mark.parametrize("role", ["organisation", "committee", "auditor"])
def test_file_roles_see_the_statistics(client, staff, cases, role):
    client.force_login(getattr(staff, role))

    response = client.get(STATISTICS)

    assert response.status_code == 200
    assert response.context["summary"]["total"] == 3


@pytest.mark.parametrize("role", ["unit_leader", "cadre_user"])
@pytest.mark.parametrize("url", [STATISTICS, STATISTICS_EXPORT, PUBLICATIONS, PUBLICATIONS_EXPORT])
def test_other_roles_are_refused(client, staff, role, url):
    client.force_login(getattr(staff, role))

    assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(STATISTICS)

    assert response.status_code == 302


def test_statistics_export_writes_every_table(client, staff, cases):
    client.force_login(staff.inspector)

    response = client.get(STATISTICS_EXPORT, {"year": THIS_YEAR})

    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "说明",
        "各年度案件数及认定结论",
        "认定结论",
        "办理状态",
        "办理单位",
        "容错情形",
        "澄清正名",
    ]
    assert workbook["说明"]["B2"].value == "甲县"
    assert workbook["说明"]["B3"].value == THIS_YEAR
    units = {row[0]: row[1] for row in workbook["办理单位"].iter_rows(min_row=2, values_only=True)}
    assert units["甲县"] == 2
    assert "乙县" not in units
    years = list(
        workbook["各年度案件数及认定结论"].iter_rows(min_row=2, max_row=2, values_only=True)
    )
    assert years[0][:7] == (THIS_YEAR, 1, 0, 0, 1, 1, 3)


def test_statistics_query_count_does_not_grow_with_cases(
    client, staff, tree, cadres, cases, django_assert_max_num_queries
):
    client.force_login(staff.inspector)
    client.get(STATISTICS)
    for i in range(3):
        open_case(staff.inspector, tree.township_a1, [cadres.in_a], title=f"补充案件{i}")

    with django_assert_max_num_queries(15):
        response = client.get(STATISTICS)

    assert response.context["summary"]["total"] == 6


# --- publication register ---------------------------------------------------------------------


@pytest.fixture
def published(staff, tree, cadres, cases):
    """A case published by the workflow, a bulletin of unfounded reports, and a publication
    of county B."""
    a_exempt, _refused, _open, b_exempt = cases
    move(staff.inspector, a_exempt, "send_feedback", feedback_to="甲县一镇")
    move(staff.inspector, a_exempt, "file_upward", filing_recipients="某市纪委监委")
    move(
        staff.inspector,
        a_exempt,
        "publish",
        scope="unit",
        channel="单位公示栏",
        content="张三同志在审批改革中的失误经认定予以免责。",
    )
    matter = services.clearing_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        source="letter",
        allegation="反映张三违规审批",
        cadres=[cadres.in_a],
    )
    clearing_transition(actor=staff.inspector, clearing=matter, name="start_verification")
    clearing_transition(
        actor=staff.inspector,
        clearing=matter,
        name="conclude",
        data={"conclusion": "unfounded", "conclusion_reasons": "经查不实"},
    )
    today = timezone.localdate()
    services.unfounded_bulletin_publish(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        period_start=today - datetime.timedelta(days=30),
        period_end=today,
        scope="jurisdiction",
        channel="县纪委监委网站",
    )
    Publication.objects.create(
        handling_unit=tree.county_b,
        case=b_exempt,
        scope="unit",
        scope_label="所在单位",
        channel="乙县公示栏",
        content="乙县的公开内容",
        published_on=today,
    )
    return a_exempt, matter


def test_register_lists_what_the_county_published(client, staff, published):
    case, _clearing = published
    client.force_login(staff.inspector)

    response = client.get(PUBLICATIONS)

    html = response.content.decode()
    assert response.status_code == 200
    assert "单位公示栏" in html
    assert "县纪委监委网站" in html
    assert case.number in html
    assert reverse("tolerance:case_detail", args=[case.pk]) in html
    assert "不实举报定期通报" in html
    assert "乙县公示栏" not in html


def test_register_filters_by_kind(client, staff, published):
    client.force_login(staff.inspector)

    response = client.get(PUBLICATIONS, {"kind": "bulletin"})

    html = response.content.decode()
    assert "县纪委监委网站" in html
    assert "单位公示栏" not in html


def test_register_shows_clearing_publications_with_their_matter(client, staff, tree, published):
    _case, clearing = published
    Publication.objects.create(
        handling_unit=tree.county_a,
        clearing=clearing,
        scope="unit",
        scope_label="所在单位",
        channel="镇党委会议",
        content="经查反映不实，予以澄清。",
        published_on=timezone.localdate(),
    )
    client.force_login(staff.inspector)

    response = client.get(PUBLICATIONS, {"kind": "clearing"})

    html = response.content.decode()
    assert "镇党委会议" in html
    assert clearing.number in html
    assert "单位公示栏" not in html


def test_city_inspector_sees_both_counties_publications(client, staff, published):
    client.force_login(staff.city_inspector)

    response = client.get(PUBLICATIONS)

    assert "乙县公示栏" in response.content.decode()
    assert "单位公示栏" in response.content.decode()


def test_register_empty_state(client, staff):
    client.force_login(staff.auditor)

    response = client.get(PUBLICATIONS)

    assert response.status_code == 200
    assert "您的管辖范围内还没有公开记录" in response.content.decode()


def test_register_bad_filter_value_is_not_a_server_error(client, staff, published):
    client.force_login(staff.inspector)

    response = client.get(PUBLICATIONS, {"year": "abc", "kind": "other"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_register_query_count_is_constant(
    client, staff, tree, published, django_assert_max_num_queries
):
    client.force_login(staff.inspector)
    client.get(PUBLICATIONS)
    case, clearing = published
    for i in range(12):
        Publication.objects.create(
            handling_unit=tree.township_a1,
            case=case if i % 2 else None,
            clearing=None if i % 2 else clearing,
            scope="system",
            scope_label="本系统",
            channel=f"渠道{i}",
            content="公开内容" * 30,
            published_on=timezone.localdate(),
        )

    with django_assert_max_num_queries(8):
        response = client.get(PUBLICATIONS)

    assert len(response.context["items"]) == 14


def test_register_paginates(client, staff, tree, published):
    case, _clearing = published
    Publication.objects.bulk_create(
        Publication(
            handling_unit=tree.county_a,
            case=case,
            scope="unit",
            scope_label="所在单位",
            channel=f"渠道{i}",
            content="内容",
            published_on=timezone.localdate() - datetime.timedelta(days=i + 1),
        )
        for i in range(35)
    )
    client.force_login(staff.inspector)

    first = client.get(PUBLICATIONS)
    second = client.get(PUBLICATIONS, {"page": 2})

    assert len(first.context["items"]) == 30
    assert len(second.context["items"]) == 7
    assert "第 1 / 2 页，共 37 条" in first.content.decode()


def test_register_export_writes_the_filtered_rows(client, staff, published):
    client.force_login(staff.inspector)

    response = client.get(PUBLICATIONS_EXPORT, {"kind": "case"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("公开日期", "类别", "公开事项")
    assert len(rows) == 2
    assert rows[1][1] == "容错案件"
    assert rows[1][5] == "单位公示栏"
    assert rows[1][6] == "张三同志在审批改革中的失误经认定予以免责。"

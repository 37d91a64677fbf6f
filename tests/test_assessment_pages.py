"""The staff pages of the annual assessment (年度考核, DOMAIN §2; F 5, F 7): the cycles, a cycle with
its units and 优秀 quota, the grading grid of a unit (all rows saved or none), closing and
feeding back, a cadre's history and the cadre's own results."""

import contextlib
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from assessment import services
from assessment.choices import CycleStatus, Grade, TeamGrade
from assessment.models import AnnualGrade, AssessmentCycle, TeamAssessment, UnitQuota
from cadre.choices import Role
from tests.factories import CadreFactory
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

YEAR = 2025
INDEX = reverse("assessment:index")
MY_RESULTS = reverse("assessment:my_results")


def logged_in(client, user):
    client.force_login(user)
    return client


def page_of(response):
    return response.content.decode()


def cycle_url(cycle):
    return reverse("assessment:cycle_detail", args=[cycle.pk])


def grid_url(cycle, unit):
    return reverse("assessment:unit_grid", args=[cycle.pk, unit.pk])


@pytest.fixture
def township(tree):
    """Twelve serving cadres in township A1: the base 20% gives two 优秀 places (2.4 rounded
    down), the raised 25% gives three."""
    return [CadreFactory(unit=tree.township_a1, name=f"镇干部{i:02d}") for i in range(12)]


@pytest.fixture
def cycle(staff, tree):
    return services.cycle_open(actor=staff.organisation, unit=tree.county_a, year=YEAR)


def grid_post(excellent=(), competent=(), *, text="攻坚克难，主动担当", **overrides):
    """The grid form as the page posts it."""
    data = {}
    for cadres, grade in ((excellent, Grade.EXCELLENT), (competent, Grade.COMPETENT)):
        for cadre in cadres:
            data[f"grade-{cadre.pk}"] = grade
            data[f"responsibility-{cadre.pk}"] = text
            data[f"comments-{cadre.pk}"] = f"{cadre.name}的评语"
    data.update(overrides)
    return data


def graded(cycle):
    return dict(AnnualGrade.objects.filter(cycle=cycle).values_list("cadre__name", "grade"))


# --- cycles ----------------------------------------------------------------------------------


def test_organisation_opens_a_cycle_from_the_list(client, staff, tree):
    org = logged_in(client, staff.organisation)

    response = org.post(INDEX, {"unit": tree.county_a.pk, "year": YEAR, "title": ""})

    cycle = AssessmentCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == cycle_url(cycle)
    assert (cycle.unit, cycle.year, cycle.status) == (tree.county_a, YEAR, CycleStatus.OPEN)
    listing = page_of(org.get(INDEX))
    assert cycle.title in listing and "评定中" in listing


def test_opening_the_same_year_twice_shows_the_error_on_the_year(client, staff, tree, cycle):
    response = logged_in(client, staff.organisation).post(
        INDEX, {"unit": tree.county_a.pk, "year": YEAR}
    )

    assert response.status_code == 400
    assert "该单位本年度的年度考核已经建立" in page_of(response)
    assert AssessmentCycle.objects.count() == 1


def test_opening_refuses_a_unit_outside_the_jurisdiction(client, staff, tree):
    response = logged_in(client, staff.organisation).post(
        INDEX, {"unit": tree.county_b.pk, "year": YEAR}
    )

    assert response.status_code == 400
    assert not AssessmentCycle.objects.exists()


def test_index_lists_cycles_newest_first_with_counts(
    client, staff, tree, township, django_assert_max_num_queries
):
    org = staff.organisation
    older = services.cycle_open(actor=org, unit=tree.county_a, year=YEAR - 2)
    for year in range(YEAR - 1, YEAR + 1):
        services.cycle_open(actor=org, unit=tree.county_a, year=year)
    newest = AssessmentCycle.objects.get(year=YEAR)
    services.annual_grades_save(
        actor=org,
        cycle=newest,
        unit=tree.township_a1,
        rows=[
            {"cadre": c.pk, "grade": g, "responsibility": "担当"}
            for c, g in zip(
                township[:3], [Grade.EXCELLENT, Grade.COMPETENT, Grade.COMPETENT], strict=True
            )
        ],
    )
    client = logged_in(client, org)

    with django_assert_max_num_queries(9):
        response = client.get(INDEX)

    cycles = list(response.context["page"].object_list)
    assert [c.year for c in cycles] == [YEAR, YEAR - 1, YEAR - 2]
    assert (cycles[0].graded, cycles[0].excellent) == (3, 1)
    assert (cycles[2].pk, cycles[2].graded) == (older.pk, 0)


def test_readers_see_cycles_but_no_opening_form_and_cannot_post(client, staff, tree, cycle):
    for user in (staff.committee, staff.auditor):
        reader = logged_in(client, user)
        page = page_of(reader.get(INDEX))
        assert cycle.title in page
        assert 'data-testid="open-cycle"' not in page
        assert reader.post(INDEX, {"unit": tree.county_a.pk, "year": YEAR - 1}).status_code == 403
    assert AssessmentCycle.objects.count() == 1


def test_other_county_sees_no_cycle_and_gets_404(client, tree, make_user, cycle):
    org_b = logged_in(client, make_user(Role.ORGANISATION, unit=tree.county_b))

    assert cycle.title not in page_of(org_b.get(INDEX))
    assert org_b.get(cycle_url(cycle)).status_code == 404
    assert org_b.get(grid_url(cycle, tree.township_a1)).status_code == 404
    assert org_b.post(grid_url(cycle, tree.township_a1), {}).status_code == 404
    assert org_b.get(reverse("assessment:cycle_export", args=[cycle.pk])).status_code == 404
    assert org_b.post(reverse("assessment:cycle_close", args=[cycle.pk])).status_code == 404


def test_a_grid_of_a_unit_outside_the_cycle_is_not_found(client, staff, tree):
    township_cycle = services.cycle_open(actor=staff.organisation, unit=tree.township_a1, year=YEAR)

    response = logged_in(client, staff.organisation).get(grid_url(township_cycle, tree.dept_a))

    assert response.status_code == 404


# --- the cycle page --------------------------------------------------------------------------


def test_cycle_page_lists_the_units_with_their_quota(
    client, staff, tree, cycle, township, django_assert_max_num_queries
):
    CadreFactory(unit=tree.dept_a, name="局干部")
    services.annual_grades_save(
        actor=staff.organisation,
        cycle=cycle,
        unit=tree.township_a1,
        rows=[{"cadre": township[0].pk, "grade": Grade.EXCELLENT, "responsibility": "担当"}],
    )
    org = logged_in(client, staff.organisation)

    with django_assert_max_num_queries(12):
        response = org.get(cycle_url(cycle))

    rows = {row["unit"].name: row for row in response.context["rows"]}
    assert set(rows) == {"甲县一镇", "甲县发改局"}  # units with serving cadres only
    township_row = rows["甲县一镇"]
    assert (township_row["participants"], township_row["cap"]) == (12, 2)
    assert (township_row["excellent"], township_row["remaining"]) == (1, 1)
    assert township_row["raised"] is False
    assert grid_url(cycle, tree.township_a1) in page_of(response)
    expected = services.quota_status(cycle, tree.township_a1)
    assert {k: township_row[k] for k in expected} == expected


def test_cycle_page_queries_do_not_grow_with_units(
    client, staff, tree, cycle, django_assert_max_num_queries
):
    from tests.factories import UnitFactory

    for i in range(15):
        unit = UnitFactory(name=f"乡镇{i}", parent=tree.county_a)
        CadreFactory(unit=unit)
    org = logged_in(client, staff.organisation)

    with django_assert_max_num_queries(12):
        response = org.get(cycle_url(cycle))

    assert len(response.context["rows"]) == 15


def test_raised_ratio_needs_a_reason(client, staff, tree, cycle, township):
    org = logged_in(client, staff.organisation)
    url = reverse("assessment:cycle_quota", args=[cycle.pk, tree.township_a1.pk])
    prefix = f"q{tree.township_a1.pk}"

    response = org.post(url, {f"{prefix}-raised": "on", f"{prefix}-raised_reason": ""})

    assert response.status_code == 400
    assert "上浮优秀比例须写明依据" in page_of(response)
    assert not UnitQuota.objects.filter(raised=True).exists()


def test_team_grade_is_saved_from_the_cycle_page(client, staff, tree, cycle, township):
    org = logged_in(client, staff.organisation)
    prefix = f"t{tree.township_a1.pk}"

    response = org.post(
        reverse("assessment:cycle_team", args=[cycle.pk, tree.township_a1.pk]),
        {f"{prefix}-grade": TeamGrade.GOOD, f"{prefix}-responsibility": "班子团结担当"},
    )

    assert response.status_code == 302
    team = TeamAssessment.objects.get(cycle=cycle, unit=tree.township_a1)
    assert (team.grade, team.responsibility) == (TeamGrade.GOOD, "班子团结担当")
    assert "好" in page_of(org.get(cycle_url(cycle)))


def test_team_grade_without_responsibility_shows_the_field_error(
    client, staff, tree, cycle, township
):
    prefix = f"t{tree.township_a1.pk}"

    response = logged_in(client, staff.organisation).post(
        reverse("assessment:cycle_team", args=[cycle.pk, tree.township_a1.pk]),
        {f"{prefix}-grade": TeamGrade.GOOD, f"{prefix}-responsibility": "  "},
    )

    assert response.status_code == 400
    assert "请填写担当作为情况" in page_of(response)
    assert not TeamAssessment.objects.exists()


# --- the grading grid ------------------------------------------------------------------------


def test_grid_shows_a_row_per_serving_cadre_with_constant_queries(
    client, staff, tree, cycle, township, django_assert_max_num_queries
):
    CadreFactory(unit=tree.township_a1, name="已退休干部", status="retired")
    org = logged_in(client, staff.organisation)
    org.post(grid_url(cycle, tree.township_a1), grid_post(township[:2], township[2:]))

    with django_assert_max_num_queries(15):
        response = org.get(grid_url(cycle, tree.township_a1))

    page = page_of(response)
    assert page.count('data-testid="grade-row"') == 12
    assert "已退休干部" not in page
    assert "js/quota.js" in page
    assert 'data-cap="2"' in page
    assert "2 / 2" in page  # the no-JS rendering of the indicator


def test_grid_saves_every_row(client, staff, tree, cycle, township):
    org = logged_in(client, staff.organisation)

    response = org.post(grid_url(cycle, tree.township_a1), grid_post(township[:1], township[1:]))

    assert response.status_code == 302
    grades = AnnualGrade.objects.filter(cycle=cycle, unit=tree.township_a1)
    assert grades.count() == 12
    first = grades.get(cadre=township[0])
    assert (first.grade, first.responsibility, first.comments) == (
        Grade.EXCELLENT,
        "攻坚克难，主动担当",
        "镇干部00的评语",
    )


def test_rows_left_blank_are_not_graded_yet(client, staff, tree, cycle, township):
    response = logged_in(client, staff.organisation).post(
        grid_url(cycle, tree.township_a1), grid_post(competent=township[:3])
    )

    assert response.status_code == 302
    assert len(graded(cycle)) == 3


def test_quota_at_the_limit_is_saved(client, staff, tree, cycle, township):
    response = logged_in(client, staff.organisation).post(
        grid_url(cycle, tree.township_a1), grid_post(township[:2], township[2:])
    )

    assert response.status_code == 302
    assert list(graded(cycle).values()).count(Grade.EXCELLENT) == 2


def test_one_over_the_quota_saves_nothing_and_keeps_what_was_typed(
    client, staff, tree, cycle, township
):
    data = grid_post(township[:3], township[3:], text="带头攻坚重点项目")

    response = logged_in(client, staff.organisation).post(grid_url(cycle, tree.township_a1), data)

    assert response.status_code == 400
    page = page_of(response)
    assert "优秀等次名额为2人" in page and "超出1人" in page
    assert 'data-testid="top-errors"' in page
    assert not AnnualGrade.objects.exists()
    # Nothing typed is lost: every row comes back with its grade and text.
    assert page.count("带头攻坚重点项目") == 12
    assert page.count(f'value="{Grade.EXCELLENT}" selected') == 3
    assert "3 / 2" in page and "quota-indicator over" in page


def test_raised_ratio_lets_one_more_excellent(client, staff, tree, cycle, township):
    org = logged_in(client, staff.organisation)
    prefix = f"q{tree.township_a1.pk}"
    org.post(
        reverse("assessment:cycle_quota", args=[cycle.pk, tree.township_a1.pk]),
        {f"{prefix}-raised": "on", f"{prefix}-raised_reason": "年度绩效考评全县第一"},
    )

    response = org.post(grid_url(cycle, tree.township_a1), grid_post(township[:3], township[3:]))

    assert response.status_code == 302
    assert list(graded(cycle).values()).count(Grade.EXCELLENT) == 3
    quota = UnitQuota.objects.get(cycle=cycle, unit=tree.township_a1)
    assert (quota.raised, quota.raised_reason) == (True, "年度绩效考评全县第一")
    assert "上浮" in page_of(org.get(cycle_url(cycle)))


def test_an_admonished_cadre_cannot_be_excellent_and_the_row_says_why(
    client, staff, tree, cycle, township
):
    matter = tolerance_services.accountability_matter_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        accountable_body="discipline",
        title="项目推进不力",
        matter_category="project",
        occurred_on=datetime.date(YEAR, 3, 1),
        opened_on=datetime.date(YEAR, 4, 1),
        cadres=[township[0]],
        consider_tolerance=False,
    )
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=matter, form="admonish", decided_on=datetime.date(YEAR, 5, 1)
    )
    org = logged_in(client, staff.organisation)
    assert "不得评优" in page_of(org.get(grid_url(cycle, tree.township_a1)))

    response = org.post(grid_url(cycle, tree.township_a1), grid_post(township[:1], township[1:]))

    assert response.status_code == 400
    page = page_of(response)
    row = page.split(f'data-cadre="{township[0].pk}"')[1].split("</tr>")[0]
    assert 'data-testid="row-error"' in row and "诫勉" in row and "不能评为优秀" in row
    assert not AnnualGrade.objects.exists()


def test_missing_responsibility_is_a_row_error(client, staff, tree, cycle, township):
    data = grid_post(competent=township[:2])
    data[f"responsibility-{township[1].pk}"] = " "

    response = logged_in(client, staff.organisation).post(grid_url(cycle, tree.township_a1), data)

    assert response.status_code == 400
    page = page_of(response)
    row = page.split(f'data-cadre="{township[1].pk}"')[1].split("</tr>")[0]
    assert "请填写担当作为情况" in row
    first_row = page.split(f'data-cadre="{township[0].pk}"')[1].split("</tr>")[0]
    assert 'data-testid="row-error"' not in first_row
    assert not AnnualGrade.objects.exists()


def test_an_empty_save_is_refused_with_a_message(client, staff, tree, cycle, township):
    response = logged_in(client, staff.organisation).post(grid_url(cycle, tree.township_a1), {})

    assert response.status_code == 400
    assert "请至少评定一名干部的等次" in page_of(response)


@pytest.mark.parametrize("role", ["committee", "auditor"])
def test_readers_see_the_grid_read_only_and_cannot_post(client, staff, tree, cycle, township, role):
    services.annual_grades_save(
        actor=staff.organisation,
        cycle=cycle,
        unit=tree.township_a1,
        rows=[{"cadre": township[0].pk, "grade": Grade.COMPETENT, "responsibility": "敢于担当"}],
    )
    reader = logged_in(client, getattr(staff, role))

    page = page_of(reader.get(grid_url(cycle, tree.township_a1)))
    assert "敢于担当" in page
    assert "<select" not in page and "保存全部等次" not in page

    assert reader.get(cycle_url(cycle)).status_code == 200
    denied = [
        reader.post(grid_url(cycle, tree.township_a1), grid_post(township[1:2])),
        reader.post(reverse("assessment:cycle_close", args=[cycle.pk])),
        reader.post(reverse("assessment:cycle_quota", args=[cycle.pk, tree.township_a1.pk])),
        reader.post(reverse("assessment:cycle_team", args=[cycle.pk, tree.township_a1.pk])),
    ]
    assert [r.status_code for r in denied] == [403] * 4
    assert AnnualGrade.objects.count() == 1
    assert AssessmentCycle.objects.get().status == CycleStatus.OPEN


# --- closing and feeding back ------------------------------------------------------------------


def test_close_and_feed_back_then_the_cadre_reads_their_grade(
    client, staff, tree, cycle, township, make_user
):
    cadre_user = make_user(Role.CADRE, unit=tree.township_a1, cadre=township[0])
    org = logged_in(client, staff.organisation)
    org.post(grid_url(cycle, tree.township_a1), grid_post(township[:1], township[1:]))
    page = page_of(org.get(cycle_url(cycle)))
    assert "确定等次" in page and "data-confirm" in page

    org.post(reverse("assessment:cycle_close", args=[cycle.pk]))

    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    page = page_of(org.get(grid_url(cycle, tree.township_a1)))
    assert "<select" not in page and "等次已经确定" in page
    cadre = logged_in(client, cadre_user)
    mine = page_of(cadre.get(MY_RESULTS))
    assert "暂无已反馈的年度考核结果" in mine and "镇干部00的评语" not in mine

    org = logged_in(client, staff.organisation)
    assert "反馈结果" in page_of(org.get(cycle_url(cycle)))
    org.post(reverse("assessment:cycle_feed_back", args=[cycle.pk]))

    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.FED_BACK
    mine = page_of(logged_in(client, cadre_user).get(MY_RESULTS))
    assert str(YEAR) in mine and "优秀" in mine and "镇干部00的评语" in mine
    assert "镇干部01的评语" not in mine  # only their own grade


def test_close_refused_on_a_closed_cycle_is_told(client, staff, tree, cycle):
    org = logged_in(client, staff.organisation)
    org.post(reverse("assessment:cycle_close", args=[cycle.pk]))

    response = org.post(reverse("assessment:cycle_close", args=[cycle.pk]), follow=True)

    assert "等次已经确定，不能再修改" in page_of(response)


def test_feed_back_before_closing_is_refused(client, staff, cycle):
    response = logged_in(client, staff.organisation).post(
        reverse("assessment:cycle_feed_back", args=[cycle.pk]), follow=True
    )

    assert "确定等次后才能反馈考核结果" in page_of(response)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN


def test_my_results_without_a_linked_cadre_is_an_empty_state(client, staff):
    response = logged_in(client, staff.cadre_user).get(MY_RESULTS)

    assert response.status_code == 200
    assert "未关联干部档案" in page_of(response)


def test_a_cadre_user_is_sent_from_the_cycles_to_their_results(client, staff, cycle):
    cadre = logged_in(client, staff.cadre_user)

    response = cadre.get(INDEX)

    assert response.status_code == 302 and response["Location"] == MY_RESULTS
    assert cadre.get(cycle_url(cycle)).status_code in (403, 404)


# --- history and export --------------------------------------------------------------------


def test_cadre_history_lists_the_grades_by_year(client, staff, tree, township):
    org = staff.organisation
    for year, grade in ((YEAR - 1, Grade.EXCELLENT), (YEAR, Grade.COMPETENT)):
        c = services.cycle_open(actor=org, unit=tree.county_a, year=year)
        services.annual_grades_save(
            actor=org,
            cycle=c,
            unit=tree.township_a1,
            rows=[{"cadre": township[0].pk, "grade": grade, "responsibility": f"{year}年担当"}],
        )

    response = logged_in(client, org).get(
        reverse("assessment:cadre_history", args=[township[0].pk])
    )

    grades = response.context["grades"]
    assert [(g.cycle.year, g.grade) for g in grades] == [
        (YEAR, Grade.COMPETENT),
        (YEAR - 1, Grade.EXCELLENT),
    ]
    page = page_of(response)
    assert f"{YEAR}年担当" in page and f"{YEAR - 1}年担当" in page


def test_cadre_history_out_of_jurisdiction_is_not_found(client, staff, cadres):
    response = logged_in(client, staff.organisation).get(
        reverse("assessment:cadre_history", args=[cadres.in_b.pk])
    )

    assert response.status_code == 404


def test_export_has_a_row_per_grade(client, staff, tree, cycle, township):
    org = logged_in(client, staff.organisation)
    org.post(grid_url(cycle, tree.township_a1), grid_post(township[:1], township[1:3]))

    response = org.get(reverse("assessment:cycle_export", args=[cycle.pk]))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "考核所在单位", "现任职务", "考核等次", "担当作为情况", "评语")
    assert sorted(rows[1:]) == [
        ("镇干部00", "甲县一镇", "科员", "优秀", "攻坚克难，主动担当", "镇干部00的评语"),
        ("镇干部01", "甲县一镇", "科员", "称职", "攻坚克难，主动担当", "镇干部01的评语"),
        ("镇干部02", "甲县一镇", "科员", "称职", "攻坚克难，主动担当", "镇干部02的评语"),
    ]


def test_grid_lists_only_cadres_the_cycle_assesses(client, tree, make_user, cadres):
    """A county's cycle assesses the cadres the county manages: the county head (managed by the
    city) is not a row, even for a city user who may see them."""
    city_org = make_user(Role.ORGANISATION, unit=tree.city)
    county_cycle = services.cycle_open(actor=city_org, unit=tree.county_a, year=YEAR)
    CadreFactory(unit=tree.county_a, name="县直科员")

    page = page_of(logged_in(client, city_org).get(grid_url(county_cycle, tree.county_a)))

    assert "县直科员" in page
    assert cadres.leader_a.name not in page


# --- the live quota indicator ----------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
QUOTA_JS = Path(settings.BASE_DIR) / "static" / "js" / "quota.js"
APP_CSS = QUOTA_JS.parent.parent / "css" / "app.css"


@contextlib.contextmanager
def browser_page():
    """A headless Chromium page (the system browser; nothing is downloaded). Started after the
    test has read what it needs from the database: Playwright's event loop in this thread would
    give the ORM another connection, outside the test's transaction."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def test_quota_indicator_counts_excellent_rows_live_and_turns_red_when_over(
    client, staff, tree, cycle, township
):
    html = page_of(logged_in(client, staff.organisation).get(grid_url(cycle, tree.township_a1)))
    with browser_page() as page:
        _check_quota_indicator(page, html, township)


def _check_quota_indicator(page, html, township):
    # The page as served, without its network: script and styles are added from their files.
    page.route("**/*", lambda route: route.abort())
    page.set_content(html)
    page.add_script_tag(path=str(QUOTA_JS))
    page.add_style_tag(path=str(APP_CSS))
    indicator = page.locator("#quota-indicator")
    assert indicator.inner_text().endswith("0 / 2")

    for cadre in township[:2]:
        page.select_option(f"select[name=grade-{cadre.pk}]", Grade.EXCELLENT)
    assert indicator.inner_text().endswith("2 / 2")
    assert "over" not in indicator.get_attribute("class")

    page.select_option(f"select[name=grade-{township[2].pk}]", Grade.EXCELLENT)
    assert indicator.inner_text().endswith("3 / 2")
    assert "over" in indicator.get_attribute("class")
    assert indicator.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"

    page.select_option(f"select[name=grade-{township[0].pk}]", Grade.COMPETENT)
    assert indicator.inner_text().endswith("2 / 2")
    assert "over" not in indicator.get_attribute("class")

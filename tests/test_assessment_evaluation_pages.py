"""The 360-degree evaluation as people use it (360度反馈评价法, DOMAIN §2, county survey X): the
organisation department opens a round, generates links shown once (with an Excel download),
follows how many were used and reads the weighted results; a rater opens their link on a phone
without an account, scores and is thanked; the API and the admin. Nothing anywhere shows an
individual score."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessment import evaluation as ev
from assessment.choices import EvaluationStatus
from assessment.models import Evaluation, EvaluationScore, EvaluationSubject, RaterInvitation
from cadre.choices import Role
from cadre.models import User
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
LIST = reverse("assessment:evaluation_list")
API = "/api/v1/assessment/evaluations/"
RATINGS = "/api/v1/assessment/evaluation-ratings/"


def logged_in(client, user):
    client.force_login(user)
    return client


def page_of(response):
    return response.content.decode()


def detail_url(evaluation):
    return reverse("assessment:evaluation_detail", args=[evaluation.pk])


def rate_url(token):
    return reverse("assessment:evaluation_rate", args=[token])


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def rated(staff, tree, cadres):
    return ev.evaluation_open(
        actor=staff.organisation,
        unit=tree.county_a,
        title="甲县第二季度360度评价",
        year=YEAR,
        quarter=2,
        closes_on=in_days(10),
        cadres=[cadres.in_a],
        teams=[tree.township_a1],
    )


def invite(evaluation, staff, group="staff", count=1):
    return ev.evaluation_invite(
        actor=staff.organisation, evaluation=evaluation, group=group, count=count
    )


def subjects(evaluation):
    return list(EvaluationSubject.objects.filter(evaluation=evaluation).order_by("pk"))


def score_post(evaluation, score):
    return {f"s{s.pk}": score for s in subjects(evaluation)}


def submit(evaluation, staff, group, *scores):
    for token, score in zip(invite(evaluation, staff, group, len(scores)), scores, strict=True):
        ev.evaluation_submit(token=token, scores={s.pk: score for s in subjects(evaluation)})


def close(evaluation, staff):
    ev.evaluation_close(actor=staff.organisation, evaluation=evaluation)


def result_cell(html, subject, group):
    row = re.search(rf'data-subject="{subject.pk}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-group="{group}">(.*?)</td>', row, re.S).group(1)


# --- the rounds -------------------------------------------------------------------------------


def test_organisation_opens_a_round_from_the_list(client, staff, tree, cadres):
    org = logged_in(client, staff.organisation)

    response = org.post(
        LIST,
        {
            "unit": tree.county_a.pk,
            "title": "",
            "year": YEAR,
            "quarter": "2",
            "closes_on": in_days(7).isoformat(),
            "cadres": [cadres.in_a.pk],
            "teams": [tree.dept_a.pk],
        },
    )

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(evaluation)
    assert evaluation.title == f"甲县{YEAR}年360度评价"
    assert evaluation.subjects.count() == 2


def test_a_round_without_subjects_is_shown_again_with_the_error(client, staff, tree):
    org = logged_in(client, staff.organisation)

    response = org.post(
        LIST,
        {"unit": tree.county_a.pk, "year": YEAR, "closes_on": in_days(7).isoformat()},
    )

    assert response.status_code == 400
    assert "请至少选择一名干部或一个领导班子" in page_of(response)
    assert not Evaluation.objects.exists()


def test_a_reader_sees_the_rounds_but_cannot_open_one(client, staff, rated, tree):
    inspector = logged_in(client, staff.inspector)

    response = inspector.get(LIST)
    refused = inspector.post(LIST, {"unit": tree.county_a.pk})

    assert response.status_code == 200
    assert rated.title in page_of(response)
    assert 'data-testid="open-evaluation"' not in page_of(response)
    assert refused.status_code == 403


def test_a_cadre_user_may_not_read_the_rounds(client, staff, rated):
    cadre = logged_in(client, staff.cadre_user)

    assert cadre.get(LIST).status_code == 403
    assert cadre.get(detail_url(rated)).status_code == 403


def test_another_county_does_not_find_the_round(client, staff, rated, make_user, tree):
    other = logged_in(client, make_user(Role.ORGANISATION, unit=tree.county_b))

    assert rated.title not in page_of(other.get(LIST))
    assert other.get(detail_url(rated)).status_code == 404
    invite_url = reverse("assessment:evaluation_invite", args=[rated.pk])
    assert other.post(invite_url, {"group": "staff", "count": 3}).status_code == 404
    assert not RaterInvitation.objects.exists()


def test_the_list_takes_a_fixed_number_of_queries(
    client, staff, tree, cadres, django_assert_max_num_queries
):
    org = logged_in(client, staff.organisation)
    for n in range(6):
        evaluation = ev.evaluation_open(
            actor=staff.organisation,
            unit=tree.county_a,
            title=f"第{n}轮",
            year=YEAR,
            closes_on=in_days(5),
            cadres=[cadres.in_a],
        )
        invite(evaluation, staff, count=2)

    with django_assert_max_num_queries(11):
        response = org.get(LIST)

    assert page_of(response).count('data-testid="evaluation-row"') == 6


# --- links ------------------------------------------------------------------------------------


def test_links_are_shown_once_and_then_only_counted(client, staff, rated):
    org = logged_in(client, staff.organisation)
    invite_url = reverse("assessment:evaluation_invite", args=[rated.pk])

    response = org.post(invite_url, {"group": "service_users", "count": 3})

    html = page_of(response)
    links = re.findall(r"<code>(http://testserver/[^<]+)</code>", html)
    assert response.status_code == 200
    assert len(links) == 3
    assert "no-store" in response["Cache-Control"]
    tokens = [link.rstrip("/").rsplit("/", 1)[1] for link in links]
    detail = page_of(org.get(detail_url(rated)))
    assert not any(token in detail for token in tokens)
    row = re.search(r'data-group="service_users">(.*?)</tr>', detail, re.S).group(1)
    assert re.search(r'data-testid="unused">3<', row)


def test_the_links_download_as_excel(client, staff, rated):
    org = logged_in(client, staff.organisation)
    tokens = invite(rated, staff, "leader", 2)
    export_url = reverse("assessment:evaluation_links_export", args=[rated.pk])

    response = org.post(export_url, {"token": tokens})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "分管县级领导"
    assert {row[2] for row in rows[1:]} == {
        f"http://testserver{rate_url(token)}" for token in tokens
    }


def test_links_that_were_not_generated_do_not_download(client, staff, rated):
    org = logged_in(client, staff.organisation)
    invite(rated, staff)
    export_url = reverse("assessment:evaluation_links_export", args=[rated.pk])

    response = org.post(export_url, {"token": ["guessed-token"]})

    assert response.status_code == 400
    assert 'data-testid="links-gone"' in page_of(response)


def test_a_bad_link_count_is_a_field_error(client, staff, rated):
    org = logged_in(client, staff.organisation)
    invite_url = reverse("assessment:evaluation_invite", args=[rated.pk])

    response = org.post(invite_url, {"group": "staff", "count": 501})

    assert response.status_code == 400
    assert 'data-field="count"' in page_of(response)
    assert not RaterInvitation.objects.exists()


def test_a_reader_may_not_generate_links(client, staff, rated):
    inspector = logged_in(client, staff.inspector)
    invite_url = reverse("assessment:evaluation_invite", args=[rated.pk])

    response = inspector.post(invite_url, {"group": "staff", "count": 3})

    assert response.status_code == 403
    assert 'data-testid="invite-form"' not in page_of(inspector.get(detail_url(rated)))


# --- results ----------------------------------------------------------------------------------


def test_results_show_aggregates_and_hide_small_groups(client, staff, rated, cadres):
    submit(rated, staff, "leader", 90, 80, 70)
    submit(rated, staff, "assessment_office", 37)
    close(rated, staff)
    inspector = logged_in(client, staff.inspector)

    html = page_of(inspector.get(detail_url(rated)))

    cadre_subject = EvaluationSubject.objects.get(evaluation=rated, cadre=cadres.in_a)
    assert "80.00" in result_cell(html, cadre_subject, "leader")
    office = result_cell(html, cadre_subject, "assessment_office")
    assert "不足3人" in office and "37" not in office
    # The lone office score does not count either: only the leader's 80 does.
    assert 'data-testid="weighted"' not in html or "60.89" not in html
    assert "80.00" in html
    assert "37" not in re.sub(r"<[^>]+>", " ", html.split('data-testid="result-table"')[1])


def test_results_wait_for_the_end_of_the_round(client, staff, rated):
    # While scores come in, comparing the results before and after one submission would give
    # that rater's score away: only the progress is shown.
    submit(rated, staff, "leader", 90, 80, 70)
    org = logged_in(client, staff.organisation)

    html = page_of(org.get(detail_url(rated)))
    export = org.get(reverse("assessment:evaluation_export", args=[rated.pk]))
    body = api_as(staff.organisation).get(f"{API}{rated.pk}/").json()

    assert 'data-testid="results-pending"' in html
    assert 'data-testid="result-table"' not in html and "80.00" not in html
    assert html.count('data-testid="subject"') == 2
    assert re.search(r'data-group="leader">.*?data-testid="used">3<', html, re.S)
    assert export.status_code == 302
    assert body["results_visible"] is False and body["results"] == []


def test_the_detail_page_takes_a_fixed_number_of_queries(
    client, staff, tree, django_assert_max_num_queries
):
    many = [CadreFactory(unit=tree.township_a1, name=f"镇干部{i}") for i in range(8)]
    evaluation = ev.evaluation_open(
        actor=staff.organisation,
        unit=tree.county_a,
        title="大轮",
        year=YEAR,
        closes_on=in_days(5),
        cadres=many,
        teams=[tree.township_a1, tree.dept_a],
    )
    submit(evaluation, staff, "staff", 60, 70, 80)
    close(evaluation, staff)
    org = logged_in(client, staff.organisation)

    with django_assert_max_num_queries(11):
        response = org.get(detail_url(evaluation))

    assert page_of(response).count('data-testid="result-row"') == 10


def test_results_export_holds_only_aggregates(client, staff, rated):
    submit(rated, staff, "leader", 90, 80, 70)
    submit(rated, staff, "assessment_office", 37)
    Evaluation.objects.filter(pk=rated.pk).update(closes_on=in_days(-1))  # past its closing day
    org = logged_in(client, staff.organisation)

    response = org.get(reverse("assessment:evaluation_export", args=[rated.pk]))

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "张三"
    assert rows[1][2] == 80 and rows[1][3] == 3  # leader: average, count
    assert rows[1][6] in ("", None) and rows[1][7] == 1  # office: hidden, one rater
    assert rows[1][-1] == pytest.approx(80)
    assert 37 not in [v for row in rows for v in row]


def test_closing_asks_first_and_stops_the_links(client, staff, rated):
    [token] = invite(rated, staff)
    org = logged_in(client, staff.organisation)
    assert (
        "data-confirm" in page_of(org.get(detail_url(rated))).split('data-testid="close-form"')[1]
    )

    response = org.post(reverse("assessment:evaluation_close", args=[rated.pk]))

    assert response.status_code == 302
    assert Evaluation.objects.get(pk=rated.pk).status == EvaluationStatus.CLOSED
    closed = client.get(rate_url(token))
    assert closed.status_code == 410
    assert "本次评价已经结束" in page_of(closed)


# --- the rater's page -------------------------------------------------------------------------


def test_the_rater_page_needs_no_login_and_fits_a_phone(client, staff, rated):
    [token] = invite(rated, staff)

    response = client.get(rate_url(token))

    html = page_of(response)
    assert response.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="zh-hans">' in html
    assert "本单位干部职工" in html and "张三" in html and "甲县一镇领导班子" in html
    assert html.count('type="number"') == 2 and html.count('inputmode="numeric"') == 2
    assert response["Referrer-Policy"] == "same-origin"  # the token never goes elsewhere


def test_a_rater_submits_and_is_thanked(client, staff, rated):
    [token] = invite(rated, staff)

    response = client.post(rate_url(token), score_post(rated, 85))

    assert response.status_code == 302
    assert response.url == reverse("assessment:evaluation_rate_thanks")
    assert "感谢您的评价" in page_of(client.get(response.url))
    assert list(EvaluationScore.objects.values_list("score", flat=True)) == [85, 85]


def test_a_used_link_shows_an_error_page(client, staff, rated):
    [token] = invite(rated, staff)
    client.post(rate_url(token), score_post(rated, 85))

    again = client.get(rate_url(token))
    resubmit = client.post(rate_url(token), score_post(rated, 10))

    assert again.status_code == 410
    assert "已经使用过" in page_of(again)
    assert resubmit.status_code == 410
    assert set(EvaluationScore.objects.values_list("score", flat=True)) == {85}


def test_an_unknown_link_shows_an_error_page(client, rated):
    response = client.get(rate_url("no-such-token"))

    assert response.status_code == 404
    assert "评价链接无效" in page_of(response)


def test_a_score_out_of_range_is_shown_on_its_subject(client, staff, rated):
    [token] = invite(rated, staff)
    data = score_post(rated, 90)
    data[f"s{subjects(rated)[1].pk}"] = "120"

    response = client.post(rate_url(token), data)

    assert response.status_code == 400
    assert "请填写0至100之间的整数分" in page_of(response)
    assert not EvaluationScore.objects.exists()
    assert RaterInvitation.objects.get().used_on is None


# --- API --------------------------------------------------------------------------------------


def api_as(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_api_lists_rounds_with_weighted_results_only(staff, rated, cadres):
    submit(rated, staff, "leader", 90, 80, 70)
    submit(rated, staff, "assessment_office", 37)
    close(rated, staff)

    body = api_as(staff.inspector).get(API).json()

    [round_] = body["results"]
    result = next(r for r in round_["results"] if r["cadre"] == cadres.in_a.pk)
    groups = {g["code"]: g for g in result["groups"]}
    assert result["weighted"] == "80.00"
    assert groups["leader"] == {"code": "leader", "count": 3, "average": "80.00"}
    assert groups["assessment_office"] == {"code": "assessment_office", "count": 1, "average": None}
    assert {g["code"]: g["used"] for g in round_["groups"]}["leader"] == 3
    assert "37" not in str(body)


def test_api_opens_generates_links_once_and_closes(staff, tree, cadres):
    client = api_as(staff.organisation)

    created = client.post(
        API,
        {
            "unit": tree.county_a.pk,
            "year": YEAR,
            "quarter": 3,
            "closes_on": in_days(5).isoformat(),
            "cadres": [cadres.in_a.pk],
        },
        format="json",
    )
    pk = created.json()["id"]
    links = client.post(f"{API}{pk}/invitations/", {"group": "staff", "count": 2}, format="json")
    detail = client.get(f"{API}{pk}/")
    closed = client.post(f"{API}{pk}/close/")

    assert created.status_code == 201
    assert links.status_code == 201
    tokens = links.json()["tokens"]
    assert len(tokens) == 2
    assert links.json()["links"][0].endswith(rate_url(tokens[0]))
    assert not any(token in detail.content.decode() for token in tokens)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_api_refuses_readers_and_hides_other_counties(staff, rated, make_user, tree):
    reader = api_as(staff.inspector)
    other = api_as(make_user(Role.ORGANISATION, unit=tree.county_b))

    assert reader.post(f"{API}{rated.pk}/close/").status_code == 403
    assert reader.post(API, {"unit": tree.county_a.pk}, format="json").status_code == 403
    assert other.get(f"{API}{rated.pk}/").status_code == 404
    assert (
        other.post(f"{API}{rated.pk}/invitations/", {"group": "staff", "count": 1}).status_code
        == 404
    )


def test_api_open_with_bad_weights_answers_400(staff, tree, cadres):
    from tests.test_assessment_evaluation import publish_weights

    publish_weights(tree.county_a, leader=50, staff=40)

    response = api_as(staff.organisation).post(
        API,
        {
            "unit": tree.county_a.pk,
            "year": YEAR,
            "closes_on": in_days(5).isoformat(),
            "cadres": [cadres.in_a.pk],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "100" in response.json()["non_field_errors"][0]


def test_api_list_takes_a_fixed_number_of_queries(
    staff, tree, cadres, django_assert_max_num_queries
):
    for n in range(5):
        evaluation = ev.evaluation_open(
            actor=staff.organisation,
            unit=tree.county_a,
            title=f"第{n}轮",
            year=YEAR,
            closes_on=in_days(5),
            cadres=[cadres.in_a, CadreFactory(unit=tree.dept_a)],
        )
        submit(evaluation, staff, "leader", 70, 80, 90)
        close(evaluation, staff)
    client = api_as(staff.organisation)

    with django_assert_max_num_queries(10):
        body = client.get(API).json()

    assert len(body["results"]) == 5
    assert {r["results"][0]["weighted"] for r in body["results"]} == {"80.00"}


def test_a_rater_may_submit_through_the_api_once(staff, rated):
    [token] = invite(rated, staff)
    scores = {str(s.pk): 75 for s in subjects(rated)}

    first = APIClient().post(RATINGS, {"token": token, "scores": scores}, format="json")
    second = APIClient().post(RATINGS, {"token": token, "scores": scores}, format="json")

    assert first.status_code == 204
    assert second.status_code == 410
    assert EvaluationScore.objects.count() == 2


# --- admin ------------------------------------------------------------------------------------


def test_admin_registers_rounds_but_never_scores_or_invitations():
    assert Evaluation in admin.site._registry
    assert EvaluationScore not in admin.site._registry
    assert RaterInvitation not in admin.site._registry


def test_admin_shows_rounds_read_only(client, rated):
    superuser = User.objects.create_superuser("root", "root@example.gov.cn", "Secret-pass-123")
    client.force_login(superuser)

    changelist = client.get(reverse("admin:assessment_evaluation_changelist"))
    change = client.get(reverse("admin:assessment_evaluation_change", args=[rated.pk]))

    assert changelist.status_code == 200 and rated.title in page_of(changelist)
    assert change.status_code == 200
    assert 'name="_save"' not in page_of(change)


# --- on a phone, in a real browser ------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def phone(monkeypatch):
    """A headless Chromium from the system, as a phone (390×844, touch). Never downloads one."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`", pytrace=False)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            browser.close()


def test_a_rater_scores_on_a_phone(live_server, transactional_db, phone, staff, tree, cadres):
    evaluation = ev.evaluation_open(
        actor=staff.organisation,
        unit=tree.county_a,
        title="甲县第二季度360度评价",
        year=YEAR,
        closes_on=in_days(10),
        cadres=[cadres.in_a],
        teams=[tree.township_a1],
    )
    [token] = invite(evaluation, staff, "service_users")

    phone.goto(live_server.url + rate_url(token))

    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    boxes = phone.locator("input.score-input")
    assert boxes.count() == 2
    assert all(boxes.nth(i).bounding_box()["height"] >= 44 for i in range(2))  # touch targets
    phone.locator("input[type=range]").first.fill("66")  # the slider fills its box
    assert boxes.first.input_value() == "66"
    boxes.nth(1).fill("72")
    phone.get_by_role("button", name="提交评价").click()

    phone.get_by_text("感谢您的评价！").wait_for()
    assert sorted(EvaluationScore.objects.values_list("score", flat=True)) == [66, 72]

"""Pages, exports, API and admin of awards and exemplars: the campaign list and detail with
nominees, objections and the timeline; the steps with their confirmation; the forms; the Excel
lists; the API with its 400/403/404/409 answers; the admin restricted to the jurisdiction; a
constant number of queries."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role
from cadre.models import PerformanceEntry, User
from incentives import awards
from incentives.choices import CampaignStatus, NominationStatus, ObjectionStatus
from incentives.models import AwardCampaign, Exemplar, Nomination, Objection
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
WED = datetime.date(2026, 11, 11)
NOTICE_END = datetime.date(2026, 11, 17)
LIST = reverse("incentives:campaign_list")
CREATE = reverse("incentives:campaign_create")
EXEMPLARS = reverse("incentives:exemplar_list")
EXEMPLAR_NEW = reverse("incentives:exemplar_create")
EXEMPLAR_EXPORT = reverse("incentives:exemplar_export")
API = "/api/v1/incentives/"


def at(day, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(WED), tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(tree, make_user):
    return type(
        "People",
        (),
        {
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz1"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw1"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb"),
        },
    )


def login(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def campaign_of(org, unit, kind="dangdang_award", title="2026年度担当有为奖"):
    return awards.campaign_create(actor=org, unit=unit, kind_code=kind, title=title, year=2026)


def noticed(org, unit, cadres_):
    campaign = campaign_of(org, unit)
    nominations = [
        awards.nominate(actor=org, campaign=campaign, cadre=c, deeds=f"{c.name}的事迹")
        for c in cadres_
    ]
    awards.campaign_close_nominations(actor=org, campaign=campaign)
    for n in nominations:
        awards.nomination_review(actor=org, nomination=n, approve=True)
    awards.campaign_start_notice(actor=org, campaign=campaign)
    return campaign, nominations


def workbook_rows(response):
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- pages --------------------------------------------------------------------------------


def test_campaign_list_shows_tabs_and_empty_state(client, people):
    response = login(client, people.org).get(LIST)
    assert response.status_code == 200
    body = text(response)
    assert "暂无评选表彰活动" in body and "先进典型" in body and 'class="active"' in body


def test_campaign_created_from_the_form(client, people, tree):
    response = login(client, people.org).post(
        CREATE,
        {
            "unit": tree.county_a.pk,
            "kind_code": "one_matter_praise",
            "title": "一事一表扬",
            "year": 2026,
        },
    )
    campaign = AwardCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incentives:campaign_detail", args=[campaign.pk])
    assert campaign.notice_days == 0 and campaign.kind_label == "一事一表扬"


def test_campaign_form_shows_the_services_errors(client, people, tree):
    response = login(client, people.org).post(
        CREATE, {"unit": tree.county_a.pk, "kind_code": "nobel", "title": "", "year": 2026}
    )
    assert response.status_code == 400
    assert "此项为必填项" in text(response) or "请选择" in text(response)
    assert not AwardCampaign.objects.exists()


def test_read_only_role_sees_but_cannot_create(client, people, tree):
    campaign_of(people.org, tree.county_a)
    login(client, people.inspector)
    assert client.get(LIST).status_code == 200
    assert "发起评选活动" not in text(client.get(LIST))
    assert client.get(CREATE).status_code == 403


def test_nominate_form_refuses_a_held_cadre_with_the_reason(client, people, tree, cadres):
    from tests.test_incentives_awards import sanction

    sanction(cadres.in_a)
    campaign = campaign_of(people.org, tree.county_a)
    url = reverse("incentives:campaign_nominate", args=[campaign.pk])
    response = login(client, people.org).post(url, {"cadre": cadres.in_a.pk, "deeds": "事迹"})
    assert response.status_code == 400
    assert "处理处分影响期内不得评先评优" in text(response)
    assert not Nomination.objects.exists()


def test_full_campaign_through_the_pages(client, people, tree, cadres, frozen):
    login(client, people.org)
    campaign = campaign_of(people.org, tree.county_a)
    detail = reverse("incentives:campaign_detail", args=[campaign.pk])
    client.post(
        reverse("incentives:campaign_nominate", args=[campaign.pk]),
        {"cadre": cadres.in_a.pk, "deeds": "抢险救灾冲在一线"},
    )
    nomination = Nomination.objects.get()
    step = reverse("incentives:campaign_transition", args=[campaign.pk, "close_nominations"])
    assert "data-confirm" in text(client.get(step))
    assert client.post(step).status_code == 302
    review = reverse("incentives:nomination_review", args=[nomination.pk])
    # Rejecting without a note is shown on the detail page.
    response = client.post(review, {f"{nomination.pk}-approve": "0", f"{nomination.pk}-note": ""})
    assert response.status_code == 400 and "须填写审核意见" in text(response)
    client.post(review, {f"{nomination.pk}-approve": "1", f"{nomination.pk}-note": "同意"})
    notice = reverse("incentives:campaign_transition", args=[campaign.pk, "start_notice"])
    confirm = text(client.get(notice))
    assert "2026-11-17" in confirm and "张三" in confirm
    client.post(notice)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.NOTICE
    objection_url = reverse("incentives:objection_record", args=[nomination.pk])
    client.post(objection_url, {"received_on": "2026-11-11", "content": "反映事迹夸大"})
    objection = Objection.objects.get()
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    login(client, people.org)  # a new session a week later
    award = reverse("incentives:campaign_transition", args=[campaign.pk, "award"])
    response = client.post(award)
    assert (
        response.status_code == 400
        and "张三" in text(response)
        and "尚未核查办结" in text(response)
    )
    client.post(
        reverse("incentives:objection_resolve", args=[objection.pk]),
        {"upheld": "0", "resolution": "经核查反映不实"},
    )
    assert client.post(award).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.AWARDED
    body = text(client.get(detail))
    assert "已表彰" in body and "经核查反映不实" in body
    assert "开始公示" in body and "截止推荐" in body  # timeline
    assert PerformanceEntry.objects.filter(cadre=cadres.in_a).count() == 1


def test_award_refused_before_notice_end_on_the_page(client, people, tree, cadres):
    campaign, _ = noticed(people.org, tree.county_a, [cadres.in_a])
    award = reverse("incentives:campaign_transition", args=[campaign.pk, "award"])
    response = login(client, people.org).post(award)
    assert response.status_code == 400 and "公示期满后方可表彰" in text(response)


def test_refused_step_shows_a_message_not_an_error(client, people, tree):
    campaign = campaign_of(people.org, tree.county_a)
    url = reverse("incentives:campaign_transition", args=[campaign.pk, "award"])
    login(client, people.org)
    assert "不能办理此操作" in text(client.get(url))
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "不能" in text(response)


def test_withdraw_asks_for_confirmation(client, people, tree, cadres):
    campaign = campaign_of(people.org, tree.county_a)
    nomination = awards.nominate(actor=people.org, campaign=campaign, cadre=cadres.in_a, deeds="x")
    url = reverse("incentives:nomination_withdraw", args=[nomination.pk])
    login(client, people.org)
    assert "data-confirm" in text(client.get(url))
    client.post(url)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN


def test_campaign_export_lists_nominees_with_results(client, people, tree, cadres, frozen):
    campaign, (nomination,) = noticed(people.org, tree.county_a, [cadres.in_a])
    objection = awards.objection_record(
        actor=people.org, nomination=nomination, received_on=WED, content="反映问题"
    )
    awards.objection_resolve(actor=people.org, objection=objection, upheld=True, resolution="属实")
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    awards.campaign_award(actor=people.org, campaign=campaign)
    response = login(client, people.org).get(
        reverse("incentives:campaign_export", args=[campaign.pk])
    )
    rows = workbook_rows(response)
    assert rows[0][1] == "推荐对象"
    assert rows[1][1] == "张三" and rows[1][5] == "公示有异议未通过" and "属实" in rows[1][7]


def test_out_of_jurisdiction_campaign_is_not_found(client, people, tree, cadres):
    campaign = campaign_of(people.org, tree.county_a)
    nomination = awards.nominate(actor=people.org, campaign=campaign, cadre=cadres.in_a, deeds="x")
    exemplar = awards.exemplar_add(
        actor=people.org, cadre=cadres.in_a, title="典型", year=2026, deeds="x"
    )
    login(client, people.org_b)
    assert client.get(reverse("incentives:campaign_detail", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("incentives:campaign_export", args=[campaign.pk])).status_code == 404
    assert (
        client.get(reverse("incentives:nomination_withdraw", args=[nomination.pk])).status_code
        == 404
    )
    assert client.get(reverse("incentives:exemplar_detail", args=[exemplar.pk])).status_code == 404
    assert campaign.title not in text(client.get(LIST))
    assert "张三" not in text(client.get(EXEMPLARS))


def test_campaign_pages_queries_do_not_grow(client, people, tree, django_assert_max_num_queries):
    login(client, people.org)
    people_ = [CadreFactory(unit=tree.township_a1) for _ in range(6)]
    campaign, nominations = noticed(people.org, tree.county_a, people_)
    for n in nominations[:3]:
        awards.objection_record(actor=people.org, nomination=n, received_on=WED, content="反映")
    for i in range(5):
        campaign_of(people.org, tree.county_a, title=f"活动{i}")
    detail = reverse("incentives:campaign_detail", args=[campaign.pk])
    with django_assert_max_num_queries(11):
        assert client.get(detail).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(5):
        response = client.get(reverse("incentives:campaign_export", args=[campaign.pk]))
    assert len(workbook_rows(response)) == 7
    award = reverse("incentives:campaign_transition", args=[campaign.pk, "award"])
    with django_assert_max_num_queries(6):
        assert "data-confirm" in text(client.get(award))


# --- exemplar register --------------------------------------------------------------------


def shown(client, **params):
    """The names in the register's rows, in order."""
    import re

    body = text(client.get(EXEMPLARS, params))
    return sorted(re.findall(r'data-testid="exemplar-name">([^<]+)<', body))


def test_exemplar_register_add_filter_export_and_detail(client, people, tree, cadres):
    login(client, people.org)
    response = client.post(
        EXEMPLAR_NEW,
        {
            "cadre": cadres.in_a.pk,
            "title": "担当作为先进典型",
            "year": 2026,
            "deeds": "扎根基层二十年",
        },
    )
    exemplar = Exemplar.objects.get()
    assert response["Location"] == reverse("incentives:exemplar_detail", args=[exemplar.pk])
    client.post(
        EXEMPLAR_NEW,
        {"collective": tree.dept_a.pk, "title": "先进集体", "year": 2025, "deeds": "集体事迹"},
    )
    assert "扎根基层二十年" in text(client.get(response["Location"]))
    assert shown(client, year=2026) == ["张三"]
    assert shown(client, q="发改") == ["甲县发改局"]
    assert shown(client, unit=tree.township_a1.pk) == ["张三"]
    assert shown(client) == sorted(["甲县发改局", "张三"])
    assert "没有符合条件" in text(client.get(EXEMPLARS, {"title": "不存在"}))
    rows = workbook_rows(client.get(EXEMPLAR_EXPORT, {"year": 2026}))
    assert len(rows) == 2 and rows[1][1] == "张三" and rows[1][7] == "直接登记"


def test_exemplar_form_needs_one_subject(client, people, tree, cadres):
    response = login(client, people.org).post(
        EXEMPLAR_NEW, {"title": "典型", "year": 2026, "deeds": "事迹"}
    )
    assert response.status_code == 400 and "二选一" in text(response)


def test_exemplar_list_queries_do_not_grow(client, people, tree, django_assert_max_num_queries):
    for i in range(8):
        awards.exemplar_add(
            actor=people.org,
            cadre=CadreFactory(unit=tree.township_a1),
            title=f"典型{i}",
            year=2026,
            deeds="事迹",
        )
    login(client, people.org)
    with django_assert_max_num_queries(9):
        assert client.get(EXEMPLARS).status_code == 200
    with django_assert_max_num_queries(3):
        response = client.get(EXEMPLAR_EXPORT)
    assert len(workbook_rows(response)) == 9


# --- API ----------------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_campaign_flow_and_conflicts(people, tree, cadres, frozen):
    client = api(people.org)
    response = client.post(
        f"{API}award-campaigns/",
        {
            "unit": tree.county_a.pk,
            "kind_code": "dangdang_award",
            "title": "担当有为奖",
            "year": 2026,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    campaign_id = response.json()["id"]
    assert response.json()["notice_days"] == 5
    response = client.post(
        f"{API}award-nominations/",
        {"campaign": campaign_id, "cadre": cadres.in_a.pk, "deeds": "事迹"},
        format="json",
    )
    assert response.status_code == 201
    nomination_id = response.json()["id"]
    assert client.post(f"{API}award-campaigns/{campaign_id}/award/").status_code == 409
    assert client.post(f"{API}award-campaigns/{campaign_id}/close-nominations/").status_code == 200
    response = client.post(f"{API}award-nominations/{nomination_id}/reject/", {}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    response = client.post(
        f"{API}award-nominations/{nomination_id}/reject/", {"note": "长" * 301}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()
    assert client.post(f"{API}award-nominations/{nomination_id}/approve/").status_code == 200
    response = client.post(f"{API}award-campaigns/{campaign_id}/start-notice/")
    assert response.json()["notice_end"] == "2026-11-17"
    response = client.post(
        f"{API}award-objections/",
        {"nomination": nomination_id, "received_on": "2026-11-11", "content": "反映"},
        format="json",
    )
    assert response.status_code == 201
    objection_id = response.json()["id"]
    frozen.move_to(at(NOTICE_END + datetime.timedelta(days=1)))
    response = client.post(f"{API}award-campaigns/{campaign_id}/award/")
    assert response.status_code == 400 and "张三" in str(response.json())
    response = client.post(
        f"{API}award-objections/{objection_id}/resolve/",
        {"upheld": True, "resolution": "属实"},
        format="json",
    )
    assert response.json()["status"] == ObjectionStatus.UPHELD
    assert client.post(f"{API}award-campaigns/{campaign_id}/award/").status_code == 200
    nomination = client.get(f"{API}award-nominations/{nomination_id}/").json()
    assert nomination["status"] == NominationStatus.BLOCKED
    assert client.get(f"{API}exemplars/").json()["results"] == []


def test_api_lists_queries_do_not_grow(people, tree, django_assert_max_num_queries):
    crowd = [CadreFactory(unit=tree.township_a1) for _ in range(5)]
    noticed(people.org, tree.county_a, crowd)
    client = api(people.org)
    for path in (
        "award-campaigns/",
        "award-nominations/",
        "award-objections/",
        "exemplars/",
    ):
        with django_assert_max_num_queries(4):
            assert client.get(f"{API}{path}").status_code == 200


def test_api_read_only_role_gets_403_and_other_county_404(people, tree, cadres):
    campaign = campaign_of(people.org, tree.county_a)
    reader = api(people.inspector)
    assert reader.get(f"{API}award-campaigns/{campaign.pk}/").status_code == 200
    assert reader.post(f"{API}award-campaigns/{campaign.pk}/close-nominations/").status_code == 403
    response = reader.post(
        f"{API}exemplars/",
        {"cadre": cadres.in_a.pk, "title": "x", "year": 2026, "deeds": "x"},
        format="json",
    )
    assert response.status_code == 403
    other = api(people.org_b)
    assert other.get(f"{API}award-campaigns/{campaign.pk}/").status_code == 404
    assert other.post(f"{API}award-campaigns/{campaign.pk}/close-nominations/").status_code == 404
    assert other.get(f"{API}award-campaigns/").json()["results"] == []


def test_api_exemplars_create_and_filter(people, tree, cadres):
    client = api(people.org)
    response = client.post(
        f"{API}exemplars/",
        {"collective": tree.township_a1.pk, "title": "先进集体", "year": 2026, "deeds": "事迹"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["collective_name"] == "甲县一镇"
    bad = client.post(f"{API}exemplars/", {"title": "x", "year": 2026, "deeds": "x"}, format="json")
    assert bad.status_code == 400
    assert len(client.get(f"{API}exemplars/", {"year": 2026}).json()["results"]) == 1
    assert client.get(f"{API}exemplars/", {"year": 2025}).json()["results"] == []


# --- admin --------------------------------------------------------------------------------


def test_admin_is_restricted_and_steps_go_through_the_service(client, people, tree, cadres):
    mine = campaign_of(people.org, tree.county_a, title="本县活动")
    theirs = campaign_of(people.org_b, tree.county_b, title="外县活动")
    people.org.is_staff = True
    people.org.save()
    people.org.user_permissions.set(Permission.objects.filter(content_type__app_label="incentives"))
    user = User.objects.get(pk=people.org.pk)
    login(client, user)
    url = reverse("admin:incentives_awardcampaign_changelist")
    body = text(client.get(url))
    assert "本县活动" in body and "外县活动" not in body
    change = reverse("admin:incentives_awardcampaign_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    client.post(url, {"action": "award", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == CampaignStatus.NOMINATING  # refused: not in notice
    client.post(url, {"action": "close_nominations", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == CampaignStatus.REVIEWING


def test_every_form_page_renders(client, people, tree, cadres):
    campaign, (nomination,) = noticed(people.org, tree.county_a, [cadres.in_a])
    objection = awards.objection_record(
        actor=people.org, nomination=nomination, received_on=WED, content="反映"
    )
    collective = campaign_of(people.org, tree.county_a, kind="advanced_collective", title="集体")
    login(client, people.org)
    pages = [
        CREATE,
        EXEMPLAR_NEW,
        reverse("incentives:campaign_nominate", args=[collective.pk]),
        reverse("incentives:objection_record", args=[nomination.pk]),
        reverse("incentives:objection_resolve", args=[objection.pk]),
        reverse("incentives:campaign_detail", args=[campaign.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    body = text(client.get(reverse("incentives:campaign_nominate", args=[collective.pk])))
    assert "推荐集体" in body and "推荐干部" not in body
    detail = text(client.get(reverse("incentives:campaign_detail", args=[campaign.pk])))
    assert "登记异议" in detail and "核查办结" in detail and "2026-11-17" in detail

"""The talks' API: the confidential content answered only to whom may read it, scope (404),
read-only roles (403), validation (400), a lost race (409), and the list queries pinned."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cadre.choices import Role
from care import talks
from care.choices import ObligationStatus, RequestStatus, TalkKind
from care.models import Talk, TalkObligation
from tests import test_care_talks as base
from tests.test_care_talks_pages import SECRET, due_talk

pytestmark = pytest.mark.django_db

people = base.people
record = base.record
deliver = base.deliver

TALKS = "/api/v1/care/talks/"
OBLIGATIONS = "/api/v1/care/talk-obligations/"
REQUESTS = "/api/v1/care/talk-requests/"
MISFORTUNES = "/api/v1/care/misfortune-reports/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def secret_talk(people, cadres):
    return record(
        people.org, cadres.in_a, summary="谈话摘要", confidential=True, confidential_content=SECRET
    )


def talk_data(cadre, **extra):
    data = {
        "cadre": cadre.pk,
        "talker_name": "组织甲",
        "kind": TalkKind.FIVE_MUSTS,
        "held_on": timezone.localdate().isoformat(),
        "summary": "谈新岗位",
    }
    data.update(extra)
    return data


# --- talks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, shown",
    [
        ("org", True),
        ("cadre_user", True),
        ("unit_leader", False),
        ("auditor", False),
        ("committee", False),
    ],
)
def test_confidential_content_is_answered_only_to_who_may_read_it(people, secret_talk, who, shown):
    user = getattr(people, who, None) or getattr(people.staff, who)
    body = api(user).get(f"{TALKS}{secret_talk.pk}/").json()
    assert body["summary"] == "谈话摘要"
    assert body["confidential"] is True
    assert body["confidential_content"] == (SECRET if shown else None)
    listed = api(user).get(TALKS).json()["results"]
    assert [row["confidential_content"] for row in listed] == [SECRET if shown else None]


@pytest.mark.parametrize("who", ["inspector", "other_cadre_user", "out_of_scope"])
def test_a_talk_is_not_found_outside_what_the_user_may_read(
    people, secret_talk, tree, make_user, who
):
    users = {
        "inspector": people.staff.inspector,
        "other_cadre_user": people.other_cadre_user,
        "out_of_scope": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
    }
    assert api(users[who]).get(f"{TALKS}{secret_talk.pk}/").status_code == 404
    assert api(users[who]).get(TALKS).json()["results"] == []


def test_recording_a_talk_against_a_due_talk_closes_it_and_a_second_is_409(people, cadres):
    obligation = due_talk(people, cadres.in_a)

    created = api(people.org).post(TALKS, talk_data(cadres.in_a, obligation=obligation.pk))
    again = api(people.org2).post(TALKS, talk_data(cadres.in_a, obligation=obligation.pk))

    assert created.status_code == 201
    obligation.refresh_from_db()
    assert (obligation.status, obligation.talk_id) == ("held", created.json()["id"])
    assert again.status_code == 409
    assert again.json()["detail"] == "该事项已被他人办理（当前状态：已谈话），请刷新后查看"


def test_recording_a_talk_with_bad_input_is_400_with_chinese_fields(people, cadres):
    response = api(people.org).post(
        TALKS, talk_data(cadres.in_a, summary="", confidential=True, held_on="2099-01-01")
    )
    assert response.status_code == 400
    assert response.json() == {
        "held_on": ["谈话日期不能晚于今天"],
        "summary": ["请填写谈话摘要"],
        "confidential_content": ["勾选“含保密内容”的，请填写保密内容"],
    }


def test_recording_a_talk_about_an_out_of_scope_cadre_is_400(people, cadres):
    response = api(people.org).post(TALKS, talk_data(cadres.in_b))
    assert response.status_code == 400
    assert "cadre" in response.json()


@pytest.mark.parametrize("role", ["auditor", "unit_leader"])
def test_read_only_roles_may_not_record(people, cadres, role):
    response = api(getattr(people.staff, role)).post(TALKS, talk_data(cadres.in_a))
    assert response.status_code == 403


def test_talk_list_filters(people, cadres, secret_talk):
    record(people.org, people.other_cadre, kind=TalkKind.ANNUAL)
    rows = api(people.org).get(f"{TALKS}?kind=annual").json()["results"]
    assert [r["cadre_name"] for r in rows] == ["赵六"]


# --- due talks ----------------------------------------------------------------------------------


def test_obligations_list_assign_and_cancel(people, cadres):
    obligation = due_talk(people, cadres.in_a)
    client = api(people.org)

    rows = client.get(f"{OBLIGATIONS}?status=due").json()["results"]
    assert [(r["cadre_name"], r["trigger_code"], r["overdue"]) for r in rows] == [
        ("张三", "T1", False)
    ]

    assigned = client.post(f"{OBLIGATIONS}{obligation.pk}/assign/", {"assignee": people.org2.pk})
    assert assigned.status_code == 200
    assert assigned.json()["assignee"] == people.org2.pk

    wrong = client.post(f"{OBLIGATIONS}{obligation.pk}/assign/", {"assignee": people.city_org.pk})
    assert wrong.status_code == 400
    assert wrong.json()["assignee"] == ["承办人须为责任单位组织部门的在职用户"]

    no_reason = client.post(f"{OBLIGATIONS}{obligation.pk}/cancel/", {"reason": ""})
    assert no_reason.status_code == 400
    assert no_reason.json() == {"reason": ["请填写取消原因"]}

    cancelled = client.post(f"{OBLIGATIONS}{obligation.pk}/cancel/", {"reason": "已调离"})
    assert cancelled.json()["status"] == ObligationStatus.CANCELLED
    twice = client.post(f"{OBLIGATIONS}{obligation.pk}/cancel/", {"reason": "已调离"})
    assert twice.status_code == 409


def test_obligation_actions_are_403_for_read_only_and_404_outside(people, cadres, tree, make_user):
    obligation = due_talk(people, cadres.in_a)
    url = f"{OBLIGATIONS}{obligation.pk}/cancel/"
    assert api(people.staff.auditor).post(url, {"reason": "x"}).status_code == 403
    other = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b")
    assert api(other).post(url, {"reason": "x"}).status_code == 404
    assert api(other).get(f"{OBLIGATIONS}{obligation.pk}/").status_code == 404


def test_overdue_filter(people, cadres):
    late = due_talk(people, cadres.in_a)
    TalkObligation.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    due_talk(people, people.other_cadre, post="镇党委副书记")
    rows = api(people.org).get(f"{OBLIGATIONS}?timing=overdue").json()["results"]
    assert [(r["cadre_name"], r["overdue"]) for r in rows] == [("张三", True)]


# --- requests -----------------------------------------------------------------------------------


def test_a_cadre_requests_a_talk_and_the_organisation_answers(people, cadres):
    created = api(people.cadre_user).post(REQUESTS, {"topic": "工作压力", "content": "想调整分工"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["content"] == "想调整分工"

    leader = api(people.staff.unit_leader).get(f"{REQUESTS}{pk}/").json()
    assert leader["content"] is None
    assert api(people.staff.unit_leader).post(f"{REQUESTS}{pk}/accept/").status_code == 403

    no_response = api(people.org).post(f"{REQUESTS}{pk}/decline/", {"response": ""})
    assert no_response.status_code == 400
    accepted = api(people.org).post(f"{REQUESTS}{pk}/accept/", {"response": "周五约谈"})
    assert accepted.json()["status"] == RequestStatus.ACCEPTED

    held = api(people.org).post(TALKS, talk_data(cadres.in_a, kind=TalkKind.REQUESTED, request=pk))
    assert held.status_code == 201
    mine = api(people.cadre_user).get(f"{REQUESTS}{pk}/").json()
    assert (mine["status"], mine["talk"]) == (RequestStatus.HELD, held.json()["id"])
    assert api(people.other_cadre_user).get(f"{REQUESTS}{pk}/").status_code == 404


def test_a_request_without_content_is_400(people):
    response = api(people.cadre_user).post(REQUESTS, {"topic": "", "content": ""})
    assert response.status_code == 400
    assert response.json() == {"topic": ["请填写谈话主题"], "content": ["请填写想和组织说的话"]}


# --- misfortune reports ------------------------------------------------------------------------


def test_reporting_a_misfortune_creates_the_due_talk(people, cadres):
    response = api(people.org).post(
        MISFORTUNES,
        {
            "cadre": cadres.in_a.pk,
            "occurred_on": timezone.localdate().isoformat(),
            "description": "配偶重病住院",
        },
    )
    assert response.status_code == 201
    deliver()
    assert TalkObligation.objects.get(cadre=cadres.in_a).trigger_code == "T5"
    assert api(people.staff.auditor).get(MISFORTUNES).json()["results"][0]["cadre_name"] == "张三"
    refused = api(people.staff.auditor).post(
        MISFORTUNES, {"cadre": cadres.in_a.pk, "occurred_on": "2026-01-01", "description": "x"}
    )
    assert refused.status_code == 403


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [TALKS, OBLIGATIONS, REQUESTS])
def test_api_lists_queries_do_not_grow_with_rows(
    people, cadres, url, django_assert_max_num_queries
):
    for n in range(8):
        record(people.org, cadres.in_a, summary=f"谈话{n}")
        talks.talk_request_submit(actor=people.cadre_user, topic=f"主题{n}", content="内容")
    due_talk(people, cadres.in_a)
    due_talk(people, people.other_cadre, post="镇党委副书记")
    client = api(people.org)
    with django_assert_max_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["results"]
    assert Talk.objects.count() == 8

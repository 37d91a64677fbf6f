"""The talks' pages: the 五必谈 list with its filters, overdue rows and export; a due talk's
page with assignment, cancellation and the talk recorded from it; the talks with their
confidential content; the requests; 我的关爱; the misfortune report; and the admin."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from cadre.choices import Role
from cadre.models import Event, User
from cadre.services import cadre_update
from care import talks
from care.choices import ObligationStatus, RequestStatus, TalkKind
from care.models import Talk, TalkObligation, TalkRequest
from tests import test_care_talks as base
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

people = base.people
deliver = base.deliver
record = base.record

SECRET = "家中老人重病，需要照顾"


def as_user(client, user):
    client.force_login(user)
    return client


def due_talk(people, cadre, post="镇党委书记"):
    cadre_update(actor=people.org, cadre=cadre, post=post)
    deliver()
    return TalkObligation.objects.filter(cadre=cadre).latest("pk")


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def out_of_scope(people, cadres, tree, make_user):
    """A due talk and a talk about 李四 in county B, recorded by county B's department."""
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b")
    cadre_update(actor=org_b, cadre=cadres.in_b, post="镇党委书记")
    deliver()
    talk = record(org_b, cadres.in_b, talker_name="组织乙", summary="乙县的谈话")
    return TalkObligation.objects.get(cadre=cadres.in_b), talk


# --- 五必谈 list ----------------------------------------------------------------------------------


def test_obligation_list_shows_due_talks_in_scope_with_overdue_highlighted(
    client, people, cadres, out_of_scope
):
    late = due_talk(people, cadres.in_a)
    TalkObligation.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    soon = due_talk(people, people.other_cadre, post="镇党委副书记")

    page = as_user(client, people.org).get(reverse("care:obligation_list"))

    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-obligation="{late.pk}" class="overdue"' in html
    assert f'data-obligation="{soon.pk}">' in html
    assert html.count('data-testid="overdue"') == 1
    assert "李四" not in html  # county B is outside the jurisdiction


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=held", []),
        ("status=due", ["张三", "赵六"]),
        ("timing=overdue", ["张三"]),
        ("timing=due_soon", []),
        ("trigger=T1", ["张三", "赵六"]),
        ("trigger=T5", []),
        ("q=赵", ["赵六"]),
    ],
)
def test_obligation_list_filters(client, people, cadres, query, expected):
    late = due_talk(people, cadres.in_a)
    TalkObligation.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    due_talk(people, people.other_cadre, post="镇党委副书记")

    page = as_user(client, people.org).get(f"{reverse('care:obligation_list')}?{query}")

    rows = page.context["rows"]
    assert sorted(o.cadre.name for o, _overdue in rows) == expected


def test_obligation_list_unit_filter_takes_the_subtree(client, people, cadres, tree):
    due_talk(people, cadres.in_a)
    due_talk(people, cadres.leader_a, post="县委副书记")
    url = f"{reverse('care:obligation_list')}?unit={tree.township_a1.pk}"
    city = as_user(client, people.city_org).get(url)
    assert [o.cadre.name for o, _ in city.context["rows"]] == ["张三"]


def test_obligation_list_empty_state(client, people):
    page = as_user(client, people.org).get(reverse("care:obligation_list"))
    assert "暂无五必谈应谈事项。" in page.content.decode()


def test_obligation_list_queries_do_not_grow_with_rows(
    client, people, cadres, tree, django_assert_max_num_queries
):
    for n in range(12):
        cadre = CadreFactory(name=f"干部甲{n}", unit=tree.township_a1)
        due_talk(people, cadre)
    as_user(client, people.org)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("care:obligation_list"))
    assert len(page.context["rows"]) == 12


@pytest.mark.parametrize("role", ["inspector", "cadre_user"])
def test_obligation_list_is_not_for_discipline_or_cadres(client, people, role):
    page = as_user(client, getattr(people.staff, role)).get(reverse("care:obligation_list"))
    assert page.status_code == 403


def test_obligation_export_has_the_filtered_rows(client, people, cadres, out_of_scope):
    due_talk(people, cadres.in_a)
    due_talk(people, people.other_cadre, post="镇党委副书记")

    response = as_user(client, people.org).get(f"{reverse('care:obligation_export')}?q=张")

    rows = xlsx_rows(response)
    assert rows[0][:4] == ("干部", "单位", "必谈情形", "事由")
    assert [r[0] for r in rows[1:]] == ["张三"]
    assert rows[1][3] == "岗位变动：镇长 → 镇党委书记"


# --- a due talk -------------------------------------------------------------------------------


def test_obligation_detail_out_of_scope_is_not_found(client, people, out_of_scope):
    obligation, _talk = out_of_scope
    page = as_user(client, people.org).get(reverse("care:obligation_detail", args=[obligation.pk]))
    assert page.status_code == 404


def test_assigning_on_the_page(client, people, cadres):
    obligation = due_talk(people, cadres.in_a)
    url = reverse("care:obligation_assign", args=[obligation.pk])

    response = as_user(client, people.org).post(url, {"assignee": people.org2.pk})

    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.assignee == people.org2


def test_assigning_someone_outside_the_department_shows_the_error(client, people, cadres):
    obligation = due_talk(people, cadres.in_a)
    url = reverse("care:obligation_assign", args=[obligation.pk])
    response = as_user(client, people.org).post(url, {"assignee": people.city_org.pk})
    assert response.status_code == 400
    assert "请选择列表中的选项" in response.content.decode()


def test_cancelling_on_the_page_needs_a_reason_and_asks_first(client, people, cadres):
    obligation = due_talk(people, cadres.in_a)
    as_user(client, people.org)
    detail = client.get(reverse("care:obligation_detail", args=[obligation.pk]))
    assert "data-confirm" in detail.content.decode()
    url = reverse("care:obligation_cancel", args=[obligation.pk])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "此项为必填项" in refused.content.decode()

    client.post(url, {"reason": "该干部已调离"})
    obligation.refresh_from_db()
    assert (obligation.status, obligation.cancel_reason) == ("cancelled", "该干部已调离")


@pytest.mark.parametrize("role", ["auditor", "unit_leader", "committee"])
def test_read_only_roles_may_look_but_not_act(client, people, cadres, role):
    obligation = due_talk(people, cadres.in_a)
    as_user(client, getattr(people.staff, role))
    detail = client.get(reverse("care:obligation_detail", args=[obligation.pk]))
    assert detail.status_code == 200
    assert 'data-testid="cancel-form"' not in detail.content.decode()
    url = reverse("care:obligation_cancel", args=[obligation.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert client.get(reverse("care:talk_create")).status_code == 403


def test_recording_the_talk_from_the_due_talk_closes_it(client, people, cadres):
    obligation = due_talk(people, cadres.in_a)
    as_user(client, people.org)
    form = client.get(f"{reverse('care:talk_create')}?obligation={obligation.pk}")
    assert form.context["form"]["cadre"].value() == cadres.in_a.pk
    assert form.context["form"]["kind"].value() == TalkKind.FIVE_MUSTS

    response = client.post(
        reverse("care:talk_create"),
        {
            "obligation": obligation.pk,
            "cadre": cadres.in_a.pk,
            "talker_name": "组织甲",
            "kind": TalkKind.FIVE_MUSTS,
            "held_on": timezone.localdate().isoformat(),
            "summary": "谈新岗位的工作思路",
            "confidential": "on",
            "confidential_content": SECRET,
        },
    )

    talk = Talk.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("care:talk_detail", args=[talk.pk])
    obligation.refresh_from_db()
    assert (obligation.status, obligation.talk) == (ObligationStatus.HELD, talk)


def test_recording_against_a_closed_due_talk_says_so(client, people, cadres):
    obligation = due_talk(people, cadres.in_a)
    record(people.org2, cadres.in_a, obligation=obligation)
    response = as_user(client, people.org).post(
        reverse("care:talk_create"),
        {
            "obligation": obligation.pk,
            "cadre": cadres.in_a.pk,
            "talker_name": "组织甲",
            "kind": TalkKind.FIVE_MUSTS,
            "held_on": timezone.localdate().isoformat(),
            "summary": "重复登记",
        },
    )
    assert "该事项已被他人办理（当前状态：已谈话），请刷新后查看" in response.content.decode()
    assert Talk.objects.count() == 1


def test_the_talk_form_shows_the_services_errors(client, people, cadres):
    response = as_user(client, people.org).post(
        reverse("care:talk_create"),
        {
            "cadre": cadres.in_a.pk,
            "kind": TalkKind.OTHER,
            "held_on": timezone.localdate().isoformat(),
            "summary": "谈话",
            "confidential": "on",
        },
    )
    assert response.status_code == 400
    assert "勾选“含保密内容”的，请填写保密内容" in response.content.decode()


# --- talks and their confidential content ---------------------------------------------------


@pytest.fixture
def secret_talk(people, cadres):
    return record(
        people.org,
        cadres.in_a,
        summary="谈心谈话摘要",
        confidential=True,
        confidential_content=SECRET,
    )


@pytest.mark.parametrize("role, shown", [("org", True), ("cadre_user", True)])
def test_the_parties_and_the_organisation_read_the_confidential_content(
    client, people, secret_talk, role, shown
):
    page = as_user(client, getattr(people, role)).get(
        reverse("care:talk_detail", args=[secret_talk.pk])
    )
    assert page.status_code == 200
    assert (SECRET in page.content.decode()) is shown


@pytest.mark.parametrize("role", ["unit_leader", "auditor", "committee"])
def test_other_readers_see_the_talk_but_not_its_confidential_content(
    client, people, secret_talk, role
):
    page = as_user(client, getattr(people.staff, role)).get(
        reverse("care:talk_detail", args=[secret_talk.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "谈心谈话摘要" in html
    assert SECRET not in html
    assert "（保密内容，仅谈话双方和组织部门可见）" in html


@pytest.mark.parametrize("who", ["inspector", "other_cadre_user", "out_of_scope_org"])
def test_the_talk_is_not_found_for_discipline_another_cadre_or_outside_the_jurisdiction(
    client, people, secret_talk, tree, make_user, who
):
    users = {
        "inspector": people.staff.inspector,
        "other_cadre_user": people.other_cadre_user,
        "out_of_scope_org": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b2"),
    }
    page = as_user(client, users[who]).get(reverse("care:talk_detail", args=[secret_talk.pk]))
    assert page.status_code == 404


@pytest.mark.parametrize("role, secret_shown", [("org", True), ("auditor", False)])
def test_talk_export_writes_confidential_content_only_for_who_may_read_it(
    client, people, secret_talk, out_of_scope, role, secret_shown
):
    user = people.org if role == "org" else people.staff.auditor
    rows = xlsx_rows(as_user(client, user).get(reverse("care:talk_export")))
    assert rows[0][-1] == "保密内容"
    assert [r[1] for r in rows[1:]] == ["张三"]  # county B's talk is absent
    assert (rows[1][-1] == SECRET) is secret_shown
    assert SECRET not in str(rows) or secret_shown


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=organisation", ["张三"]),
        ("kind=annual", []),
        ("year=2026", ["张三"]),
        ("year=2020", []),
        ("talker=组织", ["张三"]),
        ("q=李", []),
    ],
)
def test_talk_list_filters_and_scope(client, people, secret_talk, out_of_scope, query, expected):
    Talk.objects.filter(pk=secret_talk.pk).update(held_on=datetime.date(2026, 5, 20))
    page = as_user(client, people.org).get(f"{reverse('care:talk_list')}?{query}")
    assert [t.cadre.name for t in page.context["page"].object_list] == expected


def test_talk_list_hides_the_confidential_content(client, people, secret_talk):
    page = as_user(client, people.org).get(reverse("care:talk_list"))
    assert SECRET not in page.content.decode()
    assert "（含保密内容）" in page.content.decode()


def test_talk_list_queries_do_not_grow_with_rows(
    client, people, cadres, django_assert_max_num_queries
):
    for n in range(15):
        record(people.org, cadres.in_a, summary=f"第{n}次谈话")
    as_user(client, people.org)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("care:talk_list"))
    assert len(page.context["page"].object_list) == 15


# --- requests and 我的关爱 ------------------------------------------------------------------------


def test_a_cadre_asks_for_a_talk_and_follows_it_on_my_care(client, people, cadres):
    as_user(client, people.cadre_user)
    response = client.post(
        reverse("care:request_create"),
        {"topic": "工作压力", "content": "想调整分工", "preferred_talker": "部长"},
    )
    assert response.status_code == 302
    request = TalkRequest.objects.get()
    assert request.cadre == cadres.in_a

    talks.talk_request_accept(actor=people.org, request=request, response="本周约谈")
    page = client.get(reverse("care:my_care"))
    html = page.content.decode()
    assert "工作压力" in html
    assert "已受理" in html and "本周约谈" in html


def test_my_care_shows_own_talks_with_their_content_and_due_talks_only(
    client, people, cadres, secret_talk
):
    due_talk(people, cadres.in_a)
    record(
        people.org,
        people.other_cadre,
        summary="别人的谈话",
        confidential=True,
        confidential_content="别人的秘密",
    )

    html = as_user(client, people.cadre_user).get(reverse("care:my_care")).content.decode()

    assert SECRET in html  # the subject of the talk reads it
    assert "别人的谈话" not in html and "别人的秘密" not in html
    assert "干部岗位变动必谈" in html


def test_a_user_without_a_cadre_file_cannot_ask(client, people):
    as_user(client, people.staff.auditor)
    assert client.get(reverse("care:request_create")).status_code == 403
    page = client.get(reverse("care:my_care"))
    assert "您的账号尚未关联干部档案" in page.content.decode()


def test_request_content_is_hidden_from_the_unit_leader(client, people):
    request = talks.talk_request_submit(actor=people.cadre_user, topic="压力", content="心里话内容")
    url = reverse("care:request_detail", args=[request.pk])
    leader = as_user(client, people.staff.unit_leader).get(url).content.decode()
    assert "心里话内容" not in leader
    assert "（谈话申请内容仅本人和组织部门可见）" in leader
    org = as_user(client, people.org).get(url).content.decode()
    assert "心里话内容" in org
    other = as_user(client, people.other_cadre_user).get(url)
    assert other.status_code == 404


def test_the_organisation_accepts_declines_and_records_from_the_request(client, people, cadres):
    first = talks.talk_request_submit(actor=people.cadre_user, topic="压力", content="想谈谈")
    second = talks.talk_request_submit(actor=people.cadre_user, topic="其他", content="再说")
    as_user(client, people.org)

    refused = client.post(reverse("care:request_decline", args=[second.pk]), {"response": ""})
    assert refused.status_code == 400
    assert "请填写答复意见" in refused.content.decode()
    client.post(reverse("care:request_decline", args=[second.pk]), {"response": "已另行安排"})
    client.post(reverse("care:request_accept", args=[first.pk]), {"response": ""})
    form = client.get(f"{reverse('care:talk_create')}?request={first.pk}")
    assert form.context["form"]["kind"].value() == TalkKind.REQUESTED
    client.post(
        reverse("care:talk_create"),
        {
            "request": first.pk,
            "cadre": cadres.in_a.pk,
            "talker_name": "组织甲",
            "kind": TalkKind.REQUESTED,
            "held_on": timezone.localdate().isoformat(),
            "summary": "应约谈话",
        },
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RequestStatus.HELD, RequestStatus.DECLINED)


def test_request_list_queries_do_not_grow_with_rows(client, people, django_assert_max_num_queries):
    for n in range(10):
        talks.talk_request_submit(actor=people.cadre_user, topic=f"主题{n}", content="内容")
    as_user(client, people.org)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("care:request_list"))
    assert len(page.context["page"].object_list) == 10


# --- trigger 5 on its page ------------------------------------------------------------------------


def test_reporting_a_family_misfortune_on_the_page_creates_a_due_talk(
    client, people, cadres, django_capture_on_commit_callbacks
):
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = as_user(client, people.org).post(
                reverse("care:misfortune_create"),
                {
                    "cadre": cadres.in_a.pk,
                    "occurred_on": timezone.localdate().isoformat(),
                    "description": "家中遭受火灾",
                },
            )
    finally:
        app.conf.task_always_eager = before

    assert response.status_code == 302
    obligation = TalkObligation.objects.get(cadre=cadres.in_a)
    assert obligation.trigger_code == "T5"
    assert Event.objects.get(kind="care.family_misfortune_reported").dispatched_at is not None


def test_the_misfortune_form_shows_errors(client, people, cadres):
    response = as_user(client, people.org).post(
        reverse("care:misfortune_create"),
        {"cadre": cadres.in_a.pk, "occurred_on": "2099-01-01", "description": "x"},
    )
    assert response.status_code == 400
    assert "发生日期不能晚于今天" in response.content.decode()


# --- admin ----------------------------------------------------------------------------------------


def _admin_user(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="care"))
    return User.objects.get(pk=user.pk)


def test_admin_hides_confidential_content_from_who_may_not_read_it(
    client, people, secret_talk, out_of_scope
):
    _obligation, other_talk = out_of_scope
    url = reverse("admin:care_talk_change", args=[secret_talk.pk])

    auditor = as_user(client, _admin_user(people.staff.auditor)).get(url)
    assert auditor.status_code == 200
    assert SECRET not in auditor.content.decode()

    org = as_user(client, _admin_user(people.org))
    assert SECRET in org.get(url).content.decode()
    listing = org.get(reverse("admin:care_talk_changelist")).content.decode()
    assert "乙县的谈话" not in listing and "李四" not in listing
    outside = org.get(reverse("admin:care_talk_change", args=[other_talk.pk]))
    assert outside.status_code == 302  # the admin's "not found": back to its index


def test_admin_cancels_due_talks_through_the_service(client, people, cadres):
    obligation = due_talk(people, cadres.in_a)
    as_user(client, _admin_user(people.org)).post(
        reverse("admin:care_talkobligation_changelist"),
        {"action": "cancel_selected", "_selected_action": [obligation.pk]},
    )
    obligation.refresh_from_db()
    assert (obligation.status, obligation.cancel_reason) == ("cancelled", "在管理后台取消")

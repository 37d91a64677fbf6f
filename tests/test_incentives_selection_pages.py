"""Pages, exports, API and admin of priority promotion and exceptional promotion: lists with
their filters, the automatic 优秀-streak section, the forms with their field errors, the
confirmation before withdrawing or removing, the candidate list with each failed check
explained, the workflow buttons; all inside the user's jurisdiction (out of scope: 404 or
absent), in a constant number of queries."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.choices import Grade
from cadre.models import User
from incentives import selection
from incentives.choices import CandidateListStatus, CandidateStatus, RecordStatus
from incentives.models import Candidate, PriorityRecord
from tests import test_incentives_selection as services_tests
from tests.factories import CadreFactory, level
from tests.test_incentives_selection import add, good_record, grades, open_list, sanction

# The people, the township secretary and the senior secretary of the service tests.
people = services_tests.people
chief = services_tests.chief
senior = services_tests.senior

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
PRIORITY = reverse("incentives:priority_list")
PRIORITY_EXPORT = reverse("incentives:priority_export")
AUTO_EXPORT = reverse("incentives:priority_auto_export")
PRIORITY_NEW = reverse("incentives:priority_create")
LISTS = reverse("incentives:candidate_lists")
LIST_NEW = reverse("incentives:candidate_list_create")
RECORDS_API = "/api/v1/incentives/priority-records/"
AUTO_API = "/api/v1/incentives/priority-auto/"
LISTS_API = "/api/v1/incentives/candidate-lists/"
CANDIDATES_API = "/api/v1/incentives/candidates/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def as_user(client, user):
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def ids(response, attr):
    return {int(p.split('"')[0]) for p in text(response).split(f'{attr}="')[1:]}


def workbook(response):
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content)).active


def link(actor, cadre, code="ZJK3-3", evidence="抗洪抢险冲在一线"):
    return selection.priority_link(
        actor=actor,
        cadre=cadre,
        situation_code=code,
        evidence=evidence,
        evidence_on=datetime.date(2026, 3, 1),
    )


@pytest.fixture
def records(people, chief, cadres):
    """Two links in county A (one withdrawn) and one in county B."""
    first = link(people.org, chief, "A1-04", "全市扶贫考核第一")
    second = link(people.org, cadres.in_a, "ZJK3-3")
    selection.priority_withdraw(actor=people.org, record=second, reason="情形不符")
    other = link(people.org_b, cadres.in_b, "ZJK3-2")
    return type("Records", (), {"first": first, "withdrawn": second, "other": other})


# --- priority pages ----------------------------------------------------------------------------


def test_priority_list_shows_the_jurisdiction(client, people, records):
    response = as_user(client, people.org).get(PRIORITY)

    assert response.status_code == 200
    assert ids(response, "data-record") == {records.first.pk, records.withdrawn.pk}
    assert "全市扶贫考核第一" in text(response)


def test_priority_list_filters(client, people, records):
    as_user(client, people.org)

    assert ids(client.get(PRIORITY, {"status": "withdrawn"}), "data-record") == {
        records.withdrawn.pk
    }
    assert ids(client.get(PRIORITY, {"situation": "A1-04"}), "data-record") == {records.first.pk}
    assert ids(client.get(PRIORITY, {"group": "ZJK附件1"}), "data-record") == {records.first.pk}
    assert ids(client.get(PRIORITY, {"group": "ZJK3"}), "data-record") == {records.withdrawn.pk}
    assert ids(client.get(PRIORITY, {"q": "赵书记"}), "data-record") == {records.first.pk}
    empty = client.get(PRIORITY, {"q": "无此人"})
    assert 'data-testid="empty"' in text(empty) and "请调整查询条件" in text(empty)


def test_priority_list_empty_state(client, people):
    response = as_user(client, people.org).get(PRIORITY)

    assert "暂无登记的优先提拔使用情形" in text(response)
    assert "暂无连续多年年度考核优秀的干部" in text(response)


def test_priority_list_queries_do_not_grow(client, people, tree, django_assert_max_num_queries):
    for n in range(30):
        cadre = CadreFactory(unit=tree.township_a1, name=f"干部{n:02d}")
        link(people.org, cadre)
        grades(cadre, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)
    as_user(client, people.org)

    with django_assert_max_num_queries(13):
        response = client.get(PRIORITY)

    assert text(response).count('data-testid="priority-row"') == 30
    assert text(response).count('data-testid="auto-row"') == 30


def test_priority_auto_section_lists_the_excellent_streak(client, people, chief, tree):
    broken = CadreFactory(unit=tree.township_a1, name="断档干部")
    grades(chief, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)
    grades(broken, y2023=Grade.EXCELLENT, y2024=Grade.COMPETENT, y2025=Grade.EXCELLENT)

    response = as_user(client, people.org).get(PRIORITY)

    body = text(response)
    assert "自动识别" in body
    assert ids(response, "data-cadre") == {chief.pk}
    assert "2023、2024、2025" in body


def test_priority_auto_export(client, people, chief):
    grades(chief, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    response = as_user(client, people.org).get(AUTO_EXPORT)

    sheet = workbook(response)
    rows = list(sheet.values)
    assert rows[0][:5] == ("姓名", "单位", "现任职务", "职务层次", "连续优秀年数")
    assert rows[1][0] == "赵书记" and rows[1][4] == 3


def test_priority_export_follows_the_filters(client, people, records):
    response = as_user(client, people.org).get(PRIORITY_EXPORT, {"status": "active"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(workbook(response).values)
    assert len(rows) == 2
    assert rows[1][0] == "赵书记" and rows[1][3] == "A1-04"


def test_priority_create_form(client, people, chief):
    as_user(client, people.org)
    assert client.get(PRIORITY_NEW).status_code == 200

    response = client.post(
        PRIORITY_NEW,
        {
            "cadre": chief.pk,
            "situation_code": "A1-08",
            "evidence": "安全生产年度考核连续3年优秀",
            "evidence_on": "2026-01-10",
        },
    )

    assert response.status_code == 302
    record = PriorityRecord.objects.get()
    assert (record.cadre, record.situation_code) == (chief, "A1-08")


def test_priority_create_form_shows_field_errors(client, people, chief):
    response = as_user(client, people.org).post(
        PRIORITY_NEW,
        {
            "cadre": chief.pk,
            "situation_code": "A1-08",
            "evidence": " ",
            "evidence_on": "2027-01-01",
        },
    )

    assert response.status_code == 400
    assert "事实发生时间不能晚于今天" in text(response) or "此项为必填项" in text(response)
    assert not PriorityRecord.objects.exists()


def test_priority_create_does_not_offer_the_automatic_item(client, people):
    body = text(as_user(client, people.org).get(PRIORITY_NEW))

    assert 'value="A1-04"' in body
    assert 'value="F7-EXCELLENT"' not in body


def test_priority_create_is_forbidden_to_readers(client, people):
    assert as_user(client, people.inspector).get(PRIORITY_NEW).status_code == 403


def test_priority_withdraw_asks_for_confirmation_then_withdraws(client, people, records):
    url = reverse("incentives:priority_withdraw", args=[records.first.pk])
    as_user(client, people.org)

    page = client.get(url)
    assert page.status_code == 200 and "确认撤销" in text(page)
    assert client.post(url, {"reason": ""}).status_code == 400

    response = client.post(url, {"reason": "登记有误"})

    assert response.status_code == 302
    records.first.refresh_from_db()
    assert records.first.status == RecordStatus.WITHDRAWN


def test_priority_withdraw_out_of_jurisdiction_is_not_found(client, people, records):
    url = reverse("incentives:priority_withdraw", args=[records.other.pk])

    assert as_user(client, people.org).get(url).status_code == 404


# --- exceptional promotion pages ---------------------------------------------------------------


@pytest.fixture
def full_list(people, tree, chief, senior):
    """A draft list of county A: a passing candidate and one under a sanction."""
    good_record(chief)
    good_record(senior)
    sanction(senior)
    candidate_list = open_list(people.org, tree.county_a)
    add(people.org, candidate_list, chief)
    add(people.org, candidate_list, senior, healthy=True)
    return candidate_list


def detail_url(candidate_list):
    return reverse("incentives:candidate_list_detail", args=[candidate_list.pk])


def test_candidate_lists_page_is_scoped_and_filtered(client, people, tree, full_list):
    other = open_list(people.org_b, tree.county_b, "乙县名单")
    as_user(client, people.org)

    response = client.get(LISTS)
    assert ids(response, "data-list") == {full_list.pk}
    assert ids(client.get(LISTS, {"status": "submitted"}), "data-list") == set()
    assert ids(as_user(client, people.org_b).get(LISTS), "data-list") == {other.pk}
    assert client.get(detail_url(full_list)).status_code == 404


def test_candidate_lists_queries_do_not_grow(client, people, tree, django_assert_max_num_queries):
    for n in range(12):
        open_list(people.org, tree.county_a, f"名单{n}")
    as_user(client, people.org)

    with django_assert_max_num_queries(9):
        response = client.get(LISTS)

    assert text(response).count('data-testid="list-row"') == 12


def test_open_a_list_from_the_page(client, people, tree):
    as_user(client, people.org)
    assert client.get(LIST_NEW).status_code == 200

    response = client.post(LIST_NEW, {"unit": tree.county_a.pk, "title": "甲县名单", "year": 2026})

    assert response.status_code == 302
    assert "甲县名单" in text(client.get(response.url))


def test_add_candidate_page_shows_the_path_rule(client, people, tree, full_list):
    deputy = CadreFactory(
        name="吴副镇长", unit=tree.township_a1, post="副镇长", post_level=level("township_deputy")
    )
    url = reverse("incentives:candidate_add", args=[full_list.pk])
    as_user(client, people.org)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {"cadre": deputy.pk, "path_code": "ZJK4-1", "target_post": "县委副书记", "deeds": "实绩"},
    )

    assert response.status_code == 400
    assert "限乡科级正职干部" in text(response)


def test_add_candidate_page_adds(client, people, tree, full_list):
    other = CadreFactory(
        name="郑书记", unit=tree.township_a1, post="镇党委书记", post_level=level("township_chief")
    )
    response = as_user(client, people.org).post(
        reverse("incentives:candidate_add", args=[full_list.pk]),
        {"cadre": other.pk, "path_code": "F8-3", "target_post": "县委副书记", "deeds": "实绩"},
    )

    assert response.status_code == 302
    assert Candidate.objects.filter(candidate_list=full_list, cadre=other).exists()


def test_detail_explains_each_failed_check(client, people, full_list, senior):
    as_user(client, people.org)
    client.post(reverse("incentives:candidate_list_check", args=[full_list.pk]))

    body = text(client.get(detail_url(full_list)))

    assert body.count('data-testid="passed"') == 1
    assert body.count('data-testid="failed"') == 1
    assert 'data-code="no_sanction"' in body and "党内警告" in body
    assert 'data-code="senior_age"' in body and "尚未确认：实绩突出、群众认可" in body
    assert "/incentives/structure/appointment-form/" in body
    assert "proposed_post=" in body


def test_detail_shows_the_young_flag(client, people, tree, full_list):
    young = CadreFactory(
        name="陈书记",
        unit=tree.township_a1,
        post="镇党委书记",
        post_level=level("township_chief"),
        birth_date=datetime.date(1993, 1, 1),
    )
    add(people.org, full_list, young)

    body = text(as_user(client, people.org).get(detail_url(full_list)))

    assert body.count('data-testid="young-flag"') == 1 and "年轻干部（乡科级）" in body


def test_submit_with_a_failing_candidate_shows_the_message(client, people, full_list):
    as_user(client, people.org)
    client.post(reverse("incentives:candidate_list_check", args=[full_list.pk]))

    response = client.post(
        reverse("incentives:candidate_list_transition", args=[full_list.pk, "submit"]),
        follow=True,
    )

    assert "以下人选不符合破格提拔条件，须先移出名单：冯书记" in text(response)
    full_list.refresh_from_db()
    assert full_list.status == CandidateListStatus.DRAFT


def test_remove_confirm_then_submit_and_decide(client, people, full_list, senior):
    as_user(client, people.org)
    client.post(reverse("incentives:candidate_list_check", args=[full_list.pk]))
    failing = Candidate.objects.get(candidate_list=full_list, cadre=senior)
    remove = reverse("incentives:candidate_remove", args=[failing.pk])
    assert "确认移出" in text(client.get(remove))
    client.post(remove, {"note": "处于影响期内"})

    client.post(reverse("incentives:candidate_list_transition", args=[full_list.pk, "submit"]))
    full_list.refresh_from_db()
    assert full_list.status == CandidateListStatus.SUBMITTED
    remaining = Candidate.objects.get(candidate_list=full_list)
    body = text(client.get(detail_url(full_list)))
    assert 'data-testid="decide-form"' in body and 'data-testid="add-link"' not in body
    assert "酝酿中 → 已提交研究" in body and "移出人选" in body

    client.post(
        reverse("incentives:candidate_decide", args=[remaining.pk]),
        {"approve": "1", "note": "常委会研究同意"},
    )
    client.post(reverse("incentives:candidate_list_transition", args=[full_list.pk, "close"]))

    remaining.refresh_from_db()
    full_list.refresh_from_db()
    assert remaining.status == CandidateStatus.APPROVED
    assert full_list.status == CandidateListStatus.CLOSED


def test_list_export_has_the_check_results(client, people, full_list):
    as_user(client, people.org)
    client.post(reverse("incentives:candidate_list_check", args=[full_list.pk]))

    rows = list(
        workbook(
            client.get(reverse("incentives:candidate_list_export", args=[full_list.pk]))
        ).values
    )

    assert rows[0][0] == "姓名" and rows[0][11] == "符合破格条件"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["赵书记"][11] == "是"
    assert by_name["冯书记"][11] == "否" and "党内警告" in by_name["冯书记"][12]


def test_detail_queries_do_not_grow(client, people, tree, full_list, django_assert_max_num_queries):
    for _n in range(10):
        cadre = CadreFactory(
            unit=tree.township_a1, post="镇党委书记", post_level=level("township_chief")
        )
        add(people.org, full_list, cadre)
    selection.candidates_check(actor=people.org, candidate_list=full_list)
    as_user(client, people.org)

    with django_assert_max_num_queries(12):
        response = client.get(detail_url(full_list))

    assert text(response).count('data-testid="candidate-row"') == 12


def test_readers_see_the_list_without_the_buttons(client, people, full_list):
    response = as_user(client, people.inspector).get(detail_url(full_list))

    assert response.status_code == 200
    assert 'data-testid="check-button"' not in text(response)
    check = reverse("incentives:candidate_list_check", args=[full_list.pk])
    assert client.post(check).status_code == 403


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api():
    def _login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return _login


def test_api_priority_records_are_scoped_and_filtered(
    api, people, records, django_assert_max_num_queries
):
    client = api(people.org)

    with django_assert_max_num_queries(6):
        response = client.get(RECORDS_API, {"status": "active"})

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [records.first.pk]
    assert client.get(f"{RECORDS_API}{records.other.pk}/").status_code == 404


def test_api_priority_list_queries_do_not_grow(api, people, tree, django_assert_max_num_queries):
    for _n in range(20):
        link(people.org, CadreFactory(unit=tree.township_a1))
    client = api(people.org)

    with django_assert_max_num_queries(6):
        response = client.get(RECORDS_API)

    assert len(response.json()["results"]) == 20


def test_api_priority_create_and_withdraw(api, people, chief):
    client = api(people.org)
    response = client.post(
        RECORDS_API,
        {
            "cadre": chief.pk,
            "situation_code": "A1-05",
            "evidence": "招商引资全市第一",
            "evidence_on": "2026-02-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]

    assert (
        client.post(f"{RECORDS_API}{pk}/withdraw/", {"reason": ""}, format="json").status_code
        == 400
    )
    done = client.post(f"{RECORDS_API}{pk}/withdraw/", {"reason": "登记有误"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    again = client.post(f"{RECORDS_API}{pk}/withdraw/", {"reason": "登记有误"}, format="json")
    assert again.status_code == 409


def test_api_priority_create_errors_and_roles(api, people, chief):
    bad = api(people.org).post(
        RECORDS_API,
        {
            "cadre": chief.pk,
            "situation_code": "F7-EXCELLENT",
            "evidence": "x",
            "evidence_on": "2026-02-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and "situation_code" in bad.json()

    denied = api(people.inspector).post(
        RECORDS_API,
        {
            "cadre": chief.pk,
            "situation_code": "A1-05",
            "evidence": "x",
            "evidence_on": "2026-02-01",
        },
        format="json",
    )
    assert denied.status_code == 403


def test_api_priority_auto(api, people, chief, cadres):
    for cadre in (chief, cadres.in_b):
        grades(cadre, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT, y2025=Grade.EXCELLENT)

    response = api(people.org).get(AUTO_API)

    assert response.status_code == 200
    body = response.json()
    assert body["situation_code"] == "F7-EXCELLENT" and body["min_years"] == 3
    assert [(r["cadre"], r["streak"]) for r in body["results"]] == [(chief.pk, 3)]


def test_api_exceptional_workflow(api, people, tree, chief):
    good_record(chief)
    client = api(people.org)
    created = client.post(
        LISTS_API, {"unit": tree.county_a.pk, "title": "甲县名单", "year": 2026}, format="json"
    )
    assert created.status_code == 201, created.json()
    list_pk = created.json()["id"]

    wrong = client.post(
        CANDIDATES_API,
        {
            "candidate_list": list_pk,
            "cadre": chief.pk,
            "path_code": "ZJK4-2",
            "target_post": "县长",
            "deeds": "实绩突出",
        },
        format="json",
    )
    assert wrong.status_code == 400 and "path_code" in wrong.json()

    added = client.post(
        CANDIDATES_API,
        {
            "candidate_list": list_pk,
            "cadre": chief.pk,
            "path_code": "ZJK4-1",
            "target_post": "县委副书记",
            "deeds": "实绩突出",
        },
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert added.json()["target_level"] == "county_deputy"
    candidate_pk = added.json()["id"]

    early = client.post(f"{LISTS_API}{list_pk}/submit/", {}, format="json")
    assert early.status_code == 400 and "尚未核查" in early.json()["non_field_errors"][0]

    checked = client.post(f"{LISTS_API}{list_pk}/check/", format="json")
    assert checked.status_code == 200 and checked.json()[0]["checks_passed"] is True

    assert client.post(f"{LISTS_API}{list_pk}/submit/", {}, format="json").status_code == 200
    assert client.post(f"{LISTS_API}{list_pk}/submit/", {}, format="json").status_code == 409

    decided = client.post(
        f"{CANDIDATES_API}{candidate_pk}/decide/",
        {"approve": True, "note": "研究同意"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    closed = client.post(f"{LISTS_API}{list_pk}/close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_api_candidate_check_and_remove(api, people, full_list, senior):
    client = api(people.org)
    failing = Candidate.objects.get(candidate_list=full_list, cadre=senior)

    checked = client.post(f"{CANDIDATES_API}{failing.pk}/check/", format="json")
    assert checked.status_code == 200
    failed = [r["code"] for r in checked.json()["check_results"] if not r["passed"]]
    assert failed == ["no_sanction", "senior_age"]

    confirmed = client.post(
        f"{CANDIDATES_API}{failing.pk}/confirm-age/",
        {"healthy": True, "outstanding": True, "recognised": True},
        format="json",
    )
    assert confirmed.status_code == 200 and confirmed.json()["checked_at"] is None

    assert client.delete(f"{CANDIDATES_API}{failing.pk}/").status_code == 204
    assert not Candidate.objects.filter(pk=failing.pk).exists()


def test_api_candidates_are_scoped(api, people, full_list, django_assert_max_num_queries):
    client = api(people.org)
    with django_assert_max_num_queries(6):
        mine = client.get(CANDIDATES_API, {"candidate_list": full_list.pk})
    assert len(mine.json()["results"]) == 2
    assert api(people.org_b).get(CANDIDATES_API).json()["results"] == []
    assert api(people.org_b).get(f"{LISTS_API}{full_list.pk}/").status_code == 404
    assert api(people.inspector).post(f"{LISTS_API}{full_list.pk}/check/").status_code == 403


# --- admin -------------------------------------------------------------------------------------


def make_staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["incentives", "cadre"])
    )
    return User.objects.get(pk=user.pk)


def test_admin_lists_only_the_jurisdiction(client, people, records, full_list):
    as_user(client, make_staff(people.org_b))

    response = client.get(reverse("admin:incentives_priorityrecord_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    lists = client.get(reverse("admin:incentives_candidatelist_changelist"))
    assert lists.context["cl"].result_count == 0
    assert (
        client.get(
            reverse("admin:incentives_priorityrecord_change", args=[records.first.pk])
        ).status_code
        == 302
    )


def test_admin_withdraw_action_goes_through_the_service(client, people, records):
    changelist = reverse("admin:incentives_priorityrecord_changelist")
    response = as_user(client, make_staff(people.org)).post(
        changelist,
        {
            "action": "withdraw_selected",
            "_selected_action": [records.first.pk, records.withdrawn.pk],
        },
        follow=True,
    )

    body = text(response)
    assert "已撤销1条情形" in body and "不能重复撤销" in body
    records.first.refresh_from_db()
    assert records.first.status == RecordStatus.WITHDRAWN


def test_admin_check_action(client, people, full_list):
    response = as_user(client, make_staff(people.org)).post(
        reverse("admin:incentives_candidatelist_changelist"),
        {"action": "check_selected", "_selected_action": [full_list.pk]},
        follow=True,
    )

    assert "核查2人，符合1人" in text(response)

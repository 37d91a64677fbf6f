"""The REST API of fault tolerance and clearing of names: filing, jurisdiction (404), role
limits (403), lost races (409), field errors (400), the checklist and its suggestion, the
clearing workflow, records around a case, query counts and the schema."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import CadreFactory
from tests.tolerance_helpers import (
    ALL_CONDITIONS,
    ALL_EXCLUSIONS,
    ALL_SITUATIONS,
    DISTINCTIONS,
    answer_tolerable,
    move,
    open_case,
    to_preliminary,
)
from tolerance import services
from tolerance.choices import CaseStatus, ClearingStatus, Outcome
from tolerance.models import (
    AccountabilityMatter,
    BlacklistEntry,
    Case,
    CaseStatusChange,
    ChecklistAnswer,
    ClearingMatter,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/tolerance"
CASES = f"{API}/cases/"
CLEARING = f"{API}/clearing/"
MATTERS = f"{API}/matters/"


@pytest.fixture
def api():
    """An API client signed in as the given user."""

    def _login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def case(staff, tree, cadres):
    return open_case(staff.inspector, tree.county_a, [cadres.in_a])


@pytest.fixture
def preliminary(staff, case):
    to_preliminary(staff, case)
    return case


def case_url(case, suffix=""):
    return f"{CASES}{case.pk}/{suffix}"


def clearing_url(clearing, suffix=""):
    return f"{CLEARING}{clearing.pk}/{suffix}"


def transition(client, case, name, **body):
    return client.post(case_url(case, "transitions/"), {"transition": name, **body}, format="json")


def numbers(response):
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


# --- filing, list and detail ------------------------------------------------------------------


def test_inspector_files_a_case_and_finds_it_in_list_and_detail(api, staff, tree, cadres):
    client = api(staff.inspector)

    response = client.post(
        CASES,
        {
            "title": "招商项目容缺受理",
            "facts": "容缺受理后材料未按期补齐。",
            "origin": "unit_application",
            "handling_unit": tree.county_a.pk,
            "occurred_on": "2026-05-10",
            "cadres": [cadres.in_a.pk],
            "application_reason": "为推进项目落地先行先试",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("RC")
    assert body["status"] == CaseStatus.FILED
    assert [c["name"] for c in body["cadres"]] == ["张三"]
    assert [row["to_status"] for row in body["timeline"]] == [CaseStatus.FILED]
    assert {v["kind"] for v in body["checklists"]} >= {
        "tolerance.conditions",
        "tolerance.exclusions",
    }
    assert {t["name"] for t in body["allowed_transitions"]} == {"start_investigation", "withdraw"}
    assert body["suggestion"]["status"] == "incomplete"
    assert numbers(client.get(CASES)) == {body["number"]}
    assert client.get(f"{CASES}{body['id']}/").json()["title"] == "招商项目容缺受理"


def test_filing_with_missing_fields_answers_400_and_files_nothing(api, staff, tree):
    response = api(staff.inspector).post(
        CASES, {"title": "", "origin": "accountability", "occurred_on": "2026-05-10"}, format="json"
    )

    assert response.status_code == 400
    assert {"title", "facts"} <= set(response.json())
    assert not Case.objects.exists()


def test_filing_for_accountability_without_a_matter_is_a_field_error(api, staff, tree, cadres):
    response = api(staff.inspector).post(
        CASES,
        {
            "title": "问责",
            "facts": "事实",
            "origin": "accountability",
            "handling_unit": tree.county_a.pk,
            "occurred_on": "2026-05-10",
            "cadres": [cadres.in_a.pk],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "matter" in response.json()


def test_auditor_may_read_but_not_file(api, staff, tree, cadres, case):
    client = api(staff.auditor)

    assert numbers(client.get(CASES)) == {case.number}
    response = client.post(
        CASES,
        {
            "title": "x",
            "facts": "x",
            "origin": "unit_application",
            "handling_unit": tree.county_a.pk,
            "occurred_on": "2026-05-10",
            "cadres": [cadres.in_a.pk],
        },
        format="json",
    )
    assert response.status_code == 403


def test_cadre_applies_and_follows_the_application_read_only(api, staff, tree, cadres, case):
    staff.cadre_user.cadre = cadres.in_a
    staff.cadre_user.save()
    client = api(staff.cadre_user)

    response = client.post(
        CASES,
        {
            "title": "本人容错申请",
            "facts": "推进项目中出现偏差。",
            "origin": "cadre_application",
            "handling_unit": tree.county_a.pk,
            "occurred_on": "2026-05-10",
            "application_reason": "属于先行先试",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    mine = response.json()
    assert mine["applicant_name"] == "干部甲"
    assert mine["allowed_transitions"] == []
    # Only the own application is listed, not the case the inspector opened.
    assert numbers(client.get(CASES)) == {mine["number"]}
    assert client.get(case_url(case)).status_code == 404
    refused = client.post(
        f"{CASES}{mine['id']}/transitions/", {"transition": "withdraw"}, format="json"
    )
    assert refused.status_code == 403


def test_list_filters_by_status_and_search(api, staff, tree, cadres, case):
    other = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="征地拆迁纠纷")
    move(staff.inspector, other, "start_investigation")
    client = api(staff.inspector)

    assert numbers(client.get(CASES, {"status": "investigating"})) == {other.number}
    assert numbers(client.get(CASES, {"q": "征地"})) == {other.number}
    assert numbers(client.get(CASES, {"q": "张三"})) == {case.number, other.number}


# --- jurisdiction and roles -------------------------------------------------------------------


def test_case_of_another_county_is_not_found_and_not_listed(api, staff, case):
    client = api(staff.other_inspector)

    assert numbers(client.get(CASES)) == set()
    assert client.get(case_url(case)).status_code == 404
    assert client.get(case_url(case, "suggestion/")).status_code == 404


def test_transition_on_a_case_of_another_county_is_not_found(api, staff, case):
    response = transition(api(staff.other_inspector), case, "start_investigation")

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.FILED


def test_city_inspector_sees_the_county_case(api, staff, case):
    assert numbers(api(staff.city_inspector).get(CASES)) == {case.number}


def test_inspector_may_not_decide_in_place_of_the_committee(api, staff, preliminary):
    response = transition(api(staff.inspector), preliminary, "decide", data={"outcome": "exempt"})

    assert response.status_code == 403
    preliminary.refresh_from_db()
    assert preliminary.status == CaseStatus.PRELIMINARY
    assert preliminary.outcome == ""


def test_auditor_may_not_move_a_case_in_scope(api, staff, case):
    response = transition(api(staff.auditor), case, "start_investigation")

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.FILED


# --- the workflow -----------------------------------------------------------------------------


def test_committee_decides_following_the_suggestion(api, staff, preliminary):
    response = transition(
        api(staff.committee),
        preliminary,
        "decide",
        expected_status="preliminary",
        data={"outcome": "exempt", "decision_meeting": "县委常委会第12次会议"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == CaseStatus.DECIDED
    assert body["outcome"] == Outcome.EXEMPT
    assert body["departs_from_suggestion"] is False
    assert body["timeline"][-1]["transition"] == "decide"
    assert body["timeline"][-1]["actor_name"] == "常委甲"


def test_second_committee_member_deciding_after_the_first_gets_409(api, staff, preliminary):
    first = transition(api(staff.committee), preliminary, "decide", data={"outcome": "exempt"})
    second = transition(
        api(staff.committee2),
        preliminary,
        "decide",
        data={"outcome": "not_tolerated", "decision_reasons": "另有看法"},
    )

    assert first.status_code == 200
    assert second.status_code == 409
    assert "刷新" in second.json()["detail"]
    preliminary.refresh_from_db()
    assert preliminary.outcome == Outcome.EXEMPT
    assert preliminary.decided_by == staff.committee
    assert CaseStatusChange.objects.filter(case=preliminary, transition="decide").count() == 1


def test_stale_expected_status_is_a_409_and_changes_nothing(api, staff, case):
    moved = transition(api(staff.inspector), case, "start_investigation", expected_status="filed")
    # The second inspector still sees the case as just filed; withdrawing is allowed from
    # "investigating" too, so only the stale expectation stops it.
    stale = transition(
        api(staff.inspector2), case, "withdraw", expected_status="filed", reason="重复立案"
    )

    assert moved.status_code == 200
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING


def test_deciding_against_the_suggestion_without_reasons_is_a_field_error(api, staff, preliminary):
    client = api(staff.committee)

    refused = transition(client, preliminary, "decide", data={"outcome": "not_tolerated"})
    accepted = transition(
        client,
        preliminary,
        "decide",
        data={"outcome": "not_tolerated", "decision_reasons": "造成较大损失，不予容错"},
    )

    assert refused.status_code == 400
    assert "免责" in refused.json()["decision_reasons"][0]
    assert accepted.status_code == 200
    assert accepted.json()["departs_from_suggestion"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"transition": "no_such_step"}, "transition"),
        (
            {"transition": "decide", "data": {"outcome": "exempt", "decided_on": "31/12"}},
            "decided_on",
        ),
        ({"transition": "decide", "data": {"outcome": "forgiven"}}, "outcome"),
        ({"transition": "decide", "data": {}}, "outcome"),
        ({"transition": "return_for_investigation", "reason": " "}, "reason"),
    ],
)
def test_bad_transition_input_is_a_field_error(api, staff, preliminary, body, field):
    response = api(staff.committee).post(case_url(preliminary, "transitions/"), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    preliminary.refresh_from_db()
    assert preliminary.status == CaseStatus.PRELIMINARY


def test_submitting_an_opinion_before_the_checklist_is_done_is_refused(api, staff, case):
    move(staff.inspector, case, "start_investigation")

    response = transition(
        api(staff.inspector),
        case,
        "submit_opinion",
        data={"proposed_outcome": "exempt", "proposal_reasons": "符合条件"},
    )

    assert response.status_code == 400
    assert "清单研判尚未完成" in response.json()["non_field_errors"][0]


# --- checklist and suggestion -----------------------------------------------------------------


def checklist_body(*, yes=(), no=(), severity=None):
    answers = {code: {"answer": "yes", "evidence": f"{code} 依据"} for code in yes}
    answers.update({code: {"answer": "no", "evidence": f"{code} 依据"} for code in no})
    body = {"answers": answers}
    if severity is not None:
        body["severity"] = severity
    return body


def test_checklist_update_gives_a_tolerable_suggestion(api, staff, case):
    move(staff.inspector, case, "start_investigation")
    client = api(staff.inspector)

    response = client.patch(
        case_url(case, "checklist/"),
        checklist_body(
            yes=[*DISTINCTIONS, *ALL_CONDITIONS, "S2"],
            no=[*ALL_EXCLUSIONS, *(s for s in ALL_SITUATIONS if s != "S2")],
            severity="L2",
        ),
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["severity"] == "L2"
    assert len(body["answers"]) == 3 + 6 + 12 + 10
    assert body["suggestion"]["status"] == "tolerable"
    assert body["suggestion"]["proposed_outcome"] == Outcome.MITIGATED
    suggestion = client.get(case_url(case, "suggestion/")).json()
    assert suggestion["proposed_outcome"] == Outcome.MITIGATED
    assert any("S2" in reason for reason in suggestion["reasons"])


def test_an_exclusion_makes_the_suggestion_not_tolerated(api, staff, case):
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)

    response = api(staff.inspector).patch(
        case_url(case, "checklist/"), checklist_body(yes=["N2"]), format="json"
    )

    assert response.json()["suggestion"]["proposed_outcome"] == Outcome.NOT_TOLERATED
    assert response.json()["suggestion"]["blocking"] == ["N2"]


def test_put_replaces_the_answers_and_patch_only_touches_the_listed_ones(api, staff, case):
    move(staff.inspector, case, "start_investigation")
    client = api(staff.inspector)
    client.patch(case_url(case, "checklist/"), checklist_body(yes=["C1", "C2"]), format="json")

    client.patch(case_url(case, "checklist/"), checklist_body(no=["C3"]), format="json")
    assert set(ChecklistAnswer.objects.filter(case=case).values_list("item__code", flat=True)) == {
        "C1",
        "C2",
        "C3",
    }

    response = client.put(case_url(case, "checklist/"), checklist_body(yes=["C2"]), format="json")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["answers"]] == ["C2"]


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"C99": {"answer": "yes"}}, "C99"),
        ({"D1": {"answer": "yes", "evidence": ""}}, "D1"),
        ({"C1": {"answer": "maybe"}}, "C1"),
    ],
)
def test_bad_checklist_answers_are_field_errors_under_answers(api, staff, case, answers, field):
    move(staff.inspector, case, "start_investigation")

    response = api(staff.inspector).patch(
        case_url(case, "checklist/"), {"answers": answers}, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["answers"]
    assert not ChecklistAnswer.objects.filter(case=case).exists()


def test_unknown_severity_is_a_field_error(api, staff, case):
    response = api(staff.inspector).patch(
        case_url(case, "checklist/"), {"severity": "L9"}, format="json"
    )

    assert response.status_code == 400
    assert "severity" in response.json()


def test_checklist_is_fixed_once_the_opinion_is_submitted(api, staff, preliminary):
    response = api(staff.inspector).patch(
        case_url(preliminary, "checklist/"), checklist_body(yes=["N1"]), format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert (
        api(staff.inspector).get(case_url(preliminary, "checklist/")).json()["suggestion"]["status"]
        == "tolerable"
    )


def test_committee_may_not_fill_in_the_checklist(api, staff, case):
    move(staff.inspector, case, "start_investigation")

    response = api(staff.committee).patch(
        case_url(case, "checklist/"), checklist_body(yes=["C1"]), format="json"
    )

    assert response.status_code == 403
    assert not ChecklistAnswer.objects.filter(case=case).exists()


def test_repeat_after_a_reminder_shows_in_the_suggestion(api, staff, tree, cadres):
    services.reminder_record(
        actor=staff.inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2026, 3, 1),
        summary="项目建设程序不规范",
        matter_category="project",
    )
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])

    suggestion = api(staff.inspector).get(case_url(case, "suggestion/")).json()

    assert suggestion["proposed_outcome"] == Outcome.NOT_TOLERATED
    assert "N9" in suggestion["blocking"]
    assert suggestion["repeat_findings"][0]["kind"] == "reminder"


# --- records around a case --------------------------------------------------------------------


def test_inquiry_and_consultation_are_recorded_and_shown(api, staff, case):
    move(staff.inspector, case, "start_investigation")
    client = api(staff.inspector)

    inquiry = client.post(
        case_url(case, "inquiries/"),
        {
            "kind": "hearing",
            "held_on": "2026-06-10",
            "party": "县发改局",
            "content": "听取意见",
            "findings": "程序基本合规",
        },
        format="json",
    )
    consultation = client.post(
        case_url(case, "consultations/"),
        {
            "held_on": "2026-06-11",
            "lead_body": "县纪委监委",
            "participants": "县委组织部、县发改局",
            "topic": "容错认定",
            "conclusions": "同意提交初步意见",
        },
        format="json",
    )

    assert inquiry.status_code == 201, inquiry.content
    assert inquiry.json()["kind_label"] == "听取有关单位和个人意见"
    assert consultation.status_code == 201, consultation.content
    detail = client.get(case_url(case)).json()
    assert [row["party"] for row in detail["inquiries"]] == ["县发改局"]
    assert [row["topic"] for row in detail["consultations"]] == ["容错认定"]


def test_inquiry_with_a_future_date_or_bad_kind_is_refused(api, staff, case):
    move(staff.inspector, case, "start_investigation")
    client = api(staff.inspector)
    body = {"kind": "hearing", "held_on": "2099-01-01", "party": "x", "content": "x"}

    future = client.post(case_url(case, "inquiries/"), body, format="json")
    bad_kind = client.post(case_url(case, "inquiries/"), {**body, "kind": "gossip"}, format="json")

    assert future.status_code == 400
    assert "held_on" in future.json()
    assert bad_kind.status_code == 400
    assert "kind" in bad_kind.json()


def filed_upward(staff, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    move(staff.inspector, case, "send_feedback", feedback_to="张三及所在单位")
    move(staff.inspector, case, "file_upward", filing_recipients="市纪委监委、市委组织部")
    return case


def test_correction_is_tracked_to_done_and_the_case_closed(api, staff, case):
    filed_upward(staff, case)
    client = api(staff.inspector)
    assert transition(client, case, "start_correction").status_code == 200

    plan = client.post(
        case_url(case, "corrections/"),
        {"remedial_measures": "补齐审批材料", "responsible": "县发改局", "due_on": "2026-12-31"},
        format="json",
    )
    assert plan.status_code == 201, plan.content
    plan_url = case_url(case, f"corrections/{plan.json()['id']}/")
    blocked = transition(client, case, "close")
    without_result = client.patch(plan_url, {"status": "done"}, format="json")
    done = client.patch(plan_url, {"status": "done", "result": "材料已补齐"}, format="json")
    closed = transition(client, case, "close")

    assert blocked.status_code == 400
    assert without_result.status_code == 400
    assert "result" in without_result.json()
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert closed.status_code == 200
    assert closed.json()["status"] == CaseStatus.CLOSED


def test_correction_of_another_case_is_not_found(api, staff, tree, cadres, case):
    filed_upward(staff, case)
    move(staff.inspector, case, "start_correction")
    plan = services.correction_add(
        actor=staff.inspector,
        case=case,
        remedial_measures="整改",
        responsible="县发改局",
        due_on=datetime.date(2026, 12, 31),
    )
    other = open_case(staff.inspector, tree.county_a, [cadres.in_a])

    response = api(staff.inspector).patch(
        case_url(other, f"corrections/{plan.pk}/"), {"status": "in_progress"}, format="json"
    )

    assert response.status_code == 404


def test_follow_up_visit_is_recorded(api, staff, case):
    filed_upward(staff, case)
    move(staff.inspector, case, "start_follow_up")

    response = api(staff.inspector).post(
        case_url(case, "visits/"),
        {
            "visited_on": "2026-11-01",
            "visitors": "县委组织部 王某",
            "findings": "思想包袱已放下，工作积极",
            "at_ease": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["at_ease"] is True
    assert transition(api(staff.inspector), case, "close").json()["status"] == CaseStatus.CLOSED


def test_filing_is_acknowledged_by_the_level_above_only(api, staff, case):
    filed_upward(staff, case)

    own_level = api(staff.inspector).post(case_url(case, "filing-acknowledgement/"))
    above = api(staff.city_inspector).post(case_url(case, "filing-acknowledgement/"))

    assert own_level.status_code == 403
    assert above.status_code == 200
    assert above.json()["filing_acknowledged_on"] == timezone.localdate().isoformat()


def test_refused_case_is_flagged_for_oversight_with_a_reason(api, staff, preliminary):
    move(
        staff.committee,
        preliminary,
        "decide",
        outcome="not_tolerated",
        decision_reasons="认为不符合",
    )
    client = api(staff.inspector)

    missing = client.post(case_url(preliminary, "oversight/"), {"oversight_reason": ""})
    flagged = client.post(
        case_url(preliminary, "oversight/"), {"oversight_reason": "符合全部容错条件却未予容错"}
    )

    assert missing.status_code == 400
    assert "oversight_reason" in missing.json()
    assert flagged.status_code == 200
    assert flagged.json()["oversight_flagged"] is True


# --- accountability matters and reminders -----------------------------------------------------


def test_opening_accountability_files_a_tolerance_case(api, staff, tree, cadres):
    client = api(staff.inspector)

    response = client.post(
        MATTERS,
        {
            "handling_unit": tree.county_a.pk,
            "accountable_body": "discipline",
            "title": "安全生产监管不到位",
            "facts": "检查不到位",
            "matter_category": "safety",
            "occurred_on": "2026-04-01",
            "cadres": [cadres.in_a.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    matter = AccountabilityMatter.objects.get(pk=response.json()["id"])
    assert response.json()["case_ids"] == [matter.cases.get().pk]
    assert response.json()["cadre_names"] == ["张三"]


def test_accountability_waits_for_the_tolerance_decision_then_is_decided(api, staff, case):
    client = api(staff.inspector)
    matter_url = f"{MATTERS}{case.matter_id}/"

    early = client.post(f"{matter_url}decide/", {"form": "admonish"}, format="json")
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="lighter", decision_reasons="情节较重")
    bad_form = client.post(f"{matter_url}decide/", {"form": "exile"}, format="json")
    decided = client.post(f"{matter_url}decide/", {"form": "admonish"}, format="json")

    assert early.status_code == 400
    assert "form" in early.json()
    assert bad_form.status_code == 400
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "decided"
    assert decided.json()["form_label"] == "诫勉"


def test_matter_of_another_county_cannot_be_dropped(api, staff, case):
    response = api(staff.other_inspector).post(f"{MATTERS}{case.matter_id}/drop/")

    assert response.status_code == 404
    assert AccountabilityMatter.objects.get(pk=case.matter_id).status == "open"


def test_reminder_is_recorded_for_a_cadre_in_scope_only(api, staff, cadres):
    client = api(staff.organisation)
    body = {"given_on": "2026-05-01", "summary": "提醒注意程序", "matter_category": "project"}

    ok = client.post(f"{API}/reminders/", {**body, "cadre": cadres.in_a.pk}, format="json")
    out_of_scope = client.post(
        f"{API}/reminders/", {**body, "cadre": cadres.in_b.pk}, format="json"
    )

    assert ok.status_code == 201, ok.content
    assert ok.json()["cadre_name"] == "张三"
    assert out_of_scope.status_code == 400
    assert "cadre" in out_of_scope.json()
    assert [r["summary"] for r in client.get(f"{API}/reminders/").json()["results"]] == [
        "提醒注意程序"
    ]


# --- clearing of names ------------------------------------------------------------------------


@pytest.fixture
def clearing(staff, tree, cadres):
    return services.clearing_open(
        actor=staff.inspector,
        handling_unit=tree.county_a,
        source="letter",
        allegation="反映张三在项目招标中收受好处",
        cadres=[cadres.in_a],
        accuser_name="赵某",
        accuser_contact="13800000000",
    )


def clearing_transition(client, clearing, name, **body):
    return client.post(
        clearing_url(clearing, "transitions/"), {"transition": name, **body}, format="json"
    )


def test_inspector_registers_a_report(api, staff, tree, cadres):
    response = api(staff.inspector).post(
        CLEARING,
        {
            "handling_unit": tree.county_a.pk,
            "source": "letter",
            "allegation": "反映张三违规发放补贴",
            "cadres": [cadres.in_a.pk],
            "accuser_name": "钱某",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("CQ")
    assert body["status"] == ClearingStatus.RECEIVED
    assert body["accuser_name"] == "钱某"
    assert {t["name"] for t in body["allowed_transitions"]} == {"start_verification"}


def test_organisation_may_not_register_a_report(api, staff, tree, cadres):
    response = api(staff.organisation).post(
        CLEARING,
        {"handling_unit": tree.county_a.pk, "source": "letter", "allegation": "x"},
        format="json",
    )

    assert response.status_code == 403
    assert not ClearingMatter.objects.exists()


def test_accuser_is_hidden_from_all_but_the_discipline_body(api, staff, clearing):
    assert api(staff.inspector).get(clearing_url(clearing)).json()["accuser_name"] == "赵某"
    assert api(staff.organisation).get(clearing_url(clearing)).json()["accuser_name"] == ""


def test_unfounded_report_is_cleared_followed_up_and_closed(api, staff, clearing):
    client = api(staff.inspector)

    steps = [
        clearing_transition(client, clearing, "start_verification", expected_status="received"),
        clearing_transition(
            client,
            clearing,
            "conclude",
            data={"conclusion": "unfounded", "conclusion_reasons": "经核查无此事"},
        ),
    ]
    early_clarify = clearing_transition(client, clearing, "clarify")
    clarification = client.post(
        clearing_url(clearing, "clarifications/"),
        {"method": "letter", "scope": "所在单位", "held_on": "2026-07-01", "content": "澄清"},
        format="json",
    )
    steps.append(clearing_transition(client, clearing, "clarify"))
    publication = client.post(
        clearing_url(clearing, "publications/"),
        {"scope": "unit", "channel": "单位公示栏", "content": "经核查反映不实，予以澄清"},
        format="json",
    )
    steps.append(clearing_transition(client, clearing, "start_follow_up"))
    visit = client.post(
        clearing_url(clearing, "visits/"),
        {
            "visited_on": "2026-08-01",
            "visitors": "县纪委",
            "findings": "已放下包袱",
            "at_ease": True,
        },
        format="json",
    )
    steps.append(clearing_transition(client, clearing, "close"))

    assert [s.status_code for s in steps] == [200] * 5, [s.content for s in steps]
    assert early_clarify.status_code == 400
    # An unfounded report is cleared before it is closed.
    assert [t["name"] for t in steps[1].json()["allowed_transitions"]] == ["clarify"]
    assert clarification.status_code == 201, clarification.content
    assert clarification.json()["method_label"] == "向被反映人所在单位发函反馈调查结果"
    assert visit.status_code == 201
    assert publication.status_code == 201, publication.content
    assert publication.json()["clearing_number"] == clearing.number
    body = steps[-1].json()
    assert [p["scope_label"] for p in body["publications"]] == ["所在单位"]
    assert body["status"] == ClearingStatus.CLOSED
    assert [row["to_status"] for row in body["timeline"]] == [
        "received",
        "verifying",
        "concluded",
        "clarified",
        "follow_up",
        "closed",
    ]


def test_concluding_twice_is_a_409(api, staff, clearing):
    client = api(staff.inspector)
    clearing_transition(client, clearing, "start_verification")
    data = {"conclusion": "founded", "conclusion_reasons": "属实"}

    first = clearing_transition(client, clearing, "conclude", data=data)
    second = clearing_transition(api(staff.inspector2), clearing, "conclude", data=data)

    assert first.status_code == 200
    assert second.status_code == 409


def test_only_discipline_verifies_a_report(api, staff, clearing):
    response = clearing_transition(api(staff.organisation), clearing, "start_verification")

    assert response.status_code == 403
    clearing.refresh_from_db()
    assert clearing.status == ClearingStatus.RECEIVED


def test_clearing_of_another_county_is_not_found(api, staff, clearing):
    client = api(staff.other_inspector)

    assert client.get(clearing_url(clearing)).status_code == 404
    assert clearing_transition(client, clearing, "start_verification").status_code == 404
    assert client.get(CLEARING).json()["results"] == []


def test_false_accusation_puts_the_accuser_on_the_blacklist(api, staff, clearing):
    client = api(staff.inspector)
    clearing_transition(client, clearing, "start_verification")

    missing_referral = clearing_transition(
        client,
        clearing,
        "conclude",
        data={"conclusion": "false_accusation", "conclusion_reasons": "捏造事实"},
    )
    concluded = clearing_transition(
        client,
        clearing,
        "conclude",
        data={
            "conclusion": "false_accusation",
            "conclusion_reasons": "捏造事实",
            "referral_note": "移送公安机关",
            "accusers": [{"name": "赵某", "unit": "某公司"}],
        },
    )

    assert missing_referral.status_code == 400
    assert "referral_note" in missing_referral.json()
    assert concluded.status_code == 200, concluded.content
    blacklist = client.get(f"{API}/blacklist/").json()["results"]
    assert [(row["person_name"], row["clearing_number"]) for row in blacklist] == [
        ("赵某", clearing.number)
    ]
    assert api(staff.other_inspector).get(f"{API}/blacklist/").json()["results"] == []
    assert client.post(f"{API}/blacklist/", {"person_name": "x"}).status_code == 405
    assert BlacklistEntry.objects.count() == 1


def test_unfounded_reports_bulletin_is_published(api, staff, tree, clearing):
    client = api(staff.inspector)
    clearing_transition(client, clearing, "start_verification")
    clearing_transition(
        client,
        clearing,
        "conclude",
        data={"conclusion": "unfounded", "conclusion_reasons": "无此事"},
    )
    today = timezone.localdate()
    body = {
        "handling_unit": tree.county_a.pk,
        "period_start": today.replace(day=1).isoformat(),
        "period_end": today.isoformat(),
        "scope": "system",
        "channel": "县纪委监委网站",
    }

    bad_scope = client.post(f"{API}/publications/", {**body, "scope": "world"}, format="json")
    published = client.post(f"{API}/publications/", body, format="json")

    assert bad_scope.status_code == 400
    assert "scope" in bad_scope.json()
    assert published.status_code == 201, published.content
    assert clearing.number in published.json()["content"]
    assert "赵某" not in published.json()["content"]
    listed = client.get(f"{API}/publications/", {"kind": "bulletin"}).json()["results"]
    assert [row["id"] for row in listed] == [published.json()["id"]]


# --- query counts -----------------------------------------------------------------------------

LIST_QUERY_BOUND = 7


def test_case_list_query_count_is_constant(api, staff, tree, django_assert_max_num_queries):
    people = [CadreFactory(unit=tree.township_a1) for _ in range(3)]
    for i in range(15):
        open_case(staff.inspector, tree.county_a, people[: 1 + i % 3], title=f"案件{i}")
    client = api(staff.inspector)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(CASES)

    assert len(response.json()["results"]) == 15


def test_clearing_list_query_count_is_constant(api, staff, tree, django_assert_max_num_queries):
    people = [CadreFactory(unit=tree.township_a1) for _ in range(3)]
    for i in range(15):
        services.clearing_open(
            actor=staff.inspector,
            handling_unit=tree.county_a,
            source="letter",
            allegation=f"反映问题{i}",
            cadres=people[: 1 + i % 3],
        )
    client = api(staff.inspector)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(CLEARING)

    assert len(response.json()["results"]) == 15


def test_matter_list_query_count_is_constant(api, staff, tree, django_assert_max_num_queries):
    people = [CadreFactory(unit=tree.township_a1) for _ in range(3)]
    for i in range(15):
        open_case(staff.inspector, tree.county_a, people[: 1 + i % 3], title=f"问责{i}")
    client = api(staff.inspector)

    with django_assert_max_num_queries(LIST_QUERY_BOUND + 1):
        response = client.get(MATTERS)

    assert len(response.json()["results"]) == 15


# --- schema -----------------------------------------------------------------------------------


def test_schema_documents_the_tolerance_api_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    assert "/api/v1/tolerance/cases/{id}/transitions/" in schema
    assert "ToleranceCaseStatusEnum" in schema


def test_browsable_api_pages_render(api, staff, case):
    client = api(staff.inspector)

    for url in [CASES, case_url(case), case_url(case, "checklist/"), CLEARING, MATTERS]:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
    patched = client.patch(
        case_url(case, "checklist/"),
        checklist_body(yes=["C1"]),
        format="json",
        HTTP_ACCEPT="text/html",
    )
    assert patched.status_code == 200

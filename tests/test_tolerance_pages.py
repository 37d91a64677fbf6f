"""The staff pages of fault tolerance (DOMAIN §4.5): the worklist, filing, the case page with its
checklist, suggestion and workflow buttons, accountability matters and reminders."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

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
from tolerance.choices import CaseStatus, MatterStatus, Outcome
from tolerance.models import AccountabilityMatter, Case, ChecklistAnswer, Inquiry, Reminder

pytestmark = pytest.mark.django_db

INDEX = reverse("tolerance:index")


def case_url(case):
    return reverse("tolerance:case_detail", args=[case.pk])


def transition_url(case, name):
    return reverse("tolerance:case_transition", args=[case.pk, name])


def logged_in(client, user):
    client.force_login(user)
    return client


def page_of(response):
    return response.content.decode()


@pytest.fixture
def case(staff, tree, cadres):
    return open_case(staff.inspector, tree.county_a, [cadres.in_a])


def checklist_post(case, *, yes=(), no=(), severity=None, evidence="有据可查"):
    """The checklist form as the page posts it, answering the given codes."""
    items = {
        item.code: item
        for pl in (case.distinctions_list, case.conditions_list)
        + (case.situations_list, case.exclusions_list)
        for item in pl.items.all()
    }
    data = {}
    for code in yes:
        data[f"answer-{items[code].pk}"] = "yes"
        data[f"evidence-{items[code].pk}"] = evidence
    for code in no:
        data[f"answer-{items[code].pk}"] = "no"
        data[f"evidence-{items[code].pk}"] = evidence
    if severity is not None:
        data["severity"] = severity
    return data


TOLERABLE = {
    "yes": [*DISTINCTIONS, *ALL_CONDITIONS, "S2"],
    "no": [*ALL_EXCLUSIONS, *(s for s in ALL_SITUATIONS if s != "S2")],
}


# --- worklist --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["inspector", "organisation", "committee", "auditor"])
def test_worklist_shows_the_case_to_every_file_role(client, staff, case, role):
    response = logged_in(client, getattr(staff, role)).get(INDEX)

    assert response.status_code == 200
    page = page_of(response)
    assert case.number in page
    assert "张三" in page
    assert reverse("tolerance:matter_list") in page  # the tolerance tabs


@pytest.mark.parametrize("role", ["inspector", "organisation", "committee", "auditor"])
def test_case_page_renders_for_every_file_role(client, staff, case, role):
    response = logged_in(client, getattr(staff, role)).get(case_url(case))

    assert response.status_code == 200
    page = page_of(response)
    assert case.number in page
    assert "容错研判清单" in page
    assert "系统研判建议" in page


def test_filing_buttons_follow_the_roles(client, staff, case):
    inspector_page = page_of(logged_in(client, staff.inspector).get(INDEX))
    assert reverse("tolerance:matter_create") in inspector_page
    assert reverse("tolerance:case_apply") in inspector_page

    committee_page = page_of(logged_in(client, staff.committee).get(INDEX))
    assert reverse("tolerance:matter_create") not in committee_page
    assert reverse("tolerance:case_apply") not in committee_page


def test_out_of_jurisdiction_case_is_not_listed_and_not_found(client, staff, case):
    inspector_b = logged_in(client, staff.other_inspector)

    assert case.number not in page_of(inspector_b.get(INDEX))
    assert inspector_b.get(case_url(case)).status_code == 404
    assert inspector_b.post(transition_url(case, "start_investigation")).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.FILED


def test_worklist_orders_overdue_first_with_a_tag_and_constant_queries(
    client, staff, tree, cadres, django_assert_max_num_queries
):
    cases = [
        open_case(staff.inspector, tree.county_a, [cadres.in_a], title=f"事项{i}")
        for i in range(15)
    ]
    today = timezone.localdate()
    overdue = cases[3], cases[9]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        due_on=today + datetime.timedelta(days=10)
    )
    Case.objects.filter(pk=overdue[0].pk).update(due_on=today - datetime.timedelta(days=2))
    Case.objects.filter(pk=overdue[1].pk).update(due_on=today - datetime.timedelta(days=5))
    inspector = logged_in(client, staff.inspector)

    with django_assert_max_num_queries(12):
        response = inspector.get(INDEX)

    rows = response.context["rows"]
    assert [row["number"] for row in rows[:2]] == [overdue[1].number, overdue[0].number]
    assert [row["overdue"] for row in rows[:3]] == [True, True, False]
    assert len(rows) == 15
    assert page_of(response).count('data-testid="overdue"') == 2


def test_worklist_filters_overdue_only(client, staff, tree, cadres):
    late = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="超期事项")
    on_time = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="未超期事项")
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(1))

    page = page_of(logged_in(client, staff.inspector).get(INDEX, {"overdue": "true"}))

    assert late.number in page
    assert on_time.number not in page


def test_worklist_search_by_cadre_name_and_empty_state(client, staff, case):
    inspector = logged_in(client, staff.inspector)

    assert case.number in page_of(inspector.get(INDEX, {"q": "张三"}))
    nothing = page_of(inspector.get(INDEX, {"q": "查无此人"}))
    assert case.number not in nothing
    assert "没有符合条件的案件" in nothing


def test_worklist_is_paginated(client, staff, tree, cadres):
    for i in range(32):
        open_case(staff.inspector, tree.county_a, [cadres.in_a], title=f"事项{i}")

    inspector = logged_in(client, staff.inspector)
    first = inspector.get(INDEX)
    second = inspector.get(INDEX, {"page": 2})

    assert len(first.context["rows"]) == 30
    assert len(second.context["rows"]) == 2
    assert "共 32 条" in page_of(first)


def test_excel_export_contains_the_filtered_rows(client, staff, tree, cadres):
    project = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="项目推进失误")
    land = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="征地拆迁偏差")

    response = logged_in(client, staff.inspector).get(
        reverse("tolerance:case_export"), {"q": "项目"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号"
    numbers = [row[0] for row in rows[1:]]
    assert numbers == [project.number]
    assert land.number not in numbers
    assert rows[1][2] == "张三"


def test_export_refused_to_a_cadre(client, staff, case):
    response = logged_in(client, staff.cadre_user).get(reverse("tolerance:case_export"))

    assert response.status_code == 403


# --- filing ----------------------------------------------------------------------------------


def matter_data(tree, people, **changes):
    data = {
        "handling_unit": tree.county_a.pk,
        "accountable_body": "discipline",
        "title": "违规审批项目用地",
        "facts": "为推进项目先行审批",
        "matter_category": "land",
        "occurred_on": "2026-03-01",
        "opened_on": "2026-04-01",
        "cadres": [people.in_a.pk],
        "consider_tolerance": "on",
    }
    data.update(changes)
    return data


def test_open_a_matter_with_tolerance_files_a_case_and_shows_it(client, staff, tree, cadres):
    inspector = logged_in(client, staff.inspector)

    response = inspector.post(reverse("tolerance:matter_create"), matter_data(tree, cadres))

    matter = AccountabilityMatter.objects.get(title="违规审批项目用地")
    case = matter.cases.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert list(case.cadres.all()) == [cadres.in_a]
    assert case.origin == "accountability"
    assert case.number in page_of(inspector.get(INDEX))


def test_open_a_matter_without_tolerance_files_no_case(client, staff, tree, cadres):
    data = matter_data(tree, cadres)
    del data["consider_tolerance"]

    response = logged_in(client, staff.inspector).post(reverse("tolerance:matter_create"), data)

    matter = AccountabilityMatter.objects.get()
    assert response["Location"] == reverse("tolerance:matter_detail", args=[matter.pk])
    assert not matter.cases.exists()


def test_matter_form_shows_field_errors_and_saves_nothing(client, staff, tree, cadres):
    inspector = logged_in(client, staff.inspector)

    response = inspector.post(
        reverse("tolerance:matter_create"),
        matter_data(tree, cadres, title="", occurred_on="2026-05-01", opened_on="2026-04-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["此项为必填项"]

    # The form itself is fine, the service refuses: its error lands on the field it names.
    response = inspector.post(
        reverse("tolerance:matter_create"),
        matter_data(tree, cadres, occurred_on="2026-05-01", opened_on="2026-04-01"),
    )
    assert response.context["form"].errors["occurred_on"] == ["问题发生日期不能晚于启动问责日期"]
    assert "问题发生日期不能晚于启动问责日期" in page_of(response)
    assert not AccountabilityMatter.objects.exists()


def test_matter_form_offers_only_cadres_in_scope(client, staff, tree, cadres):
    inspector = logged_in(client, staff.inspector)

    page = page_of(inspector.get(reverse("tolerance:matter_create")))
    assert "张三" in page
    assert "李四" not in page

    response = inspector.post(
        reverse("tolerance:matter_create"), matter_data(tree, cadres, cadres=[cadres.in_b.pk])
    )
    assert "cadres" in response.context["form"].errors
    assert not AccountabilityMatter.objects.exists()


def test_cadre_search_narrows_the_choices_and_keeps_what_was_typed(client, staff, tree, cadres):
    CadreFactory(name="赵六", unit=tree.township_a1, post="副镇长")

    response = logged_in(client, staff.inspector).post(
        reverse("tolerance:matter_create"),
        {**matter_data(tree, cadres, cadres=[]), "cadre_q": "赵六", "_search": "1"},
    )

    page = page_of(response)
    assert "赵六（甲县一镇 副镇长）" in page
    assert "张三（" not in page
    assert "违规审批项目用地" in page
    assert not response.context["form"].errors
    assert not AccountabilityMatter.objects.exists()


def test_committee_may_not_open_a_matter(client, staff):
    response = logged_in(client, staff.committee).get(reverse("tolerance:matter_create"))

    assert response.status_code == 403


@pytest.fixture
def applicant(staff, cadres):
    staff.cadre_user.cadre = cadres.in_a
    staff.cadre_user.save(update_fields=["cadre"])
    return staff.cadre_user


def application_data(tree, **changes):
    data = {
        "origin": "cadre_application",
        "handling_unit": tree.county_a.pk,
        "title": "容缺受理引发投诉",
        "facts": "为提高办事效率实行容缺受理",
        "matter_category": "service",
        "occurred_on": "2026-05-10",
        "application_reason": "出于公心，未谋私利",
    }
    data.update(changes)
    return data


def test_applicant_cadre_files_and_sees_only_their_own_application(
    client, staff, tree, applicant, case
):
    cadre_client = logged_in(client, applicant)

    response = cadre_client.post(reverse("tolerance:case_apply"), application_data(tree))

    own = Case.objects.get(title="容缺受理引发投诉")
    assert response["Location"] == case_url(own)
    assert own.applicant == applicant
    worklist = page_of(cadre_client.get(INDEX))
    assert own.number in worklist
    assert case.number not in worklist
    own_page = cadre_client.get(case_url(own))
    assert own_page.status_code == 200
    assert "容错研判清单" not in page_of(own_page)  # the investigation is not theirs to see
    assert cadre_client.get(case_url(case)).status_code == 404


def test_application_without_reason_shows_the_error(client, tree, applicant):
    response = logged_in(client, applicant).post(
        reverse("tolerance:case_apply"), application_data(tree, application_reason="")
    )

    assert response.context["form"].errors["application_reason"] == ["此项为必填项"]
    assert not Case.objects.exists()


def test_inspector_registers_an_application_on_behalf_of_a_cadre(client, staff, tree, cadres):
    response = logged_in(client, staff.inspector).post(
        reverse("tolerance:case_apply"),
        application_data(tree, cadres=[cadres.in_a.pk]),
    )

    case = Case.objects.get()
    assert response["Location"] == case_url(case)
    assert case.origin == "cadre_application"
    assert list(case.cadres.all()) == [cadres.in_a]


def test_committee_may_not_apply(client, staff):
    assert (
        logged_in(client, staff.committee).get(reverse("tolerance:case_apply")).status_code == 403
    )


# --- the case page: checklist and suggestion ----------------------------------------------------


def test_checklist_save_shows_the_suggestion(client, staff, case):
    move(staff.inspector, case, "start_investigation")
    inspector = logged_in(client, staff.inspector)

    response = inspector.post(
        reverse("tolerance:case_checklist", args=[case.pk]),
        checklist_post(case, **TOLERABLE, severity="L1"),
    )

    assert response.status_code == 302
    assert ChecklistAnswer.objects.filter(case=case).count() == 31
    page = page_of(inspector.get(case_url(case)))
    assert "符合容错条件和情形" in page
    assert 'data-testid="suggestion-outcome">免责<' in page
    assert "具有予以容错情形 S2" in page


def test_incomplete_checklist_lists_what_is_missing(client, staff, case):
    move(staff.inspector, case, "start_investigation")
    inspector = logged_in(client, staff.inspector)

    inspector.post(
        reverse("tolerance:case_checklist", args=[case.pk]), checklist_post(case, yes=["C1"])
    )

    page = page_of(inspector.get(case_url(case)))
    assert "清单未填完，暂无建议" in page
    assert "容错条件 C2" in page


def test_distinction_without_evidence_shows_the_error_and_keeps_the_answers(client, staff, case):
    move(staff.inspector, case, "start_investigation")

    data = checklist_post(case, yes=["D1", "C1"])
    d1 = case.distinctions_list.items.get(code="D1")
    data[f"evidence-{d1.pk}"] = ""
    response = logged_in(client, staff.inspector).post(
        reverse("tolerance:case_checklist", args=[case.pk]), data
    )

    assert response.status_code == 200
    page = page_of(response)
    assert "请写明事实依据" in page
    c1 = case.conditions_list.items.get(code="C1")
    assert f'name="answer-{c1.pk}" value="yes" checked' in page
    assert not ChecklistAnswer.objects.filter(case=case).exists()


def test_exclusion_9_shows_the_earlier_reminder(client, staff, tree, cadres):
    services.reminder_record(
        actor=staff.inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2026, 1, 5),
        summary="项目审批程序不规范",
        matter_category="project",
    )
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a], category="project")

    page = page_of(logged_in(client, staff.inspector).get(case_url(case)))

    assert "组织提醒：项目审批程序不规范" in page
    assert "不予容错" in page


def test_checklist_is_read_only_after_the_opinion(client, staff, case):
    to_preliminary(staff, case)
    inspector = logged_in(client, staff.inspector)

    page = page_of(inspector.get(case_url(case)))
    assert 'data-testid="checklist-form"' not in page

    response = inspector.post(
        reverse("tolerance:case_checklist", args=[case.pk]), checklist_post(case, yes=["C1"])
    )
    assert "不能办理此项" in page_of(response)


def test_committee_cannot_save_the_checklist(client, staff, case):
    move(staff.inspector, case, "start_investigation")

    response = logged_in(client, staff.committee).post(
        reverse("tolerance:case_checklist", args=[case.pk]), checklist_post(case, yes=["C1"])
    )

    assert response.status_code == 403


# --- the case page: transitions ------------------------------------------------------------------


def test_transition_buttons_follow_role_and_state(client, staff, case):
    inspector_page = page_of(logged_in(client, staff.inspector).get(case_url(case)))
    assert 'data-transition="start_investigation"' in inspector_page
    assert 'data-transition="withdraw"' in inspector_page
    assert 'data-transition="decide"' not in inspector_page

    committee_page = page_of(logged_in(client, staff.committee).get(case_url(case)))
    assert 'data-transition="start_investigation"' not in committee_page


def test_start_investigation_from_the_page(client, staff, case):
    response = logged_in(client, staff.inspector2).post(
        transition_url(case, "start_investigation"), {"expected_status": "filed"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    assert case.status_changes.last().actor == staff.inspector2


@pytest.mark.parametrize("role", ["committee", "auditor"])
def test_role_without_the_transition_is_refused(client, staff, case, role):
    response = logged_in(client, getattr(staff, role)).post(
        transition_url(case, "start_investigation"), {"expected_status": "filed"}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.FILED


def test_unknown_transition_is_not_found(client, staff, case):
    response = logged_in(client, staff.inspector).post(transition_url(case, "teleport"))

    assert response.status_code == 404


def test_decide_form_says_reasons_are_mandatory_and_asks_for_confirmation(client, staff, case):
    to_preliminary(staff, case)

    page = page_of(logged_in(client, staff.committee).get(case_url(case)))

    assert "认定结论与系统建议不一致时，必须在“认定理由”中写明理由" in page
    assert 'data-transition="decide" data-confirm=' in page


def test_departing_from_the_suggestion_without_reasons_shows_the_error(client, staff, case):
    to_preliminary(staff, case)

    response = logged_in(client, staff.committee).post(
        transition_url(case, "decide"),
        {"expected_status": "preliminary", "t-decide-outcome": Outcome.LIGHTER},
    )

    assert response.status_code == 200
    form = next(t["form"] for t in response.context["transitions"] if t["t"].name == "decide")
    assert "必须写明理由" in form.errors["decision_reasons"][0]
    assert 'value="lighter" selected' in page_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.PRELIMINARY


def test_two_committee_members_deciding_the_same_case(client, staff, case):
    to_preliminary(staff, case)
    first = logged_in(client, staff.committee)
    first.get(case_url(case))  # both see the case awaiting the decision
    first.post(
        transition_url(case, "decide"),
        {"expected_status": "preliminary", "t-decide-outcome": Outcome.EXEMPT},
    )

    second = logged_in(client, staff.committee2)
    response = second.post(
        transition_url(case, "decide"),
        {
            "expected_status": "preliminary",
            "t-decide-outcome": Outcome.LIGHTER,
            "t-decide-decision_reasons": "情节较重，应从轻",
        },
    )

    assert response.status_code == 409
    page = page_of(response)
    assert "可能已被他人处理" in page
    assert "情节较重，应从轻" in page  # what they typed is shown back, not lost
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert case.outcome == Outcome.EXEMPT
    assert case.decided_by == staff.committee


def test_stale_page_is_a_conflict_even_when_the_transition_is_possible_again(client, staff, case):
    to_preliminary(staff, case)
    move(staff.committee, case, "return_for_investigation", reason="补充调查")
    move(
        staff.inspector, case, "submit_opinion", proposed_outcome="exempt", proposal_reasons="同前"
    )

    # The page was shown before the case went back and forth: it said "investigating".
    response = logged_in(client, staff.inspector2).post(
        transition_url(case, "withdraw"),
        {"expected_status": "investigating", "t-withdraw-reason": "申请人撤回"},
    )

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.PRELIMINARY


def test_withdraw_requires_a_reason(client, staff, case):
    response = logged_in(client, staff.inspector).post(
        transition_url(case, "withdraw"), {"expected_status": "filed"}
    )

    form = next(t["form"] for t in response.context["transitions"] if t["t"].name == "withdraw")
    assert form.errors["reason"] == ["此项为必填项"]
    case.refresh_from_db()
    assert case.status == CaseStatus.FILED


def test_submit_opinion_before_the_checklist_is_complete_says_why(client, staff, case):
    move(staff.inspector, case, "start_investigation")

    response = logged_in(client, staff.inspector).post(
        transition_url(case, "submit_opinion"),
        {
            "expected_status": "investigating",
            "t-submit_opinion-proposed_outcome": "exempt",
            "t-submit_opinion-proposal_reasons": "符合条件",
        },
    )

    assert "清单研判尚未完成" in page_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING


def test_the_timeline_shows_steps_and_records_in_order(client, staff, case):
    move(staff.inspector, case, "start_investigation", reason="启动")
    services.inquiry_add(
        actor=staff.inspector,
        case=case,
        kind="hearing",
        held_on=timezone.localdate(),
        party="甲县一镇",
        content="听取镇党委意见",
    )

    response = logged_in(client, staff.inspector).get(case_url(case))

    timeline = response.context["timeline"]
    assert [entry["kind"] for entry in timeline] == ["status", "status", "inquiry"]
    assert timeline[1]["to"] == "调查核实"
    assert timeline[1]["actor"] == staff.inspector
    assert "听取镇党委意见" in page_of(response)


# --- the case page: records --------------------------------------------------------------------


def test_add_an_inquiry(client, staff, case):
    move(staff.inspector, case, "start_investigation")

    response = logged_in(client, staff.inspector).post(
        reverse("tolerance:case_inquiry_add", args=[case.pk]),
        {
            "inquiry-kind": "third_party",
            "inquiry-held_on": timezone.localdate().isoformat(),
            "inquiry-party": "某评估机构",
            "inquiry-content": "第三方评估项目效益",
        },
    )

    assert response.status_code == 302
    assert Inquiry.objects.get(case=case).get_kind_display() == "第三方评估"


def test_inquiry_with_a_future_date_shows_the_error(client, staff, case):
    move(staff.inspector, case, "start_investigation")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = logged_in(client, staff.inspector).post(
        reverse("tolerance:case_inquiry_add", args=[case.pk]),
        {
            "inquiry-kind": "hearing",
            "inquiry-held_on": tomorrow.isoformat(),
            "inquiry-party": "甲县一镇",
            "inquiry-content": "听取意见",
        },
    )

    assert response.context["inquiry_form"].errors["held_on"] == ["日期不能晚于今天"]
    assert not Inquiry.objects.exists()


def decided(staff, case, outcome=Outcome.EXEMPT):
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome=outcome, decision_reasons="集体研究")
    return case


def test_documents_offered_only_when_the_state_allows(client, staff, case):
    inspector = logged_in(client, staff.inspector)
    assert 'data-testid="doc-' not in page_of(inspector.get(case_url(case)))

    to_preliminary(staff, case)
    page = page_of(inspector.get(case_url(case)))
    assert 'data-testid="doc-preliminary_opinion"' in page
    assert 'data-testid="doc-feedback_letter"' not in page
    refused = inspector.get(reverse("tolerance:case_document", args=[case.pk, "feedback_letter"]))
    assert refused.status_code == 302


def test_feedback_letter_downloads_as_word(client, staff, case):
    decided(staff, case)

    response = logged_in(client, staff.inspector).get(
        reverse("tolerance:case_document", args=[case.pk, "feedback_letter"])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert case.number in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


def test_correction_tracked_to_done(client, staff, case):
    decided(staff, case)
    inspector = logged_in(client, staff.inspector)
    inspector.post(
        reverse("tolerance:case_correction_add", args=[case.pk]),
        {
            "correction-remedial_measures": "补办用地手续",
            "correction-responsible": "甲县一镇",
            "correction-due_on": "2026-12-31",
        },
    )
    plan = case.corrections.get()

    missing_result = inspector.post(
        reverse("tolerance:case_correction_update", args=[case.pk, plan.pk]),
        {f"plan-{plan.pk}-status": "done"},
    )
    assert "完成整改须填写整改成效" in page_of(missing_result)

    inspector.post(
        reverse("tolerance:case_correction_update", args=[case.pk, plan.pk]),
        {f"plan-{plan.pk}-status": "done", f"plan-{plan.pk}-result": "手续已补齐"},
    )
    plan.refresh_from_db()
    assert plan.status == "done"
    assert plan.done_on == timezone.localdate()


def test_oversight_flag_for_a_refused_case(client, staff, case):
    decided(staff, case, outcome=Outcome.NOT_TOLERATED)
    inspector = logged_in(client, staff.inspector)
    assert 'data-testid="oversight-form"' in page_of(inspector.get(case_url(case)))

    inspector.post(
        reverse("tolerance:case_oversight", args=[case.pk]),
        {"oversight-oversight_reason": "符合容错条件而未予容错"},
    )

    case.refresh_from_db()
    assert case.oversight_flagged
    assert "已标记，转问责" in page_of(inspector.get(case_url(case)))


def test_level_above_acknowledges_the_filing(client, staff, case):
    decided(staff, case)
    move(staff.inspector, case, "send_feedback", feedback_to="张三")
    move(staff.inspector, case, "file_upward", filing_recipients="市纪委监委、市委组织部")
    assert 'data-testid="acknowledge-form"' not in page_of(
        logged_in(client, staff.inspector).get(case_url(case))
    )

    city = logged_in(client, staff.city_inspector)
    assert 'data-testid="acknowledge-form"' in page_of(city.get(case_url(case)))
    city.post(reverse("tolerance:case_acknowledge", args=[case.pk]))

    case.refresh_from_db()
    assert case.filing_acknowledged_by == staff.city_inspector


def test_publish_form_offers_the_scopes_and_records_the_publication(client, staff, case):
    decided(staff, case)
    move(staff.inspector, case, "send_feedback", feedback_to="张三")
    move(staff.inspector, case, "file_upward", filing_recipients="市纪委监委")
    inspector = logged_in(client, staff.inspector)
    assert "向社会公开" in page_of(inspector.get(case_url(case)))

    inspector.post(
        transition_url(case, "publish"),
        {
            "expected_status": "filed_upward",
            "t-publish-scope": "system",
            "t-publish-channel": "内部通报",
            "t-publish-content": "容错免责案例",
        },
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert "内部通报" in page_of(inspector.get(case_url(case)))


# --- matters and reminders ------------------------------------------------------------------


def test_matter_list_and_detail(client, staff, case):
    inspector = logged_in(client, staff.inspector)

    page = page_of(inspector.get(reverse("tolerance:matter_list")))
    assert case.matter.number in page

    detail = page_of(inspector.get(reverse("tolerance:matter_detail", args=[case.matter.pk])))
    assert case.number in detail
    assert 'data-testid="decide-form"' in detail


def test_matter_out_of_jurisdiction_is_not_found(client, staff, case):
    response = logged_in(client, staff.other_inspector).get(
        reverse("tolerance:matter_detail", args=[case.matter.pk])
    )

    assert response.status_code == 404


def test_matter_decision_waits_for_the_tolerance_decision(client, staff, case):
    inspector = logged_in(client, staff.inspector)
    url = reverse("tolerance:matter_decide", args=[case.matter.pk])

    response = inspector.post(url, {"form": "admonish", "decided_on": "2026-06-10"})
    assert response.context["decide_form"].errors["form"] == [
        "容错认定尚未作出，请待认定后再作问责决定"
    ]

    decided(staff, case, outcome=Outcome.LIGHTER)
    inspector.post(url, {"form": "admonish", "decided_on": timezone.localdate().isoformat()})
    case.matter.refresh_from_db()
    assert case.matter.status == MatterStatus.DECIDED
    assert case.matter.form_label == "诫勉"


def test_matter_drop(client, staff, case):
    decided(staff, case)

    logged_in(client, staff.inspector).post(reverse("tolerance:matter_drop", args=[case.matter.pk]))

    case.matter.refresh_from_db()
    assert case.matter.status == MatterStatus.DROPPED


def test_record_a_reminder_and_list_it(client, staff, cadres):
    inspector = logged_in(client, staff.inspector)

    response = inspector.post(
        reverse("tolerance:reminder_create"),
        {
            "cadre": cadres.in_a.pk,
            "given_on": "2026-02-01",
            "matter_category": "safety",
            "summary": "安全生产检查流于形式",
        },
    )

    assert response["Location"] == reverse("tolerance:reminder_list")
    assert Reminder.objects.get().cadre == cadres.in_a
    page = page_of(inspector.get(reverse("tolerance:reminder_list")))
    assert "安全生产检查流于形式" in page
    assert "安全生产" in page


def test_reminder_for_a_cadre_out_of_scope_is_refused(client, staff, cadres):
    response = logged_in(client, staff.inspector).post(
        reverse("tolerance:reminder_create"),
        {"cadre": cadres.in_b.pk, "given_on": "2026-02-01", "summary": "提醒"},
    )

    assert "cadre" in response.context["form"].errors
    assert not Reminder.objects.exists()


def test_matter_and_reminder_lists_have_constant_queries(
    client, staff, tree, cadres, django_assert_max_num_queries
):
    for i in range(12):
        open_case(staff.inspector, tree.county_a, [cadres.in_a], title=f"事项{i}")
        services.reminder_record(
            actor=staff.inspector,
            cadre=cadres.in_a,
            given_on=datetime.date(2026, 1, 1),
            summary=f"提醒{i}",
        )
    inspector = logged_in(client, staff.inspector)

    with django_assert_max_num_queries(12):
        matters = inspector.get(reverse("tolerance:matter_list"))
    with django_assert_max_num_queries(10):
        reminders = inspector.get(reverse("tolerance:reminder_list"))

    assert len(matters.context["page"].object_list) == 12
    assert len(reminders.context["page"].object_list) == 12


def test_pages_require_login(client, case):
    for url in (INDEX, case_url(case), reverse("tolerance:matter_list")):
        assert client.get(url).status_code == 302


def test_saved_answers_and_evidence_are_shown_on_the_page(client, staff, case):
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)

    page = page_of(logged_in(client, staff.inspector).get(case_url(case)))

    d1 = case.distinctions_list.items.get(code="D1")
    assert f'name="answer-{d1.pk}" value="yes" checked' in page
    assert "D1 的事实依据" in page


def test_case_page_queries_do_not_grow_with_its_records(
    client, staff, case, django_assert_max_num_queries
):
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)
    for i in range(6):
        services.inquiry_add(
            actor=staff.inspector,
            case=case,
            kind="hearing",
            held_on=timezone.localdate(),
            party=f"单位{i}",
            content="听取意见",
        )
        services.consultation_add(
            actor=staff.inspector,
            case=case,
            held_on=timezone.localdate(),
            lead_body="县纪委监委",
            participants="县委组织部",
            topic=f"会商{i}",
            conclusions="一致同意",
        )
    inspector = logged_in(client, staff.inspector)

    with django_assert_max_num_queries(32):
        response = inspector.get(case_url(case))

    assert len(response.context["inquiries"]) == 6
    assert len(response.context["timeline"]) == 14

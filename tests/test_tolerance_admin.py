"""Django admin of fault tolerance and clearing of names: every model registered and rendering,
jurisdiction for staff users, statuses and decisions read-only, append-only tables untouchable,
files opened through the services."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadre.models import User
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services
from tolerance.choices import CaseStatus, CorrectionStatus
from tolerance.models import (
    AccountabilityMatter,
    Case,
    CaseStatusChange,
    ClearingMatter,
    ClearingStatusChange,
    CorrectionPlan,
)
from tolerance.workflow import clearing_transition

pytestmark = pytest.mark.django_db


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["tolerance", "cadre"])
    )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.gov.cn", "Secret-pass-123")


@pytest.fixture
def super_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def staff_client(client, staff):
    """County A's inspector, made staff with every permission of the two apps."""
    client.force_login(make_staff(staff.inspector))
    return client


def form_data(page, **changes):
    """What the browser would send back from an admin form page, with `changes` typed in."""
    data = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{formset.prefix}-INITIAL_FORMS"] = formset.initial_form_count()
    data.update(changes)
    return data


@pytest.fixture
def one_of_everything(staff, tree, cadres):
    """A reminder; a case taken all the way to a visit with every record around it; a report
    concluded a false accusation, cleared and visited."""
    inspector = staff.inspector
    services.reminder_record(
        actor=inspector,
        cadre=cadres.in_a,
        given_on=datetime.date(2025, 3, 1),
        summary="提醒注意项目程序",
        matter_category="land",
    )
    case = open_case(inspector, tree.county_a, [cadres.in_a])
    services.inquiry_add(
        actor=inspector,
        case=case,
        kind="hearing",
        held_on=datetime.date(2026, 6, 2),
        party="县发改局",
        content="听取意见",
    )
    services.consultation_add(
        actor=inspector,
        case=case,
        held_on=datetime.date(2026, 6, 3),
        lead_body="县纪委监委",
        participants="县委组织部",
        topic="容错认定",
        conclusions="同意",
    )
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="exempt")
    move(inspector, case, "send_feedback", feedback_to="张三")
    move(inspector, case, "file_upward", filing_recipients="市纪委监委")
    move(inspector, case, "publish", scope="unit", channel="单位公示栏", content="公开")
    move(inspector, case, "start_correction")
    services.correction_add(
        actor=inspector,
        case=case,
        remedial_measures="补齐审批材料",
        responsible="县发改局",
        due_on=datetime.date(2026, 12, 31),
    )
    services.visit_add(
        actor=inspector,
        case=case,
        visited_on=datetime.date(2026, 9, 1),
        visitors="县委组织部",
        findings="状态良好",
    )
    clearing = services.clearing_open(
        actor=inspector,
        handling_unit=tree.county_a,
        source="letter",
        allegation="反映张三收受好处",
        cadres=[cadres.in_a],
        accuser_name="赵某",
        accuser_contact="13800000000",
    )
    clearing_transition(actor=inspector, clearing=clearing, name="start_verification")
    clearing_transition(
        actor=inspector,
        clearing=clearing,
        name="conclude",
        data={
            "conclusion": "false_accusation",
            "conclusion_reasons": "捏造事实",
            "referral_note": "移送查处",
        },
    )
    services.clarification_add(
        actor=inspector,
        clearing=clearing,
        method="letter",
        scope="所在单位",
        held_on=datetime.date(2026, 7, 1),
        content="澄清",
    )
    clearing_transition(actor=inspector, clearing=clearing, name="clarify")
    clearing_transition(actor=inspector, clearing=clearing, name="start_follow_up")
    services.visit_add(
        actor=inspector,
        clearing=clearing,
        visited_on=datetime.date(2026, 8, 1),
        visitors="县纪委",
        findings="已放下包袱",
        at_ease=True,
    )
    return case, clearing


@pytest.fixture
def case_b(staff, tree, cadres):
    """A case of county B, out of county A's jurisdiction."""
    return open_case(staff.other_inspector, tree.county_b, [cadres.in_b], title="乙县案件")


TOLERANCE_ADMINS = [model for model in admin.site._registry if model._meta.app_label == "tolerance"]


def test_every_tolerance_model_is_registered():
    from django.apps import apps
    from pghistory.models import Event as HistoryEvent

    # The history tables pghistory generates are browsed through pghistory's own admin.
    models = {
        model
        for model in apps.get_app_config("tolerance").get_models()
        if not issubclass(model, HistoryEvent)
    }
    assert set(TOLERANCE_ADMINS) == models


@pytest.mark.parametrize("model", TOLERANCE_ADMINS, ids=lambda m: m._meta.model_name)
def test_superuser_pages_of_every_model_render(super_client, one_of_everything, model):
    model_admin = admin.site._registry[model]
    assert super_client.get(admin_url(model)).status_code == 200

    obj = model.objects.first()
    assert obj is not None
    assert super_client.get(admin_url(model, "change", obj.pk)).status_code == 200

    add = super_client.get(admin_url(model, "add"))
    expected = 200 if model_admin.has_add_permission(add.wsgi_request) else 403
    assert add.status_code == expected


@pytest.mark.parametrize("model", TOLERANCE_ADMINS, ids=lambda m: m._meta.model_name)
def test_scoped_staff_pages_of_every_model_render(staff_client, one_of_everything, model):
    assert staff_client.get(admin_url(model)).status_code == 200
    obj = model.objects.first()
    assert staff_client.get(admin_url(model, "change", obj.pk)).status_code == 200


# --- jurisdiction ---------------------------------------------------------------------------


def test_staff_sees_own_county_but_not_another_countys_case(client, staff, tree, cadres, case_b):
    own = open_case(staff.inspector, tree.county_a, [cadres.in_a], title="甲县案件")
    client.force_login(make_staff(staff.inspector))

    listed = client.get(admin_url(Case)).context["cl"].result_list
    other = client.get(admin_url(Case, "change", case_b.pk))

    assert [c.pk for c in listed] == [own.pk]
    # The admin answers an object outside the queryset as not existing.
    assert other.status_code == 302
    assert client.get(admin_url(CaseStatusChange)).context["cl"].result_count == 1
    matters = client.get(admin_url(AccountabilityMatter)).context["cl"].result_list
    assert [m.title for m in matters] == ["甲县案件"]


def test_city_staff_sees_both_counties(client, staff, tree, cadres, case_b):
    open_case(staff.inspector, tree.county_a, [cadres.in_a], title="甲县案件")
    client.force_login(make_staff(staff.city_inspector))

    listed = client.get(admin_url(Case)).context["cl"].result_list

    assert {c.title for c in listed} == {"甲县案件", "乙县案件"}


def test_staff_without_a_file_role_sees_no_case(client, make_user, tree, cadres, case_b):
    leader = make_staff(make_user("unit_leader", unit=tree.county_b))
    client.force_login(leader)

    assert client.get(admin_url(Case)).context["cl"].result_count == 0


# --- read-only workflow ---------------------------------------------------------------------


def test_status_and_decision_are_read_only_and_a_decided_case_keeps_its_text(
    super_client, staff, one_of_everything
):
    case, _clearing = one_of_everything
    url = admin_url(Case, "change", case.pk)
    page = super_client.get(url)
    assert set(page.context["adminform"].form.fields) == set()
    assert 'name="status"' not in page.content.decode()

    response = super_client.post(url, form_data(page, title="改写", status="closed"))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CORRECTING, "exempt")
    assert case.title != "改写"


def test_the_text_of_a_case_under_investigation_can_be_corrected(super_client, staff, tree, cadres):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    url = admin_url(Case, "change", case.pk)
    page = super_client.get(url)
    assert set(page.context["adminform"].form.fields) == {"title", "facts"}

    response = super_client.post(
        url,
        form_data(page, title="更正后的案件名称", status="closed", outcome="not_tolerated"),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "更正后的案件名称"
    assert (case.status, case.outcome) == (CaseStatus.FILED, "")


def test_cases_and_status_changes_cannot_be_deleted(super_client, one_of_everything):
    case, clearing = one_of_everything
    change = CaseStatusChange.objects.filter(case=case).first()

    assert super_client.post(admin_url(Case, "delete", case.pk), {"post": "yes"}).status_code == 403
    assert (
        super_client.post(admin_url(CaseStatusChange, "delete", change.pk), {"post": "yes"})
    ).status_code == 403
    assert super_client.get(admin_url(CaseStatusChange, "add")).status_code == 403
    assert super_client.get(admin_url(ClearingStatusChange, "add")).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
    assert CaseStatusChange.objects.filter(pk=change.pk).exists()


def test_status_change_page_is_view_only(super_client, one_of_everything):
    case, _clearing = one_of_everything
    change = CaseStatusChange.objects.filter(case=case).last()
    url = admin_url(CaseStatusChange, "change", change.pk)

    page = super_client.get(url)
    response = super_client.post(url, {"reason": "篡改", "to_status": "closed"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.reason != "篡改"


def test_case_page_shows_the_timeline_and_answers_read_only(super_client, one_of_everything):
    case, _clearing = one_of_everything

    page = super_client.get(admin_url(Case, "change", case.pk))

    inlines = {
        inline.formset.model.__name__: inline for inline in page.context["inline_admin_formsets"]
    }
    assert inlines["CaseStatusChange"].formset.initial_form_count() == case.status_changes.count()
    assert inlines["ChecklistAnswer"].formset.initial_form_count() == case.answers.count() > 0
    for inline in inlines.values():
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission


# --- writes through the services -------------------------------------------------------------


def test_opening_an_accountability_matter_in_admin_files_a_case(staff_client, tree, cadres):
    url = admin_url(AccountabilityMatter, "add")
    page = staff_client.get(url)

    response = staff_client.post(
        url,
        form_data(
            page,
            handling_unit=tree.county_a.pk,
            accountable_body="discipline",
            title="环境监管不到位",
            facts="巡查不到位",
            matter_category="environment",
            occurred_on="2026-05-01",
            opened_on="2026-06-01",
            cadres=[cadres.in_a.pk],
        ),
    )

    assert response.status_code == 302
    assert response.url == admin_url(AccountabilityMatter)
    matter = AccountabilityMatter.objects.get()
    assert matter.number.startswith("WZ")
    assert list(matter.cadres.all()) == [cadres.in_a]
    assert matter.cases.get().status == CaseStatus.FILED


def test_opening_a_matter_for_a_cadre_out_of_scope_is_refused(staff_client, tree, cadres):
    url = admin_url(AccountabilityMatter, "add")
    page = staff_client.get(url)

    response = staff_client.post(
        url,
        form_data(
            page,
            handling_unit=tree.county_a.pk,
            accountable_body="discipline",
            title="越权",
            occurred_on="2026-05-01",
            opened_on="2026-06-01",
            cadres=[cadres.in_b.pk],
        ),
    )

    assert response.status_code == 200
    assert "cadres" in response.context["adminform"].form.errors
    assert not AccountabilityMatter.objects.exists()


def test_filing_a_case_in_admin_goes_through_the_service(staff_client, tree, cadres):
    url = admin_url(Case, "add")
    page = staff_client.get(url)

    response = staff_client.post(
        url,
        form_data(
            page,
            title="单位申请容错",
            facts="容缺受理",
            origin="unit_application",
            handling_unit=tree.county_a.pk,
            occurred_on="2026-05-01",
            cadres=[cadres.in_a.pk],
            application_reason="先行先试",
        ),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number.startswith("RC")
    assert case.conditions_list.kind == "tolerance.conditions"
    assert list(case.status_changes.values_list("transition", flat=True)) == ["file"]


def test_a_refused_correction_progress_shows_the_reason(client, staff, one_of_everything):
    plan = CorrectionPlan.objects.get()
    client.force_login(make_staff(staff.inspector))
    url = admin_url(CorrectionPlan, "change", plan.pk)
    page = client.get(url)

    response = client.post(url, form_data(page, status="done", done_on="2026-10-01", result=""))

    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("整改成效" in m for m in messages)
    plan.refresh_from_db()
    assert plan.status == CorrectionStatus.PLANNED


def test_correction_progress_is_saved_through_the_service(client, staff, one_of_everything):
    plan = CorrectionPlan.objects.get()
    client.force_login(make_staff(staff.inspector))
    url = admin_url(CorrectionPlan, "change", plan.pk)
    page = client.get(url)

    client.post(url, form_data(page, status="done", done_on="2026-10-01", result="已补齐"))

    plan.refresh_from_db()
    assert (plan.status, plan.result) == (CorrectionStatus.DONE, "已补齐")


def test_auditor_staff_may_look_but_not_add_or_change(client, staff, one_of_everything):
    case, _clearing = one_of_everything
    client.force_login(make_staff(staff.auditor))

    assert client.get(admin_url(Case)).context["cl"].result_count == 1
    assert client.get(admin_url(Case, "add")).status_code == 403
    page = client.get(admin_url(Case, "change", case.pk))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()


def test_accuser_is_shown_to_the_discipline_body_only(client, staff, one_of_everything):
    _case, clearing = one_of_everything
    url = admin_url(ClearingMatter, "change", clearing.pk)

    client.force_login(make_staff(staff.inspector))
    assert "13800000000" in client.get(url).content.decode()
    client.force_login(make_staff(staff.organisation))
    page = client.get(url)
    assert page.status_code == 200
    assert "13800000000" not in page.content.decode()


def test_case_changelist_query_count_is_constant(super_client, staff, tree, cadres):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert super_client.get(admin_url(Case)).status_code == 200
        return len(ctx.captured_queries)

    open_case(staff.inspector, tree.county_a, [cadres.in_a])
    count_queries()  # the first request of a session also refreshes its expiry
    few = count_queries()
    for i in range(10):
        open_case(staff.inspector, tree.county_a, [cadres.in_a], title=f"案件{i}")
    assert count_queries() == few

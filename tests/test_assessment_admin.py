"""Django admin of the annual assessment: every model registered and rendering, jurisdiction for
staff users, writes through the services (a grade change over the 优秀 quota is refused with
the service's message), fixed grades read-only, nothing deleted."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.choices import CycleStatus, Grade
from assessment.models import AnnualGrade, AssessmentCycle, TeamAssessment, UnitQuota
from cadre.choices import Role
from cadre.models import User
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
ASSESSMENT_MODELS = [AssessmentCycle, UnitQuota, AnnualGrade, TeamAssessment]


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["assessment", "cadre"])
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
def login(client):
    def _login(user):
        client.force_login(make_staff(user))
        return client

    return _login


@pytest.fixture
def township(tree):
    """Ten serving cadres in township A1: two 优秀 places at 20%."""
    return [CadreFactory(unit=tree.township_a1, name=f"镇干部{i:02d}") for i in range(10)]


@pytest.fixture
def graded(staff, tree, township):
    """County A's cycle with township A1 graded at its quota, a raised-ratio row and a team."""
    org = staff.organisation
    cycle = services.cycle_open(actor=org, unit=tree.county_a, year=YEAR)
    services.annual_grades_save(
        actor=org,
        cycle=cycle,
        unit=tree.township_a1,
        rows=[
            {
                "cadre": c.pk,
                "grade": Grade.EXCELLENT if i < 2 else Grade.COMPETENT,
                "responsibility": "主动担当",
            }
            for i, c in enumerate(township)
        ],
    )
    services.unit_quota_set(actor=org, cycle=cycle, unit=tree.dept_a, raised=True, reason="第一")
    services.team_grade_save(
        actor=org, cycle=cycle, unit=tree.township_a1, grade="good", responsibility="团结担当"
    )
    return cycle


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


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def result_count(response):
    assert response.status_code == 200
    return response.context["cl"].result_count


# --- registration and rendering ---------------------------------------------------------------


def test_the_annual_assessment_models_are_registered():
    assert set(ASSESSMENT_MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", ASSESSMENT_MODELS, ids=lambda m: m._meta.model_name)
def test_superuser_pages_of_every_model_render(super_client, graded, model):
    assert result_count(super_client.get(admin_url(model))) >= 1
    obj = model.objects.first()
    assert super_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert super_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", ASSESSMENT_MODELS, ids=lambda m: m._meta.model_name)
def test_staff_see_only_their_jurisdiction(login, staff, tree, graded, make_user, model):
    in_scope = login(staff.organisation).get(admin_url(model))
    assert result_count(in_scope) == model.objects.count()

    other = login(make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"))
    assert result_count(other.get(admin_url(model))) == 0
    assert other.get(admin_url(model, "change", model.objects.first().pk)).status_code == 302


def test_the_committee_reads_but_adds_nothing(login, staff, graded):
    client = login(staff.committee)

    assert result_count(client.get(admin_url(AnnualGrade))) == 10
    assert client.get(admin_url(AnnualGrade, "add")).status_code == 403
    grade = AnnualGrade.objects.first()
    page = client.get(admin_url(AnnualGrade, "change", grade.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_the_cycle_page_links_to_its_grades(super_client, graded, tree, make_user):
    org_b = make_user(Role.ORGANISATION, unit=tree.county_b)
    other_cycle = services.cycle_open(actor=org_b, unit=tree.county_b, year=YEAR)
    services.annual_grade_save(
        actor=org_b,
        cycle=other_cycle,
        cadre=CadreFactory(unit=tree.township_b1),
        grade=Grade.COMPETENT,
        responsibility="担当",
    )
    page = super_client.get(admin_url(AssessmentCycle, "change", graded.pk))
    link = f"{admin_url(AnnualGrade)}?cycle__id__exact={graded.pk}"
    assert link in page.content.decode()

    other_link = f"{admin_url(AnnualGrade)}?cycle__id__exact={other_cycle.pk}"
    assert result_count(super_client.get(link)) == 10
    assert result_count(super_client.get(other_link)) == 1


# --- writes through the services --------------------------------------------------------------


def test_a_grade_change_over_the_quota_is_refused_with_the_message(login, staff, graded, township):
    client = login(staff.organisation)
    grade = AnnualGrade.objects.get(cadre=township[5])
    url = admin_url(AnnualGrade, "change", grade.pk)

    response = client.post(url, form_data(client.get(url), grade=Grade.EXCELLENT))

    assert response.status_code == 302
    assert any("名额为2人" in m and "超出1人" in m for m in messages_of(response))
    grade.refresh_from_db()
    assert grade.grade == Grade.COMPETENT
    assert AnnualGrade.objects.filter(grade=Grade.EXCELLENT).count() == 2


def test_a_grade_change_within_the_quota_is_saved(login, staff, graded, township):
    client = login(staff.organisation)
    grade = AnnualGrade.objects.get(cadre=township[0])
    url = admin_url(AnnualGrade, "change", grade.pk)

    response = client.post(url, form_data(client.get(url), grade=Grade.BASIC, comments="需改进"))

    assert response.status_code == 302
    grade.refresh_from_db()
    assert (grade.grade, grade.comments) == (Grade.BASIC, "需改进")


def test_a_cycle_is_opened_through_the_service(login, staff, tree):
    client = login(staff.organisation)

    response = client.post(
        admin_url(AssessmentCycle, "add"), {"unit": tree.county_a.pk, "year": YEAR, "title": ""}
    )

    assert response.status_code == 302
    cycle = AssessmentCycle.objects.get()
    assert cycle.title == f"甲县{YEAR}年度考核"
    assert cycle.quota_list.kind == "assessment.grade_quotas"
    assert cycle.created_by == staff.organisation


def test_a_quota_row_added_without_a_reason_is_refused(login, staff, graded, tree):
    client = login(staff.organisation)

    response = client.post(
        admin_url(UnitQuota, "add"),
        {"cycle": graded.pk, "unit": tree.county_a.pk, "raised": "on", "raised_reason": ""},
    )

    assert response.status_code == 302
    assert any("上浮优秀比例须写明依据" in m for m in messages_of(response))
    assert not UnitQuota.objects.filter(unit=tree.county_a).exists()


def test_grades_of_a_closed_cycle_are_read_only_and_nothing_is_deleted(login, staff, graded):
    services.cycle_close(actor=staff.organisation, cycle=graded)
    client = login(staff.organisation)
    grade = AnnualGrade.objects.first()

    page = client.get(admin_url(AnnualGrade, "change", grade.pk))

    assert AssessmentCycle.objects.get().status == CycleStatus.CLOSED
    assert not page.context["has_change_permission"]
    assert client.get(admin_url(AnnualGrade, "delete", grade.pk)).status_code == 403
    assert client.get(admin_url(AssessmentCycle, "delete", graded.pk)).status_code == 403


def test_the_grade_changelist_runs_a_constant_number_of_queries(super_client, graded, tree, staff):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert super_client.get(admin_url(AnnualGrade)).status_code == 200
        return len(ctx.captured_queries)

    queries()
    before = queries()
    dept = [CadreFactory(unit=tree.dept_a) for _ in range(8)]
    services.annual_grades_save(
        actor=staff.organisation,
        cycle=graded,
        unit=tree.dept_a,
        rows=[{"cadre": c.pk, "grade": Grade.COMPETENT, "responsibility": "担当"} for c in dept],
    )

    assert queries() == before

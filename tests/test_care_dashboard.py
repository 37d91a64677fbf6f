"""The care overview (关心关爱概览): 五必谈 due and overdue with the most overdue named, this
year's coverage, check-up completion, care-fund balances, open hardship applications and talk
requests — inside the user's jurisdiction, in a constant number of queries; a cadre user goes to
their own care page."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cadre.choices import Role, UnitKind, UnitLevel
from cadre.models import PolicyList
from care import health
from care.choices import (
    KIND_HARDSHIP_CATEGORIES,
    KIND_TALK_TRIGGERS,
    ApplicationStatus,
    ObligationStatus,
    RequestStatus,
    TalkKind,
)
from care.models import CareFund, HardshipApplication, Talk, TalkObligation, TalkRequest
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
JUNE = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=TZ)
TODAY = datetime.date(2026, 6, 17)
INDEX = reverse("care:index")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(JUNE, tick=False):
        yield


def obligation(cadre, unit, due_on, status=ObligationStatus.DUE):
    return TalkObligation.objects.create(
        cadre=cadre,
        triggers_list=PolicyList.objects.get(kind=KIND_TALK_TRIGGERS, unit__isnull=True),
        trigger_code="T1",
        trigger_label="干部岗位变动必谈",
        responsible_unit=unit,
        created_on=due_on - datetime.timedelta(days=30),
        due_on=due_on,
        status=status,
    )


@pytest.fixture
def data(tree, org_user):
    cadres = [
        CadreFactory(name=f"镇干部{n}", unit=tree.township_a1, post="科员") for n in range(14)
    ]
    other = CadreFactory(name="乙县干部", unit=tree.township_b1, post="科员")
    # 12 overdue (1 … 12 days), 2 due later, 1 held, 1 out of jurisdiction.
    for n, cadre in enumerate(cadres[:12], start=1):
        obligation(cadre, tree.county_a, TODAY - datetime.timedelta(days=n))
    obligation(cadres[12], tree.county_a, TODAY + datetime.timedelta(days=5))
    obligation(cadres[13], tree.county_a, TODAY)
    obligation(cadres[0], tree.county_a, TODAY - datetime.timedelta(days=60), ObligationStatus.HELD)
    obligation(other, tree.county_b, TODAY - datetime.timedelta(days=90))
    # Coverage: a township secretary with two team members, one talked with this year.
    secretary = CadreFactory(
        name="镇党委书记",
        unit=tree.township_a1,
        post="党委书记",
        post_level=level("township_chief"),
    )
    head = CadreFactory(
        name="镇长", unit=tree.township_a1, post="镇长", post_level=level("township_chief")
    )
    CadreFactory(
        name="副镇长", unit=tree.township_a1, post="副镇长", post_level=level("township_deputy")
    )
    Talk.objects.create(
        cadre=head,
        talker_cadre=secretary,
        talker_name=secretary.name,
        kind=TalkKind.ANNUAL,
        held_on=datetime.date(2026, 2, 1),
        summary="年度谈话",
    )
    # Check-ups: 17 enrolled in county A, 1 attended.
    plan = health.checkup_plan_create(
        actor=org_user,
        unit=tree.county_a,
        year=2026,
        title="体检",
        standard_items="内科",
        start_on=datetime.date(2026, 6, 1),
        deadline=datetime.date(2026, 7, 31),
    )
    health.checkup_record_attend(
        actor=org_user, record=plan.records.first(), attended_on=datetime.date(2026, 6, 2)
    )
    CareFund.objects.create(
        unit=tree.county_a, name="甲县乡镇干部关爱基金", balance=Decimal("5000")
    )
    CareFund.objects.create(unit=tree.county_b, name="乙县关爱基金", balance=Decimal("800"))
    categories = PolicyList.objects.get(kind=KIND_HARDSHIP_CATEGORIES, unit__isnull=True)
    for cadre, status in (
        (cadres[0], ApplicationStatus.SUBMITTED),
        (cadres[1], ApplicationStatus.APPROVED),
        (cadres[2], ApplicationStatus.CLOSED),
        (other, ApplicationStatus.SUBMITTED),
    ):
        HardshipApplication.objects.create(
            cadre=cadre,
            categories_list=categories,
            category_code="medical",
            category_label="医疗补助",
            description="住院",
            status=status,
        )
    for cadre, status in (
        (cadres[3], RequestStatus.SUBMITTED),
        (cadres[4], RequestStatus.HELD),
        (other, RequestStatus.SUBMITTED),
    ):
        TalkRequest.objects.create(cadre=cadre, topic="工作压力", content="想谈谈", status=status)
    return cadres


def text(response):
    return response.content.decode()


def test_dashboard_counts_inside_the_jurisdiction(data, org_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(19):
        response = org_client.get(INDEX)

    html = text(response)
    assert response.status_code == 200
    assert 'data-testid="count-talks-due">\n    <strong style="font-size:28px">2<' in html
    assert '<strong style="font-size:28px" class="quota-indicator over">12<' in html
    assert 'data-testid="coverage-percent">50%' in html
    assert 'data-testid="coverage-missing">1<' in html
    assert 'data-testid="checkup-pending">16<' in html
    assert 'data-testid="fund-total">5000' in html and "乙县关爱基金" not in html
    assert 'data-testid="count-applications">\n    <strong style="font-size:28px">2<' in html
    assert 'data-testid="count-requests">\n    <strong style="font-size:28px">1<' in html


def test_dashboard_names_the_ten_most_overdue(data, org_client):
    html = text(org_client.get(INDEX))

    assert html.count('data-testid="overdue-row"') == 10
    # 镇干部11 is 12 days overdue, 镇干部2 three days: the most overdue first.
    assert html.index(">镇干部11<") < html.index(">镇干部2<")
    assert ">镇干部0<" not in html and ">镇干部1<" not in html  # the least overdue left out
    assert "乙县干部" not in html


def test_dashboard_query_count_does_not_grow(data, tree, org_client, django_assert_max_num_queries):
    for n in range(5):
        township = UnitFactory(
            name=f"新镇{n}", kind=UnitKind.TOWNSHIP, level=UnitLevel.TOWNSHIP, parent=tree.county_a
        )
        CadreFactory(
            name=f"新书记{n}", unit=township, post="党委书记", post_level=level("township_chief")
        )
        CareFund.objects.create(unit=township, name=f"新镇基金{n}", balance=Decimal("10"))

    with django_assert_max_num_queries(19):
        assert org_client.get(INDEX).status_code == 200


def test_dashboard_links_to_each_page(data, org_client):
    html = text(org_client.get(INDEX))

    for name in (
        "obligation_list",
        "coverage",
        "checkup_plans",
        "application_list",
        "request_list",
        "fund_list",
    ):
        assert reverse(f"care:{name}") in html


def test_dashboard_empty_jurisdiction(tree, make_user, client):
    client.force_login(make_user(Role.ORGANISATION, unit=tree.county_b))

    html = text(client.get(INDEX))

    assert 'data-testid="no-overdue"' in html and 'data-testid="no-funds"' in html


def test_cadre_user_is_sent_to_their_own_care_page(staff, client):
    client.force_login(staff.cadre_user)

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"] == reverse("care:my_care")

"""Hardship help (F 17) and the care funds (ZJK 12(四)): applications by staff or by the cadre
themself, review (approve with an amount, reject with a reason) through an explicit transition
table, and fund ledgers whose balance never goes negative."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from cadre.choices import Role
from care import hardship
from care.choices import ApplicationStatus
from care.models import CareFund, CareLog, FundEntry
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=TZ)
S = ApplicationStatus


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(tree, make_user):
    a = CadreFactory(name="赵一", unit=tree.township_a1, post_level=level("township_deputy"))
    b = CadreFactory(name="孙乙", unit=tree.township_b1, post_level=level("township_deputy"))
    return type(
        "World",
        (),
        {
            "a": a,
            "b": b,
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
            "cadre_user": make_user(Role.CADRE, unit=tree.township_a1, username="gb", cadre=a),
        },
    )


def submit(world, actor=None, cadre=None, category="medical", amount="5000"):
    return hardship.application_submit(
        actor=actor or world.org,
        cadre=cadre or world.a,
        category=category,
        description="住院治疗个人负担较重",
        amount_requested=amount,
    )


def fund_with(world, tree, balance="10000"):
    fund = hardship.fund_create(actor=world.org, unit=tree.county_a, name="甲县乡镇干部关爱基金")
    if Decimal(balance):
        hardship.fund_deposit(actor=world.org, fund=fund, amount=balance, note="县级财政拨款")
    fund.refresh_from_db()
    return fund


# --- applications -------------------------------------------------------------------------------


def test_staff_submit_an_application_with_the_category_of_the_list(world):
    application = submit(world)

    assert application.status == S.SUBMITTED
    assert application.category_label.startswith("医疗补助")
    assert application.categories_list.kind == "care.hardship_categories"


def test_cadre_applies_for_themself_and_sees_the_status(world):
    application = submit(world, actor=world.cadre_user)

    seen = hardship.applications_for(world.cadre_user)
    assert list(seen) == [application]
    assert seen[0].get_status_display() == "待审核"


def test_cadre_cannot_apply_for_someone_else(world, tree):
    other = CadreFactory(unit=tree.township_a1)

    with pytest.raises(ValidationError):
        submit(world, actor=world.cadre_user, cadre=other)


def test_category_outside_the_list_is_refused(world):
    with pytest.raises(ValidationError) as error:
        submit(world, category="lottery")

    assert "category" in error.value.message_dict


def test_staff_cannot_apply_for_cadre_outside_jurisdiction(world):
    with pytest.raises(ValidationError) as error:
        submit(world, cadre=world.b)

    assert "cadre" in error.value.message_dict


def test_approve_records_amount_reviewer_and_log(world):
    application = submit(world)

    approved = hardship.application_approve(
        actor=world.org, application=application, amount_granted="3000", note="符合医疗补助条件"
    )

    assert approved.status == S.APPROVED
    assert approved.amount_granted == Decimal("3000")
    assert approved.reviewed_by == world.org
    line = CareLog.objects.filter(subject="application", subject_id=application.pk).last()
    assert (line.from_status, line.to_status) == (S.SUBMITTED, S.APPROVED)


def test_reject_needs_a_reason_the_cadre_reads(world):
    application = submit(world, actor=world.cadre_user)

    with pytest.raises(ValidationError):
        hardship.application_reject(actor=world.org, application=application, note="")
    hardship.application_reject(actor=world.org, application=application, note="不符合条件")

    mine = hardship.applications_for(world.cadre_user).get()
    assert (mine.status, mine.review_note) == (S.REJECTED, "不符合条件")


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("approve", "approve"),
        ("approve", "reject"),
        ("reject", "approve"),
        ("reject", "close"),
        (None, "close"),
    ],
)
def test_transition_table_refuses_steps_the_status_does_not_allow(world, first, then):
    application = submit(world)
    steps = {
        "approve": lambda: hardship.application_approve(actor=world.org, application=application),
        "reject": lambda: hardship.application_reject(
            actor=world.org, application=application, note="理由"
        ),
        "close": lambda: hardship.application_close(actor=world.org, application=application),
    }
    if first:
        steps[first]()

    with pytest.raises(hardship.TransitionConflict):
        steps[then]()


def test_approved_application_can_be_closed(world):
    application = submit(world)
    hardship.application_approve(actor=world.org, application=application)

    closed = hardship.application_close(actor=world.org, application=application, note="已协调")

    assert closed.status == S.CLOSED


def test_review_is_for_the_organisation_department(world):
    application = submit(world)

    with pytest.raises(PermissionDenied):
        hardship.application_approve(actor=world.auditor, application=application)
    with pytest.raises(PermissionDenied):
        hardship.application_approve(actor=world.cadre_user, application=application)


def test_review_outside_jurisdiction_is_not_found(world):
    application = submit(world)

    with pytest.raises(Http404):
        hardship.application_approve(actor=world.org_b, application=application)


# --- funds --------------------------------------------------------------------------------------


def test_deposit_and_disburse_keep_the_ledger_and_the_balance(world, tree):
    fund = fund_with(world, tree, "1000")

    entry = hardship.fund_disburse(actor=world.org, fund=fund, amount="300", note="慰问")

    fund.refresh_from_db()
    assert fund.balance == Decimal("700")
    assert entry.balance_after == Decimal("700")
    assert [e.kind for e in fund.entries.order_by("at", "pk")] == ["deposit", "disbursement"]


def test_disbursement_beyond_the_balance_is_refused(world, tree):
    fund = fund_with(world, tree, "100")

    with pytest.raises(ValidationError) as error:
        hardship.fund_disburse(actor=world.org, fund=fund, amount="100.01", note="补助")

    assert "基金余额不足" in error.value.message_dict["amount"][0]
    fund.refresh_from_db()
    assert fund.balance == Decimal("100")
    assert fund.entries.count() == 1


def test_database_refuses_a_negative_balance(world, tree):
    fund = fund_with(world, tree, "100")

    with pytest.raises(IntegrityError), transaction.atomic():
        CareFund.objects.filter(pk=fund.pk).update(balance=Decimal("-1"))


def test_paying_the_granted_amount_in_full_closes_the_application(world, tree):
    fund = fund_with(world, tree, "10000")
    application = submit(world)
    hardship.application_approve(actor=world.org, application=application, amount_granted="3000")

    hardship.fund_disburse(actor=world.org, fund=fund, amount="1000", application=application)
    application.refresh_from_db()
    assert application.status == S.APPROVED
    with pytest.raises(ValidationError) as error:
        hardship.fund_disburse(actor=world.org, fund=fund, amount="2500", application=application)
    assert "超出批准金额" in error.value.message_dict["amount"][0]
    hardship.fund_disburse(actor=world.org, fund=fund, amount="2000", application=application)

    application.refresh_from_db()
    assert application.status == S.CLOSED
    assert hardship.paid_for(application) == Decimal("3000")


def test_disbursement_only_for_an_approved_application(world, tree):
    fund = fund_with(world, tree)
    application = submit(world)

    with pytest.raises(ValidationError) as error:
        hardship.fund_disburse(actor=world.org, fund=fund, amount="10", application=application)

    assert "application" in error.value.message_dict


def test_fund_of_another_county_is_not_found(world, tree):
    fund = fund_with(world, tree)

    with pytest.raises(Http404):
        hardship.fund_disburse(actor=world.org_b, fund=fund, amount="10", note="x")
    assert list(hardship.funds_for(world.org_b)) == []
    assert list(hardship.entries_for(world.org_b)) == []


def test_ledger_is_append_only(world, tree):
    fund = fund_with(world, tree)
    entry = FundEntry.objects.get(fund=fund)

    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the trigger's error
        FundEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))


def test_same_fund_name_twice_in_a_unit_is_refused(world, tree):
    fund_with(world, tree, "0")

    with pytest.raises(ValidationError) as error:
        hardship.fund_create(actor=world.org, unit=tree.county_a, name="甲县乡镇干部关爱基金")

    assert "name" in error.value.message_dict

"""Care-fund disbursements at the same moment against the real database: the fund row lock
makes them one after the other, so the fund is never overdrawn and its balance always equals
the ledger (ZJK 12(四) 乡镇干部关爱基金)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, Sum

from cadre.choices import Role
from care import hardship
from care.models import CareFund, FundEntry


def _ledger_balance(fund):
    sums = FundEntry.objects.filter(fund=fund).aggregate(
        deposits=Sum("amount", filter=Q(kind="deposit")),
        disbursements=Sum("amount", filter=Q(kind="disbursement")),
    )
    return (sums["deposits"] or 0) - (sums["disbursements"] or 0)


def _race(actor, fund, amounts):
    barrier = threading.Barrier(len(amounts))
    outcomes = []

    def pay(amount):
        try:
            barrier.wait(timeout=10)
            hardship.fund_disburse(actor=actor, fund=fund, amount=amount, note="同时支出")
            outcomes.append("paid")
        except ValidationError as error:
            outcomes.append(error.message_dict["amount"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(amount,)) for amount in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_disbursements_beyond_the_balance_only_one_is_paid(tree, make_user):
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_race")
    fund = hardship.fund_create(actor=org, unit=tree.county_a, name="关爱基金")
    hardship.fund_deposit(actor=org, fund=fund, amount="100", note="县级财政拨款")

    outcomes = _race(org, fund, ["60", "60"])

    assert sorted(o == "paid" for o in outcomes) == [False, True]
    assert any("基金余额不足" in o for o in outcomes if o != "paid")
    fund = CareFund.objects.get(pk=fund.pk)
    assert fund.balance == Decimal("40")
    assert fund.balance == _ledger_balance(fund)


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_disbursements_never_overdraw(tree, make_user):
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_race2")
    fund = hardship.fund_create(actor=org, unit=tree.county_a, name="关爱基金")
    hardship.fund_deposit(actor=org, fund=fund, amount="100", note="县级财政拨款")

    outcomes = _race(org, fund, ["30"] * 5)

    assert outcomes.count("paid") == 3
    fund = CareFund.objects.get(pk=fund.pk)
    assert fund.balance == Decimal("10") == _ledger_balance(fund)
    after = list(
        FundEntry.objects.filter(fund=fund, kind="disbursement")
        .order_by("at", "pk")
        .values_list("balance_after", flat=True)
    )
    assert after == [Decimal("70"), Decimal("40"), Decimal("10")]

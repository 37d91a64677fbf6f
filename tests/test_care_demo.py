"""The care demo data of `./dev run`: made through the services and the domain events, so it
obeys the rules, and idempotent."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from care.choices import ObligationStatus
from care.models import CareFund, FundEntry, Talk, TalkObligation, TalkRequest

pytestmark = pytest.mark.django_db


def test_demo_care_records_follow_the_rules_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_care_demo", stdout=StringIO())

    # A post change (trigger 1) and a major special task (trigger 2) became due talks; one of
    # them was talked through.
    assert set(TalkObligation.objects.values_list("trigger_code", flat=True)) == {"T1", "T2"}
    assert (
        TalkObligation.objects.filter(status=ObligationStatus.HELD, talk__isnull=False).count() == 1
    )
    assert Talk.objects.filter(kind="annual", talker_cadre__isnull=False).exists()
    assert TalkRequest.objects.count() == 1
    fund = CareFund.objects.get()
    assert fund.balance == Decimal("194000.00")
    assert FundEntry.objects.filter(fund=fund).count() == 2

    out = StringIO()
    call_command("seed_care_demo", stdout=out)
    assert "already present" in out.getvalue()
    assert TalkObligation.objects.count() == 2

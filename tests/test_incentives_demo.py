"""The incentives demo data of `./dev run`: made through the services, so it obeys the rules,
and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from incentives.choices import NominationStatus, SanctionStatus
from incentives.models import (
    AwardCampaign,
    Candidate,
    ExpiryReview,
    Nomination,
    PriorityRecord,
    Sanction,
)

pytestmark = pytest.mark.django_db


def test_demo_incentives_follow_the_rules_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_assessment_demo", stdout=StringIO())
    call_command("seed_incentives_demo", stdout=StringIO())

    assert PriorityRecord.objects.count() == 3
    assert Candidate.objects.exclude(check_results=[]).count() == 2
    statuses = set(Sanction.objects.values_list("status", flat=True))
    # The party warning of 250 days ago is past its 6-month impact period: its review is open.
    assert statuses == {SanctionStatus.IN_IMPACT, SanctionStatus.REVIEW}
    assert ExpiryReview.objects.filter(sanction__kind_code="party_warning").count() == 1
    assert Nomination.objects.filter(status=NominationStatus.AWARDED).count() == 1
    assert Nomination.objects.filter(status=NominationStatus.IN_NOTICE).count() == 3

    out = StringIO()
    call_command("seed_incentives_demo", stdout=out)
    assert "already present" in out.getvalue()
    assert AwardCampaign.objects.count() == 2
    assert Sanction.objects.count() == 2

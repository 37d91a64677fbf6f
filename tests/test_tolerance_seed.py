"""The demonstration tolerance files (seed_tolerance_demo) on top of the demo city."""

from io import StringIO

import pytest
from django.core.management import call_command

from tolerance.choices import CaseStatus, ClearingStatus
from tolerance.models import BlacklistEntry, Case, ClearingMatter

pytestmark = pytest.mark.django_db


def run(command):
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_demo_files_cover_the_workflow_and_a_second_run_changes_nothing():
    run("seed_demo")
    run("seed_tolerance_demo")

    statuses = set(Case.objects.values_list("status", flat=True))
    assert {
        CaseStatus.FILED,
        CaseStatus.INVESTIGATING,
        CaseStatus.PRELIMINARY,
        CaseStatus.CORRECTING,
        CaseStatus.DECIDED,
    } <= statuses
    refused = Case.objects.get(title__contains="再次出现")
    assert refused.suggestion["blocking"] == ["N9"]
    assert ClearingMatter.objects.filter(status=ClearingStatus.FOLLOW_UP).count() == 1
    assert ClearingMatter.objects.filter(party_org__isnull=False).count() == 1
    assert BlacklistEntry.objects.get().person_name == "王某某"

    counts = (Case.objects.count(), ClearingMatter.objects.count())
    assert "already present" in run("seed_tolerance_demo")
    assert (Case.objects.count(), ClearingMatter.objects.count()) == counts

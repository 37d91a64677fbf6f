"""One organisational handling reaches each app once (ARCHITECTURE.md, domain events): an
accountability decision of the tolerance app enters the incentives sanction ledger and makes one
五必谈 talk due in care — not two, although the ledger entry it creates is itself a sanction;
a sanction or a 能上能下 action entered in incentives makes its own due talk; and a second
delivery of every event changes nothing."""

import datetime

import pytest

from cadre.events import dispatch_event
from cadre.models import Event
from care.models import TalkObligation
from incentives import ledger
from incentives.choices import SanctionStatus
from incentives.models import Sanction
from tests.factories import level
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db


def deliver_all_twice():
    """Hand every event to its handlers, as the worker would, and once more, as a retry or the
    sweep would; events the handlers record meanwhile are delivered too."""
    for _ in range(2):
        done = set()
        while pending := list(Event.objects.exclude(pk__in=done).values_list("pk", flat=True)):
            for pk in pending:
                dispatch_event(pk)
                done.add(pk)
    assert not list(Event.objects.exclude(last_error="").values_list("kind", "last_error"))


def test_an_accountability_admonishment_enters_the_ledger_and_makes_one_due_talk(
    staff, tree, cadres
):
    case = open_case(staff.inspector, tree.county_a, [cadres.in_a])
    to_preliminary(staff, case)
    move(staff.committee, case, "decide", outcome="lighter", decision_reasons="情节较轻")
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=case.matter, form="admonish"
    )
    deliver_all_twice()

    sanction = Sanction.objects.get(cadre=cadres.in_a)
    assert (sanction.kind_code, sanction.status) == ("admonish", SanctionStatus.IN_IMPACT)
    assert sanction.matter_id == case.matter_id
    assert list(TalkObligation.objects.values_list("cadre_id", "trigger_code")) == [
        (cadres.in_a.pk, "T4")
    ]


def test_a_sanction_and_an_adjustment_entered_in_incentives_each_make_their_due_talks(
    staff, cadres
):
    ledger.sanction_record(
        actor=staff.organisation,
        cadre=cadres.in_a,
        kind_code="party_warning",
        decided_on=datetime.date.today() - datetime.timedelta(days=3),
        reason="违反工作纪律",
    )
    deliver_all_twice()
    assert list(TalkObligation.objects.values_list("trigger_code", flat=True)) == ["T4"]

    # An adjustment to a new post: trigger 1 (the post changed) and trigger 4 (the handling).
    ledger.adjustment_record(
        actor=staff.organisation,
        cadre=cadres.in_a,
        action="adjustment",
        situation_codes=["D-A1"],
        reason="不能胜任现职",
        decided_on=datetime.date.today(),
        to_post="镇人大副主席",
        to_level=level("township_deputy"),
    )
    deliver_all_twice()
    assert sorted(TalkObligation.objects.values_list("trigger_code", flat=True)) == [
        "T1",
        "T4",
        "T4",
    ]
    assert TalkObligation.objects.values("source_event").distinct().count() == 3

"""Two people at once: closing the same due talk, delivering the same event. The rows are
locked and the event is unique on the due talk, so one wins and the other is told or does
nothing. Real transactions in threads (`transaction=True`)."""

import threading
import time

import pytest
from django.db import connection, transaction

from cadre.events import dispatch_event
from cadre.models import Event
from cadre.services import cadre_update
from care import talks
from care.models import Talk, TalkObligation
from tests import test_care_talks as base

pytestmark = pytest.mark.django_db(transaction=True)

people = base.people
record = base.record


def _in_thread(target):
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _due_talk(people, cadres):
    cadre_update(actor=people.org, cadre=cadres.in_a, post="镇党委书记")
    event = Event.objects.get(kind="cadre.post_changed", cadre=cadres.in_a)
    dispatch_event(event.pk)
    return TalkObligation.objects.get(cadre=cadres.in_a)


def test_two_people_closing_the_same_due_talk_one_wins_the_other_is_told(people, cadres):
    obligation = _due_talk(people, cadres)
    recorded, release = threading.Event(), threading.Event()
    results = {}

    def first():
        with transaction.atomic():
            record(people.org, cadres.in_a, obligation=obligation, summary="第一人")
            recorded.set()
            release.wait(10)
        results["first"] = "ok"

    def second():
        try:
            record(people.org2, cadres.in_a, obligation=obligation, summary="第二人")
            results["second"] = "ok"
        except talks.TransitionConflict as error:
            results["second"] = str(error)

    a = _in_thread(first)
    assert recorded.wait(10)
    b = _in_thread(second)
    time.sleep(0.5)  # the second waits on the lock the first holds
    assert "second" not in results
    release.set()
    a.join(10)
    b.join(10)

    assert results["first"] == "ok"
    assert results["second"] == "该事项已被他人办理（当前状态：已谈话），请刷新后查看"
    assert list(Talk.objects.values_list("summary", flat=True)) == ["第一人"]
    obligation.refresh_from_db()
    assert obligation.status == "held"


def test_the_same_event_delivered_twice_at_once_makes_one_due_talk(people, cadres):
    cadre_update(actor=people.org, cadre=cadres.in_a, post="镇党委书记")
    event = Event.objects.get(kind="cadre.post_changed", cadre=cadres.in_a)
    start = threading.Barrier(2)
    made = []

    def deliver():
        start.wait(10)
        with transaction.atomic():
            made.append(talks.obligation_from_event(event))

    threads = [_in_thread(deliver), _in_thread(deliver)]
    for thread in threads:
        thread.join(20)

    assert TalkObligation.objects.filter(source_event=event).count() == 1
    assert sum(1 for row in made if row is not None) == 1

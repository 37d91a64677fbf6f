"""The transactional outbox: events are recorded with the change, dispatched after commit,
handled once per handler, and re-dispatched by the sweep when a dispatch did not finish."""

import datetime
import sys

import pytest
from django.apps import AppConfig, apps
from django.db import DatabaseError, transaction
from django.utils import timezone

from cadre import events
from cadre.choices import FrontlineKind
from cadre.events import dispatch_event, event_record
from cadre.models import CadreTag, Event, EventHandling
from cadre.services import cadre_update, frontline_assignment_create
from cadre.tasks import sweep_events

pytestmark = pytest.mark.django_db

KIND = "test.kind"


@pytest.fixture
def register():
    """Register handlers for this test only; they are removed again afterwards."""
    added = []

    def _register(func, kind=KIND):
        events.handles(kind)(func)
        added.append((kind, f"{func.__module__}.{func.__qualname__}"))
        return func

    yield _register
    for kind, name in added:
        events._handlers[kind].pop(name, None)
        if not events._handlers[kind]:
            del events._handlers[kind]


@pytest.fixture
def eager_celery():
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


def _tag(code):
    return CadreTag.objects.create(code=code, name=code)


def test_event_recorded_in_a_rolled_back_transaction_leaves_nothing():
    # Given a change that records an event, when its transaction rolls back
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            event_record(kind=KIND, payload={"x": 1})
            raise RuntimeError("the change failed")
    # then no event is left to dispatch
    assert not Event.objects.filter(kind=KIND).exists()


def test_handler_runs_once_and_the_event_is_marked_dispatched(register):
    calls = []
    register(lambda event: calls.append(event.pk))
    event = event_record(kind=KIND, payload={"x": 1})

    assert dispatch_event(event.pk) == 1
    # A second delivery (retry, sweep, duplicate message) does nothing.
    assert dispatch_event(event.pk) == 0

    assert calls == [event.pk]
    assert EventHandling.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.last_error == ""


def test_crash_mid_dispatch_is_finished_by_the_sweep_without_repeating_done_handlers(register):
    calls = {"a": 0, "b": 0}
    broken = {"b": True}

    def handler_a(event):
        calls["a"] += 1
        _tag("by-a")

    def handler_b(event):
        calls["b"] += 1
        _tag("by-b")
        if broken["b"]:
            raise RuntimeError("handler B is broken")

    register(handler_a)
    register(handler_b)
    event = event_record(kind=KIND)

    # When the first dispatch hits the broken handler B
    dispatch_event(event.pk)

    # then A's work and its handling mark stay, B's work is rolled back,
    # and the event stays undispatched with the error noted.
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert "handler B is broken" in event.last_error
    assert list(EventHandling.objects.filter(event=event).values_list("handler", flat=True)) == [
        f"{handler_a.__module__}.{handler_a.__qualname__}"
    ]
    assert CadreTag.objects.filter(code="by-a").exists()
    assert not CadreTag.objects.filter(code="by-b").exists()

    # When B is fixed and the periodic sweep runs
    broken["b"] = False
    assert sweep_events(older_than_seconds=0) == 1

    # then B has run to completion once more, A not again, and the event is done.
    assert calls == {"a": 1, "b": 2}
    assert CadreTag.objects.filter(code="by-b").count() == 1
    assert EventHandling.objects.filter(event=event).count() == 2
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.attempts == 2
    assert event.last_error == ""
    # and a later sweep has nothing left to do.
    assert sweep_events(older_than_seconds=0) == 0


def test_sweep_reaches_lost_events_before_ones_that_keep_failing(register):
    calls = []
    register(lambda event: calls.append(event.pk))
    failing = event_record(kind=KIND, occurred_at=timezone.now() - datetime.timedelta(hours=1))
    Event.objects.filter(pk=failing.pk).update(attempts=12, last_error="handler X: boom")
    lost = event_record(kind=KIND)

    # A sweep with room for one event takes the one whose dispatch was lost.
    assert sweep_events(older_than_seconds=0, limit=1) == 1

    assert calls == [lost.pk]


@pytest.fixture
def probe_app(tmp_path, monkeypatch):
    """An installed app with handlers in its `events` module that nothing has imported."""
    package = tmp_path / "probe_events_app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "events.py").write_text(
        "from cadre.events import handles\n"
        "seen = []\n"
        "\n"
        "@handles('test.probe')\n"
        "def on_probe(event):\n"
        "    seen.append(event.pk)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    # Installed in the running registry only: re-populating every app is not needed here.
    monkeypatch.setitem(apps.app_configs, "probe_events_app", AppConfig.create("probe_events_app"))
    yield "probe_events_app"
    events._handlers.pop("test.probe", None)
    sys.modules.pop("probe_events_app.events", None)
    sys.modules.pop("probe_events_app", None)


def test_handlers_of_every_installed_app_run_without_being_imported_first(probe_app):
    assert f"{probe_app}.events" not in sys.modules
    event = event_record(kind="test.probe")

    assert dispatch_event(event.pk) == 1

    assert sys.modules[f"{probe_app}.events"].seen == [event.pk]


def test_a_handler_that_writes_then_raises_leaves_no_row(register):
    def handler(event):
        _tag("half-done")
        raise ValueError("boom")

    register(handler)
    event = event_record(kind=KIND)

    dispatch_event(event.pk)

    assert not CadreTag.objects.filter(code="half-done").exists()
    assert not EventHandling.objects.filter(event=event).exists()


def test_sweep_leaves_recent_events_to_their_after_commit_dispatch(register):
    calls = []
    register(lambda event: calls.append(event.pk))
    event_record(kind=KIND)

    assert sweep_events(older_than_seconds=60) == 0
    assert calls == []


def test_the_database_refuses_to_delete_an_event():
    event = event_record(kind=KIND)

    with pytest.raises(DatabaseError):
        with transaction.atomic():
            Event.objects.filter(pk=event.pk).delete()

    assert Event.objects.filter(pk=event.pk).exists()


def test_dispatch_is_enqueued_only_after_commit(django_capture_on_commit_callbacks, register):
    calls = []
    register(lambda event: calls.append(event.pk))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_record(kind=KIND)

    # One dispatch is waiting for the commit, and nothing has run inside the transaction.
    assert len(callbacks) == 1
    assert calls == []


def test_after_commit_dispatch_runs_the_handler(
    django_capture_on_commit_callbacks, register, eager_celery
):
    calls = []
    register(lambda event: calls.append(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(kind=KIND)

    assert calls == [event.pk]
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_changing_a_cadres_post_emits_one_post_changed_event(cadres):
    cadre = cadres.in_a

    cadre_update(cadre=cadre, post="镇党委书记")

    emitted = list(Event.objects.filter(kind="cadre.post_changed", cadre=cadre))
    assert len(emitted) == 1
    payload = emitted[0].payload
    assert payload["from_post"] == "镇长"
    assert payload["to_post"] == "镇党委书记"
    assert payload["from_unit_id"] == payload["to_unit_id"] == cadre.unit_id


def test_moving_a_cadre_to_another_unit_emits_post_changed_with_both_units(tree, cadres):
    cadre = cadres.in_a

    cadre_update(cadre=cadre, unit=tree.dept_a)

    (event,) = Event.objects.filter(kind="cadre.post_changed", cadre=cadre)
    assert event.payload["from_unit_id"] == tree.township_a1.pk
    assert event.payload["to_unit_id"] == tree.dept_a.pk
    assert event.unit_id == tree.dept_a.pk


def test_editing_other_fields_emits_no_post_changed_event(cadres):
    cadre_update(cadre=cadres.in_a, phone="13800000000")

    assert not Event.objects.filter(kind="cadre.post_changed").exists()


def test_major_special_task_emits_major_task_assigned(cadres, org_user):
    assignment = frontline_assignment_create(
        actor=org_user,
        cadre=cadres.in_a,
        kind=FrontlineKind.URGENT,
        task="防汛抢险",
        is_major_special_task=True,
        start_date=datetime.date(2025, 7, 1),
    )

    (event,) = Event.objects.filter(kind="cadre.major_task_assigned")
    assert event.cadre == cadres.in_a
    assert event.actor == org_user
    assert event.source_type == "cadre.frontlineassignment"
    assert event.source_id == str(assignment.pk)
    assert event.payload["task"] == "防汛抢险"


def test_ordinary_frontline_assignment_emits_nothing(cadres):
    frontline_assignment_create(
        cadre=cadres.in_a,
        kind=FrontlineKind.VILLAGE,
        task="驻村帮扶",
        is_major_special_task=False,
        start_date=datetime.date(2025, 7, 1),
    )

    assert not Event.objects.filter(kind="cadre.major_task_assigned").exists()


def test_events_recorded_together_are_dispatched_by_one_task_after_commit(
    django_capture_on_commit_callbacks, register, eager_celery, cadres
):
    calls = []
    register(lambda event: calls.append(event.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recorded = events.event_record_many(
            [{"kind": KIND, "cadre": cadres.in_a, "payload": {"n": n}} for n in range(3)]
        )

    assert len(callbacks) == 1
    assert sorted(calls) == sorted(e.pk for e in recorded)
    assert {e.unit_id for e in recorded} == {cadres.in_a.unit_id}
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


def test_a_handler_of_kinds_named_by_data_hears_only_the_kinds_it_accepts(monkeypatch):
    # Given a handler of the kinds a predicate accepts (kinds that are data, e.g. care's
    # 五必谈 triggers) and a handler of one kind
    seen = []

    def on_accepted(event):
        seen.append(("accepted", event.kind))

    def on_kind(event):
        seen.append(("kind", event.kind))

    monkeypatch.setattr(
        events, "_matching", {"tests.on_accepted": (lambda k: k == KIND, on_accepted)}
    )
    monkeypatch.setitem(events._handlers, KIND, {"tests.on_kind": on_kind})
    first = event_record(kind=KIND)
    other = event_record(kind="test.other")
    # When both events are dispatched, and dispatched again
    for event in (first, other, first, other):
        dispatch_event(event.pk)
    # Then each handler ran once for the kind it hears; the other event left no handling row
    assert sorted(seen) == [("accepted", KIND), ("kind", KIND)]
    assert not EventHandling.objects.filter(event=other).exists()

"""The domain-event outbox (ARCHITECTURE.md).

`event_record()` writes an Event row in the caller's transaction and schedules its dispatch for
after commit. `dispatch_event()` runs every handler registered for the event's kind; each handler
runs in its own transaction together with the EventHandling row that marks it done, so a crash
part-way loses nothing and a second delivery does nothing. `sweep_events` re-dispatches events
whose dispatch did not finish.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Event, EventHandling

logger = logging.getLogger(__name__)

_handlers: dict[str, dict[str, Callable]] = defaultdict(dict)


def handles(*kinds):
    """Register a function as the handler of one or more event kinds."""

    def decorator(func):
        name = f"{func.__module__}.{func.__qualname__}"
        for kind in kinds:
            _handlers[kind][name] = func
        return func

    return decorator


def handlers_for(kind):
    return dict(_handlers.get(kind, {}))


def event_record(
    *, kind, actor=None, cadre=None, unit=None, payload=None, source=None, occurred_at=None
):
    """Record a domain event in the current transaction; dispatch follows the commit."""
    source_type = source_id = ""
    if source is not None:
        source_type = source._meta.label_lower
        source_id = str(source.pk)
    event = Event.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        cadre=cadre,
        unit=unit if unit is not None else (cadre.unit if cadre is not None else None),
        payload=payload or {},
        source_type=source_type,
        source_id=source_id,
        occurred_at=occurred_at or timezone.now(),
    )
    from .tasks import dispatch_event_task

    dispatch_event_task.delay_on_commit(event.pk)
    return event


def dispatch_event(event_id):
    """Run the handlers of one event that have not run yet. Returns how many ran now."""
    event = Event.objects.select_related("cadre", "unit", "actor").get(pk=event_id)
    done = set(EventHandling.objects.filter(event=event).values_list("handler", flat=True))
    ran = 0
    failed = None
    for name, func in handlers_for(event.kind).items():
        if name in done:
            continue
        try:
            with transaction.atomic():
                # The lock serialises two dispatchers of the same event; the unique
                # constraint on (event, handler) would refuse the loser anyway.
                locked = Event.objects.select_for_update().get(pk=event.pk)
                if EventHandling.objects.filter(event=locked, handler=name).exists():
                    continue
                func(event)
                EventHandling.objects.create(event=locked, handler=name)
            ran += 1
        except Exception as exc:  # a failing handler must not stop the others
            logger.exception("event %s handler %s failed", event.pk, name)
            failed = f"{name}: {exc!r}"
    updates = {"attempts": event.attempts + 1}
    if failed:
        updates["last_error"] = failed[:2000]
    else:
        updates["dispatched_at"] = timezone.now()
        updates["last_error"] = ""
    Event.objects.filter(pk=event.pk).update(**updates)
    return ran


def undispatched_events(older_than_seconds=60):
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return Event.objects.filter(dispatched_at__isnull=True, occurred_at__lte=cutoff).order_by(
        "occurred_at"
    )

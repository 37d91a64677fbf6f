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

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import Event, EventHandling

logger = logging.getLogger(__name__)

_handlers: dict[str, dict[str, Callable]] = defaultdict(dict)


# Handlers of the events whose kind a predicate accepts: {name: (accepts, handler)}.
_matching: dict[str, tuple[Callable, Callable]] = {}


def handles(*kinds):
    """Register a function as the handler of one or more event kinds."""

    def decorator(func):
        name = f"{func.__module__}.{func.__qualname__}"
        for kind in kinds:
            _handlers[kind][name] = func
        return func

    return decorator


def handles_matching(accepts: Callable[[str], bool]):
    """Register a handler of every event whose kind `accepts(kind)` approves: for kinds that are
    data (the care app's talk triggers, editable in admin) and so unknown when the code loads.
    Events it does not accept are not handed to it and leave no handling row."""

    def decorator(func):
        _matching[f"{func.__module__}.{func.__qualname__}"] = (accepts, func)
        return func

    return decorator


_discovered_for: tuple | None = None


def _discover_handlers():
    """Import every installed app's `events` module, where its handlers register themselves.
    Without this a process that never imported, say, care.events (a Celery worker imports
    only `tasks`) would find no handler and mark the event dispatched: the handling is lost."""
    global _discovered_for
    installed = tuple(apps.app_configs)
    if _discovered_for != installed:
        autodiscover_modules("events")
        _discovered_for = installed


def handlers_for(kind):
    _discover_handlers()
    found = {name: func for name, (accepts, func) in _matching.items() if accepts(kind)}
    found.update(_handlers.get(kind, {}))
    return found


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


def event_record_many(events: list[dict], *, actor=None) -> list[Event]:
    """Record many events of one change at once (a periodic job's results): one insert, and one
    task after commit that dispatches them all. Each dict holds kind, cadre or unit, payload."""
    if not events:
        return []
    now = timezone.now()
    rows = Event.objects.bulk_create(
        Event(
            kind=e["kind"],
            actor=actor if actor is not None and actor.is_authenticated else None,
            cadre=e.get("cadre"),
            unit=e.get("unit") or (e["cadre"].unit if e.get("cadre") is not None else None),
            payload=e.get("payload") or {},
            source_type=e.get("source_type", ""),
            source_id=str(e.get("source_id", "")),
            occurred_at=now,
        )
        for e in events
    )
    from .tasks import dispatch_events_task

    dispatch_events_task.delay_on_commit([row.pk for row in rows])
    return rows


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
    updates = {"attempts": F("attempts") + 1}
    if failed:
        updates["last_error"] = failed[:2000]
    else:
        updates["dispatched_at"] = timezone.now()
        updates["last_error"] = ""
    Event.objects.filter(pk=event.pk).update(**updates)
    return ran


def undispatched_events(older_than_seconds=60):
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    # Fewest attempts first: events that keep failing must not crowd out, past the sweep's
    # limit, events whose after-commit dispatch was simply lost.
    # An event that failed EVENT_MAX_ATTEMPTS times waits for an admin ("重新分发" in admin).
    return Event.objects.filter(
        dispatched_at__isnull=True,
        occurred_at__lte=cutoff,
        attempts__lt=settings.EVENT_MAX_ATTEMPTS,
    ).order_by("attempts", "occurred_at")

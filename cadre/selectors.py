"""Reads of the core that encode a rule, reused by pages, API, exports and tasks."""

from django.db.models import Case, IntegerField, Value, When

from .choices import PolicyStatus
from .models import Cadre, PolicyList, Unit


def policy_list_for(kind: str, unit: Unit | None) -> PolicyList | None:
    """The published list of `kind` that applies at `unit`: the nearest one up the unit tree,
    else the nationwide default (no unit)."""
    ancestors = unit.ancestor_ids if unit is not None else []
    candidates = PolicyList.objects.filter(kind=kind, status=PolicyStatus.PUBLISHED)
    if ancestors:
        depth = Case(
            *[When(unit_id=uid, then=Value(i + 1)) for i, uid in enumerate(ancestors)],
            default=Value(0),
            output_field=IntegerField(),
        )
        candidates = candidates.filter(unit_id__in=ancestors) | candidates.filter(unit__isnull=True)
        return candidates.annotate(nearness=depth).order_by("-nearness").first()
    return candidates.filter(unit__isnull=True).first()


def policy_items(kind: str, unit: Unit | None):
    """(list, items) for the list that applies at `unit`; items in their order."""
    policy_list = policy_list_for(kind, unit)
    if policy_list is None:
        return None, []
    return policy_list, list(policy_list.items.all())


def cadre_list(user, *, data=None):
    """The cadres a user may see, filtered by the shared FilterSet: pages, API, exports."""
    from .filtersets import CadreFilterSet

    qs = Cadre.objects.restrict(user, "view").select_related("unit", "post_level", "rank")
    filterset = CadreFilterSet(data or {}, queryset=qs, request=None)
    return filterset


def unit_tree(user):
    """Units a user may see, in tree order (a parent before its children)."""
    return Unit.objects.restrict(user).select_related("manages_up_to").order_by("path")


def cadre_history(cadre, limit=200):
    """The attributed change history of a cadre's file: changes to the cadre row and to every
    row that refers to it (post history, assignments, training …), newest first. Each event has
    pgh_label (insert/update/delete), pgh_diff, pgh_created_at and pgh_context (user, url)."""
    from pghistory.models import Events

    events = list(Events.objects.references(cadre).order_by("-pgh_created_at")[:limit])
    user_ids = {
        e.pgh_context.get("user") for e in events if e.pgh_context and e.pgh_context.get("user")
    }
    from .models import User

    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    for event in events:
        ctx = event.pgh_context or {}
        event.actor = users.get(ctx.get("user"))
        event.url = ctx.get("url", "")
    return events

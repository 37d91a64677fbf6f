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
    """Units a user may see, in tree order, with their cadre counts in one query."""
    from django.db.models import Count

    return Unit.objects.restrict(user).annotate(cadre_count=Count("cadres")).order_by("path")

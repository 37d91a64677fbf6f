"""Reads of the care app shared by its parts: who manages a cadre (干部管理权限) and who, there,
receives the care department's reminders."""

from cadre.choices import Role
from cadre.models import Cadre, Unit, User


def managing_units(cadres) -> dict[int, Unit]:
    """{cadre id: the unit whose organisation department manages the cadre}: the nearest unit
    up the tree (the cadre's own unit first) whose `manages_up_to` covers the cadre's post
    level; the top of the tree when none does. Two queries for any number of cadres."""
    cadres = list(cadres)
    ancestor_ids = {uid for c in cadres for uid in c.unit.ancestor_ids}
    units = {
        u.pk: u for u in Unit.objects.filter(pk__in=ancestor_ids).select_related("manages_up_to")
    }
    found = {}
    for cadre in cadres:
        chain = [units[uid] for uid in reversed(cadre.unit.ancestor_ids) if uid in units]
        level_order = cadre.post_level.order if cadre.post_level_id else None
        chosen = chain[-1] if chain else cadre.unit
        for unit in chain:  # nearest first
            if unit.manages_up_to_id is None:
                continue
            if level_order is None or unit.manages_up_to.order >= level_order:
                chosen = unit
                break
        found[cadre.pk] = chosen
    return found


def managing_unit(cadre: Cadre) -> Unit:
    return managing_units([cadre])[cadre.pk]


def superior_managing_unit(unit: Unit) -> Unit | None:
    """The organisation department above `unit`'s: the nearest ancestor that manages anyone."""
    ids = [uid for uid in reversed(unit.ancestor_ids) if uid != unit.pk]
    if not ids:
        return None
    above = {u.pk: u for u in Unit.objects.filter(pk__in=ids, manages_up_to__isnull=False)}
    for uid in ids:
        if uid in above:
            return above[uid]
    return None


def organisation_users(unit_ids):
    """Active organisation-department users acting for these units."""
    return User.objects.filter(
        unit_id__in=list(unit_ids), roles__contains=[Role.ORGANISATION], is_active=True
    )

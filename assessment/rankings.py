"""Rankings, consequences and the three links (DOMAIN §2 "Rankings", "Consequences", "Three
links"; ZJK 14(二); county survey X).

Who is ranked together is a ranking group (综合评价排名组: e.g. all township party secretaries
of a county, or all county departments), with how many are named at the top and at the bottom;
the quarterly review (`assessment.quarterly`) writes the places each quarter. The three links
(三个挂钩) tie a leader to the units they lead or supervise. Consequences are written by the
quarterly review only; here they are read.

Writes (services, organisation department, inside its jurisdiction): `ranking_group_save`,
`ranking_group_delete`, `ranking_group_members_set`, `supervision_link_save`,
`supervision_link_delete`.
Reads (selectors): `ranking`, `most_improved`, `single_item_champions`, `restrictions_for`,
`ranking_places`, `consequences_for` (its filters: `filtersets.ConsequenceFilterSet`)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Q, Window
from django.http import Http404
from django.utils.translation import gettext as _

from cadre.choices import CadreStatus
from cadre.models import Cadre, Unit

from .choices import ConsequenceKind, LinkKind, RankingKind
from .models import (
    WRITE_ROLES,
    Consequence,
    RankingEntry,
    RankingGroup,
    SupervisionLink,
    unit_scope_q,
)
from .quarterly import quarter_bounds

# Far more than any real group names; keeps a typing slip from flagging the whole group.
MAX_PLACES = 100


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def can_manage_rankings(user) -> bool:
    """The organisation department sets up groups and links and starts the quarterly review."""
    return bool(getattr(user, "is_superuser", False) or _roles(user) & WRITE_ROLES)


def can_read_rankings(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or unit_scope_q(user) is not None)


def _require_manager(actor, message):
    if not can_manage_rankings(actor):
        raise PermissionDenied(message)


def _unit_in_scope(actor, unit) -> bool:
    return unit is not None and Unit.objects.restrict(actor, "change").filter(pk=unit.pk).exists()


def _locked_group(actor, group) -> RankingGroup:
    locked = (
        RankingGroup.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=group.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def _places(value, field_name, errors):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field_name] = _("请输入0至%(max)s之间的整数") % {"max": MAX_PLACES}
        return None
    if not 0 <= number <= MAX_PLACES:
        errors[field_name] = _("请输入0至%(max)s之间的整数") % {"max": MAX_PLACES}
        return None
    return number


# --- services: ranking groups -----------------------------------------------------------------


@transaction.atomic
def ranking_group_save(
    *,
    actor,
    unit: Unit,
    name: str,
    kind: str,
    top_n,
    bottom_n,
    group: RankingGroup | None = None,
) -> RankingGroup:
    """Create a ranking group organised by `unit`, or change `group`. The name is unique within
    the organising unit; a group that already has members keeps what it ranks."""
    _require_manager(actor, _("排名组由组织部门设置"))
    if group is not None:
        group = _locked_group(actor, group)
    errors: dict[str, str] = {}
    if unit is None:
        errors["unit"] = _("请选择组织单位")
    elif not _unit_in_scope(actor, unit):
        errors["unit"] = _("请选择您管辖范围内的单位")
    name = str(name or "").strip()
    if not name:
        errors["name"] = _("请填写排名组名称")
    elif len(name) > 100:
        errors["name"] = _("排名组名称不能超过100个字")
    if kind not in RankingKind.values:
        errors["kind"] = _("请选择排名对象")
    top = _places(top_n, "top_n", errors)
    bottom = _places(bottom_n, "bottom_n", errors)
    if group is not None and kind != group.kind and "kind" not in errors:
        has_members = group.cadres.exists() or group.units.exists()
        if has_members or group.entries.exists():
            errors["kind"] = _("该排名组已有成员或排名结果，不能更改排名对象")
    if "unit" not in errors and "name" not in errors:
        same = RankingGroup.objects.filter(unit=unit, name=name)
        if group is not None:
            same = same.exclude(pk=group.pk)
        if same.exists():
            errors["name"] = _("%(unit)s已有名为“%(name)s”的排名组") % {
                "unit": unit.name,
                "name": name,
            }
    if errors:
        raise ValidationError(errors)
    if group is None:
        group = RankingGroup(unit=unit, name=name, kind=kind, top_n=top, bottom_n=bottom)
        group.full_clean()
        group.save()
        return group
    group.unit, group.name, group.kind, group.top_n, group.bottom_n = unit, name, kind, top, bottom
    group.full_clean()
    group.save(update_fields=["unit", "name", "kind", "top_n", "bottom_n"])
    return group


@transaction.atomic
def ranking_group_delete(*, actor, group: RankingGroup) -> None:
    """Delete a group that was never ranked; a ranked group is part of the record."""
    _require_manager(actor, _("排名组由组织部门设置"))
    group = _locked_group(actor, group)
    if group.entries.exists():
        raise ValidationError({"__all__": _("该排名组已有排名结果，不能删除")})
    group.delete()


def _ids(objects) -> list[int]:
    return sorted({getattr(o, "pk", o) for o in objects or ()})


@transaction.atomic
def ranking_group_members_set(*, actor, group: RankingGroup, cadres=(), units=()) -> RankingGroup:
    """Replace the members of `group`: serving cadres (a cadre group) or units (a unit group)
    under the group's organising unit and inside the actor's jurisdiction."""
    _require_manager(actor, _("排名组由组织部门设置"))
    group = _locked_group(actor, group)
    cadre_ids, unit_ids = _ids(cadres), _ids(units)
    errors: dict[str, str] = {}
    if group.kind == RankingKind.CADRE:
        if unit_ids:
            errors["units"] = _("该排名组按干部排名，不能加入单位")
        found = set(
            Cadre.objects.restrict(actor, "change")
            .filter(
                pk__in=cadre_ids,
                unit__path__startswith=group.unit.path,
                status=CadreStatus.ACTIVE,
            )
            .values_list("pk", flat=True)
        )
        if len(found) != len(cadre_ids):
            errors["cadres"] = _("只能加入%(unit)s及下级单位在职、且在您管辖范围内的干部") % {
                "unit": group.unit.name
            }
    else:
        if cadre_ids:
            errors["cadres"] = _("该排名组按单位排名，不能加入干部")
        found = set(
            Unit.objects.restrict(actor, "change")
            .filter(pk__in=unit_ids, path__startswith=group.unit.path)
            .exclude(pk=group.unit_id)
            .values_list("pk", flat=True)
        )
        if len(found) != len(unit_ids):
            errors["units"] = _("只能加入%(unit)s的下级单位") % {"unit": group.unit.name}
    if errors:
        raise ValidationError(errors)
    group.cadres.set(cadre_ids)
    group.units.set(unit_ids)
    return group


# --- services: the three links (三个挂钩) --------------------------------------------------------


@transaction.atomic
def supervision_link_save(*, actor, cadre: Cadre, unit: Unit, kind: str) -> SupervisionLink:
    """Tie `cadre` to `unit` as its head (主要负责人) or supervising leader (分管领导): their
    quarterly result then follows the unit's (X, 三个挂钩). Linking the same pair again changes
    the kind."""
    _require_manager(actor, _("考核挂钩关系由组织部门设置"))
    errors: dict[str, str] = {}
    if cadre is None:
        errors["cadre"] = _("请选择干部")
    elif not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        errors["cadre"] = _("该干部不在您的管辖范围内")
    elif cadre.status != CadreStatus.ACTIVE:
        errors["cadre"] = _("只能为在职干部设置挂钩关系")
    if unit is None:
        errors["unit"] = _("请选择挂钩单位")
    elif not _unit_in_scope(actor, unit):
        errors["unit"] = _("请选择您管辖范围内的单位")
    if kind not in LinkKind.values:
        errors["kind"] = _("请选择挂钩方式")
    if errors:
        raise ValidationError(errors)
    link = SupervisionLink.objects.select_for_update().filter(cadre=cadre, unit=unit).first()
    if link is None:
        link = SupervisionLink(cadre=cadre, unit=unit, kind=kind)
        link.full_clean(validate_unique=False)
        link.save()
    elif link.kind != kind:
        link.kind = kind
        link.full_clean(validate_unique=False)
        link.save(update_fields=["kind"])
    return link


@transaction.atomic
def supervision_link_delete(*, actor, link: SupervisionLink) -> None:
    """Untie a leader from a unit (the past quarters' results stay as they were computed)."""
    _require_manager(actor, _("考核挂钩关系由组织部门设置"))
    found = (
        SupervisionLink.objects.restrict(actor, "change")
        .filter(unit__in=Unit.objects.restrict(actor, "change"))
        .filter(pk=link.pk)
    )
    if not found.exists():
        raise Http404
    found.delete()


# --- selectors --------------------------------------------------------------------------------


def ranking_groups(user):
    """The groups organised inside the user's jurisdiction."""
    return RankingGroup.objects.restrict(user).select_related("unit")


def supervision_links(user):
    """The links of cadres and units the user may see."""
    if not can_read_rankings(user):
        return SupervisionLink.objects.none()
    return (
        SupervisionLink.objects.restrict(user)
        .filter(unit__in=Unit.objects.restrict(user))
        .select_related("cadre", "cadre__unit", "unit")
        .order_by("unit__path", "kind", "cadre__name", "pk")
    )


def ranking(group: RankingGroup, year: int, quarter: int):
    """The group's places in the quarter, first place first."""
    return (
        RankingEntry.objects.filter(group=group, year=year, quarter=quarter)
        .select_related("cadre", "cadre__unit", "unit")
        .order_by("rank", "cadre__name", "unit__path", "pk")
    )


def ranking_quarters(group: RankingGroup) -> list[tuple[int, int]]:
    """(year, quarter) the group has places for, latest first."""
    return list(
        RankingEntry.objects.filter(group=group)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .distinct()
    )


def most_improved(group: RankingGroup, year: int, quarter: int) -> list[RankingEntry]:
    """进步最快: the entries that climbed the most places since the last quarter (ties all
    listed); nobody when nobody climbed. One query."""
    climbed = F("previous_rank") - F("rank")
    rows = (
        RankingEntry.objects.filter(
            group=group, year=year, quarter=quarter, previous_rank__isnull=False
        )
        .annotate(climbed=climbed, best=Window(Max(climbed)))
        .filter(climbed=F("best"), climbed__gt=0)
        .select_related("cadre", "cadre__unit", "unit")
        .order_by("rank", "pk")
    )
    return list(rows)


@dataclass
class Champion:
    """单项冠军: the unit(s) with the most approved points of one catalogue item."""

    code: str
    label: str
    total: Decimal
    units: list[tuple[int, str]] = field(default_factory=list)


CHAMPIONS_SQL = """
WITH totals AS (
    SELECT i.code, e.unit_id, SUM(e.points) AS total,
           MIN(i."order") AS item_order,
           (ARRAY_AGG(i.label ORDER BY e.occurred_on DESC, e.id DESC))[1] AS label
    FROM assessment_pointsentry e
    JOIN cadre_policyitem i ON i.id = e.item_id
    JOIN cadre_unit u ON u.id = e.unit_id
    WHERE e.status = 'approved' AND e.occurred_on BETWEEN %(start)s AND %(end)s
      AND u.path LIKE %(path)s AND u.id <> %(root)s
    GROUP BY i.code, e.unit_id
), ranked AS (
    SELECT *, MAX(total) OVER (PARTITION BY code) AS best,
           MIN(item_order) OVER (PARTITION BY code) AS first_order,
           FIRST_VALUE(label) OVER (PARTITION BY code ORDER BY total DESC) AS shown
    FROM totals
)
SELECT r.code, r.shown, r.total, r.unit_id, u.name
FROM ranked r JOIN cadre_unit u ON u.id = r.unit_id
WHERE r.total = r.best AND r.total > 0
ORDER BY r.first_order, r.code, u.path
"""


def single_item_champions(unit: Unit, year: int, quarter: int) -> list[Champion]:
    """Per item of the points catalogue, the unit(s) under `unit` that gained the most approved
    points in the quarter (X: 单项冠军), ties all named; items nobody gained on are left out.
    Items are matched by code, so a new catalogue version does not split an item. One query."""
    start, end = quarter_bounds(year, quarter)
    params = {
        "start": start,
        "end": end,
        "path": unit.path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
        "root": unit.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(CHAMPIONS_SQL, params)
        rows = cursor.fetchall()
    champions: dict[str, Champion] = {}
    for code, label, total, unit_id, unit_name in rows:
        champion = champions.setdefault(code, Champion(code=code, label=label, total=total))
        champion.units.append((unit_id, unit_name))
    return list(champions.values())


def restrictions_for(cadre_ids) -> dict[int, list[Consequence]]:
    """{cadre id: [restriction]} — 限制职务晋升和考核奖金、重点考察 (X: ranked low two years
    running), newest first, for the cadres that have any. One query."""
    found: dict[int, list[Consequence]] = defaultdict(list)
    rows = Consequence.objects.filter(
        cadre_id__in=list(cadre_ids), kind=ConsequenceKind.RESTRICTED
    ).order_by("-year", "-created_at", "-pk")
    for consequence in rows:
        found[consequence.cadre_id].append(consequence)
    return dict(found)


def ranking_places(unit: Unit, year: int, quarter: int):
    """The places of the unit, and of its cadres, in every group ranked in the quarter."""
    return (
        RankingEntry.objects.filter(year=year, quarter=quarter)
        .filter(Q(unit=unit) | Q(cadre__unit=unit))
        .select_related("group", "cadre", "unit")
        .order_by("group__name", "rank", "pk")
    )


def consequences_for(user):
    """The consequences the user may read (staff inside their jurisdiction)."""
    if not can_read_rankings(user):
        return Consequence.objects.none()
    return Consequence.objects.restrict(user).select_related("cadre", "cadre__unit")

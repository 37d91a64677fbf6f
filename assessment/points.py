"""The points ledger (考核积分制, DOMAIN §2 "Points"; county survey X, "223" 考核机制): add and
deduct items with their evidence, from the catalogue (`assessment.points_catalogue`) in force
at the unit, approved by the organisation department before they count.

The double rule (X): "where the county gained or lost points in the city's assessment, the
leading and the responsible departments gain or lose double" — an item of the catalogue with
`double` multiplies its points by its `multiplier` for the lead and the responsible units.

Writes (services): `points_entry_submit`, `points_city_result_record`, `points_entry_review`.
Reads (selectors): `points_ledger`, `unit_points`, `consequence_triggers`, the FilterSet."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import Role
from cadre.models import Cadre, PolicyItem, Unit
from cadre.selectors import policy_list_for
from cadre.text import clean_text as _clean

from .choices import KIND_POINTS_CATALOGUE, PointsRole, PointsStatus
from .filtersets import ADD, DEDUCT
from .models import WRITE_ROLES, PointsEntry, unit_scope_q

# Base points are entered with two decimals and stay well inside the column (8 digits) once
# the double rule has multiplied them.
MAX_BASE_POINTS = Decimal("10000")


class ReviewConflict(ValidationError):
    """The entry is no longer pending: someone else reviewed it first."""


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def is_points_reviewer(user) -> bool:
    """Organisation-department staff review entries (and record the city's results)."""
    return bool(getattr(user, "is_superuser", False) or _roles(user) & WRITE_ROLES)


def can_submit_points(user) -> bool:
    return is_points_reviewer(user) or Role.UNIT_LEADER in _roles(user)


# --- the catalogue -----------------------------------------------------------------------------


def catalogue_for(unit: Unit | None):
    """(list, {code: item}) of the points catalogue applying at `unit`."""
    policy_list = policy_list_for(KIND_POINTS_CATALOGUE, unit)
    if policy_list is None:
        return None, {}
    return policy_list, {item.code: item for item in policy_list.items.all()}


def item_direction(item: PolicyItem) -> str:
    return DEDUCT if (item.params or {}).get("direction") == DEDUCT else ADD


def item_default_points(item: PolicyItem) -> Decimal | None:
    """The item's default value, or None: the actual points of the city's assessment."""
    value = (item.params or {}).get("points")
    return None if value in (None, "") else Decimal(str(value))


def item_is_double(item: PolicyItem) -> bool:
    return bool((item.params or {}).get("double"))


def item_multiplier(item: PolicyItem) -> Decimal:
    return Decimal(str((item.params or {}).get("multiplier") or "1"))


def item_is_trigger(item: PolicyItem) -> bool:
    return bool((item.params or {}).get("consequence_trigger"))


def compute_points(item: PolicyItem, base: Decimal, role: str) -> Decimal:
    """base × multiplier (lead or responsible unit of a double item) × sign of the direction."""
    multiplier = item_multiplier(item) if role and item_is_double(item) else Decimal(1)
    sign = Decimal(-1) if item_direction(item) == DEDUCT else Decimal(1)
    return (base * multiplier * sign).quantize(Decimal("0.01"))


def _parse_points(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"base_points": _("请输入有效的分值")}) from None
    if not number.is_finite():
        raise ValidationError({"base_points": _("请输入有效的分值")})
    return number


# --- services ---------------------------------------------------------------------------------


def _units_in_scope(actor):
    return Unit.objects.restrict(actor)


def _require_unit(actor, unit, field="unit"):
    """The unit must be in the actor's jurisdiction; a unit leader enters only their own."""
    if unit is None:
        raise ValidationError({field: _("请选择计分单位")})
    if not _units_in_scope(actor).filter(pk=unit.pk).exists():
        raise ValidationError({field: _("请选择您管辖范围内的单位")})
    if not is_points_reviewer(actor) and unit.pk != actor.unit_id:
        raise ValidationError({field: _("单位领导只能为本单位登记积分")})


def _build_entry(actor, *, unit, item, occurred_on, evidence, cadre, base_points, role):
    """An unsaved, checked entry; every error found is raised at once, keyed by field."""
    errors: dict[str, str] = {}
    catalogue, items = catalogue_for(unit)
    if catalogue is None:
        raise ValidationError({"__all__": _("本地区尚未发布考核积分项目清单")})
    code = getattr(item, "code", item)
    policy_item = items.get(_clean(code))
    if policy_item is None:
        errors["item"] = _("请选择本地区积分项目清单中的项目")
    role = _clean(role)
    if role not in PointsRole.values:
        errors["role"] = _("请选择承担角色")
    elif policy_item is not None and role and not item_is_double(policy_item):
        errors["role"] = _("只有适用双倍计分的项目才能选择牵头部门或责任部门")
    base = _parse_points(base_points)
    if policy_item is not None and base is None:
        base = item_default_points(policy_item)
        if base is None:
            errors["base_points"] = _("该项目按市级考核实际得失分计分，请填写基础分值")
    if base is not None:
        if base <= 0:
            errors["base_points"] = _("基础分值须大于0")
        elif base >= MAX_BASE_POINTS or base != base.quantize(Decimal("0.01")):
            errors["base_points"] = _("基础分值须小于10000，最多两位小数")
    if not isinstance(occurred_on, date):
        errors["occurred_on"] = _("请填写发生日期")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("发生日期不能晚于今天")
    elif occurred_on.year < 2000:
        errors["occurred_on"] = _("发生日期不能早于2000年")
    evidence = _clean(evidence)
    if not evidence:
        errors["evidence"] = _("请填写佐证材料")
    if cadre is not None:
        if cadre.unit_id != unit.pk:
            errors["cadre"] = _("相关干部须为计分单位的干部")
        elif not Cadre.objects.restrict(actor).filter(pk=cadre.pk).exists():
            errors["cadre"] = _("该干部不在您的管辖范围内")
    if errors:
        raise ValidationError(errors)
    return PointsEntry(
        unit=unit,
        cadre=cadre,
        catalogue=catalogue,
        item=policy_item,
        occurred_on=occurred_on,
        base_points=base,
        role=role,
        points=compute_points(policy_item, base, role),
        evidence=evidence,
        status=PointsStatus.PENDING,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


def _save(entry):
    entry.full_clean(exclude=["unit", "cadre", "catalogue", "item", "submitted_by"])
    entry.save()
    return entry


@transaction.atomic
def points_entry_submit(
    *,
    actor,
    unit: Unit,
    item,
    occurred_on: date,
    evidence: str,
    cadre: Cadre | None = None,
    base_points=None,
    role: str = "",
) -> PointsEntry:
    """Submit an add or deduct item for `unit` (and optionally one of its cadres), pending
    review. `item` is the code (or item) in the catalogue applying at the unit now."""
    if not can_submit_points(actor):
        raise PermissionDenied(_("您的角色不能登记考核积分"))
    _require_unit(actor, unit)
    entry = _build_entry(
        actor,
        unit=unit,
        item=item,
        occurred_on=occurred_on,
        evidence=evidence,
        cadre=cadre,
        base_points=base_points,
        role=role,
    )
    return _save(entry)


@transaction.atomic
def points_city_result_record(
    *,
    actor,
    item,
    occurred_on: date,
    base_points,
    lead_unit: Unit,
    responsible_units,
    evidence: str,
) -> list[PointsEntry]:
    """The double rule in one step (X): the county gained or lost `base_points` in the city's
    assessment on `item`; the leading and every responsible department gain or lose
    base × multiplier. One pending entry per department, with its role."""
    if not is_points_reviewer(actor):
        raise PermissionDenied(_("市级考核得失分由组织部门登记"))
    responsible_units = list(responsible_units or [])
    errors: dict[str, str] = {}
    if lead_unit is None:
        errors["lead_unit"] = _("请选择牵头部门")
    else:
        try:
            _require_unit(actor, lead_unit, "lead_unit")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    ids = [u.pk for u in responsible_units]
    if len(set(ids)) != len(ids):
        errors["responsible_units"] = _("责任部门不能重复")
    elif lead_unit is not None and lead_unit.pk in ids:
        errors["responsible_units"] = _("牵头部门不能同时作为责任部门")
    elif ids and _units_in_scope(actor).filter(pk__in=ids).count() != len(ids):
        errors["responsible_units"] = _("请选择您管辖范围内的单位")
    if errors:
        raise ValidationError(errors)
    code = getattr(item, "code", item)
    _catalogue, items = catalogue_for(lead_unit)
    policy_item = items.get(_clean(code))
    if policy_item is not None and not item_is_double(policy_item):
        raise ValidationError({"item": _("该项目不适用“牵头和责任部门双倍计分”规则")})
    if policy_item is not None and _parse_points(base_points) is None:
        raise ValidationError({"base_points": _("请填写全县在市级考核中的实际得失分值")})
    entries = []
    for unit, role in [(lead_unit, PointsRole.LEAD)] + [
        (u, PointsRole.RESPONSIBLE) for u in responsible_units
    ]:
        entry = _build_entry(
            actor,
            unit=unit,
            item=code,
            occurred_on=occurred_on,
            evidence=evidence,
            cadre=None,
            base_points=base_points,
            role=role,
        )
        entries.append(_save(entry))
    return entries


@transaction.atomic
def points_entry_review(*, actor, entry: PointsEntry, approve: bool, note: str = "") -> PointsEntry:
    """Approve or return a pending entry (organisation department, not the submitter). An
    approved entry is final and counts in the unit's points."""
    if not is_points_reviewer(actor):
        raise PermissionDenied(_("考核积分由组织部门审核"))
    locked = (
        PointsEntry.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=entry.pk)
        .first()
    )
    if locked is None:
        raise Http404
    if locked.submitted_by_id is not None and locked.submitted_by_id == actor.pk:
        raise PermissionDenied(_("不能审核本人提交的积分"))
    if locked.status != PointsStatus.PENDING:
        raise ReviewConflict(
            {
                "__all__": _("该积分已由他人审核（%(status)s），不能重复审核")
                % {"status": locked.get_status_display()}
            }
        )
    note = _clean(note)
    if not approve and not note:
        raise ValidationError({"note": _("退回须填写审核意见")})
    locked.status = PointsStatus.APPROVED if approve else PointsStatus.REJECTED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_note = note
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


# --- selectors --------------------------------------------------------------------------------


def points_ledger(user):
    """The entries a user may read: staff inside their jurisdiction (a unit leader: their
    unit's subtree); nobody else."""
    if not getattr(user, "is_superuser", False) and unit_scope_q(user) is None:
        return PointsEntry.objects.none()
    return PointsEntry.objects.restrict(user).select_related(
        "unit", "cadre", "item", "submitted_by", "reviewed_by"
    )


def review_queue(user):
    """Pending entries a reviewer may decide, oldest first."""
    if not is_points_reviewer(user):
        return PointsEntry.objects.none()
    return (
        PointsEntry.objects.restrict(user, "change")
        .filter(status=PointsStatus.PENDING)
        .select_related("unit", "cadre", "item", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def _approved_in(unit_ids, start, end):
    qs = PointsEntry.objects.filter(unit_id__in=list(unit_ids), status=PointsStatus.APPROVED)
    if start is not None:
        qs = qs.filter(occurred_on__gte=start)
    if end is not None:
        qs = qs.filter(occurred_on__lte=end)
    return qs


def unit_points(unit_ids, start: date | None, end: date | None) -> dict[int, Decimal]:
    """{unit id: total of the approved points that occurred from `start` to `end` inclusive},
    every unit asked for (0 when none), in one query."""
    unit_ids = list(unit_ids)
    totals = {unit_id: Decimal("0.00") for unit_id in unit_ids}
    rows = (
        _approved_in(unit_ids, start, end)
        .order_by()
        .values("unit_id")
        .annotate(total=Sum("points"))
        .values_list("unit_id", "total")
    )
    totals.update(dict(rows))
    return totals


def consequence_triggers(unit_ids, start: date | None, end: date | None):
    """Approved entries in the period whose item counts toward the consequence ladder (X:
    bottom 3 in the city, a city-level criticism notice), oldest first."""
    return (
        _approved_in(unit_ids, start, end)
        .filter(item__params__consequence_trigger=True)
        .select_related("unit", "cadre", "item")
        .order_by("occurred_on", "pk")
    )


def quarter_bounds(year: int, quarter: int | None) -> tuple[date, date]:
    if not quarter:
        return date(year, 1, 1), date(year, 12, 31)
    first_month = 3 * (int(quarter) - 1) + 1
    start = date(year, first_month, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)

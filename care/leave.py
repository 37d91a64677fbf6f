"""Paid annual leave and overtime time off (F 19 落实带薪年休假制度，督促各级领导干部带头执行休假
制度; ZJK 12(五) 严格落实带薪休假、加班补休等制度).

- Entitlement: years of service from `cadre.work_since` to 1 January of the year; the items of
  `care.leave_entitlement` applying at the cadre's unit give `days` for `min_years` or more (the
  highest reached applies); under the lowest threshold there is no annual leave.
- A yearly plan records the entitlement, the list version and the years of service it used.
- Leave taken is counted in working days (weekends and public holidays excluded,
  `cadre.workdays`); annual leave cannot exceed what remains of the year's entitlement, and
  overtime time off cannot exceed the overtime earned and not yet taken off.
- Leaders lead by example (领导干部带头休假): a cadre counts as a leader when their post level is
  at or above `LEADER_MIN_LEVEL` (setting `CARE_LEAVE_LEADER_MIN_LEVEL`, by default
  `township_chief`, 乡科级正职 — the leading posts of a township or county department).

Writes: `leave_plan_save`, `leave_record`, `overtime_record`. Reads: `leave_entitlement`,
`overview_rows`, `overtime_balance`. Reminder: `remind_leave_plans`."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import CadreStatus, PolicyStatus
from cadre.models import Cadre, PolicyList, PostLevel
from cadre.selectors import policy_items
from cadre.services import notify
from cadre.workdays import working_days_between

from .choices import KIND_LEAVE_ENTITLEMENT, KIND_TALK_SETTINGS, LeaveKind, LogSubject
from .models import LeavePlan, LeaveRecord, OvertimeRecord
from .models.common import can_write, log
from .selectors import managing_units, organisation_users

ZERO = Decimal("0")
LEADER_MIN_LEVEL = getattr(settings, "CARE_LEAVE_LEADER_MIN_LEVEL", "township_chief")
NOTIFY_KIND = "care.leave_plan_missing"


# --- policy lists resolved for many units at once -----------------------------------------------


def lists_by_unit(kind: str) -> dict:
    """{unit id or None: (list, [items])} of every published list of `kind`: two queries,
    however many units are resolved with `list_for_unit` afterwards."""
    found = {}
    lists = PolicyList.objects.filter(kind=kind, status=PolicyStatus.PUBLISHED).prefetch_related(
        "items"
    )
    for policy_list in lists:
        items = sorted(policy_list.items.all(), key=lambda i: (i.order, i.pk))
        found[policy_list.unit_id] = (policy_list, items)
    return found


def list_for_unit(lists: dict, unit):
    """The (list, items) applying at `unit`: the nearest up the tree, else the default."""
    if unit is not None:
        for unit_id in reversed(unit.ancestor_ids):
            if unit_id in lists:
                return lists[unit_id]
    return lists.get(None, (None, []))


# --- entitlement --------------------------------------------------------------------------------


def service_years(cadre: Cadre, year: int) -> int | None:
    """Full years of service from `work_since` to 1 January of `year`."""
    start = cadre.work_since
    if start is None:
        return None
    end = date(year, 1, 1)
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


@dataclass
class Entitlement:
    days: int
    service_years: int | None
    policy_list: PolicyList | None
    reason: str = ""


def entitlement_from(items, policy_list, years: int | None) -> Entitlement:
    if policy_list is None:
        return Entitlement(0, years, None, _("本地区尚未发布带薪年休假天数清单"))
    if years is None:
        return Entitlement(0, None, policy_list, _("未登记参加工作时间，无法计算年休假天数"))
    reached = [
        item
        for item in items
        if int((item.params or {}).get("min_years", 0)) <= years
        and (item.params or {}).get("days") is not None
    ]
    if not reached:
        lowest = min((int((i.params or {}).get("min_years", 0)) for i in items), default=1)
        return Entitlement(
            0,
            years,
            policy_list,
            _("累计工作不满%(n)s年，不享受当年年休假") % {"n": lowest},
        )
    best = max(reached, key=lambda i: int(i.params["min_years"]))
    return Entitlement(int(best.params["days"]), years, policy_list)


def leave_entitlement(cadre: Cadre, year: int, lists: dict | None = None) -> Entitlement:
    """The annual leave a cadre is entitled to in `year` under the list at their unit."""
    if lists is None:
        policy_list, items = policy_items(KIND_LEAVE_ENTITLEMENT, cadre.unit)
    else:
        policy_list, items = list_for_unit(lists, cadre.unit)
    return entitlement_from(items, policy_list, service_years(cadre, year))


# --- balances -----------------------------------------------------------------------------------


def _days_sum(qs):
    return qs.order_by().aggregate(total=Sum("days"))["total"] or ZERO


def annual_taken(cadre, year) -> Decimal:
    return _days_sum(LeaveRecord.objects.filter(cadre=cadre, year=year, kind=LeaveKind.ANNUAL))


def overtime_balance(cadre) -> Decimal:
    """Overtime earned minus the overtime time off already taken (all years)."""
    earned = _days_sum(OvertimeRecord.objects.filter(cadre=cadre))
    used = _days_sum(LeaveRecord.objects.filter(cadre=cadre, kind=LeaveKind.OVERTIME_OFF))
    return earned - used


def leave_days(start_on: date, end_on: date) -> int:
    """Working days from `start_on` to `end_on`, both included."""
    return working_days_between(start_on - timedelta(days=1), end_on)


# --- services -----------------------------------------------------------------------------------


def _require_writable_cadre(actor, cadre):
    if not can_write(actor):
        raise PermissionDenied(_("休假由组织部门登记"))
    if cadre is None or not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})


def _lock_cadre(cadre) -> Cadre:
    """Leave of one cadre is written one at a time: the cadre row is the lock."""
    return Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)


def _decimal(value, field, message):
    if value in (None, ""):
        raise ValidationError({field: message})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: message}) from None
    if not number.is_finite():
        raise ValidationError({field: message})
    return number


@transaction.atomic
def leave_plan_save(
    *, actor, cadre: Cadre, year: int, planned_days, planned_periods: str = ""
) -> LeavePlan:
    """Record (or revise) the cadre's leave plan for `year` with the entitlement computed now
    and the list version it came from. The plan cannot exceed the entitlement."""
    _require_writable_cadre(actor, cadre)
    cadre = _lock_cadre(cadre)
    errors = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("请填写有效年度")})
    entitlement = leave_entitlement(cadre, year)
    if entitlement.policy_list is None:
        raise ValidationError({"__all__": entitlement.reason})
    try:
        days = int(planned_days)
    except (TypeError, ValueError):
        days = None
    if days is None or days < 0:
        errors["planned_days"] = _("请填写计划休假天数（0或正整数）")
    elif days > entitlement.days:
        reason = f"（{entitlement.reason}）" if entitlement.reason else ""
        errors["planned_days"] = _("计划休假天数不能超过应休天数%(days)s天%(reason)s") % {
            "days": entitlement.days,
            "reason": reason,
        }
    if errors:
        raise ValidationError(errors)
    plan = LeavePlan.objects.filter(cadre=cadre, year=year).first()
    created = plan is None
    if created:
        plan = LeavePlan(cadre=cadre, year=year, created_by=actor)
    plan.entitlement_list = entitlement.policy_list
    plan.service_years = entitlement.service_years or 0
    plan.entitlement_days = entitlement.days
    plan.planned_days = days
    plan.planned_periods = str(planned_periods or "").strip()
    plan.full_clean(exclude=["cadre", "entitlement_list", "created_by"], validate_unique=False)
    plan.save()
    log(
        LogSubject.LEAVE,
        plan,
        "plan_saved" if created else "plan_revised",
        actor=actor,
        note=_("%(year)s年计划休假%(days)s天") % {"year": year, "days": days},
    )
    return plan


@transaction.atomic
def leave_record(
    *, actor, cadre: Cadre, kind: str, start_on: date, end_on: date, note: str = ""
) -> LeaveRecord:
    """Record leave taken, counted in working days. Refused: overlapping leave of the same
    cadre, annual leave beyond what remains of the year's entitlement, overtime time off beyond
    the overtime balance. The cadre row is locked so two clerks cannot both spend the rest."""
    _require_writable_cadre(actor, cadre)
    if kind not in LeaveKind.values:
        raise ValidationError({"kind": _("请选择休假类别")})
    if not isinstance(start_on, date) or not isinstance(end_on, date):
        raise ValidationError({"start_on": _("请填写休假起止日期")})
    if end_on < start_on:
        raise ValidationError({"end_on": _("结束日期不能早于开始日期")})
    if start_on.year != end_on.year:
        raise ValidationError({"end_on": _("休假起止日期须在同一年度内，跨年请分两次登记")})
    cadre = _lock_cadre(cadre)
    days = Decimal(leave_days(start_on, end_on))
    if days <= 0:
        raise ValidationError({"end_on": _("所选期间没有工作日（周末和法定节假日不计入休假天数）")})
    overlap = (
        LeaveRecord.objects.filter(cadre=cadre, start_on__lte=end_on, end_on__gte=start_on)
        .order_by("start_on")
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            {
                "start_on": _("与已登记的休假（%(kind)s %(start)s至%(end)s）重叠")
                % {
                    "kind": overlap.get_kind_display(),
                    "start": overlap.start_on,
                    "end": overlap.end_on,
                }
            }
        )
    year = start_on.year
    if kind == LeaveKind.ANNUAL:
        plan = LeavePlan.objects.filter(cadre=cadre, year=year).first()
        allowed = (
            Decimal(plan.entitlement_days)
            if plan is not None
            else Decimal(leave_entitlement(cadre, year).days)
        )
        remaining = allowed - annual_taken(cadre, year)
        if days > remaining:
            raise ValidationError(
                {
                    "end_on": _(
                        "超出%(year)s年剩余年休假天数：本次%(days)s个工作日，剩余%(left)s天"
                    )
                    % {"year": year, "days": days, "left": max(remaining, ZERO)}
                }
            )
    else:
        balance = overtime_balance(cadre)
        if days > balance:
            raise ValidationError(
                {
                    "end_on": _("超出可补休天数：本次%(days)s个工作日，加班可补休余额%(left)s天")
                    % {"days": days, "left": max(balance, ZERO)}
                }
            )
    record = LeaveRecord(
        cadre=cadre,
        kind=kind,
        year=year,
        start_on=start_on,
        end_on=end_on,
        days=days,
        note=str(note or "").strip(),
        recorded_by=actor,
    )
    record.full_clean(exclude=["cadre", "recorded_by"])
    record.save()
    log(
        LogSubject.LEAVE,
        record,
        "leave_recorded",
        actor=actor,
        note=f"{record.get_kind_display()} {start_on}—{end_on} {days}",
    )
    return record


@transaction.atomic
def overtime_record(*, actor, cadre: Cadre, worked_on: date, days, reason: str) -> OvertimeRecord:
    """Overtime outside the statutory working time (ZJK 12(五)): it earns time off. One day of
    overtime earns half a day or a day."""
    _require_writable_cadre(actor, cadre)
    errors = {}
    number = None
    try:
        number = _decimal(days, "days", _("请填写折合天数"))
    except ValidationError as error:
        errors.update(error.message_dict)
    if number is not None and (number <= 0 or number > 1 or (number * 2) % 1):
        errors["days"] = _("折合天数为0.5或1天")
    if not isinstance(worked_on, date):
        errors["worked_on"] = _("请填写加班日期")
    elif worked_on > timezone.localdate():
        errors["worked_on"] = _("加班日期不能晚于今天")
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写加班事由")
    if errors:
        raise ValidationError({k: v[0] if isinstance(v, list) else v for k, v in errors.items()})
    cadre = _lock_cadre(cadre)
    record = OvertimeRecord(
        cadre=cadre, worked_on=worked_on, days=number, reason=reason, approved_by=actor
    )
    record.full_clean(exclude=["cadre", "approved_by"])
    record.save()
    log(LogSubject.LEAVE, record, "overtime_recorded", actor=actor, note=f"{worked_on} {number}")
    return record


# --- the overview -------------------------------------------------------------------------------


def leader_min_order() -> int | None:
    return PostLevel.objects.filter(code=LEADER_MIN_LEVEL).values_list("order", flat=True).first()


def leaders_q(min_order: int | None = None):
    min_order = leader_min_order() if min_order is None else min_order
    if min_order is None:
        return Q(pk__in=[])
    return Q(post_level__order__gte=min_order)


def _sum_of(model, days_filter):
    rows = (
        model.objects.filter(cadre=OuterRef("pk"), **days_filter)
        .order_by()
        .values("cadre")
        .annotate(total=Sum("days"))
        .values("total")[:1]
    )
    return Coalesce(
        Subquery(rows), Value(ZERO), output_field=DecimalField(max_digits=7, decimal_places=1)
    )


def overview_queryset(cadres, year: int):
    """Cadres annotated with the year's plan and leave in one statement."""
    plans = LeavePlan.objects.filter(cadre=OuterRef("pk"), year=year)
    return cadres.select_related("unit", "post_level").annotate(
        plan_id=Subquery(plans.values("pk")[:1]),
        plan_entitlement=Subquery(plans.values("entitlement_days")[:1]),
        plan_days=Subquery(plans.values("planned_days")[:1]),
        annual_taken=_sum_of(LeaveRecord, {"year": year, "kind": LeaveKind.ANNUAL}),
        overtime_earned_year=_sum_of(OvertimeRecord, {"worked_on__year": year}),
        overtime_used_year=_sum_of(LeaveRecord, {"year": year, "kind": LeaveKind.OVERTIME_OFF}),
        overtime_earned_all=_sum_of(OvertimeRecord, {}),
        overtime_used_all=_sum_of(LeaveRecord, {"kind": LeaveKind.OVERTIME_OFF}),
    )


def overview_cadres(user, *, year: int, unit=None, leaders_only=False, name="", without_plan=False):
    """Active cadres the user may see, annotated for the year (see `overview_queryset`)."""
    cadres = Cadre.objects.restrict(user).filter(status=CadreStatus.ACTIVE)
    if without_plan:
        cadres = cadres.exclude(leave_plans__year=year)
    if unit is not None:
        cadres = cadres.filter(unit__path__startswith=unit.path)
    if leaders_only:
        cadres = cadres.filter(leaders_q())
    if name:
        cadres = cadres.filter(name__contains=name.strip())
    return overview_queryset(cadres, year).order_by("unit__path", "name", "pk")


@dataclass
class OverviewRow:
    cadre: Cadre
    entitlement: int
    entitlement_reason: str
    has_plan: bool
    planned: int | None
    taken: Decimal
    remaining: Decimal
    overtime_earned: Decimal
    overtime_used: Decimal
    overtime_balance: Decimal
    is_leader: bool

    @property
    def usage_rate(self):
        """Annual leave taken as a share of the entitlement (None without entitlement)."""
        if not self.entitlement:
            return None
        return (self.taken / Decimal(self.entitlement) * 100).quantize(Decimal("0.1"))


def overview_rows(cadres, year: int, lists: dict | None = None) -> list[OverviewRow]:
    """Rows of the overview for annotated cadres: the plan's entitlement where there is a
    plan, else the one computed now."""
    lists = lists_by_unit(KIND_LEAVE_ENTITLEMENT) if lists is None else lists
    min_order = leader_min_order()
    rows = []
    for cadre in cadres:
        if cadre.plan_id is not None:
            days, reason = cadre.plan_entitlement, ""
        else:
            computed = leave_entitlement(cadre, year, lists)
            days, reason = computed.days, computed.reason
        rows.append(
            OverviewRow(
                cadre=cadre,
                entitlement=days,
                entitlement_reason=reason,
                has_plan=cadre.plan_id is not None,
                planned=cadre.plan_days,
                taken=cadre.annual_taken,
                remaining=Decimal(days) - cadre.annual_taken,
                overtime_earned=cadre.overtime_earned_year,
                overtime_used=cadre.overtime_used_year,
                overtime_balance=cadre.overtime_earned_all - cadre.overtime_used_all,
                is_leader=bool(
                    min_order is not None
                    and cadre.post_level_id
                    and cadre.post_level.order >= min_order
                ),
            )
        )
    return rows


def leaders_summary(user, *, year: int, unit=None) -> dict:
    """领导干部带头休假: how many leaders, how many took annual leave, the overall usage rate."""
    cadres = overview_cadres(user, year=year, unit=unit, leaders_only=True)
    rows = overview_rows(cadres, year)
    entitled = sum(r.entitlement for r in rows)
    taken = sum((r.taken for r in rows), ZERO)
    return {
        "leaders": len(rows),
        "with_leave": sum(1 for r in rows if r.taken > 0),
        "with_plan": sum(1 for r in rows if r.has_plan),
        "entitled": entitled,
        "taken": taken,
        "rate": (taken / Decimal(entitled) * 100).quantize(Decimal("0.1")) if entitled else None,
    }


# --- the yearly reminder ------------------------------------------------------------------------


def _due_date(year: int, unit) -> date | None:
    _list, items = policy_items(KIND_TALK_SETTINGS, unit)
    item = next((i for i in items if i.code == "leave_plan_reminder"), None)
    if item is None:
        return None
    try:
        return date(year, int(item.params["month"]), int(item.params["day"]))
    except (KeyError, TypeError, ValueError):
        return None


def remind_leave_plans(*, today: date | None = None) -> int:
    """After the date by which yearly leave plans are due (`leave_plan_reminder` of
    `care.talk_settings` at the managing unit), tell the organisation department of each
    managing unit how many of its active cadres have no plan for the year. Once a year per
    unit and recipient (dedupe key); returns the number of units reminded."""
    today = today or timezone.localdate()
    year = today.year
    missing = (
        Cadre.objects.filter(status=CadreStatus.ACTIVE)
        .exclude(leave_plans__year=year)
        .select_related("unit", "post_level")
    )
    counts: dict[int, int] = {}
    units = {}
    for unit in managing_units(missing).values():
        counts[unit.pk] = counts.get(unit.pk, 0) + 1
        units[unit.pk] = unit
    link = reverse("care:leave_overview") + f"?year={year}&without_plan=1"
    reminded = 0
    for unit_id, count in sorted(counts.items()):
        due = _due_date(year, units[unit_id])
        if due is None or today <= due:
            continue
        recipients = list(organisation_users([unit_id]))
        if not recipients:
            continue
        notify(
            recipients=recipients,
            kind=NOTIFY_KIND,
            title=_("%(year)s年度休假计划未报送提醒") % {"year": year},
            body=_("%(unit)s管理的干部中有%(n)s人尚未制定%(year)s年度带薪休假计划（截止%(due)s）。")
            % {"unit": units[unit_id].name, "n": count, "year": year, "due": due},
            link=link,
            dedupe_key=f"care.leave_plans:{year}:{unit_id}",
        )
        reminded += 1
    return reminded

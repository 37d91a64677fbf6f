"""Health (关心干部身心健康, F 19): "各级组织、保健部门每年按照干部管理权限，督促干部在规定时间内
参加健康体检，并分级建立干部健康档案……对基层一线、困难地区、特种行业的干部可根据需要适当增加体检
项目".

A unit's organisation department makes its yearly check-up plan for the cadres it manages
(`selectors.managing_units`); every one of them is enrolled with the extra items of
`care.checkup_extras` that apply (frontline: a current frontline assignment; hardship: a unit in
a hardship area; special_industry: the cadre tag `special_industry`). Attendance, the
conclusion (sensitive: the cadre and the organisation department only) and the follow-up make up
the cadre's health record; an exemption needs its reason.

Writes (services): `checkup_plan_create`, `checkup_plan_enrol`, `checkup_record_attend`,
`checkup_record_exempt`. Reads: `plan_list`, `record_list`, `progress`, `health_record`,
`can_read_conclusion`. Periodic job: `remind_checkups`."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre import access
from cadre.choices import CadreStatus
from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, FrontlineAssignment, Unit, User
from cadre.selectors import policy_items, policy_list_for
from cadre.services import notify
from cadre.text import clean_text as _clean

from .choices import KIND_CHECKUP_EXTRAS, KIND_TALK_SETTINGS, CheckupStatus, LogSubject
from .models import CheckupPlan, CheckupRecord
from .models.common import CONFIDENTIAL_ROLES, can_write, log, user_roles
from .selectors import managing_units, organisation_users

SPECIAL_INDUSTRY_TAG = "special_industry"
ENROL_BATCH = 1000
DEFAULT_REMINDER_DAYS = 14

# Which record statuses each step may start from (the step's target is fixed).
ATTEND_FROM = {CheckupStatus.PENDING, CheckupStatus.EXEMPTED, CheckupStatus.ATTENDED}
EXEMPT_FROM = {CheckupStatus.PENDING, CheckupStatus.EXEMPTED}


def _require_write(actor):
    if not can_write(actor):
        raise PermissionDenied(_("健康体检由组织部门办理"))


# --- reads --------------------------------------------------------------------------------------


def plan_list(user):
    return CheckupPlan.objects.restrict(user).select_related("unit", "extras_list")


def record_list(user):
    return CheckupRecord.objects.restrict(user).select_related(
        "plan__unit", "cadre__unit", "cadre__post_level"
    )


def with_progress(plans):
    """Annotate attended / pending / exempted / enrolled counts of each plan."""
    return plans.annotate(
        enrolled=Count("records"),
        attended=Count("records", filter=Q(records__status=CheckupStatus.ATTENDED)),
        pending=Count("records", filter=Q(records__status=CheckupStatus.PENDING)),
        exempted=Count("records", filter=Q(records__status=CheckupStatus.EXEMPTED)),
    ).order_by("-year", "unit__path", "pk")


def progress(records) -> dict:
    """Counts and completion (attended or exempted with a reason, of all enrolled)."""
    counts = records.order_by().aggregate(
        enrolled=Count("pk"),
        attended=Count("pk", filter=Q(status=CheckupStatus.ATTENDED)),
        pending=Count("pk", filter=Q(status=CheckupStatus.PENDING)),
        exempted=Count("pk", filter=Q(status=CheckupStatus.EXEMPTED)),
    )
    done = counts["attended"] + counts["exempted"]
    counts["percent"] = round(100 * done / counts["enrolled"]) if counts["enrolled"] else None
    return counts


def can_read_conclusion(user, record: CheckupRecord) -> bool:
    """The conclusion and health advice are sensitive: the cadre themself and the organisation
    department (and the system administrator) only — not unit leaders, committee members or
    auditors."""
    scope = access.scope_for(user)
    if scope.everything or getattr(user, "is_superuser", False):
        return True
    if scope.cadre_id is not None and scope.cadre_id == record.cadre_id:
        return True
    return bool(user_roles(user) & CONFIDENTIAL_ROLES)


def health_record(user, cadre: Cadre):
    """A cadre's check-ups of every year, newest first (the 健康档案)."""
    return (
        CheckupRecord.objects.restrict(user)
        .filter(cadre=cadre)
        .select_related("plan__unit")
        .order_by("-plan__year", "-pk")
    )


def extra_item_labels(plan: CheckupPlan) -> dict[str, str]:
    return {item.code: item.label for item in plan.extras_list.items.all()}


# --- plans and enrolment ----------------------------------------------------------------------


def _check_plan_fields(*, year, title, standard_items, start_on, deadline):
    errors = {}
    if not _clean(title):
        errors["title"] = _("请填写计划名称")
    if not _clean(standard_items):
        errors["standard_items"] = _("请填写常规体检项目")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("请填写有效年度")
    if not isinstance(start_on, date):
        errors["start_on"] = _("请填写开始日期")
    if not isinstance(deadline, date):
        errors["deadline"] = _("请填写截止日期")
    elif isinstance(start_on, date) and deadline < start_on:
        errors["deadline"] = _("截止日期不能早于开始日期")
    if "year" not in errors and isinstance(start_on, date) and start_on.year != year:
        errors["start_on"] = _("开始日期应在计划年度内")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def checkup_plan_create(
    *,
    actor,
    unit: Unit,
    year: int,
    title: str,
    standard_items: str,
    start_on: date,
    deadline: date,
    institution: str = "",
) -> CheckupPlan:
    """Make a unit's check-up plan of the year (按照干部管理权限) and enrol the cadres it
    manages. The unit is the actor's own or one inside their jurisdiction."""
    _require_write(actor)
    if unit is None or not Unit.objects.restrict(actor, "change").filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("请选择您管辖范围内的单位")})
    _check_plan_fields(
        year=year, title=title, standard_items=standard_items, start_on=start_on, deadline=deadline
    )
    if CheckupPlan.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": _("%(unit)s本年度的体检计划已建立") % {"unit": unit.name}})
    extras_list = policy_list_for(KIND_CHECKUP_EXTRAS, unit)
    if extras_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布体检加项清单")})
    plan = CheckupPlan(
        unit=unit,
        year=year,
        title=_clean(title),
        standard_items=_clean(standard_items),
        institution=_clean(institution),
        start_on=start_on,
        deadline=deadline,
        extras_list=extras_list,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    plan.full_clean()
    plan.save()
    log(LogSubject.CHECKUP, plan, "plan_created", actor=actor, note=plan.title)
    checkup_plan_enrol(actor=actor, plan=plan)
    return plan


def _extras_for(plan: CheckupPlan, cadres: list[Cadre]) -> dict[int, list[str]]:
    """{cadre id: codes of the extra items that apply}, three queries for any number."""
    items = list(plan.extras_list.items.all())
    applies = {(item.params or {}).get("applies_to"): item.code for item in items}
    subtree = Q(cadre__unit__path__startswith=plan.unit.path)
    frontline = set()
    if "frontline" in applies:
        frontline = set(
            FrontlineAssignment.objects.filter(subtree, start_date__lte=plan.deadline)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=plan.start_on))
            .values_list("cadre_id", flat=True)
        )
    special = set()
    if "special_industry" in applies:
        special = set(
            Cadre.tags.through.objects.filter(
                subtree, cadretag__code=SPECIAL_INDUSTRY_TAG
            ).values_list("cadre_id", flat=True)
        )
    found = {}
    for cadre in cadres:
        matches = {
            "frontline": cadre.pk in frontline,
            "hardship": cadre.unit.is_hardship_area,
            "special_industry": cadre.pk in special,
        }
        found[cadre.pk] = [
            item.code for item in items if matches.get((item.params or {}).get("applies_to"))
        ]
    return found


@transaction.atomic
def checkup_plan_enrol(*, actor, plan: CheckupPlan) -> int:
    """Enrol every active cadre the plan's unit manages who is not enrolled yet (those who
    arrived since); running it again adds nobody twice. Returns how many were added."""
    _require_write(actor)
    plan = CheckupPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    if not CheckupPlan.objects.restrict(actor, "change").filter(pk=plan.pk).exists():
        raise PermissionDenied(_("该体检计划不在您的管辖范围内"))
    enrolled = set(plan.records.values_list("cadre_id", flat=True))
    candidates = [
        c
        for c in Cadre.objects.filter(
            status=CadreStatus.ACTIVE, unit__path__startswith=plan.unit.path
        )
        .select_related("unit", "post_level")
        .only(
            "id",
            "unit",
            "unit__path",
            "unit__is_hardship_area",
            "post_level",
            "post_level__order",
        )
        .order_by("pk")
        if c.pk not in enrolled
    ]
    managed = managing_units(candidates)
    cadres = [c for c in candidates if managed[c.pk].pk == plan.unit_id]
    extras = _extras_for(plan, cadres)
    created = CheckupRecord.objects.bulk_create(
        [CheckupRecord(plan=plan, cadre_id=c.pk, extra_items=extras[c.pk]) for c in cadres],
        batch_size=ENROL_BATCH,
        ignore_conflicts=True,
    )
    if cadres:
        log(
            LogSubject.CHECKUP,
            plan,
            "enrolled",
            actor=actor,
            note=_("纳入体检%(n)s人") % {"n": len(created)},
        )
    return len(cadres)


# --- attendance ------------------------------------------------------------------------------


def _locked_record(actor, record: CheckupRecord) -> CheckupRecord:
    _require_write(actor)
    try:
        return (
            CheckupRecord.objects.restrict(actor, "change")
            .select_for_update(of=("self",))
            .select_related("plan")
            .get(pk=record.pk)
        )
    except CheckupRecord.DoesNotExist:
        raise PermissionDenied(_("该体检记录不在您的管辖范围内")) from None


def _check_transition(record, allowed, step_label):
    if record.status not in allowed:
        raise TransitionConflict(
            _("体检记录当前为“%(status)s”，不能%(step)s")
            % {"status": record.get_status_display(), "step": step_label}
        )


@transaction.atomic
def checkup_record_attend(
    *, actor, record: CheckupRecord, attended_on: date, conclusion: str = "", follow_up: str = ""
) -> CheckupRecord:
    """Record that the cadre had the check-up (date, conclusion, follow-up); a record already
    attended may be corrected."""
    record = _locked_record(actor, record)
    _check_transition(record, ATTEND_FROM, _("登记体检"))
    if not isinstance(attended_on, date):
        raise ValidationError({"attended_on": _("请填写体检日期")})
    if attended_on > timezone.localdate():
        raise ValidationError({"attended_on": _("体检日期不能晚于今天")})
    before = record.status
    record.status = CheckupStatus.ATTENDED
    record.attended_on = attended_on
    record.conclusion = _clean(conclusion)
    record.follow_up = _clean(follow_up)
    record.exemption_reason = ""
    record.full_clean()
    record.save(
        update_fields=[
            "status",
            "attended_on",
            "conclusion",
            "follow_up",
            "exemption_reason",
            "updated_at",
        ]
    )
    log(
        LogSubject.CHECKUP,
        record,
        "attended",
        actor=actor,
        from_status=before,
        to_status=record.status,
    )
    return record


@transaction.atomic
def checkup_record_exempt(*, actor, record: CheckupRecord, reason: str) -> CheckupRecord:
    """Exempt a cadre from this year's check-up, with the reason (e.g. 长期病休、已另行体检)."""
    record = _locked_record(actor, record)
    _check_transition(record, EXEMPT_FROM, _("免检"))
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"exemption_reason": _("请填写免检原因")})
    if len(reason) > 200:
        raise ValidationError({"exemption_reason": _("免检原因不超过200字")})
    before = record.status
    record.status = CheckupStatus.EXEMPTED
    record.exemption_reason = reason
    record.attended_on = None
    record.save(update_fields=["status", "exemption_reason", "attended_on", "updated_at"])
    log(
        LogSubject.CHECKUP,
        record,
        "exempted",
        actor=actor,
        from_status=before,
        to_status=record.status,
        note=reason,
    )
    return record


# --- reminders ---------------------------------------------------------------------------------


def _reminder_days(unit) -> int:
    _list, items = policy_items(KIND_TALK_SETTINGS, unit)
    for item in items:
        if item.code == "checkup_reminder":
            try:
                return int((item.params or {}).get("days", DEFAULT_REMINDER_DAYS))
            except (TypeError, ValueError):
                return DEFAULT_REMINDER_DAYS
    return DEFAULT_REMINDER_DAYS


def remind_checkups(*, today: date | None = None) -> int:
    """For each plan whose deadline is within `care.talk_settings` → `checkup_reminder.days`
    (and not passed), remind every cadre still pending — through their own account, when they
    have one — once, and tell the plan's organisation department once how many are pending.
    Returns the number of cadres reminded now; a second run reminds nobody."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=366)
    reminded = 0
    plans = CheckupPlan.objects.filter(deadline__gte=today, deadline__lte=horizon).select_related(
        "unit"
    )
    for plan in plans:
        if plan.deadline > today + timedelta(days=_reminder_days(plan.unit)):
            continue
        pending = plan.records.filter(status=CheckupStatus.PENDING)
        pending_count = pending.count()
        if not pending_count:
            continue
        link = reverse("care:checkup_plan_detail", args=[plan.pk])
        fresh = list(pending.filter(reminded_at__isnull=True).values_list("pk", "cadre_id"))
        if fresh:
            users = User.objects.filter(cadre_id__in=[cid for _pk, cid in fresh], is_active=True)
            notify(
                recipients=list(users),
                kind="care.checkup_reminder",
                title=_("请于%(deadline)s前参加%(title)s")
                % {"deadline": plan.deadline, "title": plan.title},
                body=_("体检机构：%(place)s；常规项目：%(items)s")
                % {"place": plan.institution or _("见通知"), "items": plan.standard_items},
                link=reverse("care:my_care"),
                dedupe_key=f"care.checkup:{plan.pk}",
            )
            CheckupRecord.objects.filter(pk__in=[pk for pk, _cid in fresh]).update(
                reminded_at=timezone.now()
            )
            reminded += len(fresh)
        notify(
            recipients=list(organisation_users([plan.unit_id])),
            kind="care.checkup_reminder",
            title=_("%(title)s将于%(deadline)s截止，尚有%(n)s人未体检")
            % {"title": plan.title, "deadline": plan.deadline, "n": pending_count},
            body=_("请督促未体检干部在规定时间内参加健康体检（闽19）。"),
            link=link,
            dedupe_key=f"care.checkup_plan:{plan.pk}",
        )
    return reminded

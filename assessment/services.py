"""Writes of the annual assessment (DOMAIN §2; F 5, F 7)."""

import math
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import CadreStatus, PerformanceSource
from cadre.models import Cadre, Unit, User
from cadre.selectors import policy_list_for
from cadre.services import notify, performance_entry_append
from cadre.text import clean_text as _clean

from .choices import (
    KIND_EXCELLENCE_BLOCKERS,
    KIND_GRADE_QUOTAS,
    QUOTA_BASE,
    QUOTA_RAISED,
    CycleStatus,
    Grade,
    TeamGrade,
)
from .models import WRITE_ROLES, AnnualGrade, AssessmentCycle, TeamAssessment, UnitQuota


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def _require_writer(user):
    if getattr(user, "is_superuser", False):
        return
    if not _roles(user) & WRITE_ROLES:
        raise PermissionDenied(_("年度考核由组织部门办理"))


@transaction.atomic
def cycle_open(*, actor, unit: Unit, year: int, title: str = "") -> AssessmentCycle:
    """Open a year's annual assessment for `unit` and the units below it."""
    _require_writer(actor)
    if not Unit.objects.restrict(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("请选择您管辖范围内的单位")})
    this_year = timezone.localdate().year
    if not (2000 <= int(year) <= this_year):
        raise ValidationError({"year": _("考核年度须在2000年至今年之间")})
    if AssessmentCycle.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": _("该单位本年度的年度考核已经建立")})
    quota_list = policy_list_for(KIND_GRADE_QUOTAS, unit)
    blockers_list = policy_list_for(KIND_EXCELLENCE_BLOCKERS, unit)
    if quota_list is None or blockers_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布优秀等次比例清单，无法开展年度考核")})
    cycle = AssessmentCycle(
        year=year,
        unit=unit,
        title=_clean(title) or _("%(unit)s%(year)s年度考核") % {"unit": unit.name, "year": year},
        quota_list=quota_list,
        blockers_list=blockers_list,
        created_by=actor,
    )
    cycle.full_clean()
    cycle.save()
    return cycle


def _lock_cycle(actor, cycle, *, open_only=True):
    _require_writer(actor)
    locked = (
        AssessmentCycle.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=cycle.pk)
        .first()
    )
    if locked is None:
        raise Http404
    if open_only and locked.status != CycleStatus.OPEN:
        raise ValidationError({"__all__": _("等次已经确定，不能再修改")})
    return locked


def quota_ratio(cycle: AssessmentCycle, raised: bool) -> tuple[Decimal, str]:
    items = {i.code: i for i in cycle.quota_list.items.all()}
    item = items.get(QUOTA_RAISED if raised else QUOTA_BASE) or items.get(QUOTA_BASE)
    params = item.params if item else {}
    return Decimal(str(params.get("ratio", "0.20"))), params.get("rounding", "floor")


def quota_cap(participants: int, ratio: Decimal, rounding: str = "floor") -> int:
    """优秀 may be given to at most `ratio` of the participants (rounded down by default)."""
    exact = Decimal(participants) * ratio
    if rounding == "round":
        return int(exact.quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    return math.floor(exact)


def assessed_cadres(cycle: AssessmentCycle, unit: Unit):
    """The serving cadres of `unit` this cycle assesses: those the organising unit manages
    (干部管理权限: up to its `manages_up_to` level)."""
    qs = Cadre.objects.filter(unit=unit, status=CadreStatus.ACTIVE)
    limit = cycle.unit.manages_up_to
    if limit is not None:
        qs = qs.filter(Q(post_level__isnull=True) | Q(post_level__order__lte=limit.order))
    return qs


def quota_status(cycle: AssessmentCycle, unit: Unit, *, grades=None) -> dict:
    """The quota of one assessed unit: participants, ratio, cap, 优秀 given, places left.
    Participants are the unit's serving cadres the cycle assesses, or the cadres graded there
    if more."""
    quota = UnitQuota.objects.filter(cycle=cycle, unit=unit).first()
    raised = bool(quota and quota.raised)
    ratio, rounding = quota_ratio(cycle, raised)
    serving = assessed_cadres(cycle, unit).count()
    if grades is None:
        counts = AnnualGrade.objects.filter(cycle=cycle, unit=unit).aggregate(
            graded=Count("id"), excellent=Count("id", filter=Q(grade=Grade.EXCELLENT))
        )
        graded, excellent = counts["graded"], counts["excellent"]
    else:
        graded = len(grades)
        excellent = sum(1 for g in grades.values() if g == Grade.EXCELLENT)
    participants = max(serving, graded)
    cap = quota_cap(participants, ratio, rounding)
    return {
        "unit": unit,
        "raised": raised,
        "ratio": ratio,
        "participants": participants,
        "graded": graded,
        "cap": cap,
        "excellent": excellent,
        "remaining": cap - excellent,
    }


def _lock_quota(cycle, unit):
    quota, _created = UnitQuota.objects.get_or_create(cycle=cycle, unit=unit)
    # Every grading of the unit takes this lock: two people grading at once cannot both take
    # the last 优秀 place.
    return UnitQuota.objects.select_for_update().get(pk=quota.pk)


@transaction.atomic
def unit_quota_set(*, actor, cycle: AssessmentCycle, unit: Unit, raised: bool, reason: str = ""):
    """Give a unit ranked top in the annual performance evaluation the raised ratio (F 7)."""
    cycle = _lock_cycle(actor, cycle)
    if not unit.path.startswith(cycle.unit.path):
        raise ValidationError({"unit": _("该单位不在本次考核范围内")})
    quota = _lock_quota(cycle, unit)
    if raised and not _clean(reason):
        raise ValidationError({"raised_reason": _("上浮优秀比例须写明依据（年度绩效考评排名）")})
    if not raised:
        status = quota_status(cycle, unit)
        base_cap = quota_cap(status["participants"], *quota_ratio(cycle, False))
        if status["excellent"] > base_cap:
            raise ValidationError(
                {
                    "raised": _("已评定优秀%(n)s人，超过基本比例名额%(cap)s人，不能取消上浮")
                    % {"n": status["excellent"], "cap": base_cap}
                }
            )
    quota.raised = bool(raised)
    quota.raised_reason = _clean(reason) if raised else ""
    quota.save(update_fields=["raised", "raised_reason"])
    return quota


def excellence_blockers(cycle: AssessmentCycle, cadre_ids) -> dict[int, list[str]]:
    """Accountability decisions in the year that rule out 优秀 (forms listed in the blockers
    list). A matter whose tolerance case exempted the cadre is not held against them."""
    from tolerance.selectors import accountability_held_against

    forms = {i.code for i in cycle.blockers_list.items.all()}
    start, end = date(cycle.year, 1, 1), date(cycle.year, 12, 31)
    found: dict[int, list[str]] = {}
    for cadre_id, _matter, decided_on, form, label in accountability_held_against(
        cadre_ids, since=start, until=end
    ):
        if form in forms:
            found.setdefault(cadre_id, []).append(f"{decided_on:%Y-%m-%d} {label}")
    return found


@transaction.atomic
def annual_grades_save(*, actor, cycle: AssessmentCycle, unit: Unit, rows) -> list[AnnualGrade]:
    """Grade the cadres of one unit: `rows` are dicts with cadre (id), grade, responsibility,
    comments. All rows are checked and either all are saved or none; errors are keyed by the
    cadre id. The 优秀 quota is checked on the unit's grades as they would be after the save."""
    cycle = _lock_cycle(actor, cycle)
    if not unit.path.startswith(cycle.unit.path):
        raise ValidationError({"unit": _("该单位不在本次考核范围内")})
    _lock_quota(cycle, unit)
    ids = [int(r["cadre"]) for r in rows]
    visible = Cadre.objects.restrict(actor, "view").filter(pk__in=ids)
    cadres = {c.pk: c for c in assessed_cadres(cycle, unit).filter(pk__in=visible.values("pk"))}
    existing = {g.cadre_id: g for g in AnnualGrade.objects.filter(cycle=cycle, cadre_id__in=ids)}
    errors = {}
    for row in rows:
        cadre_id = int(row["cadre"])
        grade, text = row.get("grade") or "", _clean(row.get("responsibility"))
        if cadre_id not in cadres:
            errors[str(cadre_id)] = _("该干部不在本单位、不在职或不属于本次考核的管理范围")
        elif grade not in Grade.values:
            errors[str(cadre_id)] = _("请选择考核等次")
        elif not text:
            errors[str(cadre_id)] = _("请填写担当作为情况")
        elif cadre_id in existing and existing[cadre_id].unit_id != unit.pk:
            errors[str(cadre_id)] = _("该干部已在其他单位评定等次")
    if errors:
        raise ValidationError(errors)
    new_excellent = [int(r["cadre"]) for r in rows if r["grade"] == Grade.EXCELLENT]
    blocked = excellence_blockers(cycle, new_excellent) if new_excellent else {}
    if blocked:
        raise ValidationError(
            {
                str(cadre_id): _("本年度受到%(what)s，不能评为优秀") % {"what": "、".join(reasons)}
                for cadre_id, reasons in blocked.items()
            }
        )
    grades = dict(
        AnnualGrade.objects.filter(cycle=cycle, unit=unit).values_list("cadre_id", "grade")
    )
    grades.update({int(r["cadre"]): r["grade"] for r in rows})
    status = quota_status(cycle, unit, grades=grades)
    if status["excellent"] > status["cap"]:
        raise ValidationError(
            {
                "__all__": _(
                    "%(unit)s优秀等次名额为%(cap)s人（参加考核%(n)s人，比例%(ratio)s%%），"
                    "本次评定后将有%(excellent)s人为优秀，超出%(over)s人，请调整后再保存"
                )
                % {
                    "unit": unit.name,
                    "cap": status["cap"],
                    "n": status["participants"],
                    "ratio": (status["ratio"] * 100).normalize(),
                    "excellent": status["excellent"],
                    "over": status["excellent"] - status["cap"],
                }
            }
        )
    saved = []
    now = timezone.now()
    for row in rows:
        cadre_id = int(row["cadre"])
        values = {
            "grade": row["grade"],
            "responsibility": _clean(row.get("responsibility")),
            "comments": _clean(row.get("comments")),
        }
        grade = existing.get(cadre_id)
        if grade is None:
            grade = AnnualGrade(
                cycle=cycle, cadre_id=cadre_id, unit=unit, graded_by=actor, graded_at=now, **values
            )
            grade.full_clean(exclude=["cycle", "cadre", "unit"])
            grade.save()
        elif any(getattr(grade, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(grade, k, v)
            grade.graded_by, grade.graded_at = actor, now
            grade.save(update_fields=[*values, "graded_by", "graded_at"])
        saved.append(grade)
    return saved


def annual_grade_save(*, actor, cycle, cadre: Cadre, grade, responsibility, comments=""):
    return annual_grades_save(
        actor=actor,
        cycle=cycle,
        unit=cadre.unit,
        rows=[
            {
                "cadre": cadre.pk,
                "grade": grade,
                "responsibility": responsibility,
                "comments": comments,
            }
        ],
    )[0]


@transaction.atomic
def team_grade_save(*, actor, cycle, unit: Unit, grade, responsibility, comments=""):
    cycle = _lock_cycle(actor, cycle)
    if not unit.path.startswith(cycle.unit.path):
        raise ValidationError({"unit": _("该单位不在本次考核范围内")})
    if grade not in TeamGrade.values:
        raise ValidationError({"grade": _("请选择班子等次")})
    if not _clean(responsibility):
        raise ValidationError({"responsibility": _("请填写担当作为情况")})
    team, _created = TeamAssessment.objects.update_or_create(
        cycle=cycle,
        unit=unit,
        defaults={
            "grade": grade,
            "responsibility": _clean(responsibility),
            "comments": _clean(comments),
            "graded_by": actor,
            "graded_at": timezone.now(),
        },
    )
    return team


@transaction.atomic
def cycle_close(*, actor, cycle: AssessmentCycle) -> AssessmentCycle:
    """Fix the grades (确定等次): each grade goes into the cadre's performance record once."""
    cycle = _lock_cycle(actor, cycle)
    over = []
    for unit_id in (
        AnnualGrade.objects.filter(cycle=cycle).values_list("unit_id", flat=True).distinct()
    ):
        status = quota_status(cycle, Unit.objects.get(pk=unit_id))
        if status["excellent"] > status["cap"]:
            over.append(status["unit"].name)
    if over:
        raise ValidationError(
            {"__all__": _("以下单位优秀等次超出比例：%(units)s") % {"units": "、".join(over)}}
        )
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["status", "closed_at"])
    end = date(cycle.year, 12, 31)
    for grade in AnnualGrade.objects.filter(cycle=cycle).select_related("cadre"):
        performance_entry_append(
            cadre=grade.cadre,
            occurred_on=min(end, timezone.localdate()),
            source=PerformanceSource.ASSESSMENT,
            title=_("%(year)s年度考核：%(grade)s")
            % {"year": cycle.year, "grade": grade.get_grade_display()},
            detail=grade.responsibility,
            category=f"annual_{grade.grade}",
            source_key=f"assessment.annual:{cycle.year}:{grade.cadre_id}",
            actor=actor,
        )
    return cycle


@transaction.atomic
def cycle_feed_back(*, actor, cycle: AssessmentCycle) -> AssessmentCycle:
    """Feed the results back to the cadres (考核结果反馈, F 7): each graded cadre with a user
    account is notified and can read their grade."""
    cycle = _lock_cycle(actor, cycle, open_only=False)
    if cycle.status != CycleStatus.CLOSED:
        raise ValidationError({"__all__": _("确定等次后才能反馈考核结果")})
    now = timezone.now()
    cycle.status = CycleStatus.FED_BACK
    cycle.fed_back_at = now
    cycle.save(update_fields=["status", "fed_back_at"])
    AnnualGrade.objects.filter(cycle=cycle, fed_back_at__isnull=True).update(fed_back_at=now)
    users = User.objects.filter(cadre__annual_grades__cycle=cycle, is_active=True)
    notify(
        recipients=list(users),
        kind="assessment.result_fed_back",
        title=_("%(year)s年度考核结果已反馈") % {"year": cycle.year},
        body=_("请查看您的年度考核等次和评语。"),
        link=reverse("assessment:my_results"),
        dedupe_key=f"assessment.feedback:{cycle.pk}",
    )
    return cycle

"""Ordinary assessment (平时考核, DOMAIN §2, X "223"): the weekly record (每周纪实) and the monthly
summary (月度小结) a cadre keeps, the review of the summary, and the reads the pages, the API and
the quarterly review (季度总评) job share.

Who writes: the cadre for themself (the cadre linked to their account), the organisation
department for the cadres in its jurisdiction, and the leader of the cadre's own unit. A cadre
outside the actor's view is not found (404); one in view that the actor may not write for is
refused (403). The summary is reviewed by the unit leader or the organisation department, never
by the cadre themself."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import CadreStatus, Role
from cadre.models import Cadre, Unit

from .models import WRITE_ROLES, MonthlySummary, WeeklyRecord

EARLIEST_YEAR = 2000


# --- calendar ---------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter."""
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    next_first = (
        datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    )
    return first, next_first - datetime.timedelta(days=1)


def working_weeks(year: int, quarter: int, *, on: datetime.date | None = None) -> list:
    """The Mondays of the quarter up to `on` (today): the weeks a record is due for."""
    first, last = quarter_bounds(year, quarter)
    last = min(last, on or today())
    day = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
    weeks = []
    while day <= last:
        weeks.append(day)
        day += datetime.timedelta(days=7)
    return weeks


def due_months(year: int, quarter: int, *, on: datetime.date | None = None) -> list:
    """The first days of the quarter's months up to `on` (today)."""
    first, _last = quarter_bounds(year, quarter)
    on = on or today()
    months = [datetime.date(year, first.month + i, 1) for i in range(3)]
    return [m for m in months if m <= on]


# --- who may write ----------------------------------------------------------------------------


def _roles(user) -> set:
    return set(getattr(user, "roles", None) or [])


def _is_self(user, cadre_id) -> bool:
    return bool(getattr(user, "cadre_id", None)) and user.cadre_id == cadre_id


def _leads_unit(user, cadre) -> bool:
    return (
        Role.UNIT_LEADER in _roles(user)
        and user.unit_id is not None
        and (user.unit_id == cadre.unit_id)
    )


def _organisation(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(_roles(user) & WRITE_ROLES)


def can_write_records(user, cadre) -> bool:
    """Whether `user` may keep `cadre`'s weekly records and monthly summaries (the cadre being
    in the user's view): the cadre themself, the organisation department, the unit's leader."""
    return _is_self(user, cadre.pk) or _organisation(user) or _leads_unit(user, cadre)


def can_review(user, cadre) -> bool:
    """Whether `user` may review `cadre`'s monthly summaries: the unit's leader or the
    organisation department, never the cadre themself."""
    if _is_self(user, cadre.pk):
        return False
    return _organisation(user) or _leads_unit(user, cadre)


def _visible_cadre(actor, cadre) -> Cadre:
    """The cadre as the actor may see it, with its unit; 404 outside the actor's view."""
    found = Cadre.objects.restrict(actor, "view").select_related("unit").filter(pk=cadre.pk).first()
    if found is None:
        raise Http404
    return found


def _require_author(actor, cadre) -> Cadre:
    cadre = _visible_cadre(actor, cadre)
    if not can_write_records(actor, cadre):
        raise PermissionDenied(_("只有干部本人、所在单位领导或组织部门可以填写平时考核纪实"))
    return cadre


def _text(value) -> str:
    return str(value or "").strip()


def _as_date(value, field) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: _("请填写有效的日期")})


def normalise_week(value) -> datetime.date:
    """The Monday of the week `value` falls in; a week that has not begun is refused."""
    week_start = monday_of(_as_date(value, "week_start"))
    if week_start > today():
        raise ValidationError({"week_start": _("不能填写尚未开始的周")})
    if week_start.year < EARLIEST_YEAR:
        raise ValidationError({"week_start": _("日期过早，请检查")})
    return week_start


def normalise_month(value) -> datetime.date:
    """The first day of the month `value` falls in; a month that has not begun is refused."""
    month = _as_date(value, "month").replace(day=1)
    if month > today():
        raise ValidationError({"month": _("不能填写尚未开始的月份")})
    if month.year < EARLIEST_YEAR:
        raise ValidationError({"month": _("日期过早，请检查")})
    return month


# --- writes -----------------------------------------------------------------------------------


def _upsert(model, lookup, values, *, actor):
    """Update the row of `lookup` under a lock, or create it; two first saves of the same
    week at once end as one row (the unique constraint), the later one updating it."""
    for _attempt in range(2):
        row = model.objects.select_for_update().filter(**lookup).first()
        if row is not None:
            return row, False
        row = model(**lookup, **values, recorded_by=actor, recorded_at=timezone.now())
        row.full_clean()
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue
        return row, True
    raise ValidationError({"__all__": _("保存冲突，请重试")})


@transaction.atomic
def weekly_record_upsert(*, actor, cadre, week_start, work_done, next_plan="") -> tuple:
    """Save the cadre's record of a week (a Monday, not in the future): created the first
    time, updated afterwards. Returns (record, created)."""
    cadre = _require_author(actor, cadre)
    week_start = normalise_week(week_start)
    work_done, next_plan = _text(work_done), _text(next_plan)
    if not work_done:
        raise ValidationError({"work_done": _("请填写本周工作纪实")})
    values = {"work_done": work_done, "next_plan": next_plan}
    record, created = _upsert(
        WeeklyRecord, {"cadre": cadre, "week_start": week_start}, values, actor=actor
    )
    if not created:
        record.work_done, record.next_plan = work_done, next_plan
        record.recorded_by, record.recorded_at = actor, timezone.now()
        record.full_clean()
        record.save(update_fields=["work_done", "next_plan", "recorded_by", "recorded_at"])
    return record, created


def weekly_record_save(*, actor, cadre, week_start, work_done, next_plan="") -> WeeklyRecord:
    """每周纪实 of `cadre` for the week of `week_start` (see `weekly_record_upsert`)."""
    record, _created = weekly_record_upsert(
        actor=actor, cadre=cadre, week_start=week_start, work_done=work_done, next_plan=next_plan
    )
    return record


@transaction.atomic
def monthly_summary_upsert(*, actor, cadre, month, summary) -> tuple:
    """Save the cadre's summary of a month (its first day, not in the future). A reviewed
    summary is final: the review was given on its text. Returns (summary, created)."""
    cadre = _require_author(actor, cadre)
    month = normalise_month(month)
    text = _text(summary)
    if not text:
        raise ValidationError({"summary": _("请填写月度小结")})
    row, created = _upsert(
        MonthlySummary, {"cadre": cadre, "month": month}, {"summary": text}, actor=actor
    )
    if not created:
        if row.review:
            raise ValidationError({"summary": _("该月小结已经审阅，不能再修改")})
        row.summary, row.recorded_by, row.recorded_at = text, actor, timezone.now()
        row.full_clean()
        row.save(update_fields=["summary", "recorded_by", "recorded_at"])
    return row, created


def monthly_summary_save(*, actor, cadre, month, summary) -> MonthlySummary:
    """月度小结 of `cadre` for the month of `month` (see `monthly_summary_upsert`)."""
    row, _created = monthly_summary_upsert(actor=actor, cadre=cadre, month=month, summary=summary)
    return row


@transaction.atomic
def monthly_summary_review(*, actor, summary, review) -> MonthlySummary:
    """The unit leader's or the organisation department's comment on a monthly summary."""
    locked = (
        MonthlySummary.objects.restrict(actor, "view")
        .select_for_update(of=("self",))
        .select_related("cadre")
        .filter(pk=summary.pk)
        .first()
    )
    if locked is None:
        raise Http404
    if not can_review(actor, locked.cadre):
        raise PermissionDenied(_("月度小结由所在单位领导或组织部门审阅，本人不能审阅"))
    text = _text(review)
    if not text:
        raise ValidationError({"review": _("请填写审阅意见")})
    locked.review, locked.reviewed_by = text, actor
    locked.full_clean()
    locked.save(update_fields=["review", "reviewed_by"])
    return locked


# --- reads ------------------------------------------------------------------------------------


def serving_cadres(unit, *, user=None):
    """The serving cadres of `unit` itself (not of the units below), as `user` may see them."""
    qs = Cadre.objects.restrict(user, "view") if user is not None else Cadre.objects.all()
    return qs.filter(unit=unit, status=CadreStatus.ACTIVE)


def _quarter_counts_annotation(year, quarter, *, on=None):
    first, last = quarter_bounds(year, quarter)
    if on is not None:
        last = min(last, on)
    return {
        "weeks": Count(
            "weekly_records",
            filter=Q(weekly_records__week_start__range=(first, last)),
            distinct=True,
        ),
        "months": Count(
            "monthly_summaries",
            filter=Q(monthly_summaries__month__range=(first, last)),
            distinct=True,
        ),
    }


def record_completeness(unit, year, quarter, *, user=None, on=None) -> list[dict]:
    """Per serving cadre of `unit`: weeks recorded of the working weeks of the quarter so far
    (its Mondays up to today), months summarised of its months so far, and whether this week
    is recorded. One query, however many cadres."""
    on = on or today()
    weeks_due = len(working_weeks(year, quarter, on=on))
    months_due = len(due_months(year, quarter, on=on))
    this_week = WeeklyRecord.objects.filter(cadre=OuterRef("pk"), week_start=monday_of(on))
    cadres = (
        serving_cadres(unit, user=user)
        .select_related("post_level")
        .annotate(**_quarter_counts_annotation(year, quarter, on=on))
        .annotate(recorded_this_week=Exists(this_week))
        .order_by("name", "id")
    )
    rows = []
    for cadre in cadres:
        percent = min(100, round(100 * cadre.weeks / weeks_due)) if weeks_due else None
        rows.append(
            {
                "cadre": cadre,
                "weeks": cadre.weeks,
                "weeks_due": weeks_due,
                "months": cadre.months,
                "months_due": months_due,
                "percent": percent,
                "recorded_this_week": cadre.recorded_this_week,
            }
        )
    return rows


def missing_this_week(unit, *, user=None, on=None):
    """The serving cadres of `unit` without a record of the current week."""
    week = monday_of(on or today())
    recorded = WeeklyRecord.objects.filter(cadre=OuterRef("pk"), week_start=week)
    return serving_cadres(unit, user=user).filter(~Exists(recorded)).order_by("name", "id")


def quarter_counts(cadre_ids, year, quarter) -> dict[int, tuple[int, int]]:
    """{cadre id: (weeks recorded, months summarised)} in the quarter, for every cadre asked
    about (zeros included). One query."""
    ids = list(cadre_ids)
    if not ids:
        return {}
    rows = (
        Cadre.objects.filter(pk__in=ids)
        .order_by()
        .annotate(**_quarter_counts_annotation(year, quarter))
        .values_list("pk", "weeks", "months")
    )
    return {pk: (weeks, months) for pk, weeks, months in rows}


def units_for(user):
    """The units whose completeness `user` may look at."""
    return Unit.objects.restrict(user, "view")

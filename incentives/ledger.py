"""The ledger of handled and disciplined cadres (受处理处分干部台账, F 15), the 能上能下 record
(F 11, ZJK 6) and the reviews opened when an impact period ends (F 15; X 能下再上).

F 15: "建立受处理处分干部台账，跟踪掌握受处理处分干部思想动态、工作状态和工作业绩。对处理
处分影响期满，且认错态度诚恳、工作表现突出、群众普遍认可的干部，综合分析研判问题性质、动机原
因、轻重程度、后果影响和态度认识等情况，按程序予以正常使用。"

X: "对影响期满、工作实绩突出、经组织考察符合任职条件的干部，可以给予其‘二次上位’的机会".

The kinds of sanction and their impact periods come from the list `incentives.sanction_kinds`
applying at the cadre's unit; the situations of 能上能下 from `incentives.down_situations`.

Writes (services): `sanction_record`, `sanction_confirm_kind`, `sanction_revoke`,
`sanction_tracking_add`, `sanction_record_from_event`, `adjustment_record`,
`open_expiry_reviews`, `review_decide`. Reads (selectors): `sanction_ledger`,
`adjustment_ledger`, `review_queue`, `tracking_summary`, `organisation_users_covering`."""

import calendar
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadre.choices import Role
from cadre.events import event_record
from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, PostLevel, User
from cadre.selectors import policy_items
from cadre.services import cadre_update, notify
from cadre.text import clean_text as _clean

from .choices import (
    KIND_DOWN_SITUATIONS,
    KIND_SANCTION_KINDS,
    AdjustmentStatus,
    DownAction,
    LogSubject,
    Rating,
    ReviewDecision,
    ReviewStatus,
    SanctionStatus,
)
from .models import Adjustment, ExpiryReview, Sanction, SanctionTracking
from .models.common import can_write, log

EVENT_SANCTION_RECORDED = "incentives.sanction_recorded"
EVENT_ADJUSTED_DOWN = "incentives.adjusted_down"

# The groups of the sanction-kinds list (`item.group`), shown as the ledger's categories.
CATEGORY_LABELS = {
    "party": gettext_lazy("党纪处分"),
    "government": gettext_lazy("政务处分"),
    "organisational": gettext_lazy("组织处理"),
}

# Which status a record may leave for which, by the step taken. Anything else is refused.
SANCTION_TRANSITIONS = {
    "confirm_kind": ({SanctionStatus.PENDING_KIND}, SanctionStatus.IN_IMPACT),
    "revoke": ({SanctionStatus.PENDING_KIND, SanctionStatus.IN_IMPACT}, SanctionStatus.REVOKED),
    "open_review": ({SanctionStatus.IN_IMPACT}, SanctionStatus.REVIEW),
    ReviewDecision.NORMAL_USE: (
        {SanctionStatus.REVIEW, SanctionStatus.OBSERVING},
        SanctionStatus.NORMAL_USE,
    ),
    ReviewDecision.OBSERVE: ({SanctionStatus.REVIEW}, SanctionStatus.OBSERVING),
}
ADJUSTMENT_TRANSITIONS = {
    "open_review": ({AdjustmentStatus.IN_EFFECT}, AdjustmentStatus.REVIEW),
    ReviewDecision.REINSTATE: (
        {AdjustmentStatus.REVIEW, AdjustmentStatus.OBSERVING},
        AdjustmentStatus.REINSTATED,
    ),
    ReviewDecision.OBSERVE: ({AdjustmentStatus.REVIEW}, AdjustmentStatus.OBSERVING),
}
# The conclusions open to each kind of review: a sanction ends in normal use by procedure
# (F 15), a 能上能下 action in reinstatement (能下再上, X); either may be observed further.
REVIEW_DECISIONS = {
    "sanction": (ReviewDecision.NORMAL_USE, ReviewDecision.OBSERVE),
    "adjustment": (ReviewDecision.REINSTATE, ReviewDecision.OBSERVE),
}
# A sanction is followed up (跟踪掌握) while it is held against the cadre and until decided.
TRACKING_STATUSES = {
    SanctionStatus.PENDING_KIND,
    SanctionStatus.IN_IMPACT,
    SanctionStatus.REVIEW,
    SanctionStatus.OBSERVING,
}
# Down actions that move the cadre to another post, which must then be named.
ACTIONS_WITH_NEW_POST = {DownAction.ADJUSTMENT, DownAction.DEMOTION}
EXPIRING_DAYS = 30


def _require_write(actor):
    if not can_write(actor):
        raise PermissionDenied(_("受处理处分干部台账和能上能下由组织部门办理"))


def _check_transition(table, step, current):
    sources, target = table[step]
    if current not in sources:
        raise TransitionConflict(_("记录当前状态不允许此操作，请刷新后查看"))
    return target


def _check_past_date(value, field, label):
    if not isinstance(value, date):
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    if value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天") % {"label": label}})
    if value.year < 1980:
        raise ValidationError({field: _("%(label)s不能早于1980年") % {"label": label}})
    return value


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def impact_end(decided_on: date, months: int) -> date:
    """The last day of an impact period of `months` from `decided_on`: the day before the same
    date `months` later (decided 2025-01-10, 6 months → 2025-07-09)."""
    return add_months(decided_on, months) - timedelta(days=1)


def _months(item):
    value = (item.params or {}).get("impact_months")
    try:
        months = int(value)
    except (TypeError, ValueError):
        return None
    return months if months >= 0 else None


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def sanction_kinds_for(unit):
    """(list, {code: item}) of the sanction-kinds list applying at `unit`."""
    kinds_list, items = policy_items(KIND_SANCTION_KINDS, unit)
    return kinds_list, {item.code: item for item in items}


def down_situations_for(unit):
    """(list, [item]) of the 能上能下 situations applying at `unit`."""
    return policy_items(KIND_DOWN_SITUATIONS, unit)


def _cadre_in_scope(actor, cadre, field="cadre"):
    if cadre is None:
        raise ValidationError({field: _("请选择干部")})
    found = (
        Cadre.objects.restrict(actor, "change")
        .select_related("unit", "post_level")
        .filter(pk=cadre.pk)
        .first()
    )
    if found is None:
        raise ValidationError({field: _("请选择您管辖范围内的干部")})
    return found


def organisation_users_covering(cadre):
    """The active organisation-department users whose jurisdiction covers the cadre (the unit
    or one above it, managing the cadre's post level)."""
    users = User.objects.filter(
        is_active=True,
        roles__overlap=[Role.ORGANISATION],
        unit_id__in=cadre.unit.ancestor_ids,
    )
    if cadre.post_level_id:
        users = users.filter(
            Q(unit__manages_up_to__isnull=True)
            | Q(unit__manages_up_to__order__gte=cadre.post_level.order)
        )
    return list(users)


def _apply_kind(sanction, kinds_list, item):
    months = _months(item)
    if months is None:
        raise ValidationError({"kind_code": _("该处理处分种类未设置影响期，请先完善清单")})
    sanction.kinds_list = kinds_list
    sanction.kind_code = item.code
    sanction.kind_label = item.label
    sanction.category = item.group
    sanction.impact_months = months
    sanction.impact_until = impact_end(sanction.decided_on, months)


# --- sanctions --------------------------------------------------------------------------------


@transaction.atomic
def sanction_record(
    *,
    actor,
    cadre: Cadre,
    kind_code: str,
    decided_on: date,
    reason: str,
    authority: str = "",
    document_number: str = "",
) -> Sanction:
    """Enter a handling or disciplinary sanction in the ledger (F 15). The kind comes from the
    sanction-kinds list at the cadre's unit and gives the impact period. Tells care (五必谈
    trigger 4) through `incentives.sanction_recorded`."""
    _require_write(actor)
    cadre = _cadre_in_scope(actor, cadre)
    errors = {}
    kinds_list, items = sanction_kinds_for(cadre.unit)
    if kinds_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布处理处分种类清单")})
    item = items.get(_clean(kind_code))
    if item is None:
        errors["kind_code"] = _("请选择本地区处理处分种类清单中的种类")
    try:
        _check_past_date(decided_on, "decided_on", _("决定日期"))
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = _clean(reason)
    if not reason:
        errors["reason"] = _("请填写处理处分事由")
    if errors:
        raise ValidationError(errors)
    sanction = Sanction(
        cadre=cadre,
        decided_on=decided_on,
        reason=reason,
        authority=_clean(authority),
        document_number=_clean(document_number),
        status=SanctionStatus.IN_IMPACT,
        recorded_by=actor,
    )
    _apply_kind(sanction, kinds_list, item)
    sanction.full_clean(exclude=["cadre", "kinds_list", "matter", "recorded_by"])
    sanction.save()
    log(
        LogSubject.SANCTION,
        sanction,
        "record",
        actor=actor,
        to_status=sanction.status,
        note=f"{sanction.kind_label}：{reason}",
    )
    event_record(
        kind=EVENT_SANCTION_RECORDED,
        actor=actor,
        cadre=cadre,
        source=sanction,
        payload={
            "sanction_id": sanction.pk,
            "kind_code": sanction.kind_code,
            "kind_label": sanction.kind_label,
            "category": sanction.category,
            "decided_on": sanction.decided_on.isoformat(),
            "impact_until": sanction.impact_until.isoformat(),
        },
    )
    return sanction


def _lock_sanction(actor, sanction):
    _require_write(actor)
    locked = (
        Sanction.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .select_related("cadre__unit")
        .filter(pk=getattr(sanction, "pk", sanction))
        .first()
    )
    if locked is None:
        raise Http404
    return locked


@transaction.atomic
def sanction_confirm_kind(*, actor, sanction: Sanction, kind_code: str) -> Sanction:
    """Confirm the kind of an entry recorded from an accountability decision whose form did not
    tell it (纪律处分, 组织处理): the impact period then runs from the decision date."""
    sanction = _lock_sanction(actor, sanction)
    target = _check_transition(SANCTION_TRANSITIONS, "confirm_kind", sanction.status)
    kinds_list, items = sanction_kinds_for(sanction.cadre.unit)
    item = items.get(_clean(kind_code))
    if item is None:
        raise ValidationError({"kind_code": _("请选择本地区处理处分种类清单中的种类")})
    _apply_kind(sanction, kinds_list, item)
    before, sanction.status = sanction.status, target
    sanction.save(
        update_fields=[
            "kinds_list",
            "kind_code",
            "kind_label",
            "category",
            "impact_months",
            "impact_until",
            "status",
        ]
    )
    log(
        LogSubject.SANCTION,
        sanction,
        "confirm_kind",
        actor=actor,
        from_status=before,
        to_status=target,
        note=sanction.kind_label,
    )
    return sanction


@transaction.atomic
def sanction_revoke(*, actor, sanction: Sanction, reason: str) -> Sanction:
    """撤销: the decision was withdrawn or overturned; the entry no longer counts."""
    sanction = _lock_sanction(actor, sanction)
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写撤销理由")})
    target = _check_transition(SANCTION_TRANSITIONS, "revoke", sanction.status)
    before, sanction.status = sanction.status, target
    sanction.save(update_fields=["status"])
    log(
        LogSubject.SANCTION,
        sanction,
        "revoke",
        actor=actor,
        from_status=before,
        to_status=target,
        note=reason,
    )
    return sanction


@transaction.atomic
def sanction_tracking_add(
    *,
    actor,
    sanction: Sanction,
    tracked_on: date,
    attitude: str,
    work: str,
    public_opinion: str,
    attitude_note: str = "",
    work_note: str = "",
    public_opinion_note: str = "",
) -> SanctionTracking:
    """跟踪掌握 (F 15): the cadre's attitude, work and public opinion on a date."""
    sanction = _lock_sanction(actor, sanction)
    if sanction.status not in TRACKING_STATUSES:
        raise TransitionConflict(
            _("该记录为“%(status)s”，不再登记跟踪了解情况")
            % {"status": sanction.get_status_display()}
        )
    errors = {}
    try:
        _check_past_date(tracked_on, "tracked_on", _("了解日期"))
    except ValidationError as error:
        errors.update(error.message_dict)
    else:
        if tracked_on < sanction.decided_on:
            errors["tracked_on"] = _("了解日期不能早于处理处分决定日期")
    for field, value in (
        ("attitude", attitude),
        ("work", work),
        ("public_opinion", public_opinion),
    ):
        if value not in Rating.values:
            errors[field] = _("请选择评价")
    if errors:
        raise ValidationError(errors)
    tracking = SanctionTracking.objects.create(
        sanction=sanction,
        tracked_on=tracked_on,
        attitude=attitude,
        attitude_note=_clean(attitude_note),
        work=work,
        work_note=_clean(work_note),
        public_opinion=public_opinion,
        public_opinion_note=_clean(public_opinion_note),
        recorded_by=actor,
    )
    log(
        LogSubject.SANCTION,
        sanction,
        "tracking",
        actor=actor,
        note=_("%(day)s 认错态度%(a)s、工作状态%(w)s、群众评价%(p)s")
        % {
            "day": tracked_on.isoformat(),
            "a": tracking.get_attitude_display(),
            "w": tracking.get_work_display(),
            "p": tracking.get_public_opinion_display(),
        },
    )
    return tracking


def sanction_record_from_event(event) -> Sanction | None:
    """Enter in the ledger the organisational handling decided on an accountability matter
    (`tolerance.organisational_handling`), once per event. When exactly one kind of the list
    names the accountability form (`accountability_forms`), that kind applies and its impact
    period runs; otherwise the kind waits for the organisation department to confirm it, and
    the department is told. Care has already heard of the decision from the event itself."""
    from tolerance.models import AccountabilityMatter

    if event.cadre_id is None or Sanction.objects.filter(source_event=event).exists():
        return None
    cadre = Cadre.objects.select_related("unit", "post_level").get(pk=event.cadre_id)
    payload = event.payload or {}
    form = payload.get("form", "")
    matter = AccountabilityMatter.objects.filter(pk=payload.get("matter_id")).first()
    kinds_list, items = sanction_kinds_for(cadre.unit)
    if kinds_list is None:
        raise ValueError("no published sanction-kinds list")
    matches = [
        item
        for item in items.values()
        if form and form in ((item.params or {}).get("accountability_forms") or [])
    ]
    decided_on = (matter.decided_on if matter else None) or timezone.localtime(
        event.occurred_at
    ).date()
    form_label = payload.get("form_label") or form
    title = matter.title if matter else ""
    number = payload.get("number") or (matter.number if matter else "")
    sanction = Sanction(
        cadre=cadre,
        kinds_list=kinds_list,
        decided_on=decided_on,
        reason=_("问责（%(form)s）：%(title)s") % {"form": form_label, "title": title or number},
        authority=matter.get_accountable_body_display() if matter else "",
        document_number=number,
        matter=matter,
        source_event=event,
        status=SanctionStatus.PENDING_KIND,
        recorded_by=event.actor,
    )
    if len(matches) == 1:
        _apply_kind(sanction, kinds_list, matches[0])
        sanction.status = SanctionStatus.IN_IMPACT
    try:
        with transaction.atomic():
            sanction.save()
    except IntegrityError:
        return None  # another delivery of the same event recorded it first
    log(
        LogSubject.SANCTION,
        sanction,
        "record_from_accountability",
        actor=event.actor,
        to_status=sanction.status,
        note=_("问责事项%(number)s，问责方式：%(form)s") % {"number": number, "form": form_label},
    )
    if sanction.status == SanctionStatus.PENDING_KIND:
        notify(
            recipients=organisation_users_covering(cadre),
            kind="incentives.sanction_kind_pending",
            title=_("请确认处理处分种类：%(name)s") % {"name": cadre.name},
            body=_(
                "问责事项%(number)s对%(name)s作出“%(form)s”决定，请在受处理处分干部台账中确认处理处分种类，以计算影响期。"
            )
            % {"number": number, "name": cadre.name, "form": form_label},
            link=reverse("incentives:sanction_detail", args=[sanction.pk]),
            dedupe_key=f"incentives.sanction_kind:{sanction.pk}",
        )
    return sanction


# --- 能上能下 ----------------------------------------------------------------------------------


@transaction.atomic
def adjustment_record(
    *,
    actor,
    cadre: Cadre,
    action: str,
    situation_codes,
    reason: str,
    decided_on: date,
    to_post: str = "",
    to_level: PostLevel | None = None,
) -> Adjustment:
    """Record a cadre removed, adjusted or demoted (能上能下, F 11, ZJK 6) for situations of the
    down-situations list. The impact period is the sanction-kinds item of the same code; the
    new post, when given, is written to the cadre's record (which tells care: 五必谈 trigger
    1), and `incentives.adjusted_down` tells it of the action (trigger 4)."""
    _require_write(actor)
    cadre = _cadre_in_scope(actor, cadre)
    errors = {}
    action = _clean(action)
    if action not in DownAction.values:
        raise ValidationError({"action": _("请选择免职、调整或降职")})
    situations_list, situations = down_situations_for(cadre.unit)
    kinds_list, kinds = sanction_kinds_for(cadre.unit)
    if situations_list is None or kinds_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布能上能下情形清单或影响期清单")})
    offered = {item.code: item for item in situations if item.group == action}
    codes = []
    for code in situation_codes or []:
        code = _clean(code)
        if code and code not in codes:
            codes.append(code)
    if not codes:
        errors["situation_codes"] = _("请至少选择一项情形")
    elif any(code not in offered for code in codes):
        errors["situation_codes"] = _("请选择“%(action)s”适用的情形") % {
            "action": DownAction(action).label
        }
    impact_item = kinds.get(action)
    months = _months(impact_item) if impact_item is not None else None
    if months is None:
        errors["action"] = _("影响期清单中没有该方式的影响期，请先完善清单")
    try:
        _check_past_date(decided_on, "decided_on", _("决定日期"))
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = _clean(reason)
    if not reason:
        errors["reason"] = _("请填写事实和理由")
    to_post = _clean(to_post)
    if action in ACTIONS_WITH_NEW_POST and not to_post:
        errors["to_post"] = _("调整或降职须填写调整后职务")
    if to_level is not None and not to_post:
        errors["to_post"] = _("选择调整后职务层次的，须填写调整后职务")
    if action == DownAction.DEMOTION:
        if to_level is None:
            errors["to_level"] = _("降职须选择降低后的职务层次")
        elif cadre.post_level_id and to_level.order >= cadre.post_level.order:
            errors["to_level"] = _("降职后的职务层次须低于原职务层次")
    if errors:
        raise ValidationError(errors)
    adjustment = Adjustment(
        cadre=cadre,
        action=action,
        situations_list=situations_list,
        situation_codes=codes,
        situation_labels=[offered[code].label for code in codes],
        reason=reason,
        decided_on=decided_on,
        from_post=cadre.post or "",
        from_level=cadre.post_level,
        to_post=to_post,
        to_level=to_level if to_post else None,
        impact_list=kinds_list,
        impact_months=months,
        impact_until=impact_end(decided_on, months),
        status=AdjustmentStatus.IN_EFFECT,
        decided_by=actor,
    )
    adjustment.full_clean(
        exclude=["cadre", "situations_list", "from_level", "to_level", "impact_list", "decided_by"]
    )
    adjustment.save()
    if to_post:
        _move_cadre(actor, cadre, to_post, to_level or cadre.post_level, decided_on)
    log(
        LogSubject.ADJUSTMENT,
        adjustment,
        "record",
        actor=actor,
        to_status=adjustment.status,
        note="；".join(adjustment.situation_labels),
    )
    event_record(
        kind=EVENT_ADJUSTED_DOWN,
        actor=actor,
        cadre=cadre,
        source=adjustment,
        payload={
            "adjustment_id": adjustment.pk,
            "action": action,
            "action_label": str(DownAction(action).label),
            "situation_labels": adjustment.situation_labels,
            "from_post": adjustment.from_post,
            "to_post": to_post,
            "decided_on": decided_on.isoformat(),
            "impact_until": adjustment.impact_until.isoformat(),
        },
    )
    return adjustment


def _move_cadre(actor, cadre, post, level, since):
    """Write the new post to the cadre's record (post history, `cadre.post_changed`)."""
    try:
        cadre_update(actor=actor, cadre=cadre, post=post, post_level=level, post_since=since)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error}
        if "post_since" in messages:
            raise ValidationError(
                {"decided_on": _("日期不能早于该干部现任职务的起始时间")}
            ) from None
        raise


# --- expiry reviews ---------------------------------------------------------------------------


def _review_recipients_notify(review, cadre, subject_label):
    notify(
        recipients=organisation_users_covering(cadre),
        kind="incentives.expiry_review",
        title=_("影响期满待研判：%(name)s") % {"name": cadre.name},
        body=_("%(name)s的“%(subject)s”影响期已满，请综合分析研判，决定是否按程序正常使用。")
        % {"name": cadre.name, "subject": subject_label},
        link=reverse("incentives:review_decide", args=[review.pk]),
        dedupe_key=f"incentives.review:{review.pk}",
    )


def _open_one(model, pk, today):
    """Open the review of one sanction or adjustment whose impact period has ended. The
    subject's lock serialises concurrent runs, and the one-to-one column refuses a second
    review whatever happens."""
    is_sanction = model is Sanction
    running = SanctionStatus.IN_IMPACT if is_sanction else AdjustmentStatus.IN_EFFECT
    table = SANCTION_TRANSITIONS if is_sanction else ADJUSTMENT_TRANSITIONS
    with transaction.atomic():
        subject = (
            model.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("cadre__unit", "cadre__post_level")
            .filter(pk=pk, status=running, impact_until__lt=today)
            .first()
        )
        if subject is None:
            return False
        review = ExpiryReview(
            cadre=subject.cadre,
            opened_on=today,
            **({"sanction": subject} if is_sanction else {"adjustment": subject}),
        )
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            return False
        target = _check_transition(table, "open_review", subject.status)
        before, subject.status = subject.status, target
        subject.save(update_fields=["status"])
        subject_kind = LogSubject.SANCTION if is_sanction else LogSubject.ADJUSTMENT
        note = _("影响期%(until)s届满") % {"until": subject.impact_until.isoformat()}
        log(subject_kind, subject, "open_review", from_status=before, to_status=target, note=note)
        log(LogSubject.REVIEW, review, "open", to_status=review.status, note=note)
        label = subject.kind_label if is_sanction else subject.get_action_display()
        _review_recipients_notify(review, subject.cadre, label)
    return True


def open_expiry_reviews(*, today: date | None = None) -> int:
    """Open the review of every sanction and 能上能下 action whose impact period ended before
    `today`, once each; tell the organisation department. Returns how many were opened."""
    today = today or timezone.localdate()
    opened = 0
    for model, running in (
        (Sanction, SanctionStatus.IN_IMPACT),
        (Adjustment, AdjustmentStatus.IN_EFFECT),
    ):
        ids = list(
            model.objects.filter(status=running, impact_until__lt=today, review__isnull=True)
            .order_by("impact_until", "pk")
            .values_list("pk", flat=True)
        )
        opened += sum(1 for pk in ids if _open_one(model, pk, today))
    return opened


@transaction.atomic
def review_decide(
    *,
    actor,
    review: ExpiryReview,
    decision: str,
    analysis: str,
    reinstated_post: str = "",
    reinstated_level: PostLevel | None = None,
) -> ExpiryReview:
    """The organisation department's conclusion after weighing the nature, motive, gravity,
    consequences and attitude (F 15): normal use by procedure for a sanction, reinstatement
    (能下再上, X) for a 能上能下 action — the cadre takes the new post — or further
    observation, after which the review is decided again."""
    _require_write(actor)
    review = (
        ExpiryReview.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=getattr(review, "pk", review))
        .first()
    )
    if review is None:
        raise Http404
    if review.status != ReviewStatus.OPEN:
        raise TransitionConflict(_("该研判已作出结论，不能重复研判"))
    is_sanction = review.sanction_id is not None
    kind = "sanction" if is_sanction else "adjustment"
    errors = {}
    if decision not in REVIEW_DECISIONS[kind]:
        errors["decision"] = (
            _("受处理处分干部的研判结论为按程序正常使用或继续考察")
            if is_sanction
            else _("能上能下干部的研判结论为重新使用或继续考察")
        )
    analysis = _clean(analysis)
    if not analysis:
        errors["analysis"] = _("请综合分析问题性质、动机原因、轻重程度、后果影响和态度认识等情况")
    reinstated_post = _clean(reinstated_post)
    if decision == ReviewDecision.REINSTATE and not is_sanction and not reinstated_post:
        errors["reinstated_post"] = _("重新使用须填写重新任用的职务")
    if errors:
        raise ValidationError(errors)
    model = Sanction if is_sanction else Adjustment
    table = SANCTION_TRANSITIONS if is_sanction else ADJUSTMENT_TRANSITIONS
    subject = (
        model.objects.select_for_update(of=("self",))
        .select_related("cadre__unit", "cadre__post_level")
        .get(pk=review.sanction_id if is_sanction else review.adjustment_id)
    )
    target = _check_transition(table, decision, subject.status)
    today = timezone.localdate()
    before, subject.status = subject.status, target
    fields = ["status"]
    if decision == ReviewDecision.REINSTATE:
        subject.reinstated_on = today
        subject.reinstated_post = reinstated_post
        fields += ["reinstated_on", "reinstated_post"]
        _move_cadre(
            actor,
            subject.cadre,
            reinstated_post,
            reinstated_level or subject.cadre.post_level,
            today,
        )
    subject.save(update_fields=fields)
    review_before = review.status
    review.decision = decision
    review.analysis = analysis
    if decision != ReviewDecision.OBSERVE:
        review.status = ReviewStatus.DECIDED
        review.decided_by = actor
        review.decided_at = timezone.now()
    review.save(update_fields=["decision", "analysis", "status", "decided_by", "decided_at"])
    label = ReviewDecision(decision).label
    log(
        LogSubject.SANCTION if is_sanction else LogSubject.ADJUSTMENT,
        subject,
        f"review_{decision}",
        actor=actor,
        from_status=before,
        to_status=target,
        note=f"{label}：{reinstated_post}" if reinstated_post else str(label),
    )
    log(
        LogSubject.REVIEW,
        review,
        decision,
        actor=actor,
        from_status=review_before,
        to_status=review.status,
        note=analysis,
    )
    return review


# --- selectors --------------------------------------------------------------------------------


def sanction_ledger(user):
    """The ledger entries the user may read, with what the list shows."""
    return Sanction.objects.restrict(user).select_related(
        "cadre__unit", "cadre__post_level", "recorded_by"
    )


def adjustment_ledger(user):
    return Adjustment.objects.restrict(user).select_related(
        "cadre__unit", "from_level", "to_level", "decided_by"
    )


def review_queue(user):
    """The reviews the user may read, open ones first, oldest first."""
    return (
        ExpiryReview.objects.restrict(user)
        .select_related("cadre__unit", "sanction", "adjustment", "decided_by")
        .annotate(
            open_first=Case(
                When(status=ReviewStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "opened_on", "pk")
    )


def tracking_summary(trackings) -> str:
    """One line on the tracking entries (newest first): how many and the latest ratings."""
    trackings = list(trackings)
    if not trackings:
        return ""
    latest = trackings[0]
    return _("共%(n)s次；最近%(day)s：认错态度%(a)s，工作状态%(w)s，群众评价%(p)s") % {
        "n": len(trackings),
        "day": latest.tracked_on.isoformat(),
        "a": latest.get_attitude_display(),
        "w": latest.get_work_display(),
        "p": latest.get_public_opinion_display(),
    }


def expiring_bounds(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today, today + timedelta(days=EXPIRING_DAYS)

"""Talks (谈心谈话, F 16, X): the talks held, the 五必谈 due talks the triggers create, the
family-misfortune reports of trigger 5 and the cadres' own requests ("向组织说说心里话").

F 16: 做到“五必谈”（干部岗位变动必谈、参加重大专项工作必谈、出现苗头性问题必谈、受到组织处理
必谈、发生家庭变故必谈）；组织部门按照干部管理权限，主动找干部谈心谈话. Triggers 1-4 arrive
as domain events from the other apps, trigger 5 is reported here; each event that matches an
item of the `care.talk_triggers` list applying at the cadre's unit becomes one due talk
(`obligation_from_event`), owed by the organisation department that manages the cadre,
reminded before its deadline and escalated to the superior department once overdue
(`remind_due_talks`, settings `care.talk_settings`).

Writes (services): `talk_record`, `obligation_assign`, `obligation_cancel`,
`misfortune_report`, `talk_request_submit`, `talk_request_accept`, `talk_request_decline`.
Reads (selectors): `can_read_confidential`, `can_read_request_content`, `talk_list`,
`obligation_list`, `request_list`, `my_care`."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadre import access
from cadre.choices import PolicyStatus, Role
from cadre.events import event_record
from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, PolicyItem, User
from cadre.selectors import policy_items
from cadre.services import notify
from cadre.text import clean_text as _clean

from .choices import (
    EVENT_FAMILY_MISFORTUNE,
    KIND_TALK_SETTINGS,
    KIND_TALK_TRIGGERS,
    LogSubject,
    ObligationStatus,
    RequestStatus,
    TalkKind,
)
from .models import MisfortuneReport, Talk, TalkObligation, TalkRequest
from .models.common import CONFIDENTIAL_ROLES, can_write, log, timeline, user_roles
from .selectors import managing_unit, organisation_users, superior_managing_unit

# Days used when the settings list names none (care.talk_settings, 默认设置（可调整）).
DEFAULT_DEADLINE_DAYS = 30
DEFAULT_REMIND_BEFORE_DAYS = 7
DEFAULT_ESCALATE_AFTER_DAYS = 1

# Which status a record may leave for which, by the step taken. Anything else is refused.
OBLIGATION_TRANSITIONS = {
    "hold": ({ObligationStatus.DUE}, ObligationStatus.HELD),
    "cancel": ({ObligationStatus.DUE}, ObligationStatus.CANCELLED),
    "assign": ({ObligationStatus.DUE}, ObligationStatus.DUE),
}
REQUEST_TRANSITIONS = {
    "accept": ({RequestStatus.SUBMITTED}, RequestStatus.ACCEPTED),
    "decline": ({RequestStatus.SUBMITTED, RequestStatus.ACCEPTED}, RequestStatus.DECLINED),
    "hold": ({RequestStatus.SUBMITTED, RequestStatus.ACCEPTED}, RequestStatus.HELD),
}

# Names of the assessment consequences a due talk's reason shows (the event carries the code).
CONSEQUENCE_LABELS = {
    "reminder_talk": gettext_lazy("提醒谈话"),
    "admonishment_talk": gettext_lazy("诫勉谈话"),
    "organisational_handling": gettext_lazy("组织处理"),
    "interview_reminder": gettext_lazy("约谈提醒"),
}


# What each step of a timeline is called (CareLog.action of this part).
ACTION_LABELS = {
    "create": gettext_lazy("生成应谈事项"),
    "assign": gettext_lazy("交办"),
    "remind": gettext_lazy("到期提醒"),
    "escalate": gettext_lazy("逾期督办"),
    "hold": gettext_lazy("已谈话办结"),
    "cancel": gettext_lazy("取消"),
    "record": gettext_lazy("登记谈话"),
    "submit": gettext_lazy("提交申请"),
    "accept": gettext_lazy("受理"),
    "decline": gettext_lazy("不予受理"),
}


def _require_write(actor):
    if not can_write(actor):
        raise PermissionDenied(_("谈心谈话由组织部门办理"))


def _check_transition(table, step, current):
    sources, target = table[step]
    if current not in sources:
        raise TransitionConflict(
            _("该事项已被他人办理（当前状态：%(status)s），请刷新后查看")
            % {"status": _status_label(table, current)}
        )
    return target


def _status_label(table, value):
    choices = ObligationStatus if table is OBLIGATION_TRANSITIONS else RequestStatus
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _check_date(value, field, label, *, not_future=True):
    if not isinstance(value, date):
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    if not_future and value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天") % {"label": label}})
    if value.year < 2000:
        raise ValidationError({field: _("%(label)s不能早于2000年") % {"label": label}})
    return value


def _settings_days(unit, code, default):
    """A day count of `care.talk_settings` applying at `unit` (`remind_before`,
    `escalate_after`)."""
    _list, items = policy_items(KIND_TALK_SETTINGS, unit)
    for item in items:
        if item.code == code:
            try:
                return int((item.params or {}).get("days", default))
            except (TypeError, ValueError):
                return default
    return default


# --- confidentiality ----------------------------------------------------------------------------


def _is_superuser(user):
    return bool(getattr(user, "is_superuser", False))


def can_read_confidential(user, talk: Talk) -> bool:
    """Whether `user` may read the talk's confidential content: the talk's parties (the talker,
    the talker cadre's own user, the subject cadre's own user) and the organisation department
    (CONFIDENTIAL_ROLES). The talk is one the user found through `restrict` (scope is checked
    there); every page, the API, admin and the exports ask this one function."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if _is_superuser(user) or user_roles(user) & CONFIDENTIAL_ROLES:
        return True
    if talk.talker_id is not None and talk.talker_id == user.pk:
        return True
    own = getattr(user, "cadre_id", None)
    return own is not None and own in (talk.cadre_id, talk.talker_cadre_id)


def confidential_shown(user, talk: Talk) -> str:
    """The confidential content as `user` may see it: the text, or a mask when there is any."""
    if not talk.confidential_content:
        return ""
    if can_read_confidential(user, talk):
        return talk.confidential_content
    return _("（保密内容，仅谈话双方和组织部门可见）")


def can_read_request_content(user, request: TalkRequest) -> bool:
    """What a cadre wants to tell the organisation is between them: the cadre's own user and
    the organisation department only (X: 向组织说说心里话)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if _is_superuser(user) or user_roles(user) & CONFIDENTIAL_ROLES:
        return True
    own = getattr(user, "cadre_id", None)
    return own is not None and own == request.cadre_id


def request_content_shown(user, request: TalkRequest) -> str:
    if can_read_request_content(user, request):
        return request.content
    return _("（谈话申请内容仅本人和组织部门可见）")


# --- talks ------------------------------------------------------------------------------------


def _locked(model, actor, obj):
    row = model.objects.restrict(actor, "change").select_for_update(of=("self",))
    row = row.filter(pk=obj.pk if hasattr(obj, "pk") else obj).first()
    if row is None:
        raise Http404
    return row


@transaction.atomic
def talk_record(
    *,
    actor,
    cadre: Cadre,
    talker_name: str,
    kind: str,
    held_on: date,
    summary: str,
    follow_up: str = "",
    place: str = "",
    confidential: bool = False,
    confidential_content: str = "",
    talker_cadre: Cadre | None = None,
    obligation: TalkObligation | None = None,
    request: TalkRequest | None = None,
) -> Talk:
    """Record a talk held. Recorded against a due talk (or a cadre's request) it closes it
    (已谈话) in the same transaction; the row is locked, so of two people closing it at once
    one wins and the other is told it was done (TransitionConflict)."""
    _require_write(actor)
    if obligation is not None:
        obligation = _locked(TalkObligation, actor, obligation)
        _check_transition(OBLIGATION_TRANSITIONS, "hold", obligation.status)
    if request is not None:
        request = _locked(TalkRequest, actor, request)
        _check_transition(REQUEST_TRANSITIONS, "hold", request.status)
    errors = {}
    if cadre is None:
        errors["cadre"] = _("请选择谈话对象")
    elif not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        errors["cadre"] = _("请选择您管辖范围内的干部")
    else:
        if obligation is not None and obligation.cadre_id != cadre.pk:
            errors["cadre"] = _("谈话对象须为应谈事项的干部")
        if request is not None and request.cadre_id != cadre.pk:
            errors["cadre"] = _("谈话对象须为提出申请的干部")
    talker_name = _clean(talker_name)
    if talker_cadre is not None:
        if not Cadre.objects.restrict(actor, "view").filter(pk=talker_cadre.pk).exists():
            errors["talker_cadre"] = _("请选择您管辖范围内的干部")
        elif cadre is not None and talker_cadre.pk == cadre.pk:
            errors["talker_cadre"] = _("谈话人不能是谈话对象本人")
        talker_name = talker_name or talker_cadre.name
    if not talker_name:
        errors["talker_name"] = _("请填写谈话人")
    if kind not in TalkKind.values:
        errors["kind"] = _("请选择谈话类别")
    try:
        _check_date(held_on, "held_on", _("谈话日期"))
    except ValidationError as error:
        errors.update(error.message_dict)
    summary = _clean(summary)
    if not summary:
        errors["summary"] = _("请填写谈话摘要")
    confidential_content = _clean(confidential_content)
    if confidential and not confidential_content:
        errors["confidential_content"] = _("勾选“含保密内容”的，请填写保密内容")
    if errors:
        raise ValidationError(errors)
    talker = actor
    if talker_cadre is not None and actor.cadre_id != talker_cadre.pk:
        talker = User.objects.filter(cadre=talker_cadre, is_active=True).first()
    talk = Talk(
        cadre=cadre,
        talker=talker,
        talker_cadre=talker_cadre,
        talker_name=talker_name,
        kind=kind,
        held_on=held_on,
        place=_clean(place),
        summary=summary,
        follow_up=_clean(follow_up),
        confidential=bool(confidential_content),
        confidential_content=confidential_content,
        recorded_by=actor,
    )
    talk.full_clean(exclude=["cadre", "talker", "talker_cadre", "recorded_by"])
    talk.save()
    log(LogSubject.TALK, talk, "record", actor=actor, note=talk.get_kind_display())
    if obligation is not None:
        obligation.status = _check_transition(OBLIGATION_TRANSITIONS, "hold", obligation.status)
        obligation.talk = talk
        obligation.save(update_fields=["status", "talk"])
        log(
            LogSubject.OBLIGATION,
            obligation,
            "hold",
            actor=actor,
            from_status=ObligationStatus.DUE,
            to_status=obligation.status,
            note=_("%(day)s 由%(talker)s谈话") % {"day": held_on, "talker": talker_name},
        )
    if request is not None:
        before = request.status
        request.status = _check_transition(REQUEST_TRANSITIONS, "hold", request.status)
        request.talk = talk
        request.handled_by = actor
        request.save(update_fields=["status", "talk", "handled_by"])
        log(
            LogSubject.REQUEST,
            request,
            "hold",
            actor=actor,
            from_status=before,
            to_status=request.status,
        )
    return talk


# --- due talks (五必谈) -------------------------------------------------------------------------


def _entry_matches(entry, event) -> bool:
    """An `events` entry of a trigger: the kind equal, and every key of its `payload` equal to
    the event payload's value."""
    if not isinstance(entry, dict) or entry.get("kind") != event.kind:
        return False
    payload = event.payload or {}
    return all(payload.get(key) == value for key, value in (entry.get("payload") or {}).items())


def matching_trigger(items, event):
    """The first trigger item whose `events` entries match the event, or None."""
    for item in items:
        if any(_entry_matches(entry, event) for entry in (item.params or {}).get("events") or []):
            return item
    return None


def obligation_reason(event) -> str:
    """What happened, in words, from the event's payload."""
    p = event.payload or {}
    kind = event.kind
    if kind == "cadre.post_changed":
        return _("岗位变动：%(from)s → %(to)s") % {
            "from": p.get("from_post") or "—",
            "to": p.get("to_post") or "—",
        }
    if kind == "cadre.major_task_assigned":
        return _("参加重大专项工作：%(task)s") % {"task": p.get("task", "")}
    if kind == "tolerance.reminder_recorded":
        return _("受到组织提醒")
    if kind == "assessment.consequence_decided":
        label = str(CONSEQUENCE_LABELS.get(p.get("consequence"), p.get("consequence", "")))
        if p.get("year") and p.get("quarter"):
            return _("%(y)s年第%(q)s季度考核：%(label)s") % {
                "y": p["year"],
                "q": p["quarter"],
                "label": label,
            }
        return _("考核结果运用：%(label)s") % {"label": label}
    if kind == "tolerance.organisational_handling":
        return _("问责（%(form)s）%(number)s") % {
            "form": p.get("form_label") or p.get("form", ""),
            "number": p.get("number", ""),
        }
    if kind == "incentives.sanction_recorded":
        return _("受到处理处分：%(kind)s") % {"kind": p.get("kind_label", "")}
    if kind == "incentives.adjusted_down":
        return _("能上能下：%(action)s%(post)s") % {
            "action": p.get("action_label", ""),
            "post": f"（{p['to_post']}）" if p.get("to_post") else "",
        }
    if kind == EVENT_FAMILY_MISFORTUNE:
        return _("发生家庭变故（%(day)s）") % {"day": p.get("occurred_on", "")}
    return ""


def named_by_any_trigger(kind) -> bool:
    """Whether any published triggers list names the event kind at all: one query that lets
    the dispatcher pass over the many events no trigger names."""
    return PolicyItem.objects.filter(
        policy_list__kind=KIND_TALK_TRIGGERS,
        policy_list__status=PolicyStatus.PUBLISHED,
        params__events__contains=[{"kind": kind}],
    ).exists()


def obligation_from_event(event) -> TalkObligation | None:
    """Turn a domain event into a due talk when a trigger of the list applying at the cadre's
    unit matches it (F 16 五必谈). Once per event: the event is unique on the due talk, so a
    second delivery, even a concurrent one, creates nothing."""
    if event.cadre_id is None or not named_by_any_trigger(event.kind):
        return None
    if TalkObligation.objects.filter(source_event_id=event.pk).exists():
        return None
    cadre = Cadre.objects.select_related("unit", "post_level").get(pk=event.cadre_id)
    triggers_list, items = policy_items(KIND_TALK_TRIGGERS, cadre.unit)
    item = matching_trigger(items, event)
    if item is None:
        return None
    try:
        days = int((item.params or {}).get("deadline_days", DEFAULT_DEADLINE_DAYS))
    except (TypeError, ValueError):
        days = DEFAULT_DEADLINE_DAYS
    happened = timezone.localtime(event.occurred_at).date()
    unit = managing_unit(cadre)
    obligation = TalkObligation(
        cadre=cadre,
        triggers_list=triggers_list,
        trigger_code=item.code,
        trigger_label=item.label,
        reason=obligation_reason(event)[:300],
        source_event=event,
        responsible_unit=unit,
        created_on=happened,
        due_on=happened + timedelta(days=days),
        status=ObligationStatus.DUE,
    )
    try:
        with transaction.atomic():
            obligation.save()
    except IntegrityError:
        return None  # another delivery of the same event created it first
    log(
        LogSubject.OBLIGATION,
        obligation,
        "create",
        actor=event.actor,
        to_status=obligation.status,
        note=f"{item.label}：{obligation.reason}",
    )
    notify(
        recipients=organisation_users([unit.pk]),
        kind="care.talk_due",
        title=_("五必谈：请于%(day)s前与%(name)s谈话")
        % {"day": obligation.due_on, "name": cadre.name},
        body=f"{item.label}：{obligation.reason}",
        link=reverse("care:obligation_detail", args=[obligation.pk]),
        dedupe_key=f"care.obligation:{obligation.pk}:created",
    )
    return obligation


@transaction.atomic
def obligation_assign(*, actor, obligation: TalkObligation, assignee) -> TalkObligation:
    """Give the due talk to one user of the responsible organisation department (承办人)."""
    _require_write(actor)
    obligation = _locked(TalkObligation, actor, obligation)
    _check_transition(OBLIGATION_TRANSITIONS, "assign", obligation.status)
    if assignee is None:
        raise ValidationError({"assignee": _("请选择承办人")})
    if not assignable_users(obligation).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("承办人须为责任单位组织部门的在职用户")})
    obligation.assignee = assignee
    obligation.save(update_fields=["assignee"])
    log(
        LogSubject.OBLIGATION,
        obligation,
        "assign",
        actor=actor,
        note=_("承办人：%(name)s") % {"name": assignee},
    )
    notify(
        recipients=[assignee],
        kind="care.talk_assigned",
        title=_("请承办五必谈：%(name)s（%(day)s前）")
        % {"name": obligation.cadre.name, "day": obligation.due_on},
        body=f"{obligation.trigger_label}：{obligation.reason}",
        link=reverse("care:obligation_detail", args=[obligation.pk]),
    )
    return obligation


def assignable_users(obligation: TalkObligation):
    """The users a due talk may be given to: the responsible unit's organisation staff."""
    return organisation_users([obligation.responsible_unit_id]).order_by("full_name", "username")


@transaction.atomic
def obligation_cancel(*, actor, obligation: TalkObligation, reason: str) -> TalkObligation:
    """Cancel a due talk that is no longer owed (e.g. the cadre has left), with the reason."""
    _require_write(actor)
    obligation = _locked(TalkObligation, actor, obligation)
    target = _check_transition(OBLIGATION_TRANSITIONS, "cancel", obligation.status)
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因")})
    obligation.status = target
    obligation.cancel_reason = reason[:300]
    obligation.save(update_fields=["status", "cancel_reason"])
    log(
        LogSubject.OBLIGATION,
        obligation,
        "cancel",
        actor=actor,
        from_status=ObligationStatus.DUE,
        to_status=target,
        note=reason,
    )
    return obligation


def _escalation_recipients(unit):
    """The superior organisation department; without one (or nobody there), the responsible
    unit's committee members and unit leaders."""
    superior = superior_managing_unit(unit)
    if superior is not None:
        users = list(organisation_users([superior.pk]))
        if users:
            return users
    return list(
        User.objects.filter(unit=unit, is_active=True).filter(
            Q(roles__contains=[Role.COMMITTEE]) | Q(roles__contains=[Role.UNIT_LEADER])
        )
    )


def remind_due_talks(*, today: date | None = None) -> dict:
    """Daily: remind the assignee (or the responsible organisation department) of a due talk
    `remind_before` days before its deadline, and escalate it to the superior department
    `escalate_after` days after the deadline (care.talk_settings). Each happens once: the
    timestamps are set under a condition and the messages carry a dedupe key, so a re-run
    sends nothing new."""
    today = today or timezone.localdate()
    now = timezone.now()
    candidates = (
        TalkObligation.objects.filter(status=ObligationStatus.DUE)
        .filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True, due_on__lt=today))
        .select_related("cadre", "responsible_unit", "assignee")
        .order_by("due_on", "pk")
    )
    days: dict = {}
    reminded = escalated = 0
    for obligation in candidates.iterator(chunk_size=500):
        unit = obligation.responsible_unit
        if unit.pk not in days:
            days[unit.pk] = (
                _settings_days(unit, "remind_before", DEFAULT_REMIND_BEFORE_DAYS),
                _settings_days(unit, "escalate_after", DEFAULT_ESCALATE_AFTER_DAYS),
            )
        before, after = days[unit.pk]
        link = reverse("care:obligation_detail", args=[obligation.pk])
        if obligation.reminded_at is None and today >= obligation.due_on - timedelta(days=before):
            with transaction.atomic():
                won = TalkObligation.objects.filter(
                    pk=obligation.pk, status=ObligationStatus.DUE, reminded_at__isnull=True
                ).update(reminded_at=now)
                if won:
                    recipients = (
                        [obligation.assignee]
                        if obligation.assignee_id
                        else list(organisation_users([unit.pk]))
                    )
                    notify(
                        recipients=recipients,
                        kind="care.talk_reminder",
                        title=_("五必谈提醒：请于%(day)s前与%(name)s谈话")
                        % {"day": obligation.due_on, "name": obligation.cadre.name},
                        body=f"{obligation.trigger_label}：{obligation.reason}",
                        link=link,
                        dedupe_key=f"care.obligation:{obligation.pk}:reminder",
                    )
                    log(LogSubject.OBLIGATION, obligation, "remind")
                    reminded += 1
        if obligation.escalated_at is None and today >= obligation.due_on + timedelta(days=after):
            with transaction.atomic():
                won = TalkObligation.objects.filter(
                    pk=obligation.pk, status=ObligationStatus.DUE, escalated_at__isnull=True
                ).update(escalated_at=now)
                if won:
                    notify(
                        recipients=_escalation_recipients(unit),
                        kind="care.talk_escalated",
                        title=_("五必谈逾期督办：%(unit)s未按期与%(name)s谈话")
                        % {"unit": unit.name, "name": obligation.cadre.name},
                        body=_("%(label)s：%(reason)s，应于%(day)s前谈话。")
                        % {
                            "label": obligation.trigger_label,
                            "reason": obligation.reason,
                            "day": obligation.due_on,
                        },
                        link=link,
                        dedupe_key=f"care.obligation:{obligation.pk}:escalation",
                    )
                    log(LogSubject.OBLIGATION, obligation, "escalate")
                    escalated += 1
    return {"reminded": reminded, "escalated": escalated}


# --- trigger 5: family misfortune ---------------------------------------------------------------


@transaction.atomic
def misfortune_report(
    *, actor, cadre: Cadre, occurred_on: date, description: str
) -> MisfortuneReport:
    """Report a cadre's family misfortune (发生家庭变故必谈, F 16 trigger 5); the event it
    records becomes a due talk through the triggers list."""
    _require_write(actor)
    errors = {}
    if cadre is None:
        errors["cadre"] = _("请选择干部")
    elif not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        errors["cadre"] = _("请选择您管辖范围内的干部")
    try:
        _check_date(occurred_on, "occurred_on", _("发生日期"))
    except ValidationError as error:
        errors.update(error.message_dict)
    description = _clean(description)
    if not description:
        errors["description"] = _("请填写变故情况")
    if errors:
        raise ValidationError(errors)
    report = MisfortuneReport(
        cadre=cadre, occurred_on=occurred_on, description=description, reported_by=actor
    )
    report.full_clean(exclude=["cadre", "reported_by"])
    report.save()
    event_record(
        kind=EVENT_FAMILY_MISFORTUNE,
        actor=actor,
        cadre=cadre,
        source=report,
        payload={"report_id": report.pk, "occurred_on": occurred_on.isoformat()},
    )
    return report


# --- requests (向组织说说心里话) -------------------------------------------------------------------


@transaction.atomic
def talk_request_submit(
    *, actor, topic: str, content: str, preferred_talker: str = ""
) -> TalkRequest:
    """A cadre asks the organisation for a talk (X: 向组织说说心里话); the organisation
    department that manages them is told."""
    cadre_id = getattr(actor, "cadre_id", None)
    if cadre_id is None:
        raise PermissionDenied(_("只有已关联干部档案的用户才能提出谈话申请"))
    cadre = Cadre.objects.select_related("unit", "post_level").get(pk=cadre_id)
    errors = {}
    topic = _clean(topic)
    if not topic:
        errors["topic"] = _("请填写谈话主题")
    content = _clean(content)
    if not content:
        errors["content"] = _("请填写想和组织说的话")
    if errors:
        raise ValidationError(errors)
    request = TalkRequest(
        cadre=cadre,
        topic=topic,
        content=content,
        preferred_talker=_clean(preferred_talker),
        submitted_by=actor,
    )
    request.full_clean(exclude=["cadre", "submitted_by", "handled_by"])
    request.save()
    log(LogSubject.REQUEST, request, "submit", actor=actor, to_status=request.status)
    notify(
        recipients=organisation_users([managing_unit(cadre).pk]),
        kind="care.talk_request",
        title=_("%(name)s申请谈心谈话：%(topic)s") % {"name": cadre.name, "topic": topic},
        link=reverse("care:request_detail", args=[request.pk]),
        dedupe_key=f"care.request:{request.pk}:submitted",
    )
    return request


def _answer_request(*, actor, request, step, response, required):
    _require_write(actor)
    request = _locked(TalkRequest, actor, request)
    before = request.status
    target = _check_transition(REQUEST_TRANSITIONS, step, before)
    response = _clean(response)
    if required and not response:
        raise ValidationError({"response": _("请填写答复意见")})
    request.status = target
    request.response = response
    request.handled_by = actor
    request.save(update_fields=["status", "response", "handled_by"])
    log(
        LogSubject.REQUEST,
        request,
        step,
        actor=actor,
        from_status=before,
        to_status=target,
        note=response,
    )
    own = User.objects.filter(cadre_id=request.cadre_id, is_active=True)
    notify(
        recipients=list(own),
        kind="care.talk_request_answered",
        title=_("您的谈话申请“%(topic)s”%(status)s")
        % {"topic": request.topic, "status": request.get_status_display()},
        body=response,
        link=reverse("care:my_care"),
    )
    return request


@transaction.atomic
def talk_request_accept(*, actor, request: TalkRequest, response: str = "") -> TalkRequest:
    """The organisation department takes up the request (the talk follows)."""
    return _answer_request(
        actor=actor, request=request, step="accept", response=response, required=False
    )


@transaction.atomic
def talk_request_decline(*, actor, request: TalkRequest, response: str) -> TalkRequest:
    """The organisation department does not take up the request, and says why."""
    return _answer_request(
        actor=actor, request=request, step="decline", response=response, required=True
    )


# --- selectors --------------------------------------------------------------------------------


def talk_list(user):
    return Talk.objects.restrict(user).select_related("cadre__unit", "talker_cadre", "talker")


def obligation_list(user):
    return TalkObligation.objects.restrict(user).select_related(
        "cadre__unit", "responsible_unit", "assignee", "talk"
    )


def request_list(user):
    return TalkRequest.objects.restrict(user).select_related("cadre__unit", "handled_by", "talk")


def misfortune_list(user):
    return MisfortuneReport.objects.restrict(user).select_related("cadre__unit", "reported_by")


def timeline_rows(subject, obj):
    """The record's timeline, each step named in words."""
    return [
        {"row": row, "label": ACTION_LABELS.get(row.action, row.action)}
        for row in timeline(subject, obj)
    ]


def is_overdue(obligation: TalkObligation, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return obligation.status == ObligationStatus.DUE and obligation.due_on < today


def my_care(user) -> dict:
    """What a cadre user sees of their own care: their talks (others' confidential content
    stays hidden), their requests and the talks due with them."""
    cadre_id = access.scope_for(user).cadre_id or getattr(user, "cadre_id", None)
    if cadre_id is None:
        empty = Talk.objects.none()
        return {
            "talks": empty,
            "requests": TalkRequest.objects.none(),
            "due": TalkObligation.objects.none(),
        }
    return {
        "talks": Talk.objects.filter(cadre_id=cadre_id).select_related("talker_cadre", "talker"),
        "requests": TalkRequest.objects.filter(cadre_id=cadre_id).select_related("talk"),
        "due": TalkObligation.objects.filter(cadre_id=cadre_id, status=ObligationStatus.DUE),
    }

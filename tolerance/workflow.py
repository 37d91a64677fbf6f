"""The workflows of a tolerance case (DOMAIN §4.5) and of a clearing matter (§4.6) as explicit
tables of allowed transitions: from which states, to which state, which roles may act.

`case_transition` / `clearing_transition` are the only writers of a status. Each locks the row,
checks the table, applies the transition's own checks and fields, writes the status change row,
and raises `TransitionConflict` when the file is no longer in a state the transition starts
from: two people acting at once, one wins and the other is told, nothing is lost.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadre.choices import PerformanceSource, Role
from cadre.events import event_record
from cadre.exceptions import TransitionConflict
from cadre.selectors import policy_items
from cadre.services import performance_entry_append
from cadre.workdays import add_working_days

from .choices import (
    CLEARED_CONCLUSIONS,
    KIND_DEADLINES,
    KIND_PUBLICATION_SCOPES,
    TOLERATED_OUTCOMES,
    CaseStatus,
    ClearingConclusion,
    ClearingStatus,
    CorrectionStatus,
    Outcome,
    SuggestionStatus,
)
from .models import (
    BlacklistEntry,
    Case,
    CaseStatusChange,
    ClearingMatter,
    ClearingStatusChange,
    Publication,
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    roles: frozenset
    reason_required: bool = False


WORK = frozenset({Role.DISCIPLINE, Role.ORGANISATION})
COMMITTEE = frozenset({Role.COMMITTEE})
DISCIPLINE = frozenset({Role.DISCIPLINE})

S = CaseStatus
_AFTER_FILING = (S.FILED_UPWARD, S.PUBLISHED)

CASE_TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "start_investigation", gettext_lazy("启动调查核实"), (S.FILED,), S.INVESTIGATING, WORK
        ),
        Transition(
            "submit_opinion",
            gettext_lazy("提出初步意见，提交党委（党组）认定"),
            (S.INVESTIGATING,),
            S.PRELIMINARY,
            WORK,
        ),
        Transition(
            "return_for_investigation",
            gettext_lazy("退回补充调查"),
            (S.PRELIMINARY,),
            S.INVESTIGATING,
            COMMITTEE,
            reason_required=True,
        ),
        Transition(
            "decide", gettext_lazy("党委（党组）认定"), (S.PRELIMINARY,), S.DECIDED, COMMITTEE
        ),
        Transition("send_feedback", gettext_lazy("书面反馈"), (S.DECIDED,), S.FEEDBACK_SENT, WORK),
        Transition(
            "file_upward", gettext_lazy("报上级备案"), (S.FEEDBACK_SENT,), S.FILED_UPWARD, WORK
        ),
        Transition(
            "publish", gettext_lazy("在一定范围内公开"), (S.FILED_UPWARD,), S.PUBLISHED, WORK
        ),
        Transition(
            "start_correction", gettext_lazy("转入纠错整改"), _AFTER_FILING, S.CORRECTING, WORK
        ),
        Transition(
            "start_follow_up",
            gettext_lazy("转入跟踪回访"),
            (*_AFTER_FILING, S.CORRECTING),
            S.FOLLOW_UP,
            WORK,
        ),
        Transition(
            "close",
            gettext_lazy("办结"),
            (*_AFTER_FILING, S.CORRECTING, S.FOLLOW_UP),
            S.CLOSED,
            WORK,
        ),
        Transition(
            "withdraw",
            gettext_lazy("撤回"),
            (S.FILED, S.INVESTIGATING, S.PRELIMINARY),
            S.WITHDRAWN,
            WORK,
            reason_required=True,
        ),
    )
}

C = ClearingStatus
CLEARING_TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "start_verification",
            gettext_lazy("启动快速核查"),
            (C.RECEIVED,),
            C.VERIFYING,
            DISCIPLINE,
        ),
        Transition(
            "conclude", gettext_lazy("作出核查结论"), (C.VERIFYING,), C.CONCLUDED, DISCIPLINE
        ),
        Transition("clarify", gettext_lazy("完成澄清正名"), (C.CONCLUDED,), C.CLARIFIED, WORK),
        Transition(
            "start_follow_up", gettext_lazy("转入跟踪回访"), (C.CLARIFIED,), C.FOLLOW_UP, WORK
        ),
        Transition("close", gettext_lazy("办结"), (C.CONCLUDED, C.FOLLOW_UP), C.CLOSED, WORK),
    )
}


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def allowed_case_transitions(user, case) -> list[Transition]:
    """Transitions the user's roles allow from the case's current state (feeds the UI)."""
    roles = _roles(user)
    return [t for t in CASE_TRANSITIONS.values() if case.status in t.sources and roles & t.roles]


def allowed_clearing_transitions(user, clearing) -> list[Transition]:
    """Transitions the user's roles allow from the matter's state, leaving out the ones its
    conclusion rules out (an unfounded report is cleared before it is closed)."""
    roles = _roles(user)
    cleared = clearing.conclusion in CLEARED_CONCLUSIONS
    result = []
    for t in CLEARING_TRANSITIONS.values():
        if clearing.status not in t.sources or not roles & t.roles:
            continue
        if t.name == "clarify" and not cleared:
            continue
        if t.name == "close" and clearing.status == ClearingStatus.CONCLUDED and cleared:
            continue
        result.append(t)
    return result


def _check(table, name, user, current, expected_status, reason, status_labels):
    transition = table.get(name)
    if transition is None:
        raise ValidationError({"transition": _("未知的操作：%(name)s") % {"name": name}})
    if not _roles(user) & transition.roles:
        raise PermissionDenied(_("您的角色不能执行“%(label)s”") % {"label": transition.label})
    if (expected_status and current != expected_status) or current not in transition.sources:
        raise TransitionConflict(
            _("当前状态为“%(status)s”，不能执行“%(label)s”：可能已被他人处理，请刷新后查看")
            % {"status": status_labels(current).label, "label": transition.label}
        )
    if transition.reason_required and not (reason or "").strip():
        raise ValidationError({"reason": _("请填写说明")})
    return transition


def due_date(unit, status, start: date | None = None) -> date | None:
    """The deadline of a state in working days, from the deadlines list applying at `unit`."""
    _list, items = policy_items(KIND_DEADLINES, unit)
    days = next((i.params.get("working_days") for i in items if i.code == status), None)
    if not days:
        return None
    return add_working_days(start or timezone.localdate(), int(days))


# --- tolerance cases --------------------------------------------------------------------------


def case_transition(
    *, actor, case: Case, name: str, expected_status: str = "", reason: str = "", data=None
) -> Case:
    """Move a case along its workflow. `data` carries what the transition records (the
    preliminary opinion, the decision, the feedback …); errors name the field."""
    data = data or {}
    with transaction.atomic():
        visible = Case.objects.restrict(actor, "change").filter(pk=case.pk)
        locked = visible.select_for_update(of=("self",)).first()
        if locked is None:
            raise Http404
        transition = _check(
            CASE_TRANSITIONS, name, actor, locked.status, expected_status, reason, CaseStatus
        )
        from_status = locked.status
        fields = _CASE_APPLY[name](locked, actor, data) or []
        today = timezone.localdate()
        locked.status = transition.target
        locked.status_changed_at = timezone.now()
        locked.due_on = due_date(locked.handling_unit, transition.target, today)
        locked.overdue_notified_on = None
        locked.full_clean(validate_unique=False, validate_constraints=False)
        locked.save(
            update_fields=[
                "status",
                "status_changed_at",
                "due_on",
                "overdue_notified_on",
                *fields,
            ]
        )
        CaseStatusChange.objects.create(
            case=locked,
            transition=name,
            from_status=from_status,
            to_status=transition.target,
            actor=actor,
            reason=(reason or "").strip(),
        )
        _CASE_AFTER.get(name, lambda *a: None)(locked, actor)
    return locked


def _noop(case, actor, data):
    return []


def _require(data, *names):
    errors = {n: _("此项为必填项") for n in names if not str(data.get(n) or "").strip()}
    if errors:
        raise ValidationError(errors)


def _submit_opinion(case, actor, data):
    from .judgement import suggest

    _require(data, "proposed_outcome", "proposal_reasons")
    if data["proposed_outcome"] not in Outcome.values:
        raise ValidationError({"proposed_outcome": _("请选择有效的初步认定意见")})
    suggestion = suggest(case)
    if suggestion.status == SuggestionStatus.INCOMPLETE:
        raise ValidationError(
            {
                "__all__": _("清单研判尚未完成，不能提出初步意见：%(missing)s")
                % {"missing": "、".join(suggestion.missing)}
            }
        )
    for name in (
        "motive_attitude",
        "objective_conditions",
        "nature_degree",
        "consequences",
        "losses_recovered",
        "proposed_outcome",
        "proposal_reasons",
    ):
        setattr(case, name, str(data.get(name) or "").strip())
    case.proposed_by = actor
    case.proposed_at = timezone.now()
    return [
        "motive_attitude",
        "objective_conditions",
        "nature_degree",
        "consequences",
        "losses_recovered",
        "proposed_outcome",
        "proposal_reasons",
        "proposed_by",
        "proposed_at",
    ]


def _decide(case, actor, data):
    from .judgement import suggest

    _require(data, "outcome")
    outcome = data["outcome"]
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择有效的认定结论")})
    suggestion = suggest(case)
    reasons = str(data.get("decision_reasons") or "").strip()
    departs = outcome != suggestion.proposed_outcome
    if departs and not reasons:
        raise ValidationError(
            {
                "decision_reasons": _("认定结论与系统建议（%(suggested)s）不一致，必须写明理由")
                % {"suggested": suggestion.outcome_label or suggestion.status_label}
            }
        )
    decided_on = data.get("decided_on") or timezone.localdate()
    if isinstance(decided_on, str):
        try:
            decided_on = date.fromisoformat(decided_on)
        except ValueError:
            raise ValidationError({"decided_on": _("请输入有效的日期")}) from None
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("认定日期不能晚于今天")})
    case.outcome = outcome
    case.decision_reasons = reasons
    case.departs_from_suggestion = departs
    case.suggestion = suggestion.as_dict()
    case.decision_meeting = str(data.get("decision_meeting") or "").strip()
    case.decided_on = decided_on
    case.decided_by = actor
    return [
        "outcome",
        "decision_reasons",
        "departs_from_suggestion",
        "suggestion",
        "decision_meeting",
        "decided_on",
        "decided_by",
    ]


def _after_decide(case, actor):
    """A tolerated outcome goes into each cadre's performance record, and every subject learns
    of the decision through a domain event (care, assessment, incentives)."""
    cadres = list(case.cadres.select_related("unit"))
    payload = {"case_id": case.pk, "number": case.number, "outcome": case.outcome}
    for cadre in cadres:
        if case.outcome in TOLERATED_OUTCOMES:
            performance_entry_append(
                cadre=cadre,
                occurred_on=case.decided_on,
                source=PerformanceSource.TOLERANCE,
                title=_("容错认定：%(outcome)s——%(title)s")
                % {"outcome": case.get_outcome_display(), "title": case.title},
                detail=case.decision_reasons,
                category=f"tolerance_{case.outcome}",
                source_key=f"tolerance.case:{case.pk}",
                actor=actor,
            )
        event_record(
            kind="tolerance.case_decided", actor=actor, cadre=cadre, payload=payload, source=case
        )
    if case.party_org_id and not cadres:
        event_record(
            kind="tolerance.case_decided",
            actor=actor,
            unit=case.party_org,
            payload=payload,
            source=case,
        )


def _send_feedback(case, actor, data):
    _require(data, "feedback_to")
    case.feedback_to = str(data["feedback_to"]).strip()
    case.feedback_sent_on = timezone.localdate()
    return ["feedback_to", "feedback_sent_on"]


def _file_upward(case, actor, data):
    _require(data, "filing_recipients")
    case.filing_recipients = str(data["filing_recipients"]).strip()
    case.filed_upward_on = timezone.localdate()
    return ["filing_recipients", "filed_upward_on"]


def _publish(case, actor, data):
    if case.outcome not in TOLERATED_OUTCOMES:
        raise ValidationError({"__all__": _("只有予以容错的案件才在一定范围内公开")})
    _require(data, "scope", "channel", "content")
    _list, scopes = policy_items(KIND_PUBLICATION_SCOPES, case.handling_unit)
    scope = next((s for s in scopes if s.code == data["scope"]), None)
    if scope is None:
        raise ValidationError({"scope": _("请选择有效的公开范围")})
    Publication.objects.create(
        handling_unit=case.handling_unit,
        case=case,
        scope=scope.code,
        scope_label=scope.label,
        channel=str(data["channel"]).strip(),
        content=str(data["content"]).strip(),
        published_on=timezone.localdate(),
        published_by=actor,
    )
    return []


def _open_corrections(case):
    return case.corrections.exclude(status=CorrectionStatus.DONE)


def _start_follow_up(case, actor, data):
    if case.status == CaseStatus.CORRECTING and _open_corrections(case).exists():
        raise ValidationError({"__all__": _("还有未完成的纠错整改事项，不能转入回访")})
    return []


def _close(case, actor, data):
    if _open_corrections(case).exists():
        raise ValidationError({"__all__": _("还有未完成的纠错整改事项，不能办结")})
    if case.status == CaseStatus.FOLLOW_UP and not case.visits.exists():
        raise ValidationError({"__all__": _("尚无回访记录，不能办结")})
    return []


def _start_correction(case, actor, data):
    return []


_CASE_APPLY = {
    "start_investigation": _noop,
    "submit_opinion": _submit_opinion,
    "return_for_investigation": _noop,
    "decide": _decide,
    "send_feedback": _send_feedback,
    "file_upward": _file_upward,
    "publish": _publish,
    "start_correction": _start_correction,
    "start_follow_up": _start_follow_up,
    "close": _close,
    "withdraw": _noop,
}
_CASE_AFTER = {"decide": _after_decide}


# --- clearing of names ------------------------------------------------------------------------


def clearing_transition(
    *,
    actor,
    clearing: ClearingMatter,
    name: str,
    expected_status: str = "",
    reason: str = "",
    data=None,
) -> ClearingMatter:
    data = data or {}
    with transaction.atomic():
        visible = ClearingMatter.objects.restrict(actor, "change").filter(pk=clearing.pk)
        locked = visible.select_for_update(of=("self",)).first()
        if locked is None:
            raise Http404
        transition = _check(
            CLEARING_TRANSITIONS,
            name,
            actor,
            locked.status,
            expected_status,
            reason,
            ClearingStatus,
        )
        from_status = locked.status
        fields = _CLEARING_APPLY[name](locked, actor, data) or []
        locked.status = transition.target
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", *fields])
        ClearingStatusChange.objects.create(
            clearing=locked,
            transition=name,
            from_status=from_status,
            to_status=transition.target,
            actor=actor,
            reason=(reason or "").strip(),
        )
    return locked


def _conclude(clearing, actor, data):
    _require(data, "conclusion", "conclusion_reasons")
    conclusion = data["conclusion"]
    if conclusion not in ClearingConclusion.values:
        raise ValidationError({"conclusion": _("请选择有效的核查结论")})
    clearing.conclusion = conclusion
    clearing.conclusion_reasons = str(data["conclusion_reasons"]).strip()
    clearing.concluded_on = timezone.localdate()
    fields = ["conclusion", "conclusion_reasons", "concluded_on"]
    if conclusion == ClearingConclusion.FALSE_ACCUSATION:
        # 诬告陷害: referred for investigation, the accusers on the dishonesty blacklist (X).
        _require(data, "referral_note")
        accusers = [a for a in (data.get("accusers") or []) if str(a.get("name", "")).strip()]
        if not accusers and clearing.accuser_name:
            accusers = [{"name": clearing.accuser_name, "unit": ""}]
        if not accusers:
            raise ValidationError({"accusers": _("诬告陷害须登记诬告人，列入失信黑名单")})
        clearing.referral_note = str(data["referral_note"]).strip()
        clearing.referred_on = timezone.localdate()
        fields += ["referral_note", "referred_on"]
        entries = [
            BlacklistEntry(
                clearing=clearing,
                person_name=str(a["name"]).strip(),
                person_unit=str(a.get("unit") or "").strip(),
                reason=clearing.conclusion_reasons,
                listed_by=actor,
            )
            for a in accusers
        ]
        for entry in entries:
            try:
                entry.full_clean(exclude=["clearing"])
            except ValidationError as exc:
                raise ValidationError({"accusers": exc.messages}) from None
        BlacklistEntry.objects.bulk_create(entries)
    return fields


def _clarify(clearing, actor, data):
    if clearing.conclusion not in CLEARED_CONCLUSIONS:
        raise ValidationError({"__all__": _("只有反映不实或诬告陷害的事项才进行澄清正名")})
    if not clearing.clarifications.exists():
        raise ValidationError({"__all__": _("请先登记澄清方式、范围和内容")})
    return []


def _clearing_close(clearing, actor, data):
    if clearing.status == ClearingStatus.CONCLUDED and clearing.conclusion in CLEARED_CONCLUSIONS:
        raise ValidationError({"__all__": _("反映不实的事项须先澄清正名并回访，方可办结")})
    if clearing.status == ClearingStatus.FOLLOW_UP:
        last = clearing.visits.order_by("-visited_on", "-id").first()
        if last is None or not last.at_ease:
            raise ValidationError(
                {"__all__": _("最近一次回访尚未确认思想包袱已解除，请继续回访后再办结")}
            )
    return []


def _clearing_noop(clearing, actor, data):
    return []


_CLEARING_APPLY = {
    "start_verification": _clearing_noop,
    "conclude": _conclude,
    "clarify": _clarify,
    "start_follow_up": _clearing_noop,
    "close": _clearing_close,
}

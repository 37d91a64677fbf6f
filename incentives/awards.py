"""Awards and exemplars (评选表彰与先进典型): F 4 (表彰奖励、先进典型), ZJK 12(二) (“两优一先”,
担当作为先进典型), J (担当有为奖), X (担当作为好书记、红星党员、先进集体; 一事一嘉奖、一事一表扬、
一事一通报).

A campaign runs nominating → reviewing → notice (公示, the kind's `notice_days` working days) →
closed (表彰). The quick commendations of the county (一事一嘉奖/表扬/通报, `notice_days` 0) have
no public notice: reviewing → closed. A cadre in a sanction's or 能上能下 action's impact period
may not be nominated (处理处分影响期内不得评先评优); a matter exempted by a tolerance case never
counts (J 三(五)2). An objection received during the notice blocks the award until it is
checked; one found true (反映属实) keeps the nominee from the award. Each award is appended to
the cadre's performance record (实绩档案) and entered in the exemplar register (先进典型库).

Writes (services): `campaign_create`, `campaign_transition` (and `campaign_close_nominations`,
`campaign_start_notice`, `campaign_award`), `nominate`, `nomination_review`,
`nomination_withdraw`, `objection_record`, `objection_resolve`, `exemplar_add`.
Reads (selectors): `campaigns_for`, `nominations_for`, `objections_for`, `exemplars_for`,
`campaign_timeline`, `award_kinds_at`, `campaign_is_collective`."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadre.choices import PerformanceSource
from cadre.events import event_record
from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, PolicyItem, Unit
from cadre.selectors import policy_items
from cadre.services import performance_entry_append
from cadre.text import clean_text as _clean
from cadre.workdays import add_working_days, is_workday

from .choices import (
    KIND_AWARD_KINDS,
    CampaignStatus,
    LogSubject,
    NominationStatus,
    ObjectionStatus,
)
from .models import AwardCampaign, Exemplar, Nomination, Objection
from .models.common import IncentiveLog, cadre_scope_q, can_read, can_write, log
from .selectors import holds_on

DEFAULT_NOTICE_DAYS = 5
MIN_YEAR, MAX_YEAR = 2000, 2100
REVIEW_NOTE_MAX = 300
# Recorded once per awarded nominee, for the apps that act on commendations.
EVENT_AWARDED = "incentives.awarded"


# --- the award-kinds list ---------------------------------------------------------------------


def award_kinds_at(unit: Unit | None):
    """(list version, [item]) of the award kinds applying at `unit`."""
    return policy_items(KIND_AWARD_KINDS, unit)


def kind_notice_days(item: PolicyItem) -> int:
    value = (item.params or {}).get("notice_days", DEFAULT_NOTICE_DAYS)
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return DEFAULT_NOTICE_DAYS


def kind_is_collective(item: PolicyItem | None) -> bool:
    return bool(item is not None and (item.params or {}).get("collective"))


def campaign_is_collective(campaign: AwardCampaign) -> bool:
    """Whether the campaign's kind (in the list version it stored) is for collectives
    (先进集体). Read once per campaign instance."""
    cached = getattr(campaign, "_collective", None)
    if cached is None:
        item = PolicyItem.objects.filter(
            policy_list_id=campaign.kinds_list_id, code=campaign.kind_code
        ).first()
        cached = kind_is_collective(item)
        campaign._collective = cached
    return cached


def has_notice(campaign: AwardCampaign) -> bool:
    """一事一嘉奖/表扬/通报 (notice_days 0) are commended without a public notice (X)."""
    return campaign.notice_days > 0


def notice_window(start: date, days: int) -> date:
    """The last of `days` working days counted from `start` (start itself is the first when it
    is a working day)."""
    if is_workday(start):
        return add_working_days(start, days - 1)
    return add_working_days(start, days)


# --- shared checks ----------------------------------------------------------------------------


def _require_writer(actor):
    if not can_write(actor):
        raise PermissionDenied(_("评选表彰由组织部门办理"))


def _in_subtree(unit: Unit, root: Unit) -> bool:
    return bool(unit.path) and unit.path.startswith(root.path)


def _lock_campaign(actor, campaign) -> AwardCampaign:
    locked = (
        AwardCampaign.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=campaign.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def _lock_nomination(actor, nomination) -> Nomination:
    """Lock the campaign first, then the nominee: every write takes the locks in that order."""
    campaign_id = (
        Nomination.objects.restrict(actor, "change")
        .filter(pk=nomination.pk)
        .values_list("campaign_id", flat=True)
        .first()
    )
    if campaign_id is None:
        raise Http404
    campaign = _lock_campaign(actor, AwardCampaign(pk=campaign_id))
    locked = Nomination.objects.select_for_update().filter(pk=nomination.pk).first()
    locked.campaign = campaign
    return locked


def _hold_reason(holds) -> str:
    parts = []
    for hold in holds:
        until = hold.until.isoformat() if hold.until else _("待确认")
        parts.append(
            _("%(label)s（%(since)s至%(until)s）")
            % {"label": hold.label, "since": hold.since.isoformat(), "until": until}
        )
    return _("处理处分影响期内不得评先评优：%(holds)s") % {"holds": "；".join(parts)}


def _check_no_hold(cadre: Cadre, field="cadre"):
    found = holds_on([cadre.pk], timezone.localdate()).get(cadre.pk)
    if found:
        raise ValidationError({field: _hold_reason(found)})


# --- campaigns --------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    unit: Unit,
    kind_code: str,
    title: str,
    year: int,
    description: str = "",
    nomination_deadline: date | None = None,
) -> AwardCampaign:
    """Open a campaign of a kind of the award-kinds list applying at `unit`; the list version,
    the kind's label and its public-notice period are stored with it."""
    _require_writer(actor)
    errors = {}
    if unit is None or not Unit.objects.restrict(actor, "change").filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("请选择您管辖范围内的单位")})
    kinds_list, items = award_kinds_at(unit)
    item = next((i for i in items if i.code == _clean(kind_code)), None)
    if kinds_list is None:
        errors["kind_code"] = _("本地区尚未发布评选表彰种类清单")
    elif item is None:
        errors["kind_code"] = _("请选择本地区评选表彰种类清单中的种类")
    title = _clean(title)
    if not title:
        errors["title"] = _("请填写活动名称")
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors["year"] = _("请填写年度")
    else:
        if not MIN_YEAR <= year <= MAX_YEAR:
            errors["year"] = _("年度须在2000至2100之间")
    if nomination_deadline is not None and nomination_deadline < timezone.localdate():
        errors["nomination_deadline"] = _("推荐截止日期不能早于今天")
    if errors:
        raise ValidationError(errors)
    campaign = AwardCampaign(
        unit=unit,
        kinds_list=kinds_list,
        kind_code=item.code,
        kind_label=item.label,
        title=title,
        year=year,
        description=_clean(description),
        nomination_deadline=nomination_deadline,
        notice_days=kind_notice_days(item),
        created_by=actor,
    )
    campaign.full_clean(exclude=["unit", "kinds_list", "created_by"])
    campaign.save()
    campaign._collective = kind_is_collective(item)
    log(
        LogSubject.CAMPAIGN,
        campaign,
        "create",
        actor=actor,
        to_status=campaign.status,
        note=_("%(kind)s（%(list)s）")
        % {"kind": item.label, "list": f"{kinds_list.title} v{kinds_list.version}"},
    )
    return campaign


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset
    target: str


# The campaign's steps: nominating → reviewing → notice (公示) → closed (表彰); a kind without
# a notice period goes reviewing → closed (X 一事一嘉奖).
CAMPAIGN_TRANSITIONS = {
    "close_nominations": Transition(
        "close_nominations",
        gettext_lazy("截止推荐，进入审核"),
        frozenset({CampaignStatus.NOMINATING}),
        CampaignStatus.REVIEWING,
    ),
    "start_notice": Transition(
        "start_notice",
        gettext_lazy("开始公示"),
        frozenset({CampaignStatus.REVIEWING}),
        CampaignStatus.NOTICE,
    ),
    "award": Transition(
        "award",
        gettext_lazy("公示期满，予以表彰"),
        frozenset({CampaignStatus.NOTICE, CampaignStatus.REVIEWING}),
        CampaignStatus.CLOSED,
    ),
}

# The nominee's steps, and the campaign states each happens in.
NOMINATION_TRANSITIONS = {
    "approve": (
        frozenset({NominationStatus.NOMINATED, NominationStatus.REJECTED}),
        NominationStatus.APPROVED,
        frozenset({CampaignStatus.REVIEWING}),
    ),
    "reject": (
        frozenset({NominationStatus.NOMINATED, NominationStatus.APPROVED}),
        NominationStatus.REJECTED,
        frozenset({CampaignStatus.REVIEWING}),
    ),
    "withdraw": (
        frozenset(
            {NominationStatus.NOMINATED, NominationStatus.APPROVED, NominationStatus.REJECTED}
        ),
        NominationStatus.WITHDRAWN,
        frozenset({CampaignStatus.NOMINATING, CampaignStatus.REVIEWING}),
    ),
    # A withdrawn nominee may be put forward again while nominations are open.
    "renominate": (
        frozenset({NominationStatus.WITHDRAWN}),
        NominationStatus.NOMINATED,
        frozenset({CampaignStatus.NOMINATING}),
    ),
}


def nomination_step_allowed(nomination: Nomination, campaign: AwardCampaign, name: str) -> bool:
    """Whether the nominee's step `name` applies now (feeds the pages' buttons)."""
    sources, _target, campaign_states = NOMINATION_TRANSITIONS[name]
    return campaign.status in campaign_states and nomination.status in sources


def can_review(nomination, campaign) -> bool:
    return nomination_step_allowed(nomination, campaign, "approve") or nomination_step_allowed(
        nomination, campaign, "reject"
    )


def can_withdraw(nomination, campaign) -> bool:
    return nomination_step_allowed(nomination, campaign, "withdraw")


def can_object(nomination, campaign) -> bool:
    """Objections are recorded during the notice against a nominee on notice."""
    return (
        campaign.status == CampaignStatus.NOTICE and nomination.status == NominationStatus.IN_NOTICE
    )


def allowed_transitions(campaign: AwardCampaign) -> list[Transition]:
    """The campaign steps that apply now (a kind without notice skips start_notice; a kind
    with notice awards only from the notice)."""
    found = []
    for transition in CAMPAIGN_TRANSITIONS.values():
        if campaign.status not in transition.sources:
            continue
        if transition.name == "start_notice" and not has_notice(campaign):
            continue
        if (
            transition.name == "award"
            and has_notice(campaign)
            and campaign.status != CampaignStatus.NOTICE
        ):
            continue
        found.append(transition)
    return found


def _names(nominations) -> str:
    return "、".join(str(n) for n in nominations)


def _require_reviewed(campaign: AwardCampaign):
    pending = list(
        campaign.nominations.filter(status=NominationStatus.NOMINATED).select_related(
            "cadre", "nominee_unit"
        )
    )
    if pending:
        raise ValidationError(
            {"__all__": _("尚有未审核的推荐人选：%(names)s") % {"names": _names(pending)}}
        )
    if not campaign.nominations.filter(status=NominationStatus.APPROVED).exists():
        raise ValidationError({"__all__": _("没有审核通过的推荐人选")})


def _start_notice(actor, campaign: AwardCampaign):
    _require_reviewed(campaign)
    today = timezone.localdate()
    campaign.notice_start = today
    campaign.notice_end = notice_window(today, campaign.notice_days)
    approved = list(campaign.nominations.filter(status=NominationStatus.APPROVED))
    for nomination in approved:
        nomination.status = NominationStatus.IN_NOTICE
        nomination.save(update_fields=["status"])
        log(
            LogSubject.NOMINATION,
            nomination,
            "notice",
            actor=actor,
            from_status=NominationStatus.APPROVED,
            to_status=NominationStatus.IN_NOTICE,
        )
    return _("公示期%(start)s至%(end)s（%(days)s个工作日），公示%(n)s人（个）") % {
        "start": campaign.notice_start.isoformat(),
        "end": campaign.notice_end.isoformat(),
        "days": campaign.notice_days,
        "n": len(approved),
    }


def award_nomination(actor, nomination: Nomination, on: date) -> Exemplar:
    """Record the award of one nominee: the performance record of a cadre (once, whatever
    the number of runs: keyed by the nomination) and the exemplar register (once per
    nomination)."""
    campaign = nomination.campaign
    if nomination.cadre_id:
        performance_entry_append(
            cadre=nomination.cadre,
            occurred_on=on,
            source=PerformanceSource.COMMENDATION,
            title=campaign.title,
            detail=nomination.deeds,
            category=campaign.kind_label,
            source_key=f"incentives.award:{nomination.pk}",
            actor=actor,
        )
    exemplar = Exemplar.objects.filter(nomination=nomination).first()
    if exemplar is None:
        subject_unit = nomination.cadre.unit if nomination.cadre_id else nomination.nominee_unit
        exemplar = Exemplar.objects.create(
            unit=subject_unit,
            cadre=nomination.cadre,
            collective=nomination.nominee_unit,
            title=campaign.title,
            year=campaign.year,
            deeds=nomination.deeds,
            nomination=nomination,
            created_by=actor,
        )
        log(LogSubject.EXEMPLAR, exemplar, "create", actor=actor, note=campaign.title)
        event_record(
            kind=EVENT_AWARDED,
            actor=actor,
            cadre=nomination.cadre,
            unit=subject_unit,
            payload={
                "campaign": campaign.pk,
                "kind_code": campaign.kind_code,
                "kind_label": campaign.kind_label,
                "title": campaign.title,
                "year": campaign.year,
                "awarded_on": on.isoformat(),
                "collective": nomination.cadre_id is None,
            },
            source=nomination,
        )
    return exemplar


def _award(actor, campaign: AwardCampaign):
    today = timezone.localdate()
    if has_notice(campaign):
        if campaign.notice_end is None or today <= campaign.notice_end:
            raise ValidationError(
                {
                    "__all__": _("公示期至%(end)s，公示期满后方可表彰")
                    % {"end": campaign.notice_end.isoformat() if campaign.notice_end else "—"}
                }
            )
        nominees = Nomination.objects.filter(
            campaign=campaign, status=NominationStatus.IN_NOTICE
        ).select_related("cadre__unit", "nominee_unit")
        nominees = list(nominees.select_for_update(of=("self",)))
        open_on = [
            n
            for n in Nomination.objects.filter(
                pk__in=[n.pk for n in nominees], objections__status=ObjectionStatus.OPEN
            )
            .select_related("cadre", "nominee_unit")
            .distinct()
        ]
        if open_on:
            raise ValidationError(
                {
                    "__all__": _("以下人选的公示异议尚未核查办结，不能表彰：%(names)s")
                    % {"names": _names(open_on)}
                }
            )
        upheld = set(
            Objection.objects.filter(
                nomination__in=[n.pk for n in nominees], status=ObjectionStatus.UPHELD
            ).values_list("nomination_id", flat=True)
        )
        source_status = NominationStatus.IN_NOTICE
    else:
        _require_reviewed(campaign)
        nominees = list(
            Nomination.objects.filter(campaign=campaign, status=NominationStatus.APPROVED)
            .select_related("cadre__unit", "nominee_unit")
            .select_for_update(of=("self",))
        )
        upheld = set()
        source_status = NominationStatus.APPROVED
    awarded = blocked = 0
    for nomination in nominees:
        nomination.campaign = campaign
        if nomination.pk in upheld:
            nomination.status = NominationStatus.BLOCKED
            nomination.save(update_fields=["status"])
            blocked += 1
            log(
                LogSubject.NOMINATION,
                nomination,
                "block",
                actor=actor,
                from_status=source_status,
                to_status=NominationStatus.BLOCKED,
                note=_("公示期间反映问题经核查属实"),
            )
            continue
        nomination.status = NominationStatus.AWARDED
        nomination.awarded_on = today
        nomination.save(update_fields=["status", "awarded_on"])
        awarded += 1
        log(
            LogSubject.NOMINATION,
            nomination,
            "award",
            actor=actor,
            from_status=source_status,
            to_status=NominationStatus.AWARDED,
        )
        award_nomination(actor, nomination, today)
    return _("表彰%(awarded)s人（个）；公示有异议未通过%(blocked)s人（个）") % {
        "awarded": awarded,
        "blocked": blocked,
    }


@transaction.atomic
def campaign_transition(*, actor, campaign: AwardCampaign, name: str, note: str = ""):
    """Move the campaign one step along the transition table, with the step's effects."""
    _require_writer(actor)
    transition = CAMPAIGN_TRANSITIONS.get(name)
    if transition is None:
        raise ValidationError({"__all__": _("未知的操作")})
    locked = _lock_campaign(actor, campaign)
    if transition not in allowed_transitions(locked):
        raise TransitionConflict(
            _("活动当前为“%(status)s”，不能“%(step)s”")
            % {"status": locked.get_status_display(), "step": transition.label}
        )
    from_status = locked.status
    summary = ""
    if name == "start_notice":
        summary = _start_notice(actor, locked)
    elif name == "award":
        summary = _award(actor, locked)
    locked.status = transition.target
    locked.save(update_fields=["status", "notice_start", "notice_end"])
    log(
        LogSubject.CAMPAIGN,
        locked,
        name,
        actor=actor,
        from_status=from_status,
        to_status=locked.status,
        note="；".join(p for p in (summary, _clean(note)) if p),
    )
    return locked


def campaign_close_nominations(*, actor, campaign):
    return campaign_transition(actor=actor, campaign=campaign, name="close_nominations")


def campaign_start_notice(*, actor, campaign):
    return campaign_transition(actor=actor, campaign=campaign, name="start_notice")


def campaign_award(*, actor, campaign):
    return campaign_transition(actor=actor, campaign=campaign, name="award")


# --- nominations ------------------------------------------------------------------------------


@transaction.atomic
def nominate(
    *, actor, campaign: AwardCampaign, cadre: Cadre | None = None, unit: Unit | None = None, deeds
) -> Nomination:
    """Nominate a cadre (or a unit, for a collective kind) with the deeds, while the campaign
    takes nominations. A cadre in an impact period is refused (处理处分影响期内不得评先评优)."""
    _require_writer(actor)
    locked = _lock_campaign(actor, campaign)
    if locked.status != CampaignStatus.NOMINATING:
        raise TransitionConflict(
            _("活动当前为“%(status)s”，不再接受推荐") % {"status": locked.get_status_display()}
        )
    today = timezone.localdate()
    if locked.nomination_deadline is not None and today > locked.nomination_deadline:
        raise ValidationError(
            {"__all__": _("推荐已于%(day)s截止") % {"day": locked.nomination_deadline.isoformat()}}
        )
    collective = campaign_is_collective(locked)
    errors = {}
    deeds = _clean(deeds)
    if not deeds:
        errors["deeds"] = _("请填写主要事迹")
    if collective:
        if cadre is not None:
            errors["cadre"] = _("“%(kind)s”表彰集体，请推荐单位") % {"kind": locked.kind_label}
        elif unit is None:
            errors["unit"] = _("请选择推荐的集体（单位）")
        elif not Unit.objects.restrict(actor, "change").filter(pk=unit.pk).exists():
            errors["unit"] = _("请选择您管辖范围内的单位")
        elif not _in_subtree(unit, locked.unit):
            errors["unit"] = _("推荐集体须为%(unit)s或其下级单位") % {"unit": locked.unit.name}
    else:
        if unit is not None:
            errors["unit"] = _("“%(kind)s”只表彰个人，不能推荐集体") % {"kind": locked.kind_label}
        elif cadre is None:
            errors["cadre"] = _("请选择推荐干部")
        elif not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
            errors["cadre"] = _("该干部不在您的管辖范围内")
        else:
            cadre = Cadre.objects.select_related("unit").get(pk=cadre.pk)
            if not _in_subtree(cadre.unit, locked.unit):
                errors["cadre"] = _("推荐干部须为%(unit)s或其下级单位的干部") % {
                    "unit": locked.unit.name
                }
    if errors:
        raise ValidationError(errors)
    if cadre is not None:
        _check_no_hold(cadre)
    lookup = {"cadre": cadre} if cadre is not None else {"nominee_unit": unit}
    existing = Nomination.objects.select_for_update().filter(campaign=locked, **lookup).first()
    if existing is not None and existing.status != NominationStatus.WITHDRAWN:
        raise ValidationError(
            {"cadre" if cadre is not None else "unit": _("已推荐过，不能重复推荐")}
        )
    if existing is not None:
        from_status = existing.status
        if not nomination_step_allowed(existing, locked, "renominate"):
            raise TransitionConflict(_("该人选不能重新推荐"))
        existing.status = NOMINATION_TRANSITIONS["renominate"][1]
        existing.deeds = deeds
        existing.review_note = ""
        existing.nominated_by = actor
        existing.full_clean(exclude=["campaign", "cadre", "nominee_unit", "nominated_by"])
        existing.save(update_fields=["status", "deeds", "review_note", "nominated_by"])
        nomination = existing
    else:
        from_status = ""
        nomination = Nomination(
            campaign=locked, cadre=cadre, nominee_unit=unit, deeds=deeds, nominated_by=actor
        )
        nomination.full_clean(
            exclude=["campaign", "cadre", "nominee_unit", "nominated_by"],
            validate_constraints=False,
        )
        nomination.save()
    log(
        LogSubject.NOMINATION,
        nomination,
        "nominate",
        actor=actor,
        from_status=from_status,
        to_status=nomination.status,
    )
    return nomination


def _nomination_step(actor, nomination, name, note=""):
    sources, target, campaign_states = NOMINATION_TRANSITIONS[name]
    locked = _lock_nomination(actor, nomination)
    if locked.campaign.status not in campaign_states or locked.status not in sources:
        raise TransitionConflict(
            _("活动“%(campaign)s”，人选“%(status)s”，不能办理此操作")
            % {
                "campaign": locked.campaign.get_status_display(),
                "status": locked.get_status_display(),
            }
        )
    return locked, target


@transaction.atomic
def nomination_review(*, actor, nomination: Nomination, approve: bool, note: str = ""):
    """Approve or reject a nominee while the campaign is in review; a rejection needs a note.
    A cadre whose impact period has begun since the nomination cannot be approved."""
    _require_writer(actor)
    name = "approve" if approve else "reject"
    locked, target = _nomination_step(actor, nomination, name)
    note = _clean(note)
    if not approve and not note:
        raise ValidationError({"note": _("审核未通过须填写审核意见")})
    if len(note) > REVIEW_NOTE_MAX:
        raise ValidationError({"note": _("审核意见不能超过%(n)s字") % {"n": REVIEW_NOTE_MAX}})
    if approve and locked.cadre_id:
        _check_no_hold(locked.cadre, field="__all__")
    from_status = locked.status
    locked.status = target
    locked.review_note = note
    locked.save(update_fields=["status", "review_note"])
    log(
        LogSubject.NOMINATION,
        locked,
        name,
        actor=actor,
        from_status=from_status,
        to_status=target,
        note=note,
    )
    return locked


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination, note: str = ""):
    """Withdraw a nominee before the public notice."""
    _require_writer(actor)
    locked, target = _nomination_step(actor, nomination, "withdraw")
    from_status = locked.status
    locked.status = target
    locked.save(update_fields=["status"])
    log(
        LogSubject.NOMINATION,
        locked,
        "withdraw",
        actor=actor,
        from_status=from_status,
        to_status=target,
        note=_clean(note),
    )
    return locked


# --- objections (公示异议) -------------------------------------------------------------------


@transaction.atomic
def objection_record(
    *, actor, nomination: Nomination, received_on: date, content: str, submitter: str = ""
) -> Objection:
    """Record an objection received during the public notice against a nominee in notice."""
    _require_writer(actor)
    locked = _lock_nomination(actor, nomination)
    campaign = locked.campaign
    if campaign.status != CampaignStatus.NOTICE or locked.status != NominationStatus.IN_NOTICE:
        raise TransitionConflict(_("只能对公示中的人选登记公示异议"))
    errors = {}
    if not isinstance(received_on, date):
        errors["received_on"] = _("请填写收到日期")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("收到日期不能晚于今天")
    elif not campaign.notice_start <= received_on <= campaign.notice_end:
        errors["received_on"] = _("收到日期须在公示期内（%(start)s至%(end)s）") % {
            "start": campaign.notice_start.isoformat(),
            "end": campaign.notice_end.isoformat(),
        }
    content = _clean(content)
    if not content:
        errors["content"] = _("请填写反映内容")
    if errors:
        raise ValidationError(errors)
    objection = Objection(
        nomination=locked,
        received_on=received_on,
        content=content,
        submitter=_clean(submitter),
        recorded_by=actor,
    )
    objection.full_clean(exclude=["nomination", "recorded_by", "resolved_by"])
    objection.save()
    log(LogSubject.OBJECTION, objection, "record", actor=actor, to_status=objection.status)
    log(
        LogSubject.NOMINATION,
        locked,
        "objection",
        actor=actor,
        note=_("收到公示异议（%(day)s）") % {"day": received_on.isoformat()},
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, resolution: str):
    """Close the check of an objection: upheld (反映属实: the nominee is not awarded) or
    dismissed (反映不实), with the conclusion."""
    _require_writer(actor)
    found = Objection.objects.restrict(actor, "change").filter(pk=objection.pk).first()
    if found is None:
        raise Http404
    nomination = _lock_nomination(actor, found.nomination)
    locked = Objection.objects.select_for_update().get(pk=found.pk)
    if locked.status != ObjectionStatus.OPEN:
        raise TransitionConflict(
            _("该异议已核查办结（%(status)s）") % {"status": locked.get_status_display()}
        )
    if nomination.campaign.status != CampaignStatus.NOTICE:
        raise TransitionConflict(_("活动已不在公示阶段"))
    resolution = _clean(resolution)
    if not resolution:
        raise ValidationError({"resolution": _("请填写核查结论")})
    locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    locked.resolution = resolution
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    log(
        LogSubject.OBJECTION,
        locked,
        "resolve",
        actor=actor,
        from_status=ObjectionStatus.OPEN,
        to_status=locked.status,
        note=resolution,
    )
    log(
        LogSubject.NOMINATION,
        nomination,
        "objection_resolved",
        actor=actor,
        note=f"{locked.get_status_display()}：{resolution}",
    )
    return locked


# --- the exemplar register --------------------------------------------------------------------


@transaction.atomic
def exemplar_add(
    *,
    actor,
    title: str,
    year: int,
    deeds: str,
    cadre: Cadre | None = None,
    collective: Unit | None = None,
    publicity: str = "",
) -> Exemplar:
    """Enter a cadre or a unit in the exemplar register directly (先进典型, F 4; ZJK 12(二))."""
    _require_writer(actor)
    errors = {}
    if (cadre is None) == (collective is None):
        errors["__all__"] = _("请选择一名干部或一个先进集体（二选一）")
    elif cadre is not None:
        if not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
            errors["cadre"] = _("该干部不在您的管辖范围内")
    elif not Unit.objects.restrict(actor, "change").filter(pk=collective.pk).exists():
        errors["collective"] = _("请选择您管辖范围内的单位")
    title = _clean(title)
    if not title:
        errors["title"] = _("请填写荣誉或典型称号")
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors["year"] = _("请填写年度")
    else:
        if not MIN_YEAR <= year <= MAX_YEAR:
            errors["year"] = _("年度须在2000至2100之间")
    deeds = _clean(deeds)
    if not deeds:
        errors["deeds"] = _("请填写先进事迹")
    if errors:
        raise ValidationError(errors)
    unit = Cadre.objects.get(pk=cadre.pk).unit if cadre is not None else collective
    exemplar = Exemplar(
        unit=unit,
        cadre=cadre,
        collective=collective,
        title=title,
        year=year,
        deeds=deeds,
        publicity=_clean(publicity),
        created_by=actor,
    )
    exemplar.full_clean(
        exclude=["unit", "cadre", "collective", "nomination", "created_by"],
        validate_constraints=False,
    )
    exemplar.save()
    log(LogSubject.EXEMPLAR, exemplar, "create", actor=actor, note=title)
    return exemplar


# --- selectors --------------------------------------------------------------------------------


def campaigns_for(user):
    if not can_read(user):
        return AwardCampaign.objects.none()
    return AwardCampaign.objects.restrict(user).select_related("unit", "created_by")


def nominations_for(user):
    if not can_read(user):
        return Nomination.objects.none()
    return Nomination.objects.restrict(user).select_related(
        "campaign", "campaign__unit", "cadre", "cadre__unit", "nominee_unit", "nominated_by"
    )


def objections_for(user):
    if not can_read(user):
        return Objection.objects.none()
    return Objection.objects.restrict(user).select_related(
        "nomination",
        "nomination__campaign",
        "nomination__cadre",
        "nomination__nominee_unit",
        "recorded_by",
        "resolved_by",
    )


def exemplars_for(user):
    if not can_read(user):
        return Exemplar.objects.none()
    rows = Exemplar.objects.restrict(user)
    cadre_q = cadre_scope_q(user)
    if cadre_q:  # a cadre above the user's management level is not shown
        rows = rows.filter(Q(cadre__isnull=True) | cadre_q)
    return rows.select_related(
        "unit", "cadre", "cadre__unit", "collective", "nomination__campaign", "created_by"
    )


def campaign_nominations(user, campaign):
    """The campaign's nominees the user may see, with their objections: three queries."""
    objections = Objection.objects.select_related("recorded_by", "resolved_by").order_by(
        "received_on", "pk"
    )
    return (
        nominations_for(user)
        .filter(campaign=campaign)
        .prefetch_related(Prefetch("objections", queryset=objections))
        .order_by("pk")
    )


def campaign_timeline(campaign, nomination_ids=()):
    """The campaign's steps and its nominees' steps, oldest first: one query."""
    q = Q(subject=LogSubject.CAMPAIGN, subject_id=campaign.pk)
    if nomination_ids:
        q |= Q(subject=LogSubject.NOMINATION, subject_id__in=list(nomination_ids))
    return IncentiveLog.objects.filter(q).select_related("actor").order_by("at", "pk")

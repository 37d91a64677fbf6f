"""Priority promotion (优先提拔使用, ZJK 3 and annex 1, F 7), exceptional promotion (破格提拔,
ZJK 4, F 8) and the age rules of ZJK 5.

Priority: a cadre is linked to one situation of the list `incentives.priority_situations`
applying at the cadre's unit, with the evidence; a link is withdrawn with a reason. The
situation with `auto: "excellent_streak"` (F 7, 连续多年年度考核优秀) is never linked by hand:
`excellent_streak_cadres` finds those cadres from the fixed annual grades.

Exceptional promotion: a candidate list (破格提拔人选名单) keeps the path and check lists in force
when it opened. A candidate must fit one allowed jump (`from_levels`, `post_keywords`);
`candidates_check` evaluates every check item by its `type` for all the candidates at once.
The list goes draft → submitted (every candidate checked and passed) → closed; each candidate
is decided (approved / rejected with the committee's opinion) while the list is submitted.

Writes (services): `priority_link`, `priority_withdraw`, `candidate_list_open`,
`candidate_add`, `candidate_remove`, `candidate_check`, `candidates_check`,
`candidate_list_submit`, `candidate_list_close`, `candidate_decide`.
Reads (selectors): `priority_records`, `excellent_streak_cadres`, `candidate_lists`,
`candidates_of`, `young_flags`, `appointment_form_url`."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.choices import Grade
from cadre.choices import CadreStatus
from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, PolicyItem, PostLevel, Unit
from cadre.selectors import policy_items
from cadre.text import clean_text as _clean

from . import selectors
from .choices import (
    KIND_AGE_RULES,
    KIND_EXCEPTIONAL_CHECKS,
    KIND_EXCEPTIONAL_PATHS,
    KIND_PRIORITY_SITUATIONS,
    CandidateListStatus,
    CandidateStatus,
    LogSubject,
    RecordStatus,
)
from .models import Candidate, CandidateList, PriorityRecord
from .models.common import WRITE_ROLES, can_read, can_write, log, timeline

AUTO_EXCELLENT_STREAK = "excellent_streak"
CONFIRMATIONS = ("healthy", "outstanding", "recognised")
# Annual grades from the highest; "none below min_grade" compares on this order.
GRADE_ORDER = {
    Grade.EXCELLENT: 4,
    Grade.COMPETENT: 3,
    Grade.BASIC: 2,
    Grade.INCOMPETENT: 1,
}


def _require_write(actor):
    if not can_write(actor):
        raise PermissionDenied(_("优先提拔和破格提拔由组织部门办理"))


def _confirmation_labels():
    return {
        "healthy": _("身体健康"),
        "outstanding": _("实绩突出"),
        "recognised": _("群众认可"),
    }


# --- priority promotion ---------------------------------------------------------------------


def priority_situations(unit: Unit | None):
    """(list, [items]) of the priority situations applying at `unit`."""
    return policy_items(KIND_PRIORITY_SITUATIONS, unit)


def is_auto(item: PolicyItem) -> bool:
    return bool((item.params or {}).get("auto"))


def manual_situations(unit: Unit | None):
    """(list, [items]) the organisation department links by hand (not the automatic ones)."""
    policy_list, items = priority_situations(unit)
    return policy_list, [item for item in items if not is_auto(item)]


@transaction.atomic
def priority_link(
    *, actor, cadre: Cadre, situation_code: str, evidence: str, evidence_on: date
) -> PriorityRecord:
    """Link `cadre` to a situation of the list applying at the cadre's unit (ZJK 3, annex 1),
    keeping the list version, the code, the label and the evidence."""
    _require_write(actor)
    errors: dict[str, str] = {}
    if cadre is None or not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})
    policy_list, items = priority_situations(cadre.unit)
    if policy_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布优先提拔使用情形清单")})
    item = {i.code: i for i in items}.get(_clean(situation_code))
    if item is None:
        errors["situation_code"] = _("请选择适用于该干部所在单位的优先提拔使用情形")
    elif is_auto(item):
        errors["situation_code"] = _(
            "“连续多年年度考核优秀”由系统根据年度考核等次自动识别，不需手工登记"
        )
    evidence = _clean(evidence)
    if not evidence:
        errors["evidence"] = _("请填写事实依据（实绩、表彰、批示肯定等）")
    if not isinstance(evidence_on, date):
        errors["evidence_on"] = _("请填写事实发生时间")
    elif evidence_on > timezone.localdate():
        errors["evidence_on"] = _("事实发生时间不能晚于今天")
    if errors:
        raise ValidationError(errors)
    record = PriorityRecord(
        cadre=cadre,
        situations_list=policy_list,
        situation_code=item.code,
        situation_label=item.label[:300],
        evidence=evidence,
        evidence_on=evidence_on,
        recorded_by=actor,
    )
    record.full_clean(exclude=["cadre", "situations_list", "recorded_by"])
    record.save()
    log(
        LogSubject.PRIORITY,
        record,
        "link",
        actor=actor,
        to_status=record.status,
        note=f"{item.code} {item.label}",
    )
    return record


@transaction.atomic
def priority_withdraw(*, actor, record: PriorityRecord, reason: str) -> PriorityRecord:
    """Withdraw a link (the situation did not hold, was entered in error…), with the reason."""
    _require_write(actor)
    locked = (
        PriorityRecord.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=record.pk)
        .first()
    )
    if locked is None:
        raise Http404
    if locked.status != RecordStatus.ACTIVE:
        raise TransitionConflict(_("该情形已撤销，不能重复撤销"))
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写撤销理由")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("撤销理由不超过300字")})
    locked.status = RecordStatus.WITHDRAWN
    locked.withdrawn_reason = reason
    locked.save(update_fields=["status", "withdrawn_reason"])
    log(
        LogSubject.PRIORITY,
        locked,
        "withdraw",
        actor=actor,
        from_status=RecordStatus.ACTIVE,
        to_status=RecordStatus.WITHDRAWN,
        note=reason,
    )
    return locked


def priority_records(user):
    """The links the user may read, with what the list shows."""
    if not can_read(user):
        return PriorityRecord.objects.none()
    return PriorityRecord.objects.restrict(user).select_related(
        "cadre", "cadre__unit", "cadre__post_level", "situations_list", "recorded_by"
    )


@dataclass(frozen=True)
class StreakRow:
    cadre: Cadre
    streak: int
    years: list


def auto_streak_item(unit: Unit | None, items=None) -> PolicyItem | None:
    """The F 7 item (`auto: excellent_streak`) of the list applying at `unit` (or among
    `items` of that list already read), if any."""
    if items is None:
        _policy_list, items = priority_situations(unit)
    for item in items:
        if (item.params or {}).get("auto") == AUTO_EXCELLENT_STREAK:
            return item
    return None


def excellent_streak_cadres(user, *, search: str = "", unit: Unit | None = None, items=None):
    """(item, [StreakRow]) — the serving cadres in the user's scope whose consecutive 优秀 years
    (fixed annual grades, ending with the latest graded year) reach the item's `min_years`
    (F 7: 连续多年年度考核优秀 → 同等条件下优先提拔使用). The item is read from the list applying
    at the user's unit (or from `items`, that list already read). Four queries at most,
    whatever the number of cadres."""
    item = auto_streak_item(user.unit if getattr(user, "unit_id", None) else None, items)
    if item is None or not can_read(user):
        return item, []
    min_years = int((item.params or {}).get("min_years") or 3)
    cadres = Cadre.objects.restrict(user).filter(status=CadreStatus.ACTIVE)
    if unit is not None:
        cadres = cadres.filter(unit__path__startswith=unit.path)
    if search:
        cadres = cadres.search(search)
    # Only cadres with at least `min_years` fixed 优秀 grades can have such a streak.
    fixed_excellent = Q(annual_grades__grade=Grade.EXCELLENT) & ~Q(
        annual_grades__cycle__status="open"
    )
    cadres = list(
        cadres.annotate(excellent_count=Count("annual_grades", filter=fixed_excellent))
        .filter(excellent_count__gte=min_years)
        .select_related("unit", "post_level")
        .order_by("unit__path", "name", "pk")
    )
    grades = selectors.grades_by_cadre([c.pk for c in cadres])
    rows = []
    for cadre in cadres:
        by_year = grades.get(cadre.pk, {})
        streak = selectors.excellent_streak(by_year)
        if streak >= min_years:
            latest = max(by_year)
            rows.append(StreakRow(cadre, streak, list(range(latest - streak + 1, latest + 1))))
    return item, rows


# --- exceptional promotion: lists and candidates --------------------------------------------

CANDIDATE_LIST_TRANSITIONS = {
    # action: (from, to, label)
    "submit": (
        CandidateListStatus.DRAFT,
        CandidateListStatus.SUBMITTED,
        gettext_lazy("提交党委（党组）研究"),
    ),
    "close": (CandidateListStatus.SUBMITTED, CandidateListStatus.CLOSED, gettext_lazy("办结")),
}
CANDIDATE_TRANSITIONS = {
    "approve": (CandidateStatus.PROPOSED, CandidateStatus.APPROVED, gettext_lazy("研究同意")),
    "reject": (CandidateStatus.PROPOSED, CandidateStatus.REJECTED, gettext_lazy("未同意")),
}
# Who may act on a list or a candidate: the organisation department records the decisions.
TRANSITION_ROLES = WRITE_ROLES


def can_edit_list(candidate_list: CandidateList) -> bool:
    return candidate_list.status == CandidateListStatus.DRAFT


def can_transition_list(candidate_list: CandidateList, action: str) -> bool:
    source, _target, _label = CANDIDATE_LIST_TRANSITIONS[action]
    return candidate_list.status == source


def can_decide(candidate: Candidate) -> bool:
    return (
        candidate.candidate_list.status == CandidateListStatus.SUBMITTED
        and candidate.status == CandidateStatus.PROPOSED
    )


def paths_of(candidate_list: CandidateList) -> dict[str, PolicyItem]:
    return {item.code: item for item in candidate_list.paths_list.items.all()}


def path_levels(item: PolicyItem) -> list[str]:
    return list((item.params or {}).get("from_levels") or [])


def path_keywords(item: PolicyItem) -> list[str]:
    return [k for k in (item.params or {}).get("post_keywords") or [] if k]


@transaction.atomic
def candidate_list_open(
    *, actor, unit: Unit, title: str, year: int, note: str = ""
) -> CandidateList:
    """Open a candidate list for `unit`, keeping the path and check lists in force there."""
    _require_write(actor)
    errors: dict[str, str] = {}
    if unit is None or not Unit.objects.restrict(actor, "change").filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("请选择您管辖范围内的单位")})
    title = _clean(title)
    if not title:
        errors["title"] = _("请填写名单名称")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("请填写有效的年度")
    paths_list, _paths = policy_items(KIND_EXCEPTIONAL_PATHS, unit)
    checks_list, _checks = policy_items(KIND_EXCEPTIONAL_CHECKS, unit)
    if paths_list is None or checks_list is None:
        errors["__all__"] = _("本地区尚未发布破格提拔路径或条件清单")
    if errors:
        raise ValidationError(errors)
    candidate_list = CandidateList(
        unit=unit,
        title=title,
        year=year,
        paths_list=paths_list,
        checks_list=checks_list,
        note=_clean(note),
        created_by=actor,
    )
    candidate_list.full_clean(exclude=["unit", "paths_list", "checks_list", "created_by"])
    candidate_list.save()
    log(
        LogSubject.CANDIDATE_LIST,
        candidate_list,
        "open",
        actor=actor,
        to_status=candidate_list.status,
        note=_("破格路径清单第%(p)s版，条件清单第%(c)s版")
        % {"p": paths_list.version, "c": checks_list.version},
    )
    return candidate_list


def _locked_list(actor, candidate_list) -> CandidateList:
    locked = (
        CandidateList.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=candidate_list.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def _require_draft(candidate_list):
    if candidate_list.status != CandidateListStatus.DRAFT:
        raise ValidationError(
            {
                "__all__": _("名单%(status)s，不能再调整人选或核查条件")
                % {"status": candidate_list.get_status_display()}
            }
        )


def _level_name(code: str) -> str:
    level = PostLevel.objects.filter(code=code).only("name").first()
    return level.name if level else code


@transaction.atomic
def candidate_add(
    *,
    actor,
    candidate_list: CandidateList,
    cadre: Cadre,
    path_code: str,
    target_post: str,
    deeds: str,
    target_level: PostLevel | str | None = None,
    healthy: bool = False,
    outstanding: bool = False,
    recognised: bool = False,
) -> Candidate:
    """Put `cadre` on the list for one allowed jump (ZJK 4, F 8): the cadre must hold one of
    the path's post levels and, when the path names posts (F 8: 党委常委, 党政正职, 乡镇党委
    书记), a post containing one of its keywords."""
    _require_write(actor)
    locked = _locked_list(actor, candidate_list)
    _require_draft(locked)
    errors: dict[str, str] = {}
    in_scope = Cadre.objects.restrict(actor, "change").filter(pk=getattr(cadre, "pk", None))
    if cadre is None or not in_scope.exists():
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})
    cadre = in_scope.select_related("unit", "post_level").get()
    if not cadre.unit.path.startswith(locked.unit.path):
        errors["cadre"] = _("只能推荐%(unit)s（含下级单位）的干部") % {"unit": locked.unit.name}
    elif cadre.status != CadreStatus.ACTIVE:
        errors["cadre"] = _("该干部不在职，不能作为人选")
    elif Candidate.objects.filter(candidate_list=locked, cadre=cadre).exists():
        errors["cadre"] = _("%(name)s已在名单中") % {"name": cadre.name}
    path = paths_of(locked).get(_clean(path_code))
    if path is None:
        errors["path_code"] = _("请选择名单适用的破格提拔路径")
    elif "cadre" not in errors:
        levels = path_levels(path)
        level_code = cadre.post_level.code if cadre.post_level_id else ""
        keywords = path_keywords(path)
        if level_code not in levels:
            errors["path_code"] = _("路径“%(path)s”限%(levels)s干部，%(name)s现为%(level)s") % {
                "path": path.code,
                "levels": "、".join(_level_name(code) for code in levels),
                "name": cadre.name,
                "level": cadre.post_level.name if cadre.post_level_id else _("未填写职务层次"),
            }
        elif keywords and not any(word in cadre.post for word in keywords):
            errors["path_code"] = _(
                "路径“%(path)s”限现任职务含“%(words)s”的干部，%(name)s现任%(post)s"
            ) % {
                "path": path.code,
                "words": "”或“".join(keywords),
                "name": cadre.name,
                "post": cadre.post,
            }
    level = None
    if target_level in (None, "") and path is not None:
        target_level = (path.params or {}).get("target_level")
    if isinstance(target_level, PostLevel):
        level = target_level
    elif target_level:
        level = PostLevel.objects.filter(code=_clean(target_level)).first()
    if level is None and path is not None:
        errors["target_level"] = _("请选择拟任职务层次")
    target_post = _clean(target_post)
    if not target_post:
        errors["target_post"] = _("请填写拟任职务")
    deeds = _clean(deeds)
    if not deeds:
        errors["deeds"] = _("请填写主要实绩（工作特别优秀、实绩特别突出的事实）")
    if errors:
        raise ValidationError(errors)
    candidate = Candidate(
        candidate_list=locked,
        cadre=cadre,
        path_code=path.code,
        path_label=path.label[:300],
        target_post=target_post,
        target_level=level,
        deeds=deeds,
        healthy=bool(healthy),
        outstanding=bool(outstanding),
        recognised=bool(recognised),
    )
    candidate.full_clean(exclude=["candidate_list", "cadre", "target_level"])
    candidate.save()
    log(
        LogSubject.CANDIDATE,
        candidate,
        "add",
        actor=actor,
        to_status=candidate.status,
        note=f"{path.code} → {target_post}",
    )
    return candidate


def _locked_candidate(actor, candidate) -> Candidate:
    locked = (
        Candidate.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=candidate.pk)
        .select_related("candidate_list", "cadre")
        .first()
    )
    if locked is None:
        raise Http404
    return locked


@transaction.atomic
def candidate_remove(*, actor, candidate: Candidate, reason: str = "") -> None:
    """Take a candidate off a list still in preparation (a failing candidate must go before
    the list is submitted)."""
    _require_write(actor)
    locked = _locked_candidate(actor, candidate)
    candidate_list = _locked_list(actor, locked.candidate_list)
    _require_draft(candidate_list)
    log(
        LogSubject.CANDIDATE,
        locked,
        "remove",
        actor=actor,
        from_status=locked.status,
        note=_clean(reason),
    )
    log(
        LogSubject.CANDIDATE_LIST,
        candidate_list,
        "candidate_removed",
        actor=actor,
        note=f"{locked.cadre.name}：{_clean(reason)}".rstrip("："),
    )
    locked.delete()


@transaction.atomic
def candidate_confirm_age(
    *, actor, candidate: Candidate, healthy: bool, outstanding: bool, recognised: bool
) -> Candidate:
    """Record the confirmations ZJK 5 asks of a cadre 55 or older (身体健康、实绩突出、群众认可);
    the checks are to be run again."""
    _require_write(actor)
    locked = _locked_candidate(actor, candidate)
    _require_draft(locked.candidate_list)
    locked.healthy, locked.outstanding, locked.recognised = (
        bool(healthy),
        bool(outstanding),
        bool(recognised),
    )
    locked.checked_at = None
    locked.checks_passed = False
    locked.save(
        update_fields=["healthy", "outstanding", "recognised", "checked_at", "checks_passed"]
    )
    labels = _confirmation_labels()
    log(
        LogSubject.CANDIDATE,
        locked,
        "confirm_age",
        actor=actor,
        note="、".join(str(labels[k]) for k in CONFIRMATIONS if getattr(locked, k)) or "-",
    )
    return locked


# --- the checks -----------------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Facts:
    """What the checks read, fetched once for all the candidates."""

    def __init__(self, candidates, checks, on):
        ids = [c.cadre_id for c in candidates]
        types = {(item.params or {}).get("type") for item in checks}
        self.on = on
        self.holds = selectors.holds_on(ids, on) if "no_active_sanction" in types else {}
        self.restrictions = {}
        if "no_restriction" in types:
            years_after = max(
                [
                    int((i.params or {}).get("years_after") or 1)
                    for i in checks
                    if (i.params or {}).get("type") == "no_restriction"
                ]
            )
            self.restrictions = selectors.restrictions_on(ids, on, years_after=years_after)
        self.grades = selectors.grades_by_cadre(ids) if "excellent_years" in types else {}
        self.level_orders = (
            sorted(PostLevel.objects.values_list("order", flat=True))
            if "max_level_jump" in types
            else []
        )


def _check_no_active_sanction(candidate, params, facts):
    holds = facts.holds.get(candidate.cadre_id, [])
    if not holds:
        return True, _("无处于影响期内的处理处分或组织调整")
    parts = []
    for hold in holds:
        until = hold.until.isoformat() if hold.until else _("待确认")
        parts.append(
            _("%(label)s（%(since)s决定，影响期至%(until)s）")
            % {"label": hold.label, "since": hold.since.isoformat(), "until": until}
        )
    return False, _("处于影响期内：") + "；".join(parts)


def _check_no_restriction(candidate, params, facts):
    found = facts.restrictions.get(candidate.cadre_id, [])
    if not found:
        return True, _("未被限制职务晋升")
    parts = [
        _("%(year)s年度%(cause)s，%(kind)s")
        % {"year": c.year, "cause": c.get_cause_display(), "kind": c.get_kind_display()}
        for c in found
    ]
    return False, "；".join(parts)


def _check_excellent_years(candidate, params, facts):
    years = int(params.get("years") or 3)
    min_excellent = int(params.get("min_excellent") or 1)
    min_grade = params.get("min_grade") or Grade.COMPETENT
    grades = facts.grades.get(candidate.cadre_id, {})
    recent = sorted(grades.items(), reverse=True)[:years]
    labels = dict(Grade.choices)
    shown = "，".join(f"{y}年{labels.get(g, g)}" for y, g in recent) or _("无")
    if len(recent) < years:
        return False, _("已确定的年度考核等次不足%(n)s年（%(shown)s）") % {
            "n": years,
            "shown": shown,
        }
    excellent = sum(1 for _y, g in recent if g == Grade.EXCELLENT)
    below = [
        f"{y}年{labels.get(g, g)}"
        for y, g in recent
        if GRADE_ORDER.get(g, 0) < GRADE_ORDER.get(min_grade, 0)
    ]
    if below:
        return False, _("近%(n)s年有%(grade)s以下等次：%(below)s") % {
            "n": years,
            "grade": labels.get(min_grade, min_grade),
            "below": "，".join(below),
        }
    if excellent < min_excellent:
        return False, _("近%(n)s年优秀%(got)s次，须至少%(need)s次（%(shown)s）") % {
            "n": years,
            "got": excellent,
            "need": min_excellent,
            "shown": shown,
        }
    return True, shown


def _check_min_years_in_post(candidate, params, facts):
    years = int(params.get("years") or 1)
    since = candidate.cadre.post_since
    if since is None:
        return False, _("未填写任现职时间")
    due = _add_years(since, years)
    if facts.on < due:
        return False, _("%(since)s任现职，%(due)s满%(n)s年") % {
            "since": since.isoformat(),
            "due": due.isoformat(),
            "n": years,
        }
    return True, _("%(since)s任现职") % {"since": since.isoformat()}


def _check_max_level_jump(candidate, params, facts):
    max_steps = int(params.get("max_steps") or 2)
    level = candidate.cadre.post_level
    if level is None:
        return False, _("未填写现任职务层次")
    target = candidate.target_level
    steps = sum(1 for order in facts.level_orders if level.order < order <= target.order)
    detail = _("%(from)s→%(to)s，提升%(steps)s个职务层次") % {
        "from": level.name,
        "to": target.name,
        "steps": steps,
    }
    if target.order <= level.order:
        return False, detail + _("（拟任职务层次不高于现职）")
    if steps > max_steps:
        return False, detail + _("，超过%(n)s个") % {"n": max_steps}
    return True, detail


def _check_senior_age(candidate, params, facts):
    min_age = int(params.get("min_age") or 55)
    required = params.get("requires") or list(CONFIRMATIONS)
    age = age_on(candidate.cadre.birth_date, facts.on)
    if age < min_age:
        return True, _("%(age)s岁，不适用") % {"age": age}
    labels = _confirmation_labels()
    missing = [str(labels.get(k, k)) for k in required if not getattr(candidate, k, False)]
    if missing:
        return False, _("%(age)s岁（%(min)s岁以上），尚未确认：%(missing)s") % {
            "age": age,
            "min": min_age,
            "missing": "、".join(missing),
        }
    return True, _("%(age)s岁，已确认身体健康、实绩突出、群众认可") % {"age": age}


CHECK_TYPES = {
    "no_active_sanction": _check_no_active_sanction,
    "no_restriction": _check_no_restriction,
    "excellent_years": _check_excellent_years,
    "min_years_in_post": _check_min_years_in_post,
    "max_level_jump": _check_max_level_jump,
    "senior_age": _check_senior_age,
}


def evaluate_checks(candidates, checks, on: date) -> dict[int, list[dict]]:
    """{candidate id: [{code, label, passed, detail}]} for every check item, reading the facts
    once for all the candidates. An item of an unknown type does not pass."""
    candidates = list(candidates)
    checks = list(checks)
    facts = _Facts(candidates, checks, on)
    results = {}
    for candidate in candidates:
        rows = []
        for item in checks:
            params = item.params or {}
            rule = CHECK_TYPES.get(params.get("type"))
            if rule is None:
                passed, detail = False, _("未知的核查类型：%(t)s") % {"t": params.get("type")}
            else:
                passed, detail = rule(candidate, params, facts)
            rows.append(
                {"code": item.code, "label": item.label, "passed": passed, "detail": str(detail)}
            )
        results[candidate.pk] = rows
    return results


def _run_checks(actor, candidate_list, candidates):
    checks = list(candidate_list.checks_list.items.all())
    now = timezone.now()
    results = evaluate_checks(candidates, checks, timezone.localdate())
    for candidate in candidates:
        candidate.check_results = results[candidate.pk]
        candidate.checks_passed = all(row["passed"] for row in candidate.check_results)
        candidate.checked_at = now
    Candidate.objects.bulk_update(candidates, ["check_results", "checks_passed", "checked_at"])
    passed = sum(1 for c in candidates if c.checks_passed)
    log(
        LogSubject.CANDIDATE_LIST,
        candidate_list,
        "check",
        actor=actor,
        note=_("核查%(n)s人，符合%(ok)s人") % {"n": len(candidates), "ok": passed},
    )
    return candidates


def _candidates_for_check(candidate_list, ids=None):
    qs = Candidate.objects.filter(candidate_list=candidate_list).select_related(
        "cadre", "cadre__post_level", "target_level"
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return list(qs.select_for_update(of=("self",)).order_by("pk"))


@transaction.atomic
def candidates_check(*, actor, candidate_list: CandidateList) -> list[Candidate]:
    """Evaluate every check of the list's check version for all its candidates, in a
    constant number of queries, and store the results."""
    _require_write(actor)
    locked = _locked_list(actor, candidate_list)
    _require_draft(locked)
    return _run_checks(actor, locked, _candidates_for_check(locked))


@transaction.atomic
def candidate_check(*, actor, candidate: Candidate) -> Candidate:
    """Evaluate the checks for one candidate and store the results."""
    _require_write(actor)
    found = _locked_candidate(actor, candidate)
    locked = _locked_list(actor, found.candidate_list)
    _require_draft(locked)
    return _run_checks(actor, locked, _candidates_for_check(locked, [found.pk]))[0]


# --- the workflow ---------------------------------------------------------------------------


def _transition_list(actor, candidate_list, action):
    roles = set(getattr(actor, "roles", None) or [])
    if not (roles & TRANSITION_ROLES or getattr(actor, "is_superuser", False)):
        raise PermissionDenied(_("名单由组织部门提交和办结"))
    _require_write(actor)
    locked = _locked_list(actor, candidate_list)
    source, target, label = CANDIDATE_LIST_TRANSITIONS[action]
    if locked.status != source:
        raise TransitionConflict(
            _("名单当前为“%(status)s”，不能%(action)s")
            % {"status": locked.get_status_display(), "action": label}
        )
    return locked, source, target


def _apply_list(actor, locked, action, source, target, note):
    locked.status = target
    locked.save(update_fields=["status"])
    log(
        LogSubject.CANDIDATE_LIST,
        locked,
        action,
        actor=actor,
        from_status=source,
        to_status=target,
        note=_clean(note),
    )
    return locked


@transaction.atomic
def candidate_list_submit(*, actor, candidate_list: CandidateList, note: str = ""):
    """Submit the list to the party committee: it must have candidates, each checked and
    passing every check (a failing candidate is removed first)."""
    locked, source, target = _transition_list(actor, candidate_list, "submit")
    candidates = list(
        Candidate.objects.filter(candidate_list=locked).select_related("cadre").order_by("pk")
    )
    if not candidates:
        raise ValidationError({"__all__": _("名单中没有人选，不能提交")})
    unchecked = [c.cadre.name for c in candidates if c.checked_at is None]
    if unchecked:
        raise ValidationError(
            {
                "__all__": _("以下人选尚未核查破格条件，请先核查：%(names)s")
                % {"names": "、".join(unchecked)}
            }
        )
    failing = [c.cadre.name for c in candidates if not c.checks_passed]
    if failing:
        raise ValidationError(
            {
                "__all__": _("以下人选不符合破格提拔条件，须先移出名单：%(names)s")
                % {"names": "、".join(failing)}
            }
        )
    # The facts may have changed since the check (a sanction recorded, a restriction decided):
    # the list goes up only if every candidate still passes today.
    fresh = evaluate_checks(
        _candidates_for_check(locked),
        locked.checks_list.items.all(),
        timezone.localdate(),
    )
    changed = [c.cadre.name for c in candidates if not all(row["passed"] for row in fresh[c.pk])]
    if changed:
        raise ValidationError(
            {
                "__all__": _(
                    "以下人选的情况在核查后发生变化，不再符合破格提拔条件，请重新核查：%(names)s"
                )
                % {"names": "、".join(changed)}
            }
        )
    return _apply_list(actor, locked, "submit", source, target, note)


@transaction.atomic
def candidate_list_close(*, actor, candidate_list: CandidateList, note: str = ""):
    """Close the list once the committee has decided on every candidate."""
    locked, source, target = _transition_list(actor, candidate_list, "close")
    pending = list(
        Candidate.objects.filter(candidate_list=locked, status=CandidateStatus.PROPOSED)
        .select_related("cadre")
        .values_list("cadre__name", flat=True)
    )
    if pending:
        raise ValidationError(
            {
                "__all__": _("以下人选尚未研究决定，不能办结：%(names)s")
                % {"names": "、".join(pending)}
            }
        )
    return _apply_list(actor, locked, "close", source, target, note)


@transaction.atomic
def candidate_decide(*, actor, candidate: Candidate, approve: bool, note: str) -> Candidate:
    """Record the committee's decision on a candidate of a submitted list, with its opinion."""
    _require_write(actor)
    locked = _locked_candidate(actor, candidate)
    candidate_list = locked.candidate_list
    if candidate_list.status != CandidateListStatus.SUBMITTED:
        raise TransitionConflict(
            _("名单当前为“%(status)s”，只有提交研究的名单才能作出决定")
            % {"status": candidate_list.get_status_display()}
        )
    action = "approve" if approve else "reject"
    source, target, _label = CANDIDATE_TRANSITIONS[action]
    if locked.status != source:
        raise TransitionConflict(
            _("%(name)s已作出决定（%(status)s），不能重复决定")
            % {"name": locked.cadre.name, "status": locked.get_status_display()}
        )
    note = _clean(note)
    if not note:
        raise ValidationError({"note": _("请填写研究意见")})
    if len(note) > 300:
        raise ValidationError({"note": _("研究意见不超过300字")})
    locked.status = target
    locked.decision_note = note
    locked.save(update_fields=["status", "decision_note"])
    log(
        LogSubject.CANDIDATE,
        locked,
        action,
        actor=actor,
        from_status=source,
        to_status=target,
        note=note,
    )
    return locked


# --- reads ----------------------------------------------------------------------------------


def candidate_lists(user):
    if not can_read(user):
        return CandidateList.objects.none()
    return (
        CandidateList.objects.restrict(user)
        .select_related("unit", "paths_list", "checks_list", "created_by")
        .order_by("-year", "-pk")
    )


def with_counts(queryset):
    """The lists with their number of candidates and of those passing the checks."""
    return queryset.annotate(
        candidate_count=Count("candidates"),
        passed_count=Count("candidates", filter=Q(candidates__checks_passed=True)),
    )


def candidates_of(user, candidate_list: CandidateList):
    """The candidates of a list the user may see (a cadre beyond their management level is
    left out)."""
    return (
        Candidate.objects.restrict(user)
        .filter(candidate_list=candidate_list)
        .select_related(
            "candidate_list", "cadre", "cadre__unit", "cadre__post_level", "target_level"
        )
        .order_by("pk")
    )


def age_rules(unit: Unit | None) -> list[PolicyItem]:
    """The items of the age rules (ZJK 5) applying at `unit`."""
    return policy_items(KIND_AGE_RULES, unit)[1]


def young_flags(cadres, unit: Unit | None, on: date | None = None, rules=None) -> dict[int, str]:
    """{cadre id: label} of the cadres who count as 年轻干部 (ZJK 5: 优秀年轻干部优先大胆使用)
    by the `young_*` items of the age rules applying at `unit` (or `rules`, those items
    already read): age ≤ max_age for their post level."""
    on = on or timezone.localdate()
    items = age_rules(unit) if rules is None else rules
    rules = [i for i in items if i.code.startswith("young_")]
    found = {}
    for cadre in cadres:
        code = cadre.post_level.code if cadre.post_level_id else None
        age = age_on(cadre.birth_date, on)
        for rule in rules:
            params = rule.params or {}
            if code in (params.get("levels") or []) and age <= int(params.get("max_age") or 0):
                found[cadre.pk] = rule.label
                break
    return found


def senior_rule(unit: Unit | None, rules=None) -> PolicyItem | None:
    """The ZJK 5 item for cadres 55 or older (shown beside the confirmations)."""
    items = age_rules(unit) if rules is None else rules
    return next((i for i in items if i.code == "senior"), None)


ACTION_LABELS = {
    "link": gettext_lazy("登记情形"),
    "withdraw": gettext_lazy("撤销"),
    "open": gettext_lazy("建立名单"),
    "add": gettext_lazy("列入名单"),
    "remove": gettext_lazy("移出名单"),
    "candidate_removed": gettext_lazy("移出人选"),
    "confirm_age": gettext_lazy("确认年龄条件"),
    "check": gettext_lazy("核查破格条件"),
    "submit": gettext_lazy("提交党委（党组）研究"),
    "close": gettext_lazy("办结"),
    "approve": gettext_lazy("研究同意"),
    "reject": gettext_lazy("未同意"),
}


def history(subject, obj) -> list[dict]:
    """The record's timeline with its actions and states named as users read them."""
    states = {
        **dict(RecordStatus.choices),
        **dict(CandidateListStatus.choices),
        **dict(CandidateStatus.choices),
    }
    return [
        {
            "at": line.at,
            "action": ACTION_LABELS.get(line.action, line.action),
            "from_status": states.get(line.from_status, line.from_status),
            "to_status": states.get(line.to_status, line.to_status),
            "actor": line.actor,
            "note": line.note,
        }
        for line in timeline(subject, obj)
    ]


def appointment_form_url(candidate: Candidate) -> str:
    """The 干部任免审批表 of the candidate with the proposed post filled in."""
    query = urlencode({"proposed_post": candidate.target_post})
    try:
        base = reverse("incentives:appointment_form", args=[candidate.cadre_id])
    except NoReverseMatch:
        base = f"/incentives/structure/appointment-form/{candidate.cadre_id}/"
    return f"{base}?{query}"

"""Writes of the tolerance app (DOMAIN §4). Workflow statuses are moved by `tolerance.workflow`
only; these services open files and record what happens around them."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import Role
from cadre.events import event_record
from cadre.models import Cadre, PolicyItem, Unit
from cadre.selectors import policy_items, policy_list_for
from cadre.text import clean_text as _clean_text

from .choices import (
    CLEARED_CONCLUSIONS,
    KIND_ACCOUNTABILITY_FORMS,
    KIND_CLARIFICATION_METHODS,
    KIND_CONDITIONS,
    KIND_DISTINCTIONS,
    KIND_EXCLUSIONS,
    KIND_MATTER_CATEGORIES,
    KIND_PUBLICATION_SCOPES,
    KIND_SEVERITY,
    KIND_SITUATIONS,
    Answer,
    CaseOrigin,
    CaseStatus,
    ClearingConclusion,
    ClearingStatus,
    CorrectionStatus,
    MatterStatus,
    Outcome,
)
from .models import (
    APPLICANT_ROLES,
    WORK_ROLES,
    AccountabilityMatter,
    Case,
    CaseStatusChange,
    ChecklistAnswer,
    Clarification,
    ClearingMatter,
    ClearingStatusChange,
    Consultation,
    CorrectionPlan,
    FollowUpVisit,
    Inquiry,
    Publication,
    Reminder,
)
from .workflow import due_date


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def _require_roles(user, roles, message=None):
    # A superuser maintains files in admin; workflow transitions keep their own role table.
    if getattr(user, "is_superuser", False):
        return
    if not _roles(user) & set(roles):
        raise PermissionDenied(message or _("您的角色不能办理此事项"))


def _next_id(model) -> int:
    """The next id of `model`, taken before the insert so a file's number is known at once."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        return cursor.fetchone()[0]


def _number(prefix, pk, on: date | None = None):
    return f"{prefix}{(on or timezone.localdate()).year}-{pk:05d}"


def _check_unit(actor, unit, field="handling_unit"):
    if unit is None or not Unit.objects.restrict(actor).filter(pk=unit.pk).exists():
        raise ValidationError({field: _("请选择您管辖范围内的单位")})


def _check_subjects(actor, cadres, party_org, unit):
    cadres = list(cadres or [])
    if not cadres and party_org is None:
        raise ValidationError({"cadres": _("请至少选择一名涉及的干部，或选择涉及的党组织")})
    if cadres:
        ids = [c.pk for c in cadres]
        visible = set(
            Cadre.objects.restrict(actor, "view")
            .filter(pk__in=ids, unit__path__startswith=unit.path)
            .values_list("pk", flat=True)
        )
        if visible != set(ids):
            raise ValidationError({"cadres": _("所选干部须在本单位管辖范围内")})
    if party_org is not None and not party_org.path.startswith(unit.path):
        raise ValidationError({"party_org": _("所选党组织须在本单位管辖范围内")})
    return cadres


def _check_category(code, unit):
    if not code:
        return ""
    _list, items = policy_items(KIND_MATTER_CATEGORIES, unit)
    if code not in {i.code for i in items}:
        raise ValidationError({"matter_category": _("请选择有效的事由类别")})
    return code


def _check_date(value, field, *, not_future=True):
    if value is None:
        raise ValidationError({field: _("此项为必填项")})
    if not_future and value > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天")})
    return value


# --- accountability and reminders --------------------------------------------------------------


@transaction.atomic
def accountability_matter_open(
    *,
    actor,
    handling_unit: Unit,
    accountable_body: str,
    title: str,
    facts: str = "",
    matter_category: str = "",
    occurred_on: date,
    opened_on: date | None = None,
    cadres=(),
    party_org: Unit | None = None,
    consider_tolerance: bool = True,
) -> AccountabilityMatter:
    """Open an accountability matter (问责). Whoever holds to account considers tolerance (ZJK
    art. 9): unless told otherwise a tolerance case is filed with it."""
    _require_roles(actor, WORK_ROLES)
    _check_unit(actor, handling_unit)
    cadres = _check_subjects(actor, cadres, party_org, handling_unit)
    opened_on = opened_on or timezone.localdate()
    _check_date(occurred_on, "occurred_on")
    _check_date(opened_on, "opened_on")
    if occurred_on > opened_on:
        raise ValidationError({"occurred_on": _("问题发生日期不能晚于启动问责日期")})
    pk = _next_id(AccountabilityMatter)
    matter = AccountabilityMatter(
        pk=pk,
        number=_number("WZ", pk, opened_on),
        handling_unit=handling_unit,
        accountable_body=accountable_body,
        title=_clean_text(title),
        facts=_clean_text(facts),
        matter_category=_check_category(matter_category, handling_unit),
        occurred_on=occurred_on,
        opened_on=opened_on,
        party_org=party_org,
        created_by=actor,
    )
    matter.full_clean()
    matter.save(force_insert=True)
    matter.cadres.set(cadres)
    payload = {"matter_id": matter.pk, "number": matter.number, "title": matter.title}
    payload["matter_category"] = matter.matter_category
    for cadre in cadres:
        event_record(
            kind="tolerance.accountability_opened",
            actor=actor,
            cadre=cadre,
            payload=payload,
            source=matter,
        )
    if consider_tolerance:
        case_file(
            actor=actor,
            title=matter.title,
            facts=matter.facts or matter.title,
            origin=CaseOrigin.ACCOUNTABILITY,
            handling_unit=handling_unit,
            occurred_on=occurred_on,
            cadres=cadres,
            party_org=party_org,
            matter=matter,
            matter_category=matter.matter_category,
        )
    return matter


@transaction.atomic
def accountability_matter_decide(
    *, actor, matter: AccountabilityMatter, form: str, decided_on: date | None = None
) -> AccountabilityMatter:
    """Record the accountability decision. An organisational handling form (params
    `organisational_handling`) tells the rest of the system (五必谈 trigger 4)."""
    _require_roles(actor, WORK_ROLES)
    matter = (
        AccountabilityMatter.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=matter.pk)
        .first()
    )
    if matter is None:
        raise Http404
    if matter.status != MatterStatus.OPEN:
        raise ValidationError({"__all__": _("该问责事项已作出决定")})
    if matter.cases.filter(outcome=Outcome.EXEMPT).exists():
        raise ValidationError({"form": _("该事项已经党委（党组）认定免责，不再问责")})
    if matter.cases.filter(status__in=["filed", "investigating", "preliminary"]).exists():
        raise ValidationError({"form": _("容错认定尚未作出，请待认定后再作问责决定")})
    forms_list, forms = policy_items(KIND_ACCOUNTABILITY_FORMS, matter.handling_unit)
    item = next((f for f in forms if f.code == form), None)
    if item is None:
        raise ValidationError({"form": _("请选择有效的问责方式")})
    matter.form = item.code
    matter.form_label = item.label
    matter.forms_list = forms_list
    matter.decided_on = _check_date(decided_on or timezone.localdate(), "decided_on")
    matter.status = MatterStatus.DECIDED
    matter.save(update_fields=["form", "form_label", "forms_list", "decided_on", "status"])
    if (item.params or {}).get("organisational_handling"):
        payload = {
            "matter_id": matter.pk,
            "number": matter.number,
            "form": item.code,
            "form_label": item.label,
            "matter_category": matter.matter_category,
        }
        for cadre in matter.cadres.all():
            event_record(
                kind="tolerance.organisational_handling",
                actor=actor,
                cadre=cadre,
                payload=payload,
                source=matter,
            )
    return matter


@transaction.atomic
def accountability_matter_drop(*, actor, matter: AccountabilityMatter) -> AccountabilityMatter:
    """不予问责 (e.g. after the committee exempted the cadres)."""
    _require_roles(actor, WORK_ROLES)
    matter = (
        AccountabilityMatter.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=matter.pk)
        .first()
    )
    if matter is None:
        raise Http404
    if matter.status != MatterStatus.OPEN:
        raise ValidationError({"__all__": _("该问责事项已作出决定")})
    matter.status = MatterStatus.DROPPED
    matter.decided_on = timezone.localdate()
    matter.save(update_fields=["status", "decided_on"])
    return matter


@transaction.atomic
def reminder_record(
    *, actor, cadre: Cadre, given_on: date, summary: str, matter_category: str = "", unit=None
) -> Reminder:
    """An organisational reminder (组织提醒) about an emerging problem: an early-warning sign
    for care (五必谈 trigger 3) and, later, evidence for exclusion 9."""
    _require_roles(actor, WORK_ROLES)
    if not Cadre.objects.restrict(actor, "view").filter(pk=cadre.pk).exists():
        raise ValidationError({"cadre": _("请选择您管辖范围内的干部")})
    unit = unit or actor.unit or cadre.unit
    reminder = Reminder(
        handling_unit=unit,
        cadre=cadre,
        given_on=_check_date(given_on, "given_on"),
        summary=_clean_text(summary),
        matter_category=_check_category(matter_category, unit),
        created_by=actor,
    )
    reminder.full_clean()
    reminder.save()
    event_record(
        kind="tolerance.reminder_recorded",
        actor=actor,
        cadre=cadre,
        payload={"reminder_id": reminder.pk, "matter_category": reminder.matter_category},
        source=reminder,
    )
    return reminder


# --- cases ------------------------------------------------------------------------------------


@transaction.atomic
def case_file(
    *,
    actor,
    title: str,
    facts: str,
    origin: str,
    handling_unit: Unit | None = None,
    occurred_on: date,
    cadres=(),
    party_org: Unit | None = None,
    matter: AccountabilityMatter | None = None,
    matter_category: str = "",
    application_reason: str = "",
) -> Case:
    """File a tolerance case: with an accountability matter, or on application by the cadre or
    the unit. The checklists applying at the handling unit now are recorded on the case."""
    roles = _roles(actor)
    applicant = None
    if roles & WORK_ROLES:
        if matter is not None:
            if not AccountabilityMatter.objects.restrict(actor).filter(pk=matter.pk).exists():
                raise ValidationError({"matter": _("请选择您管辖范围内的问责事项")})
            handling_unit = handling_unit or matter.handling_unit
        _check_unit(actor, handling_unit)
        if origin == CaseOrigin.ACCOUNTABILITY and matter is None:
            raise ValidationError({"matter": _("因问责启动的容错须关联问责事项")})
        cadres = _check_subjects(actor, cadres, party_org, handling_unit)
    elif roles & APPLICANT_ROLES:
        # A cadre applies for themself, a unit leader for their unit; the case goes to a body
        # that manages them (their unit or one above).
        if origin == CaseOrigin.ACCOUNTABILITY or matter is not None:
            raise ValidationError({"origin": _("个人或单位只能提出容错申请")})
        if actor.unit_id is None:
            raise PermissionDenied(_("您的账号未关联单位，不能提出申请"))
        if handling_unit is None or not actor.unit.path.startswith(handling_unit.path):
            raise ValidationError({"handling_unit": _("请选择本单位或上级单位作为受理单位")})
        if origin == CaseOrigin.CADRE_APPLICATION:
            if actor.cadre_id is None:
                raise PermissionDenied(_("您的账号未关联干部档案，不能以个人名义申请"))
            cadres, party_org = [actor.cadre], None
        else:
            cadres = list(cadres or [])
            ok = all(c.unit.path.startswith(actor.unit.path) for c in cadres)
            if not ok or (party_org is not None and party_org.pk != actor.unit_id):
                raise ValidationError({"cadres": _("单位申请只能涉及本单位干部或本单位党组织")})
            if not cadres and party_org is None:
                party_org = actor.unit
        if not _clean_text(application_reason):
            raise ValidationError({"application_reason": _("请填写申请容错的理由")})
        applicant = actor
    else:
        raise PermissionDenied(_("您的角色不能提出或受理容错"))
    _check_date(occurred_on, "occurred_on")
    lists = {}
    for kind, field in (
        (KIND_DISTINCTIONS, "distinctions_list"),
        (KIND_CONDITIONS, "conditions_list"),
        (KIND_SITUATIONS, "situations_list"),
        (KIND_EXCLUSIONS, "exclusions_list"),
        (KIND_SEVERITY, "severity_list"),
    ):
        policy_list = policy_list_for(kind, handling_unit)
        if policy_list is None:
            raise ValidationError(
                {"__all__": _("本地区尚未发布“%(kind)s”清单，无法立案") % {"kind": kind}}
            )
        lists[field] = policy_list
    pk = _next_id(Case)
    today = timezone.localdate()
    case = Case(
        pk=pk,
        number=_number("RC", pk, today),
        title=_clean_text(title),
        facts=_clean_text(facts),
        origin=origin,
        matter=matter,
        handling_unit=handling_unit,
        party_org=party_org,
        matter_category=_check_category(
            matter_category or (matter.matter_category if matter else ""), handling_unit
        ),
        occurred_on=occurred_on,
        applicant=applicant,
        application_reason=_clean_text(application_reason),
        status=CaseStatus.FILED,
        due_on=due_date(handling_unit, CaseStatus.FILED, today),
        created_by=actor,
        **lists,
    )
    case.full_clean(exclude=["number"])
    case.save(force_insert=True)
    case.cadres.set(cadres)
    CaseStatusChange.objects.create(
        case=case,
        transition="file",
        from_status="",
        to_status=CaseStatus.FILED,
        actor=actor,
        reason=CaseOrigin(origin).label,
    )
    payload = {"case_id": case.pk, "number": case.number, "origin": origin}
    payload["matter_category"] = case.matter_category
    for cadre in cadres:
        event_record(
            kind="tolerance.case_opened", actor=actor, cadre=cadre, payload=payload, source=case
        )
    return case


ANSWERABLE_STATES = (CaseStatus.FILED, CaseStatus.INVESTIGATING)


def _lock(model, actor, obj, states=None, roles=WORK_ROLES):
    """The file `obj` locked for a change by `actor`: 404 outside their scope, 403 for a role
    that may not act, a message when its state does not allow the change."""
    _require_roles(actor, roles)
    locked = (
        model.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=obj.pk)
        .first()
    )
    if locked is None:
        raise Http404
    if states is not None and locked.status not in states:
        raise ValidationError(
            {"__all__": _("当前状态为“%(s)s”，不能办理此项") % {"s": locked.get_status_display()}}
        )
    return locked


def _lock_case(actor, case, states=None, roles=WORK_ROLES):
    return _lock(Case, actor, case, states, roles)


@transaction.atomic
def case_checklist_save(*, actor, case: Case, answers, severity: str | None = None) -> Case:
    """Record checklist answers: `answers` maps an item code of one of the case's lists to
    (answer, evidence), answer "yes", "no" or "" to clear. Only while the case is investigated:
    once the preliminary opinion is submitted, the answers it rests on are fixed."""
    case = _lock_case(actor, case, ANSWERABLE_STATES)
    list_ids = [case.distinctions_list_id, case.conditions_list_id]
    list_ids += [case.situations_list_id, case.exclusions_list_id]
    rows = list(PolicyItem.objects.filter(policy_list_id__in=list_ids))
    by_id = {i.pk: i for i in rows}
    by_code = {(i.policy_list_id, i.code): i for i in rows}
    errors = {}
    existing = {a.item_id: a for a in case.answers.all()}
    for key, value in answers.items():
        if isinstance(key, int) or str(key).isdigit():
            item = by_id.get(int(key))
        else:
            item = _item_by_plain_code(case, by_code, str(key))
        if item is None:
            errors[str(key)] = _("清单中没有这一条目")
            continue
        answer, evidence = value
        answer = answer or ""
        evidence = _clean_text(evidence)
        if answer and answer not in Answer.values:
            errors[str(key)] = _("请选择“是”或“否”")
            continue
        if item.policy_list_id == case.distinctions_list_id and answer and not evidence:
            errors[str(key)] = _("请写明事实依据")
            continue
        current = existing.get(item.pk)
        if not answer:
            if current is not None:
                current.delete()
            continue
        if current is None:
            ChecklistAnswer.objects.create(
                case=case, item=item, answer=answer, evidence=evidence, answered_by=actor
            )
        elif (current.answer, current.evidence) != (answer, evidence):
            current.answer, current.evidence = answer, evidence
            current.answered_by, current.answered_at = actor, timezone.now()
            current.save(update_fields=["answer", "evidence", "answered_by", "answered_at"])
    if errors:
        raise ValidationError(errors)
    if severity is not None:
        if severity == "":
            case.severity = None
        else:
            level = case.severity_list.items.filter(code=severity).first()
            if level is None:
                raise ValidationError({"severity": _("请选择有效的情节程度")})
            case.severity = level
        case.save(update_fields=["severity"])
    return case


def _item_by_plain_code(case, items, code):
    """A plain code (D1, C3, S7, N9) names the item of the first of the case's lists that has
    it; the seeded lists never share a code."""
    for list_id in (
        case.distinctions_list_id,
        case.conditions_list_id,
        case.situations_list_id,
        case.exclusions_list_id,
    ):
        item = items.get((list_id, code))
        if item is not None:
            return item
    return None


@transaction.atomic
def inquiry_add(*, actor, case: Case, kind, held_on, party, content, findings="") -> Inquiry:
    case = _lock_case(actor, case, ANSWERABLE_STATES)
    inquiry = Inquiry(
        case=case,
        kind=kind,
        held_on=_check_date(held_on, "held_on"),
        party=_clean_text(party),
        content=_clean_text(content),
        findings=_clean_text(findings),
        recorded_by=actor,
    )
    inquiry.full_clean()
    inquiry.save()
    return inquiry


@transaction.atomic
def consultation_add(
    *, actor, case: Case, held_on, lead_body, participants, topic, conclusions
) -> Consultation:
    case = _lock_case(
        actor, case, [s for s in CaseStatus.values if s not in ("closed", "withdrawn")]
    )
    consultation = Consultation(
        case=case,
        held_on=_check_date(held_on, "held_on"),
        lead_body=_clean_text(lead_body),
        participants=_clean_text(participants),
        topic=_clean_text(topic),
        conclusions=_clean_text(conclusions),
        recorded_by=actor,
    )
    consultation.full_clean()
    consultation.save()
    return consultation


CORRECTION_STATES = (
    CaseStatus.DECIDED,
    CaseStatus.FEEDBACK_SENT,
    CaseStatus.FILED_UPWARD,
    CaseStatus.PUBLISHED,
    CaseStatus.CORRECTING,
)


@transaction.atomic
def correction_add(
    *, actor, case: Case, remedial_measures, responsible, due_on, root_cause="", improvement_plan=""
) -> CorrectionPlan:
    case = _lock_case(actor, case, CORRECTION_STATES)
    plan = CorrectionPlan(
        case=case,
        remedial_measures=_clean_text(remedial_measures),
        root_cause=_clean_text(root_cause),
        improvement_plan=_clean_text(improvement_plan),
        responsible=_clean_text(responsible),
        due_on=due_on,
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def correction_update(*, actor, plan: CorrectionPlan, status, result="", done_on=None):
    """Track a correction plan to done."""
    _lock_case(actor, plan.case, [*CORRECTION_STATES, CaseStatus.FOLLOW_UP])
    plan = CorrectionPlan.objects.select_for_update().get(pk=plan.pk)
    if status not in CorrectionStatus.values:
        raise ValidationError({"status": _("请选择有效的进度")})
    plan.status = status
    plan.result = _clean_text(result) or plan.result
    if status == CorrectionStatus.DONE:
        plan.done_on = _check_date(done_on or timezone.localdate(), "done_on")
        if not plan.result:
            raise ValidationError({"result": _("完成整改须填写整改成效")})
    else:
        plan.done_on = None
    plan.full_clean()
    plan.save(update_fields=["status", "result", "done_on"])
    return plan


VISIT_CASE_STATES = (
    CaseStatus.FILED_UPWARD,
    CaseStatus.PUBLISHED,
    CaseStatus.CORRECTING,
    CaseStatus.FOLLOW_UP,
)


@transaction.atomic
def visit_add(
    *,
    actor,
    case: Case | None = None,
    clearing: ClearingMatter | None = None,
    visited_on,
    visitors,
    findings,
    at_ease=False,
    next_visit_on=None,
    cadre: Cadre | None = None,
) -> FollowUpVisit:
    """A follow-up visit (回访) after a case or a clearing: one plan per person, one file per
    matter (一人一策、一件一档), visits until the person is at ease."""
    if (case is None) == (clearing is None):
        raise ValidationError({"__all__": _("回访须对应一个案件或一个澄清正名事项")})
    if case is not None:
        parent = _lock_case(actor, case, VISIT_CASE_STATES)
        subjects = parent.cadres
    else:
        parent = _lock_clearing(
            actor, clearing, (ClearingStatus.CLARIFIED, ClearingStatus.FOLLOW_UP)
        )
        subjects = parent.cadres
    if cadre is not None and not subjects.filter(pk=cadre.pk).exists():
        raise ValidationError({"cadre": _("回访对象须是本事项涉及的干部")})
    visited_on = _check_date(visited_on, "visited_on")
    if next_visit_on is not None and next_visit_on <= visited_on:
        raise ValidationError({"next_visit_on": _("下次回访日期须晚于本次回访日期")})
    visit = FollowUpVisit(
        case=parent if case is not None else None,
        clearing=parent if clearing is not None else None,
        cadre=cadre,
        visited_on=visited_on,
        visitors=_clean_text(visitors),
        findings=_clean_text(findings),
        at_ease=bool(at_ease),
        next_visit_on=next_visit_on,
        recorded_by=actor,
    )
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def case_flag_oversight(*, actor, case: Case, reason: str) -> Case:
    """ZJK art. 11(四): a case that met the conditions but was refused by an inactive body is
    flagged, so that body is held to account."""
    case = _lock_case(actor, case, roles={Role.DISCIPLINE, Role.COMMITTEE})
    if case.outcome != Outcome.NOT_TOLERATED:
        raise ValidationError({"__all__": _("只有认定不予容错的案件才能标记“应容未容”")})
    if case.oversight_flagged:
        raise ValidationError({"__all__": _("该案件已标记")})
    if not _clean_text(reason):
        raise ValidationError({"oversight_reason": _("请写明应予容错而未容错的理由")})
    case.oversight_flagged = True
    case.oversight_reason = _clean_text(reason)
    case.oversight_flagged_on = timezone.localdate()
    case.oversight_flagged_by = actor
    case.save(
        update_fields=[
            "oversight_flagged",
            "oversight_reason",
            "oversight_flagged_on",
            "oversight_flagged_by",
        ]
    )
    return case


@transaction.atomic
def case_acknowledge_filing(*, actor, case: Case) -> Case:
    """The discipline body or organisation department of the level above confirms it has
    received the filing (备案, ZJK art. 10)."""
    case = _lock_case(actor, case)
    if actor.unit_id is None or actor.unit_id == case.handling_unit_id:
        raise PermissionDenied(_("备案由上一级纪检监察机关或组织人事部门确认"))
    if case.filed_upward_on is None:
        raise ValidationError({"__all__": _("该案件尚未报备")})
    if case.filing_acknowledged_on is not None:
        raise ValidationError({"__all__": _("已确认备案")})
    case.filing_acknowledged_on = timezone.localdate()
    case.filing_acknowledged_by = actor
    case.save(update_fields=["filing_acknowledged_on", "filing_acknowledged_by"])
    return case


# --- clearing of names ------------------------------------------------------------------------


def _lock_clearing(actor, clearing, states=None, roles=WORK_ROLES):
    return _lock(ClearingMatter, actor, clearing, states, roles)


@transaction.atomic
def clearing_open(
    *,
    actor,
    handling_unit: Unit,
    source: str,
    allegation: str,
    cadres=(),
    party_org: Unit | None = None,
    received_on: date | None = None,
    accuser_name: str = "",
    accuser_contact: str = "",
    background_check: str = "",
) -> ClearingMatter:
    """Register a report (举报) against a cadre or a party organisation for quick verification."""
    _require_roles(actor, {Role.DISCIPLINE})
    _check_unit(actor, handling_unit)
    cadres = _check_subjects(actor, cadres, party_org, handling_unit)
    received_on = _check_date(received_on or timezone.localdate(), "received_on")
    pk = _next_id(ClearingMatter)
    clearing = ClearingMatter(
        pk=pk,
        number=_number("CQ", pk, received_on),
        handling_unit=handling_unit,
        party_org=party_org,
        source=source,
        received_on=received_on,
        allegation=_clean_text(allegation),
        accuser_name=_clean_text(accuser_name),
        accuser_contact=_clean_text(accuser_contact),
        background_check=_clean_text(background_check),
        created_by=actor,
    )
    clearing.full_clean(exclude=["number"])
    clearing.save(force_insert=True)
    clearing.cadres.set(cadres)
    ClearingStatusChange.objects.create(
        clearing=clearing,
        transition="receive",
        from_status="",
        to_status=ClearingStatus.RECEIVED,
        actor=actor,
    )
    return clearing


@transaction.atomic
def clearing_background_save(*, actor, clearing: ClearingMatter, background_check: str):
    """侧面了解 before acting on the clue (F 13)."""
    clearing = _lock_clearing(
        actor, clearing, (ClearingStatus.RECEIVED, ClearingStatus.VERIFYING), {Role.DISCIPLINE}
    )
    clearing.background_check = _clean_text(background_check)
    clearing.save(update_fields=["background_check"])
    return clearing


@transaction.atomic
def clarification_add(
    *, actor, clearing: ClearingMatter, method: str, scope: str, held_on, content
) -> Clarification:
    clearing = _lock_clearing(actor, clearing, (ClearingStatus.CONCLUDED,))
    if clearing.conclusion not in CLEARED_CONCLUSIONS:
        raise ValidationError({"__all__": _("只有反映不实或诬告陷害的事项才进行澄清正名")})
    _list, methods = policy_items(KIND_CLARIFICATION_METHODS, clearing.handling_unit)
    item = next((m for m in methods if m.code == method), None)
    if item is None:
        raise ValidationError({"method": _("请选择有效的澄清方式")})
    clarification = Clarification(
        clearing=clearing,
        method=item.code,
        method_label=item.label,
        scope=_clean_text(scope),
        held_on=_check_date(held_on, "held_on"),
        content=_clean_text(content),
        recorded_by=actor,
    )
    clarification.full_clean()
    clarification.save()
    return clarification


@transaction.atomic
def unfounded_bulletin_publish(
    *, actor, handling_unit: Unit, period_start: date, period_end: date, scope: str, channel: str
) -> Publication:
    """Publish the period's unfounded reports (定期公布不实举报的案例, ZJK art. 11(三)); the
    content lists them without the accusers' names."""
    from .selectors import unfounded_reports

    _require_roles(actor, WORK_ROLES)
    _check_unit(actor, handling_unit)
    if period_end < period_start:
        raise ValidationError({"period_end": _("结束日期不能早于开始日期")})
    _list, scopes = policy_items(KIND_PUBLICATION_SCOPES, handling_unit)
    item = next((s for s in scopes if s.code == scope), None)
    if item is None:
        raise ValidationError({"scope": _("请选择有效的公开范围")})
    rows = list(unfounded_reports(actor, handling_unit, period_start, period_end))
    if not rows:
        raise ValidationError({"__all__": _("该期间没有反映不实的事项")})
    lines = [
        _("%(start)s至%(end)s，共为%(n)s件反映不实的问题澄清正名：")
        % {"start": period_start, "end": period_end, "n": len(rows)}
    ]
    for row in rows:
        label = ClearingConclusion(row.conclusion).label
        lines.append(f"{row.number}：{row.allegation[:80]}（{label}）")
    publication = Publication(
        handling_unit=handling_unit,
        period_start=period_start,
        period_end=period_end,
        scope=item.code,
        scope_label=item.label,
        channel=_clean_text(channel),
        published_on=timezone.localdate(),
        content="\n".join(lines),
        published_by=actor,
    )
    publication.full_clean()
    publication.save()
    return publication


@transaction.atomic
def clearing_publish(
    *, actor, clearing: ClearingMatter, scope: str, channel: str, content: str
) -> Publication:
    """Make a clearing known within a set scope (在一定范围内通报, ZJK art. 11(三))."""
    clearing = _lock_clearing(
        actor, clearing, (ClearingStatus.CLARIFIED, ClearingStatus.FOLLOW_UP, ClearingStatus.CLOSED)
    )
    if clearing.conclusion not in CLEARED_CONCLUSIONS:
        raise ValidationError({"__all__": _("只有反映不实或诬告陷害的事项才通报澄清")})
    _list, scopes = policy_items(KIND_PUBLICATION_SCOPES, clearing.handling_unit)
    item = next((s for s in scopes if s.code == scope), None)
    if item is None:
        raise ValidationError({"scope": _("请选择有效的公开范围")})
    publication = Publication(
        handling_unit=clearing.handling_unit,
        clearing=clearing,
        scope=item.code,
        scope_label=item.label,
        channel=_clean_text(channel),
        published_on=timezone.localdate(),
        content=_clean_text(content),
        published_by=actor,
    )
    publication.full_clean()
    publication.save()
    return publication


@transaction.atomic
def case_text_correct(*, actor, case: Case, title: str, facts: str) -> Case:
    """Correct a case's title or facts before the committee decides; afterwards the decided
    documents rest on them and they stay as they are. History keeps the old text."""
    case = _lock_case(actor, case, (CaseStatus.FILED, CaseStatus.INVESTIGATING))
    case.title, case.facts = _clean_text(title), _clean_text(facts)
    case.full_clean(validate_unique=False, validate_constraints=False)
    case.save(update_fields=["title", "facts"])
    return case


@transaction.atomic
def matter_text_correct(*, actor, matter: AccountabilityMatter, title: str, facts: str):
    """Correct an accountability matter's wording while it is open."""
    _require_roles(actor, WORK_ROLES)
    matter = (
        AccountabilityMatter.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=matter.pk)
        .first()
    )
    if matter is None:
        raise Http404
    if matter.status != MatterStatus.OPEN:
        raise ValidationError({"__all__": _("问责决定已作出，事由不能再修改")})
    matter.title, matter.facts = _clean_text(title), _clean_text(facts)
    matter.full_clean(validate_unique=False, validate_constraints=False)
    matter.save(update_fields=["title", "facts"])
    return matter

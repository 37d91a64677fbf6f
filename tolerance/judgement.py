"""Judgement support: from a case's checklist answers, a suggestion and its explanation.

DOMAIN §4.2-4.4 (ZJK annex 2): any exclusion → 不予容错; all conditions and at least one
situation → tolerable, with 免责/从轻/减轻 proposed by the severity level's `proposal`; answers
still missing → incomplete. The suggestion is advice: the committee decides, and gives reasons
when it departs from it. Exclusion 9 (repeating the same error after being held to account or
reminded) is looked up in the cadre's history by `repeat_findings`.
"""

from dataclasses import asdict, dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from cadre.models import Event

from .choices import EXCLUSION_REPEAT, Answer, Outcome, SuggestionStatus
from .models import AccountabilityMatter, Case, Reminder


@dataclass
class Finding:
    """One earlier accountability, decided case or reminder on the same matter category."""

    kind: str
    date: str
    label: str
    cadre: str
    ref: str = ""


@dataclass
class Suggestion:
    status: str
    proposed_outcome: str = ""
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repeat_findings: list[dict] = field(default_factory=list)
    versions: dict = field(default_factory=dict)

    @property
    def status_label(self):
        return SuggestionStatus(self.status).label

    @property
    def outcome_label(self):
        return Outcome(self.proposed_outcome).label if self.proposed_outcome else ""

    def as_dict(self):
        return asdict(self)


def repeat_findings(case: Case) -> list[Finding]:
    """ZJK annex 2, exclusion 9: earlier accountability (a matter, or a decided case) or an
    organisational reminder of the same subject for the same matter category, dated before
    this error occurred."""
    if not case.matter_category:
        return []
    cadre_ids = list(case.cadres.values_list("pk", flat=True))
    before = case.occurred_on
    category = case.matter_category
    findings: list[Finding] = []

    subject_q = Q(cadres__in=cadre_ids) if cadre_ids else Q(pk__in=[])
    if case.party_org_id:
        subject_q |= Q(party_org_id=case.party_org_id)
    matters = (
        AccountabilityMatter.objects.filter(
            subject_q, matter_category=category, opened_on__lt=before
        )
        .exclude(status="dropped")
        .exclude(pk=case.matter_id)
        .distinct()
        .order_by("opened_on")
    )
    for matter in matters:
        findings.append(
            Finding(
                kind="accountability",
                date=matter.opened_on.isoformat(),
                label=_("被问责：%(title)s（%(number)s）")
                % {"title": matter.title, "number": matter.number},
                cadre="",
                ref=matter.number,
            )
        )
    cases = (
        Case.objects.filter(subject_q, matter_category=category, decided_on__lt=before)
        .exclude(pk=case.pk)
        .exclude(outcome="")
        .distinct()
        .order_by("decided_on")
    )
    for earlier in cases:
        findings.append(
            Finding(
                kind="case",
                date=earlier.decided_on.isoformat(),
                label=_("此前容错认定案件：%(title)s（%(number)s，%(outcome)s）")
                % {
                    "title": earlier.title,
                    "number": earlier.number,
                    "outcome": earlier.get_outcome_display(),
                },
                cadre="",
                ref=earlier.number,
            )
        )
    if cadre_ids:
        reminders = Reminder.objects.filter(
            cadre_id__in=cadre_ids, matter_category=category, given_on__lt=before
        ).select_related("cadre")
        for reminder in reminders.order_by("given_on"):
            findings.append(
                Finding(
                    kind="reminder",
                    date=reminder.given_on.isoformat(),
                    label=_("组织提醒：%(summary)s") % {"summary": reminder.summary[:60]},
                    cadre=reminder.cadre.name,
                )
            )
        findings.extend(_reminder_events(case, cadre_ids, category, before))
    return findings


def _reminder_events(case, cadre_ids, category, before):
    """Reminders known from other apps' domain events (kinds listed in the N9 item's params,
    e.g. an assessment consequence 提醒谈话 or a reminder talk held)."""
    item = case.exclusions_list.items.filter(code=EXCLUSION_REPEAT).first()
    specs = (item.params or {}).get("reminder_events", []) if item else []
    if not specs:
        return []
    q = Q()
    for spec in specs:
        q |= Q(kind=spec["kind"], payload__contains=spec.get("payload", {}))
    events = (
        Event.objects.filter(q, cadre_id__in=cadre_ids, occurred_at__date__lt=before)
        .filter(payload__matter_category=category)
        .select_related("cadre")
        .order_by("occurred_at")
    )
    return [
        Finding(
            kind="reminder",
            date=event.occurred_at.date().isoformat(),
            label=_("提醒记录（%(kind)s）") % {"kind": event.kind},
            cadre=event.cadre.name if event.cadre else "",
        )
        for event in events
    ]


def suggest(case: Case, findings: list[Finding] | None = None) -> Suggestion:
    """The suggestion for a case from its answers under the list versions it records."""
    if findings is None:
        findings = repeat_findings(case)
    answers = {a.item_id: a for a in case.answers.all()}
    lists = {
        "conditions": case.conditions_list,
        "situations": case.situations_list,
        "exclusions": case.exclusions_list,
    }
    items = {name: list(pl.items.all()) for name, pl in lists.items()}
    versions = {name: f"{pl.title} v{pl.version}" for name, pl in lists.items()}
    result = Suggestion(status=SuggestionStatus.INCOMPLETE, versions=versions)
    if findings:
        result.repeat_findings = [asdict(f) for f in findings]
    # The three distinctions: where the facts fall is recorded with evidence and shown; a fact
    # on the side of knowing violation is a warning for the humans, not a rule of its own.
    for item in case.distinctions_list.items.all():
        row = answers.get(item.pk)
        if row is not None and row.answer == Answer.NO:
            result.warnings.append(
                _("三个区分开来 %(code)s：事实倾向于违纪违法一侧") % {"code": item.code}
            )

    def answer_of(item):
        if item.code == EXCLUSION_REPEAT and findings:
            return Answer.YES
        row = answers.get(item.pk)
        return row.answer if row else None

    present = [i for i in items["exclusions"] if answer_of(i) == Answer.YES]
    if present:
        result.status = SuggestionStatus.NOT_TOLERATED
        result.proposed_outcome = Outcome.NOT_TOLERATED
        result.blocking = [i.code for i in present]
        for i in present:
            result.reasons.append(
                _("存在不予容错情形 %(code)s：%(label)s") % {"code": i.code, "label": i.label}
            )
        if findings and any(i.code == EXCLUSION_REPEAT for i in present):
            result.reasons.append(_("系统比对历史记录发现同一事由的问责或提醒，见下方记录"))
        return result

    unmet = [i for i in items["conditions"] if answer_of(i) == Answer.NO]
    if unmet:
        result.status = SuggestionStatus.NOT_TOLERATED
        result.proposed_outcome = Outcome.NOT_TOLERATED
        result.blocking = [i.code for i in unmet]
        for i in unmet:
            result.reasons.append(
                _("不符合容错条件 %(code)s：%(label)s") % {"code": i.code, "label": i.label}
            )
        return result

    for name, heading in (
        ("conditions", _("容错条件")),
        ("exclusions", _("不予容错情形")),
    ):
        for i in items[name]:
            if answer_of(i) is None:
                result.missing.append(f"{heading} {i.code}")
    situations_present = [i for i in items["situations"] if answer_of(i) == Answer.YES]
    situations_missing = [i for i in items["situations"] if answer_of(i) is None]
    if not situations_present:
        if situations_missing:
            result.missing.extend(f"{_('容错情形')} {i.code}" for i in situations_missing)
        elif not result.missing:
            result.status = SuggestionStatus.NOT_TOLERATED
            result.proposed_outcome = Outcome.NOT_TOLERATED
            result.reasons.append(_("符合全部容错条件，但不具有任何一种予以容错的情形"))
            return result
    if result.missing:
        result.reasons.append(_("清单尚有未研判的条目，暂不能给出建议"))
        return result

    result.status = SuggestionStatus.TOLERABLE
    result.reasons.append(_("同时符合全部 %(n)s 项容错条件") % {"n": len(items["conditions"])})
    for i in situations_present:
        result.reasons.append(
            _("具有予以容错情形 %(code)s：%(label)s") % {"code": i.code, "label": i.label}
        )
    result.reasons.append(_("不存在不予容错情形"))
    if case.severity_id is None:
        result.status = SuggestionStatus.INCOMPLETE
        result.missing.append(_("情节与后果程度"))
        result.reasons.append(_("请选择情节与后果程度，以提出免责、从轻或减轻的建议"))
        return result
    proposal = (case.severity.params or {}).get("proposal", Outcome.EXEMPT)
    result.proposed_outcome = proposal
    result.reasons.append(
        _("情节与后果程度为“%(level)s”，建议%(outcome)s")
        % {"level": case.severity.label, "outcome": Outcome(proposal).label}
    )
    return result

"""Helpers shared by the tolerance tests: opening a case, answering its checklist in one line,
moving it along (the `staff` fixture with a user of every role is in conftest)."""

import datetime

from tolerance import services
from tolerance.workflow import case_transition

ALL_CONDITIONS = [f"C{i}" for i in range(1, 7)]
ALL_SITUATIONS = [f"S{i}" for i in range(1, 13)]
ALL_EXCLUSIONS = [f"N{i}" for i in range(1, 11)]
DISTINCTIONS = ["D1", "D2", "D3"]


def open_case(actor, unit, cadres, *, occurred_on=None, category="project", title="项目推进失误"):
    """A case opened with an accountability matter (谁负责问责、谁考虑容错)."""
    matter = services.accountability_matter_open(
        actor=actor,
        handling_unit=unit,
        accountable_body="discipline",
        title=title,
        facts="在重点项目推进中先行先试，出现偏差。",
        matter_category=category,
        occurred_on=occurred_on or datetime.date(2026, 6, 1),
        cadres=cadres,
    )
    return matter.cases.get()


def answer(actor, case, *, yes=(), no=(), severity=None):
    """Answer the given codes yes / no (distinctions get evidence)."""
    answers = {code: ("yes", f"{code} 的事实依据") for code in yes}
    answers.update({code: ("no", f"{code} 的事实依据") for code in no})
    services.case_checklist_save(actor=actor, case=case, answers=answers, severity=severity)
    case.refresh_from_db()
    return case


def answer_tolerable(actor, case, *, situations=("S2",), severity="L1"):
    answer(
        actor,
        case,
        yes=[*DISTINCTIONS, *ALL_CONDITIONS, *situations],
        no=[*ALL_EXCLUSIONS, *(s for s in ALL_SITUATIONS if s not in situations)],
        severity=severity,
    )


def move(actor, case, name, **data):
    reason = data.pop("reason", "")
    moved = case_transition(actor=actor, case=case, name=name, reason=reason, data=data)
    case.refresh_from_db()
    return moved


def to_preliminary(staff, case, proposed="exempt"):
    move(staff.inspector, case, "start_investigation")
    answer_tolerable(staff.inspector, case)
    return move(
        staff.inspector,
        case,
        "submit_opinion",
        proposed_outcome=proposed,
        proposal_reasons="符合容错条件和情形",
        motive_attitude="出于公心",
    )

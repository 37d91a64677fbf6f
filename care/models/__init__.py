"""Care (关心关爱), DOMAIN §5: talks with the 五必谈 and the annual coverage, the cadres' own
requests for a talk, health check-ups and the health record, paid leave and overtime time off,
hardship help with the care funds, turnover housing and the five small facilities, and the
annual assessment bonus of the pay tilt (F 18).

Each part has its own module; every row is scoped through its cadre (or its unit) by
`restrict(user, action)`; a cadre user reads their own talks, requests, check-ups, leave
and bonus."""

from .common import CareLog
from .hardship import CareFund, FundEntry, HardshipApplication
from .health import CheckupPlan, CheckupRecord
from .leave import LeavePlan, LeaveRecord, OvertimeRecord
from .living import Facility, HousingAllocation, HousingApplication, HousingRoom
from .pay import AssessmentBonus
from .talks import MisfortuneReport, Talk, TalkObligation, TalkRequest

__all__ = [
    "AssessmentBonus",
    "CareFund",
    "CareLog",
    "CheckupPlan",
    "CheckupRecord",
    "Facility",
    "FundEntry",
    "HardshipApplication",
    "HousingAllocation",
    "HousingApplication",
    "HousingRoom",
    "LeavePlan",
    "LeaveRecord",
    "MisfortuneReport",
    "OvertimeRecord",
    "Talk",
    "TalkObligation",
    "TalkRequest",
]

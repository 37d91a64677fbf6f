"""Incentives and promotion (激励与选任), DOMAIN §3: priority promotion situations, exceptional
promotion candidate lists, the sanction ledger with its impact periods and tracking, the
能上能下 action record with the expiry reviews of 能下再上, and award campaigns with their
public notice and the exemplar register. Rank eligibility, age and team-structure checks are
computed from the core, assessment and tolerance data (see `incentives.eligibility` and
`incentives.structure`) and store nothing.

Each part has its own module; every row is scoped through its cadre (or its unit) by
`restrict(user, action)`."""

from .awards import AwardCampaign, Exemplar, Nomination, Objection
from .common import IncentiveLog
from .ledger import Adjustment, ExpiryReview, Sanction, SanctionTracking
from .selection import Candidate, CandidateList, PriorityRecord

__all__ = [
    "Adjustment",
    "AwardCampaign",
    "Candidate",
    "CandidateList",
    "Exemplar",
    "ExpiryReview",
    "IncentiveLog",
    "Nomination",
    "Objection",
    "PriorityRecord",
    "Sanction",
    "SanctionTracking",
]

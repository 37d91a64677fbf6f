"""Two clerks recording annual leave for the same cadre at the same moment, against the real
database: the cadre row lock makes the second see the first, so the year's entitlement is never
exceeded (F 19)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cadre.choices import Role
from care import leave
from care.choices import LeaveKind
from tests.factories import CadreFactory, level

D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_concurrent_annual_leave_never_exceeds_the_entitlement(tree, make_user):
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_leave_race")
    cadre = CadreFactory(
        unit=tree.township_a1, work_since=D(2010, 3, 1), post_level=level("township_deputy")
    )  # 10 days in 2025
    periods = [(D(2025, 5, 12), D(2025, 5, 19)), (D(2025, 6, 9), D(2025, 6, 16))]  # 6 days each
    barrier = threading.Barrier(2)
    outcomes = []

    def record(start, end):
        try:
            barrier.wait(timeout=10)
            leave.leave_record(
                actor=org, cadre=cadre, kind=LeaveKind.ANNUAL, start_on=start, end_on=end
            )
            outcomes.append("recorded")
        except ValidationError as error:
            outcomes.append(error.message_dict["end_on"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=period) for period in periods]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("recorded") == 1
    assert leave.annual_taken(cadre, 2025) == Decimal("6")

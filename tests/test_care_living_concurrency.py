"""Two clerks letting the same vacant room at the same moment, against the real database: the
room row lock (and the one-open-allocation constraint) lets exactly one through (F 20)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cadre.choices import Role
from care import living
from care.choices import RoomStatus
from care.models import HousingAllocation, HousingRoom
from tests.factories import CadreFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_of_one_room_only_one_succeeds(tree, make_user):
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_room_race")
    room = living.room_save(actor=org, unit=tree.township_a1, building="1号楼", number="101")
    cadres = [CadreFactory(unit=tree.township_a1) for _n in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def let(cadre):
        try:
            barrier.wait(timeout=10)
            living.housing_allocate(actor=org, room=room, cadre=cadre)
            outcomes.append("allocated")
        except ValidationError as error:
            outcomes.append(error.message_dict["room"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=let, args=(c,)) for c in cadres]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("allocated") == 1
    assert HousingAllocation.objects.filter(room=room, end_on__isnull=True).count() == 1
    assert HousingRoom.objects.get(pk=room.pk).status == RoomStatus.OCCUPIED

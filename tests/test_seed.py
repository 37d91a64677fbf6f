"""The demonstration city (seed_demo) and the benchmark province (seed_bench)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from cadre.choices import Role, UnitKind
from cadre.crypto import decrypt, id_number_hash, id_number_is_valid
from cadre.management.commands.seed_bench import BENCH_USERS, ROOT_CODE
from cadre.management.commands.seed_demo import (
    CITY_CODE,
    DEMO_PASSWORD,
    PROVINCE_CODE,
    demo_usernames,
)
from cadre.models import (
    Cadre,
    FrontlineAssignment,
    MentoringPair,
    PerformanceEntry,
    PostHistory,
    TrainingRecord,
    Unit,
    User,
)

pytestmark = pytest.mark.django_db


def run(command, **options):
    out = StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def login(client, username, password=DEMO_PASSWORD):
    # django-axes wants the request that carries the credentials.
    request = RequestFactory().post("/accounts/login/")
    return client.login(request=request, username=username, password=password)


@pytest.fixture
def demo():
    return run("seed_demo")


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Unit,
            Cadre,
            User,
            PostHistory,
            FrontlineAssignment,
            TrainingRecord,
            MentoringPair,
            PerformanceEntry,
        )
    }


# --- seed_demo ----------------------------------------------------------------------------


def test_seed_demo_builds_a_city_with_counties_townships_and_about_2000_cadres(demo):
    city = Unit.objects.get(code=CITY_CODE)
    counties = Unit.objects.filter(parent=city, kind=UnitKind.REGION)
    assert Unit.objects.get(code=PROVINCE_CODE).manages_up_to is None
    assert city.manages_up_to.code == "county_chief"
    assert 6 <= counties.count() <= 8
    assert {c.manages_up_to.code for c in counties} == {"township_chief"}
    for county in counties:
        townships = Unit.objects.filter(
            parent=county, kind__in=[UnitKind.TOWNSHIP, UnitKind.STREET]
        )
        assert 8 <= townships.count() <= 12
    assert Unit.objects.filter(is_remote_township=True).exists()
    assert Unit.objects.filter(is_hardship_area=True).exists()
    assert Unit.objects.filter(kind=UnitKind.ENTERPRISE).exists()
    assert Unit.objects.filter(kind=UnitKind.INSTITUTION).exists()
    assert 1800 <= Cadre.objects.count() <= 2500
    for model in (FrontlineAssignment, TrainingRecord, MentoringPair, PerformanceEntry):
        assert model.objects.exists(), model.__name__


def test_seed_demo_unit_paths_are_those_unit_create_would_compute(demo):
    units = {u.pk: u for u in Unit.objects.filter(path__startswith="/")}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        expected = (parent.path if parent else "/") + f"{unit.pk}/"
        assert unit.path == expected
        assert unit.depth == (parent.depth + 1 if parent else 0)


def test_seed_demo_cadres_are_plausible(demo):
    cadres = Cadre.objects.select_related("post_level", "rank", "unit")
    secretaries = cadres.filter(post__in=["县委书记", "区委书记"], post_level__code="county_chief")
    assert secretaries.count() == Unit.objects.filter(parent__code=CITY_CODE, kind="region").count()
    assert cadres.filter(post="党委书记", served_township_head=True).exists()
    assert cadres.filter(tags__code="young").exists()
    assert cadres.filter(tags__code="promising").exists()
    numbers = set()
    for cadre in cadres:
        assert 1965 <= cadre.birth_date.year <= 1998
        assert cadre.work_since > cadre.birth_date
        assert cadre.post_since >= cadre.work_since
        number = cadre.id_number
        assert id_number_is_valid(number)
        assert number[6:14] == f"{cadre.birth_date:%Y%m%d}"
        assert (int(number[16]) % 2 == 1) == (cadre.gender == "M")
        numbers.add(number)
    assert len(numbers) == cadres.count()
    # Every cadre has an open entry for the current post, as cadre_create would write.
    assert PostHistory.objects.filter(end_date__isnull=True).count() == cadres.count()


def test_seed_demo_makes_a_user_for_every_role_who_can_sign_in(demo, client):
    users = User.objects.filter(username__in=demo_usernames())
    assert users.count() == len(demo_usernames())
    assert {role for user in users for role in user.roles} == set(Role.values)
    assert users.get(username="admin").is_superuser
    for user in users:
        client.logout()
        assert login(client, user.username), user.username
    assert not login(client, "org_city", "wrong-password")
    # the user table is printed, with the password
    assert DEMO_PASSWORD in demo
    assert "org_qingyuan" in demo


def test_seed_demo_users_see_their_own_jurisdiction(demo):
    county = User.objects.get(username="org_qingyuan")
    visible = Cadre.objects.restrict(county)
    assert visible.exists()
    assert all(c.unit.path.startswith(county.unit.path) for c in visible.select_related("unit"))
    assert not visible.filter(post_level__order__gt=20).exists()  # 县委书记 is the city's
    city = User.objects.get(username="org_city")
    assert Cadre.objects.restrict(city).filter(post="县委书记").exists()
    assert not Cadre.objects.restrict(city).filter(post="市委书记").exists()
    me = User.objects.get(username="cadre_demo")
    assert list(Cadre.objects.restrict(me)) == [me.cadre]


def test_seed_demo_twice_changes_nothing(demo):
    before = counts()
    output = run("seed_demo")
    assert counts() == before
    assert "干部新建 0 人" in output


# --- seed_bench ---------------------------------------------------------------------------


def test_seed_bench_creates_exactly_the_cadres_asked_with_real_id_numbers():
    output = run("seed_bench", cadres=500)
    root = Unit.objects.get(code=ROOT_CODE)
    cadres = Cadre.objects.filter(unit__path__startswith=root.path)
    assert cadres.count() == 500
    assert "500 cadres" in output
    numbers = set()
    for cipher, digest in cadres.values_list("id_number_cipher", "id_number_hash"):
        number = decrypt(cipher)
        assert id_number_is_valid(number)
        assert digest == id_number_hash(number)
        numbers.add(number)
    assert len(numbers) == 500
    assert Unit.objects.filter(path__startswith=root.path, kind=UnitKind.REGION).count() > 100
    users = User.objects.filter(username__in=BENCH_USERS)
    assert {u.unit.level for u in users} == {"province", "county"}


def test_seed_bench_refuses_to_add_twice_and_flush_replaces():
    run("seed_bench", cadres=300)
    with pytest.raises(CommandError):
        run("seed_bench", cadres=300)
    run("seed_bench", cadres=200, flush=True)
    root = Unit.objects.get(code=ROOT_CODE)
    assert Cadre.objects.filter(unit__path__startswith=root.path).count() == 200
    assert Cadre.objects.count() == 200
    assert User.objects.filter(username__in=BENCH_USERS, unit__isnull=False).count() == 2


def test_seed_bench_without_superuser_rights_still_skips_the_audit_triggers(monkeypatch):
    from cadre.management.commands import seed_bench
    from cadre.models import CadreEvent

    monkeypatch.setattr(seed_bench, "_is_superuser", lambda: False)
    run("seed_bench", cadres=100)
    assert Cadre.objects.count() == 100
    assert not CadreEvent.objects.exists()

from cadre.choices import Role
from cadre.models import Cadre, Unit


def test_county_org_user_sees_own_county_cadres_within_managed_level(org_user, cadres):
    visible = set(Cadre.objects.restrict(org_user).values_list("name", flat=True))
    assert visible == {"张三"}


def test_city_user_sees_county_leaders_of_both_counties(tree, cadres, make_user):
    user = make_user(Role.ORGANISATION, unit=tree.city)
    assert set(Cadre.objects.restrict(user).values_list("name", flat=True)) == {
        "张三",
        "李四",
        "王五",
    }


def test_cadre_role_sees_only_own_file(tree, cadres, make_user):
    user = make_user(Role.CADRE, unit=tree.township_a1, cadre=cadres.in_a)
    assert list(Cadre.objects.restrict(user)) == [cadres.in_a]


def test_unit_subtree_follows_a_move(tree):
    from cadre.services import unit_move

    unit_move(unit=tree.township_a1, parent=tree.county_b)
    names = set(
        Unit.objects.subtree(Unit.objects.get(pk=tree.county_b.pk)).values_list("name", flat=True)
    )
    assert names == {"乙县", "乙县一镇", "甲县一镇"}


def test_history_records_user_of_a_change(tree, cadres, org_user):
    import pghistory

    from cadre.selectors import cadre_history
    from cadre.services import cadre_update

    with pghistory.context(user=org_user.pk, url="/test"):
        cadre_update(actor=org_user, cadre=cadres.in_a, phone="13800000000")
    events = cadre_history(cadres.in_a)
    update = next(e for e in events if e.pgh_label == "update" and "phone" in (e.pgh_diff or {}))
    assert update.actor == org_user


def test_cadre_role_sees_only_the_unit_of_own_file(tree, cadres, make_user):
    user = make_user(Role.CADRE, unit=tree.township_a1, cadre=cadres.in_a)
    assert list(Unit.objects.restrict(user)) == [tree.township_a1]

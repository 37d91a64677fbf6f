"""The pay tilt (F 18): each cadre's annual assessment bonus with the snapshot of post level,
rank and unit kind; one per cadre and year, corrections logged; the Excel import applies
wholly or not at all; the check of a county and a year (township organs above county
departments of the same post level and rank; equal is not above) and the hardship tilt."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cadre.choices import Role, UnitKind, UnitLevel
from cadre.models import Rank
from care import pay
from care.choices import BonusSide
from care.models import AssessmentBonus, CareLog
from tests.factories import CadreFactory, UnitFactory, level

pytestmark = pytest.mark.django_db


def rank(code):
    return Rank.objects.get(code=code)


@pytest.fixture
def world(tree, make_user):
    hardship_town = UnitFactory(
        name="甲县山区镇",
        kind=UnitKind.TOWNSHIP,
        level=UnitLevel.TOWNSHIP,
        parent=tree.county_a,
        is_hardship_area=True,
    )
    street = UnitFactory(
        name="甲县城关街道", kind=UnitKind.STREET, level=UnitLevel.TOWNSHIP, parent=tree.county_a
    )
    dept2 = UnitFactory(
        name="甲县财政局", kind=UnitKind.DEPARTMENT, level=UnitLevel.COUNTY, parent=tree.county_a
    )
    deputy, chief = level("township_deputy"), level("township_chief")
    clerk4, clerk2 = rank("principal_clerk_4"), rank("principal_clerk_2")

    def cadre(name, unit, post_level=deputy, cadre_rank=clerk4):
        return CadreFactory(name=name, unit=unit, post_level=post_level, rank=cadre_rank)

    return type(
        "World",
        (),
        {
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_a"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b"),
            "auditor": make_user(Role.AUDITOR, unit=tree.county_a, username="sj_a"),
            "hardship_town": hardship_town,
            "street": street,
            "dept2": dept2,
            "deputy": deputy,
            "chief": chief,
            "clerk4": clerk4,
            "clerk2": clerk2,
            # Township organs.
            "t1": cadre("镇副一", tree.township_a1),
            "t2": cadre("镇副二", tree.township_a1),
            "h1": cadre("山区副一", hardship_town),
            "s1": cadre("街道副一", street),
            "tc": cadre("镇长一", tree.township_a1, chief, clerk2),
            # County departments.
            "d1": cadre("局副一", tree.dept_a),
            "d2": cadre("局副二", dept2),
            "dc": cadre("局长一", tree.dept_a, chief, clerk2),
            # County B.
            "b1": cadre("乙镇副一", tree.township_b1),
        },
    )


def record(world, cadre, amount, year=2025, actor=None):
    return pay.bonus_record(actor=actor or world.org, cadre=cadre, year=year, amount=amount)


def group(groups, key):
    return next(g for g in groups if g.key == key.pk)


def workbook(rows, header=("姓名", "身份证号", "年度", "金额")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# --- the snapshot -------------------------------------------------------------------------------


def test_record_snapshots_post_level_rank_and_township_side(world, tree):
    bonus = record(world, world.t1, "30000")

    assert bonus.amount == Decimal("30000.00")
    assert bonus.side == BonusSide.TOWNSHIP
    assert bonus.county == tree.county_a
    assert bonus.unit == tree.township_a1
    assert (bonus.post_level, bonus.rank) == (world.deputy, world.clerk4)
    assert bonus.hardship_area is False


def test_record_snapshots_county_department_street_and_hardship(world, tree):
    assert record(world, world.d1, "1").side == BonusSide.COUNTY_DEPARTMENT
    assert record(world, world.s1, "1").side == BonusSide.TOWNSHIP
    hardship = record(world, world.h1, "1")
    assert hardship.side == BonusSide.TOWNSHIP and hardship.hardship_area is True


def test_county_leaders_and_township_level_institutions_take_no_side(world, tree):
    leader = CadreFactory(name="县领导", unit=tree.county_a, post_level=level("township_chief"))
    station = UnitFactory(
        name="镇农技站",
        kind=UnitKind.INSTITUTION,
        level=UnitLevel.TOWNSHIP,
        parent=tree.township_a1,
    )
    worker = CadreFactory(name="站员", unit=station, post_level=world.deputy)

    assert record(world, leader, "1").side == BonusSide.OTHER
    assert record(world, worker, "1").side == BonusSide.OTHER


def test_snapshot_stays_when_the_cadre_moves_or_is_promoted(world, tree):
    bonus = record(world, world.t1, "30000")
    world.t1.unit = tree.dept_a
    world.t1.post_level = world.chief
    world.t1.save()

    pay.bonus_correct(actor=world.org, bonus=bonus, amount="31000")
    bonus.refresh_from_db()

    assert bonus.side == BonusSide.TOWNSHIP and bonus.post_level == world.deputy


# --- one per year, corrections ------------------------------------------------------------------


def test_one_bonus_per_cadre_and_year(world):
    record(world, world.t1, "30000")

    with pytest.raises(ValidationError) as error:
        record(world, world.t1, "32000")

    assert "已登记" in error.value.message_dict["year"][0]
    assert record(world, world.t1, "29000", year=2024).year == 2024


def test_one_bonus_per_cadre_and_year_is_held_by_the_database(world):
    bonus = record(world, world.t1, "30000")

    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentBonus.objects.create(
            cadre=bonus.cadre, year=2025, amount=1, unit=bonus.unit, side=bonus.side
        )


def test_correction_replaces_the_amount_and_logs_the_change(world):
    bonus = record(world, world.t1, "30000")

    pay.bonus_correct(actor=world.org, bonus=bonus, amount="30500", note="漏算绩效")
    bonus.refresh_from_db()

    assert bonus.amount == Decimal("30500.00")
    lines = list(CareLog.objects.filter(subject=pay.LOG_SUBJECT, subject_id=bonus.pk))
    assert [line.action for line in lines] == ["bonus_recorded", "bonus_corrected"]
    assert (
        "30000.00" in lines[1].note and "30500.00" in lines[1].note and "漏算绩效" in lines[1].note
    )
    assert lines[1].actor == world.org


def test_amount_must_not_be_negative(world):
    with pytest.raises(ValidationError) as error:
        record(world, world.t1, "-1")

    assert error.value.message_dict["amount"] == ["金额不能为负数"]
    with pytest.raises(ValidationError):
        pay.bonus_correct(actor=world.org, bonus=record(world, world.t2, "1"), amount="-5")


def test_read_only_role_cannot_record(world):
    with pytest.raises(PermissionDenied):
        record(world, world.t1, "1", actor=world.auditor)


def test_cadre_outside_the_jurisdiction_cannot_be_recorded(world):
    with pytest.raises(ValidationError) as error:
        record(world, world.b1, "1")

    assert "cadre" in error.value.message_dict


# --- the comparison rule ------------------------------------------------------------------------


def test_equal_averages_are_a_shortfall(world, tree):
    record(world, world.t1, "30000")
    record(world, world.t2, "32000")
    record(world, world.d1, "31000")

    check = pay.tilt_check(world.org, tree.county_a, 2025)
    deputies = group(check.by_post_level, world.deputy)

    assert deputies.township_average == deputies.county_average == Decimal("31000.00")
    assert deputies.difference == 0
    assert deputies.verdict == pay.SHORTFALL
    assert deputies in check.shortfalls


def test_township_above_county_department_is_fine(world, tree):
    record(world, world.t1, "31000.01")
    record(world, world.d1, "31000")

    check = pay.tilt_check(world.org, tree.county_a, 2025)
    deputies = group(check.by_post_level, world.deputy)

    assert deputies.verdict == pay.FINE
    assert deputies.difference == Decimal("0.01")
    assert (deputies.township.count, deputies.county.count) == (1, 1)


def test_township_below_county_department_is_a_shortfall_with_both_averages(world, tree):
    record(world, world.t1, "28000")
    record(world, world.h1, "30000")
    record(world, world.d1, "31000")
    record(world, world.d2, "33000")

    deputies = group(pay.tilt_check(world.org, tree.county_a, 2025).by_post_level, world.deputy)

    assert deputies.township_average == Decimal("29000.00")
    assert deputies.county_average == Decimal("32000.00")
    assert deputies.difference == Decimal("-3000.00")
    assert (deputies.township.count, deputies.county.count) == (2, 2)
    assert deputies.is_shortfall


def test_compared_per_post_level_and_per_rank(world, tree):
    # Same post level (乡科级副职) on both sides, but the township deputy holds a higher rank.
    world.t1.rank = world.clerk2
    world.t1.save()
    record(world, world.t1, "35000")
    record(world, world.d1, "30000")
    record(world, world.dc, "40000")

    check = pay.tilt_check(world.org, tree.county_a, 2025)

    assert group(check.by_post_level, world.deputy).verdict == pay.FINE
    by_rank = group(check.by_rank, world.clerk2)
    assert (by_rank.township_average, by_rank.county_average) == (
        Decimal("35000.00"),
        Decimal("40000.00"),
    )
    assert by_rank.verdict == pay.SHORTFALL
    assert group(check.by_post_level, world.chief).verdict == pay.NOT_COMPARABLE
    assert group(check.by_rank, world.clerk4).verdict == pay.NOT_COMPARABLE


def test_group_with_nobody_on_one_side_is_not_comparable(world, tree):
    record(world, world.t1, "30000")
    record(world, world.dc, "40000")

    check = pay.tilt_check(world.org, tree.county_a, 2025)
    deputies = group(check.by_post_level, world.deputy)
    chiefs = group(check.by_post_level, world.chief)

    assert deputies.verdict == chiefs.verdict == pay.NOT_COMPARABLE
    assert deputies.difference is None and deputies.county_average is None
    assert chiefs.township.count == 0 and chiefs.county.count == 1
    assert check.shortfalls == []


def test_check_counts_only_the_county_and_the_year(world, tree):
    record(world, world.t1, "30000")
    record(world, world.d1, "20000", year=2024)
    pay.bonus_record(actor=world.org_b, cadre=world.b1, year=2025, amount="1")

    check = pay.tilt_check(world.org, tree.county_a, 2025)

    assert check.township_count == 1 and check.county_department_count == 0
    assert pay.tilt_check(world.org_b, tree.county_b, 2025).township_count == 1


def test_check_is_empty_for_a_year_without_records(world, tree):
    check = pay.tilt_check(world.org, tree.county_a, 2020)

    assert not check.has_data and check.groups == [] and check.shortfalls == []


def test_check_query_count_does_not_grow(world, tree, django_assert_max_num_queries):
    for n in range(20):
        cadre = CadreFactory(unit=tree.dept_a if n % 2 else tree.township_a1, rank=world.clerk4)
        record(world, cadre, 10000 + n)

    with django_assert_max_num_queries(1):
        check = pay.tilt_check(world.org, tree.county_a, 2025)

    assert check.township_count == 10


# --- the hardship tilt --------------------------------------------------------------------------


def test_hardship_tilt_is_flagged_when_not_above(world, tree):
    record(world, world.h1, "30000")
    record(world, world.t1, "30000")
    record(world, world.d1, "1")

    tilt = pay.tilt_check(world.org, tree.county_a, 2025).hardship

    assert tilt.hardship.average == tilt.others.average == Decimal("30000.00")
    assert tilt.flagged and tilt.verdict == pay.SHORTFALL


def test_hardship_tilt_fine_when_above(world, tree):
    record(world, world.h1, "33000")
    record(world, world.t1, "30000")
    record(world, world.tc, "34000")

    tilt = pay.tilt_check(world.org, tree.county_a, 2025).hardship

    assert tilt.others.average == Decimal("32000.00") and tilt.others.count == 2
    assert tilt.difference == Decimal("1000.00")
    assert not tilt.flagged and tilt.verdict == pay.FINE


def test_hardship_tilt_counts_only_township_organs(world, tree):
    hardship_dept = UnitFactory(
        name="山区局", kind=UnitKind.DEPARTMENT, parent=tree.county_a, is_hardship_area=True
    )
    record(world, CadreFactory(unit=hardship_dept, post_level=world.deputy), "99999")
    record(world, world.t1, "30000")

    tilt = pay.tilt_check(world.org, tree.county_a, 2025).hardship

    assert tilt.hardship.count == 0 and tilt.verdict == pay.NOT_COMPARABLE


# --- the Excel import ---------------------------------------------------------------------------


def test_import_applies_every_row(world):
    content = workbook(
        [
            ("镇副一", world.t1.id_number, 2025, 30000),
            ("局副一", world.d1.id_number, "2025", "31000.50"),
        ]
    )

    report = pay.bonus_import(actor=world.org, content=content)

    assert report.applied and report.errors == []
    assert (report.rows, report.created) == (2, 2)
    assert AssessmentBonus.objects.get(cadre=world.d1).amount == Decimal("31000.50")
    assert AssessmentBonus.objects.get(cadre=world.t1).side == BonusSide.TOWNSHIP


def test_import_with_bad_rows_applies_nothing_and_reports_every_bad_row(world):
    content = workbook(
        [
            ("镇副一", world.t1.id_number, 2025, 30000),
            ("错名字", world.t2.id_number, 2025, 30000),
            ("局副一", world.d1.id_number, 2025, -5),
            ("乙镇副一", world.b1.id_number, 2025, 1000),
            ("镇副一", world.t1.id_number, 2025, 30001),
            ("山区副一", world.h1.id_number, "去年", 1000),
            ("街道副一", "", 2025, 1000),
        ]
    )

    report = pay.bonus_import(actor=world.org, content=content)

    assert not report.applied
    assert AssessmentBonus.objects.count() == 0
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "姓名"),
        (4, "金额"),
        (5, "身份证号"),
        (6, "年度"),
        (7, "年度"),
        (8, "身份证号"),
    ]
    assert "重复" in report.errors[3].message
    assert "不一致" in report.errors[0].message


def test_import_by_cadre_id_and_correcting_recorded_amounts(world):
    bonus = record(world, world.t1, "30000")
    content = workbook(
        [(world.t1.pk, 2025, 30500), (world.t2.pk, 2025, 29000), (world.d1.pk, 2025, 0)],
        header=("干部编号", "年度", "金额（元）"),
    )

    report = pay.bonus_import(actor=world.org, content=content)

    assert (report.created, report.corrected) == (2, 1)
    bonus.refresh_from_db()
    assert bonus.amount == Decimal("30500.00")
    assert CareLog.objects.filter(subject_id=bonus.pk, action="bonus_corrected").exists()


def test_import_refuses_a_wrong_header_or_an_unreadable_file(world):
    wrong = pay.bonus_import(actor=world.org, content=workbook([("x", 1)], header=("姓名", "金额")))
    broken = pay.bonus_import(actor=world.org, content=b"not a workbook")

    assert "年度" in wrong.errors[0].message and wrong.errors[0].row == 1
    assert "Excel" in broken.errors[0].message
    assert not wrong.applied and not broken.applied


def test_import_needs_a_write_role(world):
    with pytest.raises(PermissionDenied):
        pay.bonus_import(actor=world.auditor, content=workbook([]))


# --- the overview count -------------------------------------------------------------------------


def test_shortfall_total_counts_the_latest_year_with_records(world, tree):
    record(world, world.t1, "1", year=2024)
    record(world, world.d1, "2", year=2024)
    record(world, world.t1, "30000")
    record(world, world.d1, "30000")
    record(world, world.tc, "40000")
    record(world, world.dc, "40000")

    assert pay.shortfall_total(world.org) == {"year": 2025, "shortfalls": 4, "counties": 1}
    assert pay.shortfall_total(world.org_b) == {"year": None, "shortfalls": 0, "counties": 0}

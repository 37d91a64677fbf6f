"""The pay tilt (F 18 认真落实乡镇机关公务员年度考核奖水平高于当地县直机关同职务（职级）人员年度
考核奖水平的相关规定。引导各地各单位在年度考核奖分配时向艰苦岗位、业务骨干和作出突出贡献的人员
倾斜).

- Each cadre's annual assessment bonus (年度考核奖) of a year is recorded once, in yuan. The
  record keeps, as they are when it is entered, the cadre's post level and rank, the unit, the
  county (the nearest region unit of county level above or at the unit) and the side of the
  comparison: a township organ is a unit of kind township or street; a county department
  (县直机关) is any other unit of county level inside the county, the county's own region node
  excepted (its cadres are the county's leaders, not a department). Every other unit takes no
  part in the comparison.
- A correction replaces the amount; the change is logged with both amounts.
- The F 18 check of a county and a year: per post level (同职务) and per rank (同职级), the
  average bonus of the township organs' cadres against the county departments' cadres of the
  same group. The township average must be above: an equal or lower one is a shortfall. A group
  with nobody on one side cannot be compared.
- The hardship tilt (向艰苦岗位倾斜): within the county's township organs, the average of the
  cadres of units in hardship areas against the others; flagged when not above.

Writes: `bonus_record`, `bonus_correct`, `bonus_import`. Reads: `tilt_check`, `counties_for`,
`years_with_data`, `shortfall_total`."""

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cadre.choices import UnitKind, UnitLevel
from cadre.crypto import id_number_hash
from cadre.models import Cadre, Unit

from .choices import BonusSide, LogSubject
from .models import AssessmentBonus
from .models.common import can_write, log

# The care log's subject of bonus records.
LOG_SUBJECT = LogSubject.BONUS
TOWNSHIP_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET)
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_AMOUNT = Decimal("9999999999.99")
CENT = Decimal("0.01")
MAX_FILE_SIZE = 5 * 1024 * 1024

# The verdicts of a group of the check.
FINE = "fine"
SHORTFALL = "shortfall"
NOT_COMPARABLE = "not_comparable"


# --- the snapshot -------------------------------------------------------------------------------


def county_units() -> dict:
    """{id: unit} of every region unit of county level (one query)."""
    return {
        unit.pk: unit for unit in Unit.objects.filter(kind=UnitKind.REGION, level=UnitLevel.COUNTY)
    }


def county_of(unit, counties: dict):
    """The county the unit lies in: the nearest county-level region unit at or above it."""
    for unit_id in reversed(unit.ancestor_ids):
        if unit_id in counties:
            return counties[unit_id]
    return None


def side_of(unit, county) -> str:
    """Township organ, county department or neither (see the module's docstring)."""
    if unit.kind in TOWNSHIP_KINDS:
        return BonusSide.TOWNSHIP
    if county is not None and unit.level == UnitLevel.COUNTY and unit.kind != UnitKind.REGION:
        return BonusSide.COUNTY_DEPARTMENT
    return BonusSide.OTHER


def _snapshot(bonus, cadre, counties):
    unit = cadre.unit
    county = county_of(unit, counties)
    bonus.unit = unit
    bonus.county = county
    bonus.side = side_of(unit, county)
    bonus.hardship_area = unit.is_hardship_area
    bonus.post_level_id = cadre.post_level_id
    bonus.rank_id = cadre.rank_id


# --- input --------------------------------------------------------------------------------------


def parse_year(value) -> int:
    try:
        year = int(str(value).strip().removesuffix("年"))
    except (TypeError, ValueError):
        raise ValueError(_("请填写有效年度（如 2025）")) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(_("年度应在%(low)s至%(high)s之间") % {"low": MIN_YEAR, "high": MAX_YEAR})
    return year


def parse_amount(value) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    text = text.removesuffix("元")
    if isinstance(value, float):
        text = repr(value)
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(_("请填写金额（元），如 12000 或 12000.50")) from None
    if not amount.is_finite():
        raise ValueError(_("请填写金额（元），如 12000 或 12000.50"))
    if amount < 0:
        raise ValueError(_("金额不能为负数"))
    if amount > MAX_AMOUNT:
        raise ValueError(_("金额过大，请核对"))
    if amount != amount.quantize(CENT):
        if isinstance(value, float):
            return amount.quantize(CENT)
        raise ValueError(_("金额最多保留两位小数"))
    return amount.quantize(CENT)


def _checked(year, amount):
    errors = {}
    try:
        year = parse_year(year)
    except ValueError as error:
        errors["year"] = str(error)
    try:
        amount = parse_amount(amount)
    except ValueError as error:
        errors["amount"] = str(error)
    if errors:
        raise ValidationError(errors)
    return year, amount


def _require_writer(actor):
    if not can_write(actor):
        raise PermissionDenied(_("年度考核奖由组织部门登记"))


# --- services -----------------------------------------------------------------------------------


@transaction.atomic
def bonus_record(*, actor, cadre: Cadre, year, amount) -> AssessmentBonus:
    """Record a cadre's annual assessment bonus of `year` with the snapshot of their post
    level, rank and unit now. One per cadre and year: a second is refused (correct the
    first instead)."""
    _require_writer(actor)
    if cadre is None or not Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists():
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})
    year, amount = _checked(year, amount)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    if AssessmentBonus.objects.filter(cadre=cadre, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(name)s %(year)s年度的年度考核奖已登记，如需修改请更正金额")
                % {"name": cadre.name, "year": year}
            }
        )
    return _create(actor, cadre, year, amount, county_units())


def _create(actor, cadre, year, amount, counties) -> AssessmentBonus:
    bonus = AssessmentBonus(cadre=cadre, year=year, amount=amount, recorded_by=actor)
    _snapshot(bonus, cadre, counties)
    bonus.save()
    log(
        LOG_SUBJECT,
        bonus,
        "bonus_recorded",
        actor=actor,
        note=_("%(year)s年度考核奖%(amount)s元（%(side)s）")
        % {"year": year, "amount": amount, "side": bonus.get_side_display()},
    )
    return bonus


@transaction.atomic
def bonus_correct(*, actor, bonus: AssessmentBonus, amount, note: str = "") -> AssessmentBonus:
    """Replace the amount of a recorded bonus; the log keeps the old and the new amount. The
    snapshot of post level, rank and unit stays the one taken when it was recorded."""
    _require_writer(actor)
    scoped = AssessmentBonus.objects.restrict(actor, "change")
    if bonus is None or not scoped.filter(pk=bonus.pk).exists():
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})
    try:
        amount = parse_amount(amount)
    except ValueError as error:
        raise ValidationError({"amount": str(error)}) from None
    bonus = AssessmentBonus.objects.select_for_update(of=("self",)).get(pk=bonus.pk)
    return _correct(actor, bonus, amount, note)


def _correct(actor, bonus, amount, note=""):
    old = bonus.amount
    if old == amount:
        return bonus
    bonus.amount = amount
    bonus.save(update_fields=["amount", "updated_at"])
    text = _("金额由%(old)s元更正为%(new)s元") % {"old": old, "new": amount}
    note = str(note or "").strip()
    log(
        LOG_SUBJECT,
        bonus,
        "bonus_corrected",
        actor=actor,
        note=f"{text}（{note}）" if note else text,
    )
    return bonus


# --- the Excel import ---------------------------------------------------------------------------

# Accepted column names (the header row), by the field they give.
HEADERS = {
    "姓名": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "干部编号": "cadre_id",
    "年度": "year",
    "金额": "amount",
    "金额（元）": "amount",
    "金额(元)": "amount",
    "年度考核奖": "amount",
    "年度考核奖（元）": "amount",
}
TEMPLATE_HEADERS = ["姓名", "身份证号", "干部编号", "年度", "金额（元）"]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did: nothing when any row is bad (`errors` says which and why)."""

    rows: int = 0
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)

    @property
    def applied(self):
        return not self.errors and self.rows > 0


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_rows(content: bytes):
    """(header error or None, [(row number, {field: value})]) of the first sheet."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return RowError(0, "", _("无法读取文件，请上传 Excel（.xlsx）文件")), []
    try:
        if not workbook.worksheets:
            return RowError(0, "", _("文件中没有工作表")), []
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions = {}
        for index, value in enumerate(header):
            name = re.sub(r"\s+", "", str(value or "")).rstrip("*＊")
            if name in HEADERS and HEADERS[name] not in positions:
                positions[HEADERS[name]] = index
        missing = [
            label for key, label in (("year", "年度"), ("amount", "金额")) if key not in positions
        ]
        if "cadre_id" not in positions and not {"name", "id_number"} <= positions.keys():
            missing.append(_("姓名和身份证号（或干部编号）"))
        if missing:
            return (
                RowError(
                    1,
                    "",
                    _("表头不正确，缺少列：%(columns)s。请按模板第一行的列名填写。")
                    % {"columns": "、".join(missing)},
                ),
                [],
            )
        found = []
        for number, values in enumerate(rows, start=2):
            values = values or ()
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            found.append(
                (
                    number,
                    {
                        key: values[index] if index < len(values) else None
                        for key, index in positions.items()
                    },
                )
            )
        return None, found
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return RowError(0, "", _("无法读取文件，请上传 Excel（.xlsx）文件")), []
    finally:
        workbook.close()


def _validate(rows, actor):
    """[(row, cadre, year, amount)] of good rows and [RowError] of bad ones; lookups batched."""
    cadres = Cadre.objects.restrict(actor, "change").select_related("unit")
    ids = {
        int(_cell_text(v["cadre_id"])) for _n, v in rows if _cell_text(v.get("cadre_id")).isdigit()
    }
    hashes = {
        id_number_hash(_cell_text(v["id_number"]))
        for _n, v in rows
        if _cell_text(v.get("id_number"))
    }
    by_id = {c.pk: c for c in cadres.filter(pk__in=ids)} if ids else {}
    by_hash = (
        {c.id_number_hash: c for c in cadres.filter(id_number_hash__in=hashes)} if hashes else {}
    )
    good, errors, seen = [], [], {}
    for number, values in rows:
        failed = False

        def fail(column, message, number=number):
            nonlocal failed
            failed = True
            errors.append(RowError(number, column, message))

        name = _cell_text(values.get("name"))
        raw_id = _cell_text(values.get("cadre_id"))
        id_text = _cell_text(values.get("id_number"))
        cadre = None
        if raw_id:
            cadre = by_id.get(int(raw_id)) if raw_id.isdigit() else None
            if cadre is None:
                fail(
                    _("干部编号"), _("干部编号“%(id)s”不存在或不在您的管辖范围内") % {"id": raw_id}
                )
        elif id_text:
            cadre = by_hash.get(id_number_hash(id_text))
            if cadre is None:
                fail(_("身份证号"), _("未找到该身份证号的干部，或不在您的管辖范围内"))
        else:
            fail(_("身份证号"), _("请填写身份证号或干部编号"))
        if cadre is not None:
            if not raw_id and not name:
                fail(_("姓名"), _("请填写姓名"))
            elif name and name != cadre.name:
                fail(
                    _("姓名"),
                    _("姓名“%(name)s”与干部信息（%(actual)s）不一致")
                    % {"name": name, "actual": cadre.name},
                )
        year = amount = None
        try:
            year = parse_year(values.get("year"))
        except ValueError as error:
            fail(_("年度"), str(error))
        try:
            amount = parse_amount(values.get("amount"))
        except ValueError as error:
            fail(_("金额"), str(error))
        if cadre is not None and year is not None:
            key = (cadre.pk, year)
            if key in seen:
                fail(
                    _("年度"),
                    _("与第%(row)s行重复：同一干部同一年度只能有一条年度考核奖")
                    % {"row": seen[key]},
                )
            else:
                seen[key] = number
        if not failed:
            good.append((number, cadre, year, amount))
    return good, errors


@transaction.atomic
def bonus_import(*, actor, content: bytes) -> ImportReport:
    """Import a file of bonuses (姓名 + 身份证号 or 干部编号, 年度, 金额): every row is
    checked first and every bad row reported; only a file without a bad row is applied, all
    rows at once. A row for a cadre and year already recorded corrects its amount (logged)."""
    _require_writer(actor)
    report = ImportReport()
    if len(content or b"") > MAX_FILE_SIZE:
        report.errors.append(RowError(0, "", _("文件过大（不超过5MB）")))
        return report
    header_error, rows = _read_rows(content)
    if header_error is not None:
        report.errors.append(header_error)
        return report
    report.rows = len(rows)
    if not rows:
        report.errors.append(RowError(0, "", _("文件中没有数据行")))
        return report
    good, report.errors = _validate(rows, actor)
    if report.errors:
        return report
    cadre_ids = sorted({cadre.pk for _n, cadre, _y, _a in good})
    list(Cadre.objects.select_for_update(of=("self",)).filter(pk__in=cadre_ids).values("pk"))
    existing = {
        (b.cadre_id, b.year): b
        for b in AssessmentBonus.objects.select_for_update(of=("self",)).filter(
            cadre_id__in=cadre_ids, year__in={y for _n, _c, y, _a in good}
        )
    }
    counties = county_units()
    for _number, cadre, year, amount in good:
        bonus = existing.get((cadre.pk, year))
        if bonus is None:
            _create(actor, cadre, year, amount, counties)
            report.created += 1
        elif bonus.amount == amount:
            report.unchanged += 1
        else:
            _correct(actor, bonus, amount, _("批量导入"))
            report.corrected += 1
    return report


# --- the F 18 check -----------------------------------------------------------------------------


def _average(total, count):
    return (total / count).quantize(CENT) if count else None


@dataclass
class Side:
    count: int = 0
    total: Decimal = Decimal("0")

    @property
    def average(self):
        return _average(self.total, self.count)

    def add(self, count, total):
        self.count += count
        self.total += total


@dataclass
class Group:
    """One post level or rank: the township organs' side against the county departments'."""

    dimension: str  # "post_level" or "rank"
    key: int
    name: str
    order: int
    township: Side = field(default_factory=Side)
    county: Side = field(default_factory=Side)

    @property
    def township_average(self):
        return self.township.average

    @property
    def county_average(self):
        return self.county.average

    @property
    def difference(self):
        if not self.comparable:
            return None
        return self.township_average - self.county_average

    @property
    def comparable(self):
        return bool(self.township.count and self.county.count)

    @property
    def verdict(self):
        if not self.comparable:
            return NOT_COMPARABLE
        # F 18: 乡镇机关……高于县直机关同职务（职级）: equal is not above.
        return FINE if self.township_average > self.county_average else SHORTFALL

    @property
    def is_shortfall(self):
        return self.verdict == SHORTFALL


@dataclass
class HardshipTilt:
    """Within the county's township organs: hardship-area units against the others."""

    hardship: Side = field(default_factory=Side)
    others: Side = field(default_factory=Side)

    @property
    def comparable(self):
        return bool(self.hardship.count and self.others.count)

    @property
    def difference(self):
        if not self.comparable:
            return None
        return self.hardship.average - self.others.average

    @property
    def verdict(self):
        if not self.comparable:
            return NOT_COMPARABLE
        return FINE if self.hardship.average > self.others.average else SHORTFALL

    @property
    def flagged(self):
        return self.verdict == SHORTFALL


@dataclass
class TiltCheck:
    county: Unit | None
    year: int
    by_post_level: list
    by_rank: list
    hardship: HardshipTilt
    township_count: int = 0
    county_department_count: int = 0

    @property
    def groups(self):
        return [*self.by_post_level, *self.by_rank]

    @property
    def shortfalls(self):
        return [g for g in self.groups if g.is_shortfall]

    @property
    def has_data(self):
        return bool(self.township_count or self.county_department_count)


BONUS_ROW_FIELDS = (
    "county_id",
    "side",
    "hardship_area",
    "post_level_id",
    "post_level__name",
    "post_level__order",
    "rank_id",
    "rank__name",
    "rank__order",
)


def _bonus_rows(records, *extra):
    """The sums and counts per county, side, hardship flag, post level and rank (and the
    `extra` fields) in one query."""
    return (
        records.exclude(side=BonusSide.OTHER)
        .order_by()
        .values(*BONUS_ROW_FIELDS, *extra)
        .annotate(n=Count("pk"), total=Sum("amount"))
    )


def _build(county, year, rows) -> TiltCheck:
    levels, ranks = {}, {}
    hardship = HardshipTilt()
    counts = {BonusSide.TOWNSHIP: 0, BonusSide.COUNTY_DEPARTMENT: 0}
    for row in rows:
        n, total, side = row["n"], row["total"], row["side"]
        counts[side] += n
        for dimension, groups in (("post_level", levels), ("rank", ranks)):
            key = row[f"{dimension}_id"]
            if key is None:
                continue
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(
                    dimension, key, row[f"{dimension}__name"], row[f"{dimension}__order"]
                )
            target = group.township if side == BonusSide.TOWNSHIP else group.county
            target.add(n, total)
        if side == BonusSide.TOWNSHIP:
            (hardship.hardship if row["hardship_area"] else hardship.others).add(n, total)
    return TiltCheck(
        county=county,
        year=year,
        by_post_level=sorted(levels.values(), key=lambda g: -g.order),
        by_rank=sorted(ranks.values(), key=lambda g: -g.order),
        hardship=hardship,
        township_count=counts[BonusSide.TOWNSHIP],
        county_department_count=counts[BonusSide.COUNTY_DEPARTMENT],
    )


def bonus_list(user):
    """The bonus records the user may read (a cadre: their own)."""
    return AssessmentBonus.objects.restrict(user)


def tilt_check(user, county: Unit, year: int) -> TiltCheck:
    """The F 18 check of `county` and `year` over the records the user may read (one query)."""
    rows = _bonus_rows(bonus_list(user).filter(county=county, year=year))
    return _build(county, year, rows)


def counties_for(user):
    """The counties (region units of county level) inside the user's jurisdiction."""
    return Unit.objects.restrict(user).filter(kind=UnitKind.REGION, level=UnitLevel.COUNTY)


def years_with_data(user, county=None) -> list[int]:
    """The years with bonus records the user may read, newest first."""
    records = bonus_list(user).exclude(county=None)
    if county is not None:
        records = records.filter(county=county)
    return list(records.order_by("-year").values_list("year", flat=True).distinct())


def shortfall_total(user) -> dict:
    """For the overview: the latest year with records in the user's counties and how many
    groups of how many counties fall short that year (one query: the sums of every year are
    few — counties × years × post levels × ranks)."""
    records = bonus_list(user).filter(county__in=counties_for(user))
    rows = list(_bonus_rows(records, "year"))
    if not rows:
        return {"year": None, "shortfalls": 0, "counties": 0}
    year = max(row["year"] for row in rows)
    per_county = {}
    for row in rows:
        if row["year"] == year:
            per_county.setdefault(row["county_id"], []).append(row)
    shortfalls = counties = 0
    for county_rows in per_county.values():
        found = len(_build(None, year, county_rows).shortfalls)
        shortfalls += found
        counties += bool(found)
    return {"year": year, "shortfalls": shortfalls, "counties": counties}

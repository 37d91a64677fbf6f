"""Deterministic generators shared by `seed_demo` and `seed_bench`: Chinese names, valid ID
numbers, the posts a unit of each kind holds, plausible careers, and bulk insertion of unit
trees with their materialised paths.

Everything takes a `random.Random` so the same seed always yields the same data. None of this
is used by the running system: it only fills databases for demonstrations and benchmarks.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from .choices import Education, Gender, StaffingType, UnitKind
from .crypto import id_number_with_check

# --- names --------------------------------------------------------------------------------

# The commonest surnames with their approximate share of the population (percent).
SURNAMES = [
    ("王", 7.1), ("李", 7.2), ("张", 6.9), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("赵", 2.3),
    ("黄", 2.2), ("周", 1.7), ("吴", 1.6), ("徐", 1.3), ("孙", 1.2), ("胡", 1.2), ("朱", 1.1),
    ("高", 1.0), ("林", 1.0), ("何", 0.9), ("郭", 0.9), ("马", 0.9), ("罗", 0.8), ("梁", 0.7),
    ("宋", 0.7), ("郑", 0.7), ("谢", 0.6), ("韩", 0.6), ("唐", 0.6), ("冯", 0.6), ("于", 0.6),
    ("董", 0.5), ("萧", 0.5), ("程", 0.5), ("曹", 0.5), ("袁", 0.5), ("邓", 0.5), ("许", 0.5),
    ("傅", 0.4), ("沈", 0.4), ("曾", 0.4), ("彭", 0.4), ("吕", 0.4), ("苏", 0.4), ("卢", 0.4),
    ("蒋", 0.4), ("蔡", 0.4), ("贾", 0.4), ("丁", 0.4), ("魏", 0.4), ("薛", 0.3), ("叶", 0.3),
    ("阎", 0.3), ("余", 0.3), ("潘", 0.3), ("杜", 0.3), ("戴", 0.3), ("夏", 0.3), ("钟", 0.3),
    ("汪", 0.3), ("田", 0.3), ("任", 0.3), ("姜", 0.3), ("范", 0.3), ("方", 0.3), ("石", 0.3),
    ("姚", 0.3), ("谭", 0.2), ("廖", 0.2), ("邹", 0.2), ("熊", 0.2), ("金", 0.2), ("陆", 0.2),
    ("郝", 0.2), ("孔", 0.2), ("白", 0.2), ("崔", 0.2), ("康", 0.2), ("毛", 0.2), ("邱", 0.2),
    ("秦", 0.2), ("江", 0.2), ("史", 0.2), ("顾", 0.2), ("侯", 0.2), ("邵", 0.2), ("孟", 0.2),
    ("龙", 0.2), ("万", 0.2), ("段", 0.2), ("雷", 0.1), ("钱", 0.1), ("汤", 0.1), ("尹", 0.1),
    ("黎", 0.1), ("易", 0.1), ("常", 0.1), ("武", 0.1), ("乔", 0.1), ("贺", 0.1), ("赖", 0.1),
    ("龚", 0.1), ("文", 0.1), ("庞", 0.1), ("樊", 0.1), ("兰", 0.1), ("殷", 0.1), ("施", 0.1),
    ("陶", 0.1), ("洪", 0.1), ("翟", 0.1), ("安", 0.1), ("颜", 0.1), ("倪", 0.1), ("严", 0.1),
    ("牛", 0.1), ("温", 0.1), ("芦", 0.1), ("季", 0.1), ("俞", 0.1), ("章", 0.1), ("鲁", 0.1),
    ("葛", 0.1), ("伍", 0.1), ("韦", 0.1), ("申", 0.1), ("尤", 0.1), ("毕", 0.1), ("聂", 0.1),
    ("焦", 0.1), ("向", 0.1), ("柳", 0.1), ("邢", 0.1), ("岳", 0.1), ("齐", 0.1), ("梅", 0.1),
    ("莫", 0.1), ("庄", 0.1), ("辛", 0.1), ("管", 0.1), ("祝", 0.1), ("左", 0.1), ("涂", 0.1),
    ("谷", 0.1), ("祁", 0.1), ("时", 0.1), ("舒", 0.1), ("耿", 0.1), ("牟", 0.1), ("卜", 0.1),
    ("欧阳", 0.05), ("司马", 0.02), ("上官", 0.02), ("诸葛", 0.02),
]  # fmt: skip
_SURNAME_CHARS = [s for s, _w in SURNAMES]
_SURNAME_CUM = []
_total = 0.0
for _s, _w in SURNAMES:
    _total += _w
    _SURNAME_CUM.append(_total)

MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国志文海东亮林峰浩宇凯俊晨博振永庆立春光新胜德兵"
    "中学成龙家彬旭晓荣福生祥瑞铭哲睿泽轩毅坤鸿昊涵骏岩松柏江川锋嘉"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀玲燕慧红婷雪琳洁颖晶梅兰倩莉萍丹璐欣怡佳悦月雅瑶蕾彤薇琪莹露爽婧媛婉蓉"
    "凤云萌楠婕妍茜晴宁瑾涵"
)
COMMON_CHARS = "子思一文晓嘉雨宇晨佳海春秋新玉"


def person_name(rng: random.Random, gender: str, birth_year: int) -> str:
    """A plausible name: surname by frequency, one or two given characters (single-character
    given names are commoner among older people)."""
    surname = rng.choices(_SURNAME_CHARS, cum_weights=_SURNAME_CUM, k=1)[0]
    pool = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
    single_share = 0.35 if birth_year < 1975 else 0.2 if birth_year < 1990 else 0.12
    if rng.random() < single_share:
        return surname + rng.choice(pool)
    first = rng.choice(COMMON_CHARS) if rng.random() < 0.2 else rng.choice(pool)
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return surname + first + second


ETHNICITIES = [("汉族", 95.5), ("满族", 2.4), ("回族", 1.2), ("蒙古族", 0.6), ("朝鲜族", 0.3)]


# --- ID numbers ---------------------------------------------------------------------------


class IdNumbers:
    """Hands out unique, valid 18-digit ID numbers (GB 11643): region code, birth date, a
    sequence number whose last digit is odd for men and even for women, the check character."""

    def __init__(self):
        self._seen: set[str] = set()

    def issue(self, rng: random.Random, region: str, birth: date, gender: str) -> str:
        for _attempt in range(1000):
            seq = rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self._seen:
                self._seen.add(first17)
                return id_number_with_check(first17)
        raise RuntimeError(f"no free ID number left for {region} {birth}")


def phone_number(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18", "17", "19")) + f"{rng.randrange(10**9):09d}"


# --- posts --------------------------------------------------------------------------------

# Post-level codes of the reference data (migration 0002), and the ranks that go with them.
STAFF = None
TD, TC, CD, CC, BD, BC = (
    "township_deputy",
    "township_chief",
    "county_deputy",
    "county_chief",
    "bureau_deputy",
    "bureau_chief",
)
LEVEL_ORDER = {None: 0, TD: 10, TC: 20, CD: 30, CC: 40, BD: 50, BC: 60}

# Ranks (职级) plausible for each post level, junior first.
RANKS_FOR_LEVEL = {
    None: ["clerk_2", "clerk_1", "principal_clerk_4", "principal_clerk_3"],
    TD: ["principal_clerk_4", "principal_clerk_3", "principal_clerk_2"],
    TC: ["principal_clerk_2", "principal_clerk_1", "researcher_4"],
    CD: ["researcher_4", "researcher_3"],
    CC: ["researcher_2", "researcher_1"],
    BD: ["inspector_2"],
    BC: ["inspector_1"],
}

# Birth-year range by post level: leaders are older.
BIRTH_YEARS = {
    None: (1984, 1998),
    TD: (1976, 1994),
    TC: (1970, 1990),
    CD: (1966, 1984),
    CC: (1965, 1978),
    BD: (1965, 1974),
    BC: (1965, 1970),
}


@dataclass(frozen=True)
class Slot:
    """One post to fill in a unit."""

    post: str
    level: str | None = None
    township_head: bool = False  # 乡镇党政正职 (F9, ZJK12(四))


def _repeat(post, level, n, township_head=False):
    return [Slot(post, level, township_head) for _ in range(n)]


def head_title(dept_name: str) -> str:
    """The title of a department's head from its name: 组织部 → 部长, 发改局 → 局长 …"""
    for ending, title in (
        ("纪委监委", "副书记、副主任"),
        ("政法委员会", "常务副书记"),
        ("党校", "常务副校长"),
        ("医院", "院长"),
        ("部", "部长"),
        ("局", "局长"),
        ("委员会", "主任"),
        ("办公室", "主任"),
        ("中心", "主任"),
    ):
        if dept_name.endswith(ending):
            return title
    return "负责人"


DEPUTY_TITLES = {
    "副书记、副主任": "纪委常委、监委委员",
    "常务副书记": "副书记",
    "常务副校长": "副校长",
    "负责人": "副职",
}


def deputy_title(head: str) -> str:
    return DEPUTY_TITLES.get(head, "副" + head)


def staff_slot(rng: random.Random, kind: str) -> Slot:
    if kind == UnitKind.INSTITUTION:
        return Slot(rng.choice(["专业技术人员", "管理岗工作人员", "办事员"]))
    if kind == UnitKind.ENTERPRISE:
        return Slot(rng.choice(["部门经理", "业务主管", "职员", "职员"]))
    if kind in (UnitKind.TOWNSHIP, UnitKind.STREET):
        return Slot(rng.choice(["科员", "科员", "办事员", "综合办科员", "经济发展办科员"]))
    return Slot(rng.choice(["科员", "科员", "科员", "一级科员", "办事员"]))


def posts_for(unit_kind: str, unit_level: str, name: str, rng: random.Random, *, area="县"):
    """The leadership and staff posts of a unit, most senior first. `area` is 县 or 区 for the
    county-level region the unit belongs to."""
    r = rng.randint
    if unit_kind == UnitKind.PARTY_COMMITTEE and unit_level == "city":
        return [
            Slot("市委书记", BC),
            Slot("市委副书记", BD),
            Slot("市委常委、秘书长", BD),
            *_repeat("市委常委", BD, 3),
            *_repeat("市委副秘书长", CD, 2),
            *_repeat("市委办公室科长", TC, 2),
            *_repeat("市委办公室副科长", TD, 2),
        ] + [staff_slot(rng, unit_kind) for _ in range(r(3, 5))]
    if unit_kind == UnitKind.GOVERNMENT and unit_level == "city":
        return [
            Slot("市长", BC),
            Slot("常务副市长", BD),
            *_repeat("副市长", BD, 3),
            Slot("市政府秘书长", CC),
            *_repeat("市政府副秘书长", CD, 2),
            *_repeat("市政府办公室科长", TC, 2),
        ] + [staff_slot(rng, unit_kind) for _ in range(r(3, 5))]
    if unit_kind == UnitKind.PARTY_COMMITTEE:
        return [
            Slot(f"{area}委书记", CC),
            Slot(f"{area}委副书记", CD),
            Slot(f"{area}委常委、组织部部长", CD),
            Slot(f"{area}委常委、纪委书记", CD),
            Slot(f"{area}委常委、宣传部部长", CD),
            Slot(f"{area}委常委、办公室主任", CD),
            Slot(f"{area}委办公室副主任", TD),
        ] + [staff_slot(rng, unit_kind) for _ in range(r(2, 4))]
    if unit_kind == UnitKind.GOVERNMENT:
        head = "区长" if area == "区" else "县长"
        return [
            Slot(head, CC),
            Slot(f"常务副{head}", CD),
            *_repeat(f"副{head}", CD, r(2, 4)),
            Slot(f"{area}政府办公室主任", TC),
            Slot(f"{area}政府办公室副主任", TD),
        ] + [staff_slot(rng, unit_kind) for _ in range(r(2, 4))]
    if unit_kind == UnitKind.TOWNSHIP or unit_kind == UnitKind.STREET:
        if unit_kind == UnitKind.STREET:
            slots = [
                Slot("街道党工委书记", TC, True),
                Slot("街道办事处主任", TC, True),
                Slot("街道党工委副书记", TD),
                *_repeat("街道办事处副主任", TD, r(2, 3)),
                Slot("街道纪工委书记", TD),
            ]
        else:
            head = "乡长" if name.endswith("乡") else "镇长"
            slots = [
                Slot("党委书记", TC, True),
                Slot(head, TC, True),
                Slot("党委副书记", TD),
                Slot("人大主席", TC),
                *_repeat(f"副{head}", TD, r(2, 3)),
                Slot("纪委书记", TD),
                Slot("党委委员、组织委员", TD),
                Slot("党委委员、武装部部长", TD),
            ]
        return slots + [staff_slot(rng, unit_kind) for _ in range(r(3, 6))]
    if unit_kind == UnitKind.ENTERPRISE:
        top = CC if unit_level == "city" else TC
        deputy = CD if unit_level == "city" else TD
        return [
            Slot("党委书记、董事长", top),
            Slot("总经理", deputy),
            *_repeat("副总经理", deputy, 2),
        ] + [staff_slot(rng, unit_kind) for _ in range(r(4, 7))]
    # departments and institutions
    title = head_title(name)
    deputy = deputy_title(title)
    if unit_level == "city":
        slots = [
            Slot(title, CC),
            *_repeat(deputy, CD, r(2, 3)),
            *_repeat("科长", TC, r(2, 3)),
            *_repeat("副科长", TD, r(1, 2)),
        ]
        return slots + [staff_slot(rng, unit_kind) for _ in range(r(3, 5))]
    slots = [Slot(title, TC), *_repeat(deputy, TD, r(1, 3))]
    if unit_kind == UnitKind.DEPARTMENT:
        slots += _repeat("股长", STAFF, r(1, 2))
    return slots + [staff_slot(rng, unit_kind) for _ in range(r(2, 5))]


# --- careers ------------------------------------------------------------------------------


@dataclass
class Person:
    """Plain values for one cadre, before it becomes a model instance or a COPY row."""

    name: str
    gender: str
    birth_date: date
    ethnicity: str
    id_number: str
    party_member_since: date | None
    education: str
    staffing_type: str
    post: str
    level: str | None
    rank: str | None
    post_since: date
    rank_since: date | None
    work_since: date
    township_years: Decimal
    served_township_head: bool
    phone: str
    tags: set = field(default_factory=set)


def random_date(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _years_between(a: date, b: date) -> float:
    return max(0.0, (b - a).days / 365.25)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def person_for(
    rng: random.Random,
    slot: Slot,
    *,
    unit_kind: str,
    today: date,
    ids: IdNumbers,
    region: str,
    hardship: bool = False,
    other_regions: tuple = ("130102", "130203", "130304", "130602", "131102"),
) -> Person:
    """A whole plausible career for someone holding `slot` in a unit of `unit_kind`."""
    level = slot.level
    senior = LEVEL_ORDER[level] >= LEVEL_ORDER[CD]
    male_share = 0.82 if senior else 0.7 if level else 0.55
    gender = Gender.MALE if rng.random() < male_share else Gender.FEMALE
    lo, hi = BIRTH_YEARS[level]
    birth = random_date(rng, date(lo, 1, 1), date(hi, 12, 31))
    education = rng.choices(
        [Education.JUNIOR_COLLEGE, Education.BACHELOR, Education.MASTER, Education.DOCTOR],
        weights=[3, 10, 3, 0.2] if birth.year >= 1980 else [3, 10, 1.5, 0.1],
    )[0]
    start_age = {Education.JUNIOR_COLLEGE: 20, Education.BACHELOR: 22, Education.MASTER: 25}.get(
        education, 28
    )
    work_since = random_date(
        rng,
        date(birth.year + start_age, 7, 1),
        min(date(birth.year + start_age + 3, 12, 31), today - timedelta(days=200)),
    )
    # Leaders are (nearly all) party members; about two thirds of staff are.
    party = senior or (level is not None and rng.random() < 0.95) or rng.random() < 0.65
    party_since = None
    if party:
        earliest = max(date(birth.year + 19, birth.month, 1), work_since - timedelta(days=3 * 365))
        party_since = random_date(rng, earliest, min(work_since + timedelta(days=6 * 365), today))
    # Seniors have held their post for 1-6 years, staff for 1-8.
    latest_post = today - timedelta(days=30)
    earliest_post = max(work_since, today - timedelta(days=(6 if level else 8) * 365))
    post_since = random_date(
        rng, max(earliest_post, latest_post - timedelta(days=8 * 365)), latest_post
    )
    if post_since < work_since:
        post_since = work_since
    ranks = RANKS_FOR_LEVEL[level]
    age = age_on(birth, today)
    if level is None:
        rank_index = min(len(ranks) - 1, max(0, (age - 22) // 3))
    else:
        rank_index = min(len(ranks) - 1, rng.randrange(len(ranks)))
    rank = ranks[rank_index]
    staffing = StaffingType.ADMINISTRATIVE
    if unit_kind == UnitKind.INSTITUTION:
        staffing, rank = StaffingType.INSTITUTIONAL, None
    elif unit_kind == UnitKind.ENTERPRISE:
        staffing, rank = StaffingType.ENTERPRISE, None
    elif unit_kind in (UnitKind.TOWNSHIP, UnitKind.STREET) and rng.random() < 0.15:
        staffing = StaffingType.INSTITUTIONAL  # 乡镇事业站所 staff
    rank_since = (
        random_date(rng, max(work_since, post_since - timedelta(days=2 * 365)), latest_post)
        if rank
        else None
    )

    service = _years_between(work_since, today)
    if unit_kind in (UnitKind.TOWNSHIP, UnitKind.STREET):
        township_years = max(_years_between(post_since, today), service * rng.uniform(0.4, 1.0))
    elif slot.level and LEVEL_ORDER[slot.level] >= LEVEL_ORDER[CD] and rng.random() < 0.7:
        township_years = rng.uniform(2, min(15, max(2.5, service / 2)))
    elif rng.random() < 0.3:
        township_years = rng.uniform(0.5, min(8, max(1, service)))
    else:
        township_years = 0
    township_years = Decimal(str(round(min(township_years, 40.0), 1)))
    # Many county leaders, and some section chiefs, once headed a township (F9).
    served_head = slot.township_head or (
        township_years >= 3
        and ((senior and rng.random() < 0.75) or (level == TC and rng.random() < 0.3))
    )
    ethnicity = rng.choices([e for e, _ in ETHNICITIES], weights=[w for _, w in ETHNICITIES])[0]
    id_region = region if rng.random() < 0.8 else rng.choice(other_regions)
    tags = set()
    if age < 35:
        tags.add("young")
        if rng.random() < 0.2 and education in (
            Education.BACHELOR,
            Education.MASTER,
            Education.DOCTOR,
        ):
            tags.add("promising")
    if ethnicity != "汉族":
        tags.add("minority")
    if gender == Gender.FEMALE and level is not None:
        tags.add("female")
    if level in (TD, TC) and age < 45 and rng.random() < 0.15:
        tags.add("reserve")
    if hardship and unit_kind in (UnitKind.TOWNSHIP, UnitKind.STREET) and rng.random() < 0.5:
        tags.add("frontline")
    return Person(
        name=person_name(rng, gender, birth.year),
        gender=gender,
        birth_date=birth,
        ethnicity=ethnicity,
        id_number=ids.issue(rng, id_region, birth, gender),
        party_member_since=party_since,
        education=education,
        staffing_type=staffing,
        post=slot.post,
        level=level,
        rank=rank,
        post_since=post_since,
        rank_since=rank_since,
        work_since=work_since,
        township_years=township_years,
        served_township_head=bool(served_head),
        phone=phone_number(rng),
        tags=tags,
    )


# --- place names --------------------------------------------------------------------------

_PLACE_FIRST = "大小东西南北高石柳马黄白青红龙桃沙新古长杨李王张刘赵双三五官"
_PLACE_SECOND = "营庙林桥庄关湾岭河村堡口滩台沟峪坪店窑泉屯寨岗集铺"


def place_names(rng: random.Random, n: int, *, taken: set | None = None) -> list[str]:
    """`n` distinct two-character place names such as 柳林, 石桥, 马庄; names in `taken` are
    avoided and the new ones added to it."""
    taken = taken if taken is not None else set()
    names = []
    while len(names) < n:
        name = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


# --- bulk insertion helpers ----------------------------------------------------------------


def reserve_ids(model, n: int) -> list[int]:
    """Take `n` ids from the table's identity sequence, so rows (and the paths that contain
    their ids) can be built before they are inserted."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def place_units(units, parents_by_key):
    """Give each new unit (parents before children) its id, path and depth, exactly as
    `services.unit_create` would: path = parent.path + "<id>/", root "/<id>/", depth + 1.

    `units` is a list of (key, parent_key, Unit) and `parents_by_key` maps keys of units that
    already exist to their Unit; it is extended with the new ones."""
    from .models import Unit

    ids = reserve_ids(Unit, len(units))
    for (key, parent_key, unit), pk in zip(units, ids, strict=True):
        parent = parents_by_key.get(parent_key) if parent_key else None
        if parent_key and parent is None:
            raise ValueError(f"parent {parent_key} of {key} is missing")
        unit.pk = pk
        unit.parent = parent
        unit.path = (parent.path if parent else "/") + f"{pk}/"
        unit.depth = (parent.depth + 1) if parent else 0
        parents_by_key[key] = unit
    return [unit for _key, _parent, unit in units]

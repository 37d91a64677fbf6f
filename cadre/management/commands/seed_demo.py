"""Fill the database with a realistic demonstration city: 河北省 → 北原市 (fictional) with its
departments, seven counties and districts, their townships and streets, about 2,000 cadres with
careers, training, frontline postings, mentoring pairs and performance records, and a user for
every role.

Idempotent: units are recognised by their code, users by their username. A second run creates
only what is missing (nothing, after a complete first run) and changes nothing that exists.
"""

import random
import time
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import pghistory
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cadre import demo_data as dd
from cadre.choices import (
    FrontlineKind,
    MentoringKind,
    PerformanceSource,
    Role,
    UnitKind,
    UnitLevel,
)
from cadre.models import (
    Cadre,
    CadreTag,
    FrontlineAssignment,
    MentoringPair,
    PerformanceEntry,
    PostHistory,
    PostLevel,
    Rank,
    TrainingRecord,
    Unit,
    User,
)

DEMO_PASSWORD = "Dandang@2026"
SEED = 20260301

PROVINCE_CODE = "13"
CITY_CODE = "1390"
CITY = "北原市"

# (name, username slug, district?, hardship area?)
COUNTIES = [
    ("东川区", "dongchuan", True, False),
    ("西岭区", "xiling", True, False),
    ("清源县", "qingyuan", False, False),
    ("石门县", "shimen", False, False),
    ("云台县", "yuntai", False, True),
    ("白鹿县", "bailu", False, True),
    ("桑干县", "sanggan", False, True),
]

CITY_DEPARTMENTS = [
    "市委组织部",
    "市委宣传部",
    "市委统战部",
    "市委政法委员会",
    "市纪委监委",
    "市委巡察工作领导小组办公室",
    "市发展和改革委员会",
    "市财政局",
    "市教育局",
    "市公安局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市农业农村局",
    "市卫生健康委员会",
    "市应急管理局",
    "市审计局",
    "市信访局",
]
CITY_INSTITUTIONS = ["中共北原市委党校", "北原市第一医院", "北原市融媒体中心"]
CITY_ENTERPRISE = "北原市城市发展投资集团有限公司"

COUNTY_DEPARTMENTS = [
    "组织部",
    "纪委监委",
    "宣传部",
    "发展和改革局",
    "财政局",
    "教育局",
    "农业农村局",
    "自然资源和规划局",
    "卫生健康局",
    "应急管理局",
]

TRAINING_TOPICS = [
    ("习近平新时代中国特色社会主义思想专题培训", "理论武装", "市委党校"),
    ("推动高质量发展专题研讨班", "高质量发展", "市委组织部"),
    ("乡村振兴专题培训班", "乡村振兴", "市委党校"),
    ("防范化解重大风险专题培训", "风险防控", "市委党校"),
    ("基层治理能力提升培训班", "基层治理", "市委组织部"),
    ("招商引资与项目建设专题培训", "项目建设", "市发展和改革委员会"),
    ("依法行政专题培训", "法治建设", "市司法局"),
    ("应急管理与安全生产专题培训", "应急管理", "市应急管理局"),
    ("生态环境保护专题培训", "生态文明", "市生态环境局"),
    ("8090年轻干部培训班", "年轻干部", "市委组织部"),
    ("党风廉政建设专题教育", "党风廉政", "市纪委监委"),
    ("信访工作专题培训", "群众工作", "市信访局"),
]

FRONTLINE_TASKS = [
    (FrontlineKind.VILLAGE, "驻村第一书记（{place}村）", False),
    (FrontlineKind.VILLAGE, "乡村振兴驻村工作队队员（{place}村）", False),
    (FrontlineKind.URGENT, "防汛抢险救灾", True),
    (FrontlineKind.URGENT, "森林草原防灭火", True),
    (FrontlineKind.PROJECT, "京北生态产业园征地拆迁", True),
    (FrontlineKind.PROJECT, "县城老旧小区改造", False),
    (FrontlineKind.PETITION, "信访积案化解专班", False),
    (FrontlineKind.FRONTLINE, "冬奥赛区服务保障", True),
    (FrontlineKind.FRONTLINE, "招商引资驻外工作组", False),
]

PERFORMANCE_DEEDS = [
    (PerformanceSource.ASSESSMENT, "年度考核", "年度考核确定为优秀等次"),
    (PerformanceSource.COMMENDATION, "表彰奖励", "获评全市担当作为好干部"),
    (PerformanceSource.COMMENDATION, "表彰奖励", "获市委、市政府通报表扬"),
    (PerformanceSource.FRONTLINE, "一线工作", "牵头完成重点项目征地任务，提前一个月交地"),
    (PerformanceSource.FRONTLINE, "一线工作", "防汛期间连续值守，组织转移群众三百余人"),
    (PerformanceSource.ASSESSMENT, "季度考核", "季度重点工作全市排名前三"),
    (PerformanceSource.PETITION, "信访", "化解一件历时八年的信访积案"),
    (PerformanceSource.AUDIT, "审计", "经济责任审计未发现问题"),
    (PerformanceSource.INSPECTION, "巡察", "巡察反馈问题整改全部完成"),
]


@dataclass
class PlannedUnit:
    key: str  # the unit code
    parent: str | None
    unit: Unit
    area: str = "县"  # 县 or 区: how the posts of this area are titled
    id_region: str = "139000"  # region code of its people's ID numbers
    hardship: bool = False


def _plan_units(rng: random.Random) -> list[PlannedUnit]:
    """The whole demonstration tree, parents before children, the same on every run."""
    plan = []

    def add(code, parent, name, kind, level, *, area="县", id_region="139000", hardship=False,
            **fields):  # fmt: skip
        unit = Unit(name=name, code=code, kind=kind, level=level, **fields)
        plan.append(PlannedUnit(code, parent, unit, area, id_region, hardship))

    add(PROVINCE_CODE, None, "河北省", UnitKind.REGION, UnitLevel.PROVINCE, region="河北省")
    add(CITY_CODE, PROVINCE_CODE, CITY, UnitKind.REGION, UnitLevel.CITY, region=CITY)
    city_units = [
        ("SW", "中共北原市委", UnitKind.PARTY_COMMITTEE),
        ("ZF", "北原市人民政府", UnitKind.GOVERNMENT),
        *((f"D{i:02d}", n, UnitKind.DEPARTMENT) for i, n in enumerate(CITY_DEPARTMENTS, 1)),
        *((f"S{i:02d}", n, UnitKind.INSTITUTION) for i, n in enumerate(CITY_INSTITUTIONS, 1)),
        ("Q01", CITY_ENTERPRISE, UnitKind.ENTERPRISE),
    ]
    for order, (suffix, name, kind) in enumerate(city_units):
        add(f"{CITY_CODE}-{suffix}", CITY_CODE, name, kind, UnitLevel.CITY, region=CITY,
            sort_order=order)  # fmt: skip

    taken = set()
    for i, (county, _slug, district, hardship) in enumerate(COUNTIES, 1):
        code = f"{CITY_CODE}{i:02d}"
        area = "区" if district else "县"
        common = {"area": area, "id_region": code, "hardship": hardship, "region": county}
        add(code, CITY_CODE, county, UnitKind.REGION, UnitLevel.COUNTY, sort_order=100 + i,
            is_hardship_area=hardship, **common)  # fmt: skip
        own = [
            ("XW", f"中共{county}委员会", UnitKind.PARTY_COMMITTEE),
            ("ZF", f"{county}人民政府", UnitKind.GOVERNMENT),
        ]
        optional = rng.sample(COUNTY_DEPARTMENTS[4:], rng.randint(4, 6))
        depts = COUNTY_DEPARTMENTS[:4] + [d for d in COUNTY_DEPARTMENTS[4:] if d in optional]
        for j, dept in enumerate(depts, 1):
            if dept == "纪委监委":
                name = f"{county}纪委监委"
            elif dept.endswith("部"):
                name = f"{county[:-1]}{area}委{dept}"
            else:
                name = f"{county}{dept}"
            own.append((f"D{j:02d}", name, UnitKind.DEPARTMENT))
        own.append(("S01", f"{county}融媒体中心", UnitKind.INSTITUTION))
        for order, (suffix, name, kind) in enumerate(own):
            add(f"{code}-{suffix}", code, name, kind, UnitLevel.COUNTY, sort_order=order,
                is_hardship_area=hardship, **common)  # fmt: skip
        # Townships: districts have mostly streets; counties towns (镇) and 乡.
        n = rng.randint(8, 12)
        for k, place in enumerate(dd.place_names(rng, n, taken=taken), 1):
            if district and k <= n - 3:
                kind, name, remote = UnitKind.STREET, f"{place}街道", False
            else:
                is_xiang = (hardship and rng.random() < 0.4) or rng.random() < 0.1
                kind, name = UnitKind.TOWNSHIP, f"{place}{'乡' if is_xiang else '镇'}"
                remote = hardship and (is_xiang or rng.random() < 0.3)
            add(f"{code}-T{k:02d}", code, name, kind, UnitLevel.TOWNSHIP, sort_order=200 + k,
                is_remote_township=remote, is_hardship_area=hardship, **common)  # fmt: skip
    return plan


class Command(BaseCommand):
    help = "Create the demonstration city, its cadres and one user per role (idempotent)."

    def handle(self, *args, **options):
        started = time.monotonic()
        # The audit history records these rows as coming from the seed, not from a person.
        with transaction.atomic(), pghistory.context(source="seed_demo"):
            summary = self.seed()
        elapsed = time.monotonic() - started
        for line in summary:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"seed_demo finished in {elapsed:.1f}s"))

    # -- the steps ---------------------------------------------------------------------------

    def seed(self):
        rng = random.Random(SEED)
        today = timezone.localdate()
        levels = {pl.code: pl for pl in PostLevel.objects.all()}
        ranks = {r.code: r for r in Rank.objects.all()}
        tags = {t.code: t for t in CadreTag.objects.all()}

        plan = _plan_units(rng)
        existing = {u.code: u for u in Unit.objects.filter(code__in=[p.key for p in plan])}
        new = [p for p in plan if p.key not in existing]
        manages = {
            PROVINCE_CODE: None,
            CITY_CODE: levels["county_chief"],
            **{f"{CITY_CODE}{i:02d}": levels["township_chief"] for i in range(1, 9)},
        }
        for p in new:
            p.unit.manages_up_to = manages.get(p.key)
        units_by_code = dict(existing)
        dd.place_units([(p.key, p.parent, p.unit) for p in new], units_by_code)
        Unit.objects.bulk_create([p.unit for p in new])

        # Cadres are generated for every planned unit (so the random stream, and thus every
        # name and ID number, is the same on each run) but only saved for new units.
        new_codes = {p.key for p in new}
        ids = dd.IdNumbers()
        people = []  # (Person, Unit, PlannedUnit)
        for p in plan:
            if p.unit.kind == UnitKind.REGION:
                continue
            area_rng = random.Random(f"{SEED}:{p.key}")
            for slot in dd.posts_for(p.unit.kind, p.unit.level, p.unit.name, area_rng, area=p.area):
                person = dd.person_for(
                    area_rng,
                    slot,
                    unit_kind=p.unit.kind,
                    today=today,
                    ids=ids,
                    region=p.id_region,
                    hardship=p.hardship,
                )
                if p.key in new_codes:
                    people.append((person, units_by_code[p.key], p))
        cadres = self._create_cadres(people, levels, ranks, tags)
        self._create_records(rng, cadres, people, levels, today)
        users = self._create_users(units_by_code)
        return self._summary(len(new), len(cadres), users)

    def _create_cadres(self, people, levels, ranks, tags):
        cadres = []
        for person, unit, _p in people:
            cadre = Cadre(
                name=person.name,
                gender=person.gender,
                birth_date=person.birth_date,
                ethnicity=person.ethnicity,
                party_member_since=person.party_member_since,
                education=person.education,
                staffing_type=person.staffing_type,
                unit=unit,
                post=person.post,
                post_level=levels.get(person.level) if person.level else None,
                rank=ranks.get(person.rank) if person.rank else None,
                post_since=person.post_since,
                rank_since=person.rank_since,
                work_since=person.work_since,
                township_years=person.township_years,
                served_township_head=person.served_township_head,
                phone=person.phone,
            )
            cadre.set_id_number(person.id_number)
            cadres.append(cadre)
        Cadre.objects.bulk_create(cadres, batch_size=1000)
        through = Cadre.tags.through
        through.objects.bulk_create(
            [
                through(cadre_id=cadre.pk, cadretag_id=tags[code].pk)
                for cadre, (person, _u, _p) in zip(cadres, people, strict=True)
                for code in sorted(person.tags)
                if code in tags
            ],
            batch_size=2000,
        )
        return cadres

    def _create_records(self, rng, cadres, people, levels, today):
        """Post history (current post for everyone, earlier posts for leaders), frontline
        postings, training, mentoring pairs and performance entries."""
        history, frontline, training, entries = [], [], [], []
        # The post held before the current one: a step lower on the ladder.
        lower = {
            "township_deputy": (None, "科员"),
            "township_chief": ("township_deputy", "副镇长"),
            "county_deputy": ("township_chief", "镇党委书记"),
            "county_chief": ("county_deputy", "副县长"),
            "bureau_deputy": ("county_chief", "县委书记"),
            "bureau_chief": ("bureau_deputy", "副市长"),
        }
        places = dd.place_names(random.Random(SEED + 1), 40)
        for cadre, (person, unit, _p) in zip(cadres, people, strict=True):
            history.append(
                PostHistory(
                    cadre=cadre,
                    unit=unit,
                    unit_name=unit.name,
                    post=cadre.post,
                    post_level=cadre.post_level,
                    start_date=cadre.post_since,
                )
            )
            if person.level and rng.random() < 0.8:
                end = cadre.post_since
                prev_level, prev_post = lower[person.level]
                if prev_post == "副镇长" and unit.kind == UnitKind.DEPARTMENT:
                    prev_post = "副局长"
                start = max(person.work_since, end - timedelta(days=rng.randint(2, 6) * 365))
                if start < end:
                    history.append(
                        PostHistory(
                            cadre=cadre,
                            unit_name=rng.choice(("", unit.name)) or f"{rng.choice(places)}镇",
                            post=prev_post,
                            post_level=levels.get(prev_level) if prev_level else None,
                            start_date=start,
                            end_date=end,
                        )
                    )
            if rng.random() < 0.07:
                kind, task, major = rng.choice(FRONTLINE_TASKS)
                start = dd.random_date(
                    rng,
                    max(person.work_since, today - timedelta(days=4 * 365)),
                    today - timedelta(days=20),
                )
                ended = rng.random() < 0.5
                frontline.append(
                    FrontlineAssignment(
                        cadre=cadre,
                        kind=kind,
                        task=task.format(place=rng.choice(places)),
                        place=unit.name,
                        is_major_special_task=major,
                        start_date=start,
                        end_date=min(today, start + timedelta(days=rng.randint(30, 700)))
                        if ended
                        else None,
                        result="按期完成任务，群众满意度高" if ended else "",
                    )
                )
            for _ in range(rng.choices((0, 1, 2), weights=(6, 3, 1))[0]):
                title, topic, organiser = rng.choice(TRAINING_TOPICS)
                if topic == "年轻干部" and "young" not in person.tags:
                    title, topic, organiser = TRAINING_TOPICS[0]
                start = dd.random_date(
                    rng,
                    max(person.work_since, today - timedelta(days=5 * 365)),
                    today - timedelta(days=10),
                )
                days = rng.choice((3, 5, 7, 15, 30))
                training.append(
                    TrainingRecord(
                        cadre=cadre,
                        title=title,
                        topic=topic,
                        organiser=organiser,
                        start_date=start,
                        end_date=start + timedelta(days=days - 1),
                        hours=days * 6,
                    )
                )
            if person.level and rng.random() < 0.15:
                source, category, title = rng.choice(PERFORMANCE_DEEDS)
                entries.append(
                    PerformanceEntry(
                        cadre=cadre,
                        occurred_on=dd.random_date(
                            rng, max(cadre.post_since, today - timedelta(days=3 * 365)), today
                        ),
                        source=source,
                        category=category,
                        title=title,
                        detail="（演示数据）",
                        source_key=f"demo:{cadre.pk}",
                    )
                )
        PostHistory.objects.bulk_create(history, batch_size=2000)
        FrontlineAssignment.objects.bulk_create(frontline, batch_size=2000)
        TrainingRecord.objects.bulk_create(training, batch_size=2000)
        PerformanceEntry.objects.bulk_create(entries, batch_size=2000)
        MentoringPair.objects.bulk_create(self._pairs(rng, cadres, people, today))

    def _pairs(self, rng, cadres, people, today):
        """County leaders paired with young section-level cadres of their county (X), and
        township heads mentoring young staff of their township (Z)."""
        by_county, by_unit = {}, {}
        for cadre, (person, unit, p) in zip(cadres, people, strict=True):
            county = p.id_region
            by_county.setdefault(county, []).append((cadre, person, unit))
            by_unit.setdefault(unit.pk, []).append((cadre, person, unit))
        pairs = []
        for members in by_county.values():
            leaders = [c for c, person, _u in members if person.level == "county_deputy"]
            young = [c for c, person, _u in members if "young" in person.tags and person.level]
            for leader, mentee in zip(
                leaders, rng.sample(young, min(len(young), len(leaders))), strict=False
            ):
                pairs.append(
                    (leader, mentee, MentoringKind.LEADER_PAIR, "提升统筹协调和群众工作能力")
                )
        for members in by_unit.values():
            heads = [c for c, person, _u in members if person.post == "党委书记"]
            young = [c for c, person, _u in members if "young" in person.tags and not person.level]
            if heads and young and rng.random() < 0.5:
                pairs.append(
                    (
                        heads[0],
                        rng.choice(young),
                        MentoringKind.MENTOR,
                        "熟悉农村工作，提升解决实际问题能力",
                    )
                )
        return [
            MentoringPair(
                mentor=mentor,
                mentee=mentee,
                kind=kind,
                start_date=today - timedelta(days=rng.randint(30, 700)),
                goals=goals,
            )
            for mentor, mentee, kind, goals in pairs
            if mentor.pk != mentee.pk
        ]

    def _create_users(self, units_by_code):
        """One user per role (and one organisation user per county); existing usernames are
        left untouched."""
        password = make_password(DEMO_PASSWORD)
        city = units_by_code[CITY_CODE]
        county_codes = {
            slug: f"{CITY_CODE}{i:02d}" for i, (_n, slug, *_r) in enumerate(COUNTIES, 1)
        }
        first_slug = COUNTIES[2][1]  # 清源县
        first = county_codes[first_slug]

        def cadre_in(code, post=None, young=False):
            qs = Cadre.objects.filter(unit__code=code).order_by("id")
            if post:
                qs = qs.filter(post=post)
            if young:
                qs = qs.filter(tags__code="young", post_level__isnull=True)
            return qs.first()

        specs = [
            ("admin", "系统管理员", [Role.ADMIN], None, None, True),
            (
                "org_province",
                "省委组织部干部处",
                [Role.ORGANISATION],
                units_by_code[PROVINCE_CODE],
                None,
                False,
            ),
            (
                "org_city",
                None,
                [Role.ORGANISATION],
                city,
                cadre_in(f"{CITY_CODE}-D01", "科长"),
                False,
            ),
        ]
        for _name, slug, *_rest in COUNTIES:
            code = county_codes[slug]
            specs.append(
                (
                    f"org_{slug}",
                    None,
                    [Role.ORGANISATION],
                    units_by_code[code],
                    cadre_in(f"{code}-D01", "副部长"),
                    False,
                )
            )
        specs += [
            ("jw_city", None, [Role.DISCIPLINE], city, cadre_in(f"{CITY_CODE}-D05", "科长"), False),
            (
                f"jw_{first_slug}",
                None,
                [Role.DISCIPLINE],
                units_by_code[first],
                cadre_in(f"{first}-D02", "副书记、副主任"),
                False,
            ),
            (
                "cw_city",
                None,
                [Role.COMMITTEE],
                city,
                cadre_in(f"{CITY_CODE}-SW", "市委副书记"),
                False,
            ),
            (
                f"cw_{first_slug}",
                None,
                [Role.COMMITTEE],
                units_by_code[first],
                cadre_in(f"{first}-XW", "县委书记"),
                False,
            ),
            (
                f"leader_{first_slug}_fgj",
                None,
                [Role.UNIT_LEADER],
                units_by_code[f"{first}-D04"],
                cadre_in(f"{first}-D04", "局长"),
                False,
            ),
            ("audit_city", None, [Role.AUDITOR], city, cadre_in(f"{CITY_CODE}-D19", "科长"), False),
        ]
        # The self-service cadre: a young township cadre of 清源县.
        self_cadre = (
            Cadre.objects.filter(
                unit__code__startswith=f"{first}-T",
                tags__code="young",
                post_level__isnull=True,
            )
            .order_by("unit__code", "id")
            .first()
        )
        specs.append(
            (
                "cadre_demo",
                None,
                [Role.CADRE],
                self_cadre.unit if self_cadre else None,
                self_cadre,
                False,
            )
        )

        existing = set(
            User.objects.filter(username__in=[s[0] for s in specs]).values_list(
                "username", flat=True
            )
        )
        linked = set(User.objects.filter(cadre__isnull=False).values_list("cadre_id", flat=True))
        created = []
        for username, full_name, roles, unit, cadre, superuser in specs:
            if username in existing:
                continue
            if cadre is not None and cadre.pk in linked:
                cadre = None
            user = User(
                username=username,
                full_name=full_name or (cadre.name if cadre else username),
                email=f"{username}@beiyuan.example.gov.cn",
                roles=[str(r) for r in roles],
                unit=unit,
                cadre=cadre,
                is_staff=superuser,
                is_superuser=superuser,
                password=password,
            )
            user.save()
            created.append(username)
        users = list(
            User.objects.filter(username__in=[s[0] for s in specs]).select_related("unit", "cadre")
        )
        order = {s[0]: i for i, s in enumerate(specs)}
        users.sort(key=lambda u: order[u.username])
        return users, created

    def _summary(self, n_units, n_cadres, users_created):
        users, created = users_created
        role_names = dict(Role.choices)
        nothing = not (n_units or n_cadres or created)
        lines = [
            f"单位新建 {n_units} 个，干部新建 {n_cadres} 人，用户新建 {len(created)} 个"
            + ("（数据已存在，未作改动）" if nothing else ""),
            "",
            f"演示用户（密码均为 {DEMO_PASSWORD}）：",
        ]
        rows = [("用户名", "角色", "所在单位（管理范围）", "对应干部")]
        for user in users:
            roles = "、".join(str(role_names.get(r, r)) for r in user.roles)
            if user.is_superuser:
                roles += "（超级用户）"
            unit = user.unit.name if user.unit else "（全域）"
            cadre = f"{user.cadre.name}（{user.cadre.post}）" if user.cadre else ""
            rows.append((user.username, roles, unit, cadre))
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
            lines.append("  ".join([*cells, row[3]]).rstrip())
        return lines


def _width(text):
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


def demo_usernames():
    """The usernames seed_demo creates (for tests and documentation)."""
    names = ["admin", "org_province", "org_city"]
    names += [f"org_{slug}" for _n, slug, *_r in COUNTIES]
    first = COUNTIES[2][1]
    names += ["jw_city", f"jw_{first}", "cw_city", f"cw_{first}", f"leader_{first}_fgj"]
    names += ["audit_city", "cadre_demo"]
    return names

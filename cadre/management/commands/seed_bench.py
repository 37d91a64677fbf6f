"""Bulk data for benchmarks: a province of ~10 cities × ~10 counties × ~15 townships and
departments, and as many cadres as asked (200,000 in under three minutes), written with
PostgreSQL COPY. ID numbers are real: valid check digits, Fernet ciphertext, keyed hash.

    manage.py seed_bench --cadres 200000 [--flush]

The bench tree hangs from its own root unit (code BENCH) and its ID numbers use region codes
99xxxx, so it never collides with seed_demo data in the same database. Two users are made:
bench_province (organisation department of the province) and bench_county (of one county),
password as in seed_demo.
"""

import contextlib
import io
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pgtrigger
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from cadre import demo_data as dd
from cadre.choices import CadreStatus, Role, UnitKind, UnitLevel
from cadre.crypto import _fernet, id_number_hash
from cadre.management.commands.seed_demo import CITY_DEPARTMENTS, COUNTY_DEPARTMENTS, DEMO_PASSWORD
from cadre.models import Cadre, CadreTag, PostHistory, PostLevel, Rank, Unit, User

ROOT_CODE = "BENCH"
SEED = 424242
BENCH_USERS = ("bench_province", "bench_county")
OTHER_REGIONS = ("990000",)

# Relative number of cadres per unit kind.
WEIGHTS = {
    UnitKind.PARTY_COMMITTEE: 0.8,
    UnitKind.GOVERNMENT: 0.8,
    UnitKind.DEPARTMENT: 1.0,
    UnitKind.TOWNSHIP: 1.0,
    UnitKind.STREET: 1.0,
    UnitKind.INSTITUTION: 0.8,
}

CADRE_COLUMNS = [
    "id",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number_cipher",
    "id_number_hash",
    "party_member_since",
    "education",
    "staffing_type",
    "post",
    "post_since",
    "rank_since",
    "work_since",
    "township_years",
    "served_township_head",
    "status",
    "phone",
    "created_at",
    "updated_at",
    "post_level_id",
    "rank_id",
    "unit_id",
]
HISTORY_COLUMNS = [
    "cadre_id",
    "unit_id",
    "unit_name",
    "post",
    "post_level_id",
    "start_date",
    "note",
]
CHUNK = 20_000


def _copy_value(value):
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _copy_text(rows):
    """Rows (tuples of plain values, no tabs or newlines inside) in COPY's text format."""
    return "".join("\t".join(_copy_value(v) for v in row) + "\n" for row in rows)


def _copy(cursor, batch):
    """COPY each (table, columns, text) of the batch, on a raw psycopg2 cursor."""
    for table, columns, text in batch:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


def _is_superuser():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


@contextlib.contextmanager
def _bulk_load():
    """Skip per-row triggers while loading rows we generated consistently ourselves.

    The audit (pghistory) triggers cost 0.2-5 ms a row, growing with the size of the
    transaction (20,000 cadres took 75 s with them, 2 s without), and the deferred foreign-key
    checks run once per row and column at commit. A superuser switches both off for the
    transaction (session_replication_role = replica); anyone else skips the audit triggers
    through pgtrigger.ignore, which sets `pgtrigger.ignore` for the transaction on the next
    statement sent through Django, so the raw COPY that follows on that connection sees it."""
    if _is_superuser():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            try:
                yield
            finally:
                cursor.execute("SET LOCAL session_replication_role = origin")
        return
    with pgtrigger.ignore(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        yield


class _Loader:
    """Buffers generated rows and COPYs them in chunks. A worker thread sends one chunk while
    the caller generates the next: psycopg2 releases the GIL while PostgreSQL works, so Python
    and the database overlap (on two cores, about a third faster)."""

    def __init__(self, raw_cursor):
        self.cursor = raw_cursor
        self.cadres, self.tags, self.history = [], [], []
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending = None

    def add(self, cadre, tags, history):
        self.cadres.append(cadre)
        self.tags.extend(tags)
        self.history.append(history)
        if len(self.cadres) >= CHUNK:
            self.flush()

    def flush(self):
        batch = [
            (Cadre._meta.db_table, CADRE_COLUMNS, _copy_text(self.cadres)),
            (Cadre.tags.through._meta.db_table, ["cadre_id", "cadretag_id"],
             _copy_text(self.tags)),
            (PostHistory._meta.db_table, HISTORY_COLUMNS, _copy_text(self.history)),
        ]  # fmt: skip
        self.cadres, self.tags, self.history = [], [], []
        self.wait()
        self.pending = self.pool.submit(_copy, self.cursor, batch)

    def wait(self):
        if self.pending is not None:
            self.pending.result()  # re-raises the worker's error
            self.pending = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                if self.cadres:
                    self.flush()
                self.wait()
        finally:
            self.pool.shutdown(wait=True)


class Command(BaseCommand):
    help = "Generate a large province of cadres for benchmarks (PostgreSQL COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--cadres", type=int, default=200_000)
        parser.add_argument("--cities", type=int, default=10)
        parser.add_argument("--counties", type=int, default=10, help="counties per city")
        parser.add_argument(
            "--units", type=int, default=15, help="townships and departments per county"
        )
        parser.add_argument(
            "--flush", action="store_true", help="delete earlier bench data (tree BENCH) first"
        )
        parser.add_argument("--seed", type=int, default=SEED)

    def handle(self, *args, cadres, cities, counties, units, flush, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench needs PostgreSQL (it uses COPY)")
        started = time.monotonic()
        phases = {}

        def lap(name):
            phases[name] = time.monotonic() - started - sum(phases.values())

        with transaction.atomic():
            if Unit.objects.filter(code=ROOT_CODE).exists():
                if not flush:
                    raise CommandError("bench data exists already: add --flush to replace it")
                self.flush()
                lap("flush")
            rng = random.Random(seed)
            tree = self.create_units(rng, cities, counties, units)
            lap("units")
            n = self.create_cadres(rng, tree, cadres)
            self.create_users(tree)
            lap("cadres")
        lap("commit")
        # VACUUM as well as ANALYZE: it sets the hint bits and the visibility map, without which
        # the first reads of fresh rows write to every page and counts cannot use index-only
        # scans (a province-wide count: 100 ms before, 30 ms after). VACUUM cannot run inside a
        # transaction (e.g. in tests), where ANALYZE alone is done.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Unit, Cadre, Cadre.tags.through, PostHistory, User):
                cursor.execute(f"{command} {model._meta.db_table}")
        lap(command.lower())
        detail = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in phases.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_bench: {len(tree)} units, {n} cadres in {sum(phases.values()):.1f}s "
                f"({detail})"
            )
        )

    # -- units --------------------------------------------------------------------------------

    def create_units(self, rng, n_cities, n_counties, n_units):
        """The tree, parents first; returns [(Unit, id-number region)]."""
        levels = {pl.code: pl for pl in PostLevel.objects.all()}
        planned = []  # (key, parent key, Unit, region)

        def add(key, parent, region, **fields):
            planned.append((key, parent, Unit(code=key, **fields), region))

        add(ROOT_CODE, None, "990000", name="基准省", kind=UnitKind.REGION,
            level=UnitLevel.PROVINCE)  # fmt: skip
        taken = set()
        for c, city_place in enumerate(dd.place_names(rng, n_cities, taken=taken), 1):
            city_key, city_region = f"{ROOT_CODE}-C{c:02d}", f"99{c:02d}00"
            city = f"{city_place}市"
            add(city_key, ROOT_CODE, city_region, name=city, kind=UnitKind.REGION,
                level=UnitLevel.CITY, manages_up_to=levels["county_chief"], sort_order=c)  # fmt: skip
            city_units = [
                ("SW", f"中共{city}委员会", UnitKind.PARTY_COMMITTEE),
                ("ZF", f"{city}人民政府", UnitKind.GOVERNMENT),
            ] + [
                (f"D{i:02d}", f"{city}{name[1:]}", UnitKind.DEPARTMENT)
                for i, name in enumerate(CITY_DEPARTMENTS[:6], 1)
            ]
            for suffix, name, kind in city_units:
                add(f"{city_key}-{suffix}", city_key, city_region, name=name, kind=kind,
                    level=UnitLevel.CITY)  # fmt: skip
            for x, county_place in enumerate(dd.place_names(rng, n_counties, taken=taken), 1):
                county_key, region = f"{city_key}-X{x:02d}", f"99{c:02d}{x:02d}"
                county = f"{county_place}县"
                hardship = rng.random() < 0.3
                add(county_key, city_key, region, name=county, kind=UnitKind.REGION,
                    level=UnitLevel.COUNTY, manages_up_to=levels["township_chief"],
                    is_hardship_area=hardship, sort_order=x)  # fmt: skip
                children = [
                    ("XW", f"中共{county}委员会", UnitKind.PARTY_COMMITTEE),
                    ("ZF", f"{county}人民政府", UnitKind.GOVERNMENT),
                ]
                n_depts = max(0, min(len(COUNTY_DEPARTMENTS), round(n_units / 3)))
                for d, dept in enumerate(COUNTY_DEPARTMENTS[:n_depts], 1):
                    children.append((f"D{d:02d}", f"{county}{dept}", UnitKind.DEPARTMENT))
                n_towns = max(0, n_units - len(children))
                for t, place in enumerate(dd.place_names(rng, n_towns, taken=set()), 1):
                    children.append((f"T{t:02d}", f"{place}镇", UnitKind.TOWNSHIP))
                for suffix, name, kind in children[:n_units]:
                    remote = kind == UnitKind.TOWNSHIP and hardship and rng.random() < 0.4
                    add(f"{county_key}-{suffix}", county_key, region, name=name, kind=kind,
                        level=UnitLevel.TOWNSHIP if kind == UnitKind.TOWNSHIP else UnitLevel.COUNTY,
                        is_hardship_area=hardship, is_remote_township=remote)  # fmt: skip
        by_key = {}
        units = dd.place_units([(k, p, u) for k, p, u, _r in planned], by_key)
        with pgtrigger.ignore():
            Unit.objects.bulk_create(units, batch_size=2000)
        return [(unit, region) for unit, (_k, _p, _u, region) in zip(units, planned, strict=True)]

    # -- cadres -------------------------------------------------------------------------------

    def create_cadres(self, rng, tree, total):
        """Spread `total` cadres over the non-region units by weight (largest remainder), each
        unit's leaders first, then staff; COPY them with their tags and current post."""
        holders = [(u, r) for u, r in tree if u.kind != UnitKind.REGION]
        weights = [WEIGHTS.get(u.kind, 1.0) * (1.5 if u.level == "city" else 1) for u, _ in holders]
        scale = total / sum(weights) if weights else 0
        quotas = [int(w * scale) for w in weights]
        by_fraction = sorted(range(len(holders)), key=lambda i: quotas[i] - weights[i] * scale)
        for i in by_fraction[: total - sum(quotas)]:
            quotas[i] += 1

        levels = {pl.code: pl.pk for pl in PostLevel.objects.all()}
        ranks = {r.code: r.pk for r in Rank.objects.all()}
        tags = {t.code: t.pk for t in CadreTag.objects.all()}
        fernet = _fernet(settings.FIELD_ENCRYPTION_KEY)
        today = timezone.localdate()
        now = timezone.now()
        ids = dd.IdNumbers()
        pks = iter(dd.reserve_ids(Cadre, total))
        written = 0
        with _bulk_load(), connection.cursor() as wrapper, _Loader(wrapper.cursor) as loader:
            for (unit, region), quota in zip(holders, quotas, strict=True):
                if not quota:
                    continue
                area = "县" if unit.level != "city" else "市"
                slots = dd.posts_for(unit.kind, unit.level, unit.name, rng, area=area)[:quota]
                slots += [dd.staff_slot(rng, unit.kind) for _ in range(quota - len(slots))]
                for slot in slots:
                    p = dd.person_for(
                        rng,
                        slot,
                        unit_kind=unit.kind,
                        today=today,
                        ids=ids,
                        region=region,
                        hardship=unit.is_hardship_area,
                        other_regions=OTHER_REGIONS,
                    )
                    pk = next(pks)
                    level_id = levels.get(p.level) if p.level else None
                    loader.add(
                        (
                            pk,
                            p.name,
                            p.gender,
                            p.birth_date,
                            p.ethnicity,
                            fernet.encrypt(p.id_number.encode()).decode(),
                            id_number_hash(p.id_number),
                            p.party_member_since,
                            p.education,
                            p.staffing_type,
                            p.post,
                            p.post_since,
                            p.rank_since,
                            p.work_since,
                            p.township_years,
                            p.served_township_head,
                            CadreStatus.ACTIVE.value,
                            p.phone,
                            now,
                            now,
                            level_id,
                            ranks.get(p.rank) if p.rank else None,
                            unit.pk,
                        ),
                        [(pk, tags[code]) for code in sorted(p.tags) if code in tags],
                        (pk, unit.pk, unit.name, p.post, level_id, p.post_since, ""),
                    )
                    written += 1
        return written

    # -- users --------------------------------------------------------------------------------

    def create_users(self, tree):
        password = make_password(DEMO_PASSWORD)
        root = tree[0][0]
        county = next(u for u, _r in tree if u.kind == UnitKind.REGION and u.level == "county")
        for username, unit, full_name in (
            ("bench_province", root, "基准省委组织部"),
            ("bench_county", county, f"{county.name}委组织部"),
        ):
            User.objects.update_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "unit": unit,
                    "roles": [Role.ORGANISATION.value],
                    "password": password,
                },
            )

    # -- flush --------------------------------------------------------------------------------

    def flush(self):
        """Delete the BENCH tree, its cadres and every row that points at them, in a few set
        statements (the ORM's per-object cascade would take far too long at this size). The
        audit triggers are skipped (removing benchmark data is not a change worth auditing);
        foreign keys are still checked at commit, so nothing is left dangling."""
        root = Unit.objects.get(code=ROOT_CODE)
        # Users keep their accounts (and sessions); they are re-attached to the new tree.
        User.objects.filter(unit__path__startswith=root.path).update(unit=None)
        User.objects.filter(cadre__unit__path__startswith=root.path).update(cadre=None)
        with pgtrigger.ignore(), connection.cursor() as cursor:
            _delete_where(cursor, Unit, "path LIKE %s", [root.path + "%"])


def _delete_where(cursor, model, where, params, depth=0):
    """DELETE the rows of `model` matching `where`, after the rows of every table that refers
    to them (depth first), or set the reference to NULL where the model says SET_NULL."""
    if depth > 5:
        raise CommandError(f"references to {model.__name__} nest too deep to flush")
    table, pk = model._meta.db_table, model._meta.pk.column
    rows = f"SELECT {pk} FROM {table} WHERE {where}"
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue  # not a reverse relation, or a reverse M2M (cleared from its owner)
        related = rel.related_model
        if related is model or related is User:
            continue  # the tree itself goes in one statement; users were detached above
        refers = f"{rel.field.column} IN ({rows})"
        if rel.on_delete is models.SET_NULL:
            cursor.execute(
                f"UPDATE {related._meta.db_table} SET {rel.field.column} = NULL WHERE {refers}",
                params,
            )
        else:
            _delete_where(cursor, related, refers, params, depth + 1)
    for field in model._meta.many_to_many:
        through = field.remote_field.through._meta.db_table
        cursor.execute(f"DELETE FROM {through} WHERE {field.m2m_column_name()} IN ({rows})", params)
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)

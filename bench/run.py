"""Benchmark of the cadre list page and API at province scale.

    .venv/bin/python bench/run.py --cadres 200000

Creates (if needed) and migrates a separate database (default `dandang_bench`), seeds it with
`seed_bench` unless it already holds that many bench cadres, then measures the cadre list page
(`cadre:cadre_list`) and the API list (`/api/v1/cadres/`) for a county user and a province user
in four scenarios. See bench/README.md for what is printed and how to read it.
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 50.0
TARGET_OVERHEAD_MS = 10.0
TARGET_RATIO = 1.5
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dandang_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=200_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="the bench database (created if missing); never point this at a real one",
    )
    parser.add_argument("--runs", type=int, default=30, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sql-runs", type=int, default=15, help="runs of hand-written SQL")
    parser.add_argument("--only", choices=["page", "api"], help="measure one endpoint only")
    parser.add_argument("--scope", choices=["county", "province"], help="one scope only")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the ORM's data queries"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    return parser.parse_args()


# --- database and Django ------------------------------------------------------------------


def ensure_database(url):
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    conn.close()


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Measure as in production: no DEBUG (which keeps every query in memory) and quiet logs.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def ensure_seeded(cadres, reseed):
    from django.core.management import call_command

    from cadre.management.commands.seed_bench import BENCH_USERS, ROOT_CODE
    from cadre.models import Cadre, Unit, User

    call_command("migrate", interactive=False, verbosity=0)
    root = Unit.objects.filter(code=ROOT_CODE).first()
    have = Cadre.objects.filter(unit__path__startswith=root.path).count() if root else 0
    users = User.objects.filter(username__in=BENCH_USERS, unit__isnull=False).count()
    if reseed or have != cadres or users != len(BENCH_USERS):
        print(f"seeding {cadres} cadres (found {have}) …", flush=True)
        started = time.monotonic()
        call_command("seed_bench", cadres=cadres, flush=root is not None)
        print(f"seeded in {time.monotonic() - started:.1f}s", flush=True)
    else:
        print(f"database already holds {have} bench cadres")


# --- measuring ----------------------------------------------------------------------------


class Recorder:
    """An execute wrapper that times every SQL statement sent through Django."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


def cell(text, width, right=False):
    """Pad to a display width (CJK characters take two columns)."""
    import unicodedata

    text = str(text)
    pad = " " * max(
        0, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    )
    return pad + text if right else text + pad


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def is_data_query(sql):
    """Queries that read cadre rows (the list, its count, the tags prefetch); not the lists of
    choices (cadre_cadretag …) of the filter form."""
    return '"cadre_cadre"' in sql or '"cadre_cadre_tags"' in sql


def measure(client, url, params, runs, warmup):
    from django.db import connection

    samples = []
    status = None
    body = None
    for i in range(warmup + runs):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = time.perf_counter() - started
        status = response.status_code
        if status != 200:
            return {"status": status}
        if i >= warmup:
            samples.append((elapsed, recorder.queries))
        body = response
    server = [s for s, _q in samples]
    db = [sum(d for _s, _p, d in q) for _s, q in samples]
    data_db = [sum(d for sql, _p, d in q if is_data_query(sql)) for _s, q in samples]
    overhead = [s - d for s, d in zip(server, db, strict=True)]
    last_queries = samples[-1][1]
    return {
        "status": status,
        "p50_ms": pct(server, 0.5) * 1000,
        "p95_ms": pct(server, 0.95) * 1000,
        "queries": len(last_queries),
        "db_p50_ms": pct(db, 0.5) * 1000,
        "overhead_p50_ms": pct(overhead, 0.5) * 1000,
        "data_db_p50_ms": pct(data_db, 0.5) * 1000,
        "last_queries": last_queries,
        "response": body,
    }


# --- hand-written SQL ---------------------------------------------------------------------


def hand_written(scope, filters, order, limit):
    """Candidate hand-written statements for the same rows, and for their count:
    ({label: list SQL}, {label: count SQL}, params). The fastest of each is compared."""
    params = {"path": scope["path"] + "%", "limit": limit}
    where = []
    if scope["levels"] is not None:
        where.append("(c.post_level_id IS NULL OR c.post_level_id = ANY(%(levels)s))")
        params["levels"] = scope["levels"]
    if filters.get("post_level"):
        where.append("c.post_level_id = %(post_level)s")
        params["post_level"] = int(filters["post_level"])
    if filters.get("q"):
        if len(filters["q"]) < 3:
            # The product's rule: one or two characters match the start of the name.
            where.append("c.name >= %(lo)s AND c.name < %(hi)s")
            params["lo"], params["hi"] = filters["q"], filters["q"] + "\U0010ffff"
        else:
            where.append("c.name LIKE %(like)s")
            params["like"] = "%" + filters["q"] + "%"
    extra = "".join(f" AND {w}" for w in where)
    order_sql = "c.id DESC" if order == "id_desc" else "c.name, c.id"
    columns = """c.*, u.name AS unit_name, pl.name AS post_level_name, r.name AS rank_name,
        ARRAY(SELECT t.name FROM cadre_cadre_tags ct JOIN cadre_cadretag t ON t.id = ct.cadretag_id
              WHERE ct.cadre_id = c.id ORDER BY t.name) AS tags"""
    decorate = """JOIN cadre_unit u ON u.id = c.unit_id
        LEFT JOIN cadre_postlevel pl ON pl.id = c.post_level_id
        LEFT JOIN cadre_rank r ON r.id = c.rank_id"""
    in_scope = "c.unit_id IN (SELECT id FROM cadre_unit WHERE path LIKE %(path)s)"
    candidates = {
        "join": (
            f"SELECT {columns} FROM cadre_cadre c {decorate} "
            f"WHERE u.path LIKE %(path)s{extra} ORDER BY {order_sql} LIMIT %(limit)s"
        ),
        "semi-join": (
            f"SELECT {columns} FROM cadre_cadre c {decorate} "
            f"WHERE {in_scope}{extra} ORDER BY {order_sql} LIMIT %(limit)s"
        ),
        "ids first": (
            f"WITH page AS (SELECT c.id FROM cadre_cadre c WHERE {in_scope}{extra} "
            f"ORDER BY {order_sql} LIMIT %(limit)s) "
            f"SELECT {columns} FROM page JOIN cadre_cadre c ON c.id = page.id {decorate} "
            f"ORDER BY {order_sql}"
        ),
    }
    # The page counts up to a cap (cadre.pagination.CappedPaginator): so do these.
    from cadre.pagination import COUNT_CAP

    params["cap"] = COUNT_CAP + 1
    counts = {
        "join": f"SELECT count(*) FROM (SELECT 1 FROM cadre_cadre c JOIN cadre_unit u "
        f"ON u.id = c.unit_id WHERE u.path LIKE %(path)s{extra} LIMIT %(cap)s) s",
        "semi-join": f"SELECT count(*) FROM (SELECT 1 FROM cadre_cadre c "
        f"WHERE {in_scope}{extra} LIMIT %(cap)s) s",
    }
    return candidates, counts, params


def best_of(cursor, sql, params, runs):
    best, rows = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        result = cursor.fetchall()
        best = min(best, time.perf_counter() - started)
        rows = result
    return best, rows


def time_hand_written(scope, filters, order, limit, with_count, runs):
    from django.db import connection

    candidates, counts, params = hand_written(scope, filters, order, limit)
    results = {}
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # raw psycopg2: no Django in the timing
        for label, sql in candidates.items():
            results[label] = (*best_of(cursor, sql, params, runs), sql)
        count_results = {
            label: (*best_of(cursor, sql, params, runs), sql) for label, sql in counts.items()
        }
    label, (list_s, rows, list_sql) = min(results.items(), key=lambda kv: kv[1][0])
    # The count is always run (the "matches" column) but is part of the comparison only when
    # the ORM counted too.
    count_label, (count_s, count_rows, count_sql) = min(
        count_results.items(), key=lambda kv: kv[1][0]
    )
    total = count_rows[0][0]
    if not with_count:
        count_s, count_label, count_sql = 0.0, None, None
    return {
        "best_ms": (list_s + count_s) * 1000,
        "list_label": label,
        "count_label": count_label,
        "rows": len(rows),
        "ids": [row[0] for row in rows],
        "total": total,
        "list_sql": list_sql,
        "count_sql": count_sql,
        "params": params,
    }


def orm_shape(queries):
    """Order, LIMIT and whether a COUNT was issued, read from the ORM's own SQL."""
    order, limit, counted = "name_id", 50, False
    for sql, _params, _d in queries:
        if not is_data_query(sql) or "cadre_cadre_tags" in sql.split("WHERE")[0]:
            continue
        if sql.lstrip().upper().startswith("SELECT COUNT(*)"):
            counted = True
            continue
        if "LIMIT" in sql:
            if re.search(r'ORDER BY "cadre_cadre"\."id" DESC', sql):
                order = "id_desc"
            match = re.search(r"LIMIT (\d+)", sql)
            if match:
                limit = int(match.group(1))
    return order, limit, counted


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- the run ------------------------------------------------------------------------------


def scenarios():
    """(name, filters) — filters as the shared CadreFilterSet names them."""
    from django.db import connection

    from cadre.management.commands.seed_bench import BENCH_USERS
    from cadre.models import PostLevel, User

    level = PostLevel.objects.get(code="township_deputy")
    county = User.objects.select_related("unit").get(username=BENCH_USERS[1]).unit
    with connection.cursor() as cursor:
        # A real person's full name of two characters: one that is rare province-wide, so the
        # search has to look far (the hard case for an ordered scan).
        cursor.execute(
            """SELECT c.name FROM cadre_cadre c JOIN cadre_unit u ON u.id = c.unit_id
               WHERE u.path LIKE %s AND char_length(c.name) = 2
                 AND (c.post_level_id IS NULL OR c.post_level_id IN
                      (SELECT id FROM cadre_postlevel WHERE "order" <= 20))
               GROUP BY c.name ORDER BY
                 (SELECT count(*) FROM cadre_cadre c2 WHERE c2.name = c.name), c.name LIMIT 1""",
            [county.path + "%"],
        )
        two_char = cursor.fetchone()[0]
    return [
        ("unfiltered", {}),
        (f"post_level={level.name}", {"post_level": str(level.pk)}),
        ("name 张", {"q": "张"}),
        (f"name {two_char}", {"q": two_char}),
    ]


def endpoints(client):
    """[(label, url)]: the real page and API when they answer, else the plain fallback view."""
    from django.urls import NoReverseMatch, reverse

    from bench import urls as bench_urls

    found = []
    try:
        page = reverse("cadre:cadre_list")
        status = client.get(page).status_code
        problem = None if status == 200 else f"HTTP {status}"
    except NoReverseMatch as exc:
        page, problem = None, f"NoReverseMatch: {exc}"
    if problem:
        print(f"! page unavailable ({problem}); measuring the plain view instead")
        found.append(("page*", reverse("bench_plain_cadres")))
    else:
        found.append(("page", page))
    api = "/api/v1/cadres/"
    response = client.get(api)
    ok = response.status_code == 200 and "results" in (response.json() or {})
    if not ok:
        print(f"! API unavailable (HTTP {response.status_code}); measuring the plain view")
        found.append(("api*", reverse("bench_plain_cadres")))
    else:
        found.append(("api", api))
    if bench_urls.PROJECT_URLS_ERROR:
        print(f"! project URLs failed to load: {bench_urls.PROJECT_URLS_ERROR}")
    return found


def main():
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from cadre import access
    from cadre.management.commands.seed_bench import BENCH_USERS
    from cadre.models import PostLevel, User

    ensure_seeded(args.cadres, args.reseed)
    results = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        users = {
            "county": User.objects.select_related("unit").get(username=BENCH_USERS[1]),
            "province": User.objects.select_related("unit").get(username=BENCH_USERS[0]),
        }
        cases = scenarios()
        print(
            f"\n{args.cadres} cadres · {args.runs} runs per row after {args.warmup} warm-up · "
            f"DEBUG={settings.DEBUG} · targets: p95 < {TARGET_P95_MS:.0f} ms, "
            f"overhead < {TARGET_OVERHEAD_MS:.0f} ms, ORM/SQL ratio < {TARGET_RATIO}"
        )
        header = (
            f"{'endpoint':<9}{'scope':<10}{'scenario':<22}{'matches':>8}{'p50':>8}{'p95':>8}"
            f"{'queries':>8}{'db':>8}{'overhd':>8}{'orm-db':>8}{'sql':>8}{'ratio':>7}  verdict"
        )
        for scope_name, user in users.items():
            if args.scope and scope_name != args.scope:
                continue
            client = Client()
            client.force_login(user)
            scope = access.scope_for(user)
            levels = None
            if scope.max_level_order is not None:
                levels = list(
                    PostLevel.objects.filter(order__lte=scope.max_level_order).values_list(
                        "pk", flat=True
                    )
                )
            scope_info = {"path": scope.path if not scope.everything else "/", "levels": levels}
            floor = measure(client, reverse("bench_ping"), {}, args.runs, args.warmup)
            print(
                f"\n[{scope_name}] floor (login_required view returning 'ok', whole middleware "
                f"stack): p50 {floor['p50_ms']:.1f} ms, p95 {floor['p95_ms']:.1f} ms, "
                f"{floor['queries']} queries, db {floor['db_p50_ms']:.1f} ms"
            )
            for label, url in endpoints(client):
                if args.only and not label.startswith(args.only):
                    continue
                print("\n" + header)
                for case, filters in cases:
                    m = measure(client, url, filters, args.runs, args.warmup)
                    if m["status"] != 200:
                        print(f"{label:<9}{scope_name:<10}{cell(case, 22)} HTTP {m['status']}")
                        continue
                    order, limit, counted = orm_shape(m["last_queries"])
                    hand = time_hand_written(
                        scope_info, filters, order, limit, counted, args.sql_runs
                    )
                    ratio = m["data_db_p50_ms"] / hand["best_ms"] if hand["best_ms"] else 0
                    verdict = [
                        "p95 ok" if m["p95_ms"] < TARGET_P95_MS else "P95 SLOW",
                        "ovh ok" if m["overhead_p50_ms"] < TARGET_OVERHEAD_MS else "OVERHEAD",
                        "ratio ok" if ratio < TARGET_RATIO else "RATIO",
                    ]
                    mismatch = ""
                    if label == "api":
                        ids = [row["id"] for row in m["response"].json()["results"]]
                        if ids != hand["ids"][: len(ids)]:
                            mismatch = "  (!) rows differ from the hand-written SQL"
                    total = hand["total"]
                    print(
                        f"{label:<9}{scope_name:<10}{cell(case, 22)}{total:>8}{m['p50_ms']:>8.1f}"
                        f"{m['p95_ms']:>8.1f}{m['queries']:>8}{m['db_p50_ms']:>8.1f}"
                        f"{m['overhead_p50_ms']:>8.1f}{m['data_db_p50_ms']:>8.1f}"
                        f"{hand['best_ms']:>8.1f}{ratio:>7.2f}  {', '.join(verdict)}{mismatch}",
                        flush=True,
                    )
                    results.append(
                        {
                            "endpoint": label,
                            "url": url,
                            "scope": scope_name,
                            "scenario": case,
                            "filters": filters,
                            **{k: v for k, v in m.items() if k.endswith("_ms") or k == "queries"},
                            "hand_ms": hand["best_ms"],
                            "hand_variant": hand["list_label"],
                            "hand_count_variant": hand["count_label"],
                            "ratio": ratio,
                            "orm_counted": counted,
                            "order": order,
                        }
                    )
                    if args.explain:
                        data = [q for q in m["last_queries"] if is_data_query(q[0])]
                        for sql, params, duration in sorted(data, key=lambda q: -q[2]):
                            print(f"\n--- ORM query ({duration * 1000:.1f} ms):\n{sql}")
                            print(explain(sql, params))
                        print(f"\n--- best hand-written ({hand['list_label']}):")
                        print(explain(hand["list_sql"], hand["params"]))
                        if hand["count_sql"]:
                            print(explain(hand["count_sql"], hand["params"]))
    print(
        "\ncolumns (ms): p50/p95 = server time per request (Django test client, whole stack); "
        "db = time in SQL (all statements); overhd = p50 of server minus db; orm-db = time in "
        "the statements that read cadre rows (list, count, tags); sql = best hand-written SQL "
        "for the same rows (and count, if the ORM counted); ratio = orm-db / sql; "
        "matches = rows matching in total."
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()

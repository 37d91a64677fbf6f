"""Benchmark of the quarterly review (季度总评) over the bench province with a year of data.

    .venv/bin/python bench/quarterly.py --cadres 200000

Uses the bench database of bench/run.py (`dandang_bench`, created and migrated if missing),
seeds the cadres (`seed_bench`) and a year of assessment data (`seed_assessment_bench`) unless
present, clears the results of the last complete quarter, then runs
`assessment.quarterly.quarterly_review_run` for it twice, each run in a fresh Python process with
a fresh database connection: the first run and a re-run that must change nothing. Printed per
run: wall time per step (from the run's `counts`) and in total, the rows each step reports, the
rows inserted/updated/deleted per table (PostgreSQL's statistics), the Python process's peak
RSS and the database backend's. See bench/README.md, "Quarterly review".
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import DEFAULT_URL, ensure_database, ensure_seeded, setup_django  # noqa: E402

TARGET_SECONDS = 60.0
# Celery messages of the run (one per new consequence event) go to a Redis database of their
# own, emptied afterwards, so that no worker of another checkout picks them up.
BENCH_REDIS_URL = "redis://127.0.0.1:6379/13"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=200_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="the bench database (created if missing); never point this at a real one",
    )
    parser.add_argument("--year", type=int, help="default: the last complete quarter's")
    parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
    parser.add_argument(
        "--keep", action="store_true", help="do not clear the quarter's results before the runs"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- memory -------------------------------------------------------------------------------


def proc_status(pid):
    """{field: kB} of /proc/PID/status (VmRSS, VmHWM, RssAnon, RssShmem …), {} if unreadable."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        if value.strip().endswith("kB"):
            out[key] = int(value.split()[0])
    return out


def postgres_children(backend_pid):
    """Pids of parallel workers serving the backend (their title names its pid)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f"parallel worker for PID {backend_pid}" in cmdline:
            pids.append(int(entry.name))
    return pids


class Sampler(threading.Thread):
    """Samples the backend's (and its parallel workers') memory every 50 ms: the peak of the
    private part (RssAnon) and of the whole RSS (private + the shared buffers it touched)."""

    def __init__(self, backend_pid):
        super().__init__(daemon=True)
        self.pid = backend_pid
        self.stop = threading.Event()
        self.peak_anon = self.peak_rss = self.peak_workers_anon = 0
        self.readable = bool(proc_status(backend_pid))

    def run(self):
        tick = 0
        workers = []
        while not self.stop.is_set():
            status = proc_status(self.pid)
            self.peak_anon = max(self.peak_anon, status.get("RssAnon", 0))
            self.peak_rss = max(self.peak_rss, status.get("VmRSS", 0))
            if tick % 10 == 0:
                workers = postgres_children(self.pid)
            anon = sum(proc_status(w).get("RssAnon", 0) for w in workers)
            self.peak_workers_anon = max(self.peak_workers_anon, anon)
            tick += 1
            self.stop.wait(0.05)


# --- one run (child process) --------------------------------------------------------------


def child(args):
    setup_django(args.database_url)
    from django.db import connection

    from assessment.quarterly import quarterly_review_run

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    sampler = Sampler(backend)
    sampler.start()
    started = time.perf_counter()
    run = quarterly_review_run(args.year, args.quarter)
    wall = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    hwm = proc_status(backend).get("VmHWM", 0)
    result = {
        "wall": wall,
        "status": run.status,
        "counts": run.counts,
        "py_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "pg_readable": sampler.readable,
        "pg_hwm_kb": hwm,
        "pg_peak_anon_kb": sampler.peak_anon,
        "pg_peak_rss_kb": sampler.peak_rss,
        "pg_workers_anon_kb": sampler.peak_workers_anon,
    }
    print("RESULT " + json.dumps(result))


# --- the parent ---------------------------------------------------------------------------


def table_stats():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
            "WHERE relname LIKE 'assessment_%%' OR relname LIKE 'cadre_%%'"
        )
        return {name: (i, u, d) for name, i, u, d in cursor.fetchall()}


def stats_delta(before, after):
    out = {}
    for name, (i, u, d) in after.items():
        bi, bu, bd = before.get(name, (0, 0, 0))
        delta = (i - bi, u - bu, d - bd)
        if any(delta):
            out[name] = delta
    return out


def clear_quarter(year, quarter):
    """Remove what earlier runs wrote, so that the first run below is a first run: the quarter's
    reviews, unit scores, rankings and performance entries, the consequences of the bench
    (append-only: their triggers are skipped), the events they announced, the runs."""
    from django.db import connection, transaction

    from cadre.management.commands.seed_bench import _bulk_load

    key = f"assessment.quarterly:{year}:{quarter}"
    with transaction.atomic(), _bulk_load(), connection.cursor() as cursor:
        for sql, params in (
            ("DELETE FROM assessment_quarterlyreview WHERE year = %s AND quarter = %s",
             [year, quarter]),
            ("DELETE FROM assessment_unitquarterscore WHERE year = %s AND quarter = %s",
             [year, quarter]),
            ("DELETE FROM assessment_rankingentry WHERE year = %s AND quarter = %s",
             [year, quarter]),
            ("DELETE FROM cadre_performanceentry WHERE source_key = %s", [key]),
            ("DELETE FROM cadre_eventhandling WHERE event_id IN (SELECT id FROM cadre_event "
             "WHERE kind = 'assessment.consequence_decided')", []),
            ("DELETE FROM cadre_event WHERE kind = 'assessment.consequence_decided'", []),
            ("DELETE FROM assessment_consequence", []),
            ("DELETE FROM assessment_quarterlyrun", []),
        ):  # fmt: skip
            cursor.execute(sql, params)
    with connection.cursor() as cursor:
        for table in (
            "assessment_quarterlyreview",
            "assessment_unitquarterscore",
            "assessment_rankingentry",
            "cadre_performanceentry",
            "assessment_consequence",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def purge_bench_queue():
    try:
        import redis

        redis.Redis.from_url(BENCH_REDIS_URL).flushdb()
    except Exception as exc:  # noqa: BLE001 - the bench result does not depend on it
        print(f"(could not empty the bench Redis database: {exc})")


def run_child(args, label):
    from django.db import connection

    connection.close()
    before = table_stats()
    env = {
        **os.environ,
        "REDIS_URL": BENCH_REDIS_URL,
        "CELERY_BROKER_URL": BENCH_REDIS_URL,
        "CELERY_RESULT_BACKEND": BENCH_REDIS_URL,
    }
    command = [
        sys.executable, __file__, "--child", "--database-url", args.database_url,
        "--year", str(args.year), "--quarter", str(args.quarter),
    ]  # fmt: skip
    print(f"\n[{label}] quarterly_review_run({args.year}, {args.quarter}) …", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(proc.stdout[-4000:], proc.stderr[-4000:])
        raise SystemExit(f"the {label} failed (exit {proc.returncode})")
    result = json.loads(lines[-1][len("RESULT ") :])
    result["process_wall"] = elapsed
    time.sleep(1.5)  # the backend's statistics are flushed when it exits
    result["tables"] = stats_delta(before, table_stats())
    report(label, result)
    return result


def report(label, r):
    mib = 1024
    print(f"  status {r['status']}, wall {r['wall']:.1f} s (process with start-up "
          f"{r['process_wall']:.1f} s)")  # fmt: skip
    print(f"  {'step':<14}{'seconds':>9}{'rows':>10}")
    order = ["unit_scores", "reviews", "rankings", "consequences", "performance"]
    steps = sorted(
        r["counts"].items(),
        key=lambda kv: (kv[0] not in order, order.index(kv[0]) if kv[0] in order else 0),
    )
    for step, c in steps:
        print(f"  {step:<14}{c.get('seconds', 0):>9.2f}{c.get('rows', 0):>10,}")
    print("  rows per table (inserted / updated / deleted, from pg_stat_user_tables):")
    for table, (i, u, d) in sorted(r["tables"].items()):
        print(f"    {table:<40}{i:>9,}{u:>9,}{d:>9,}")
    print(f"  peak memory: Python {r['py_maxrss_kb'] / mib:.0f} MiB (ru_maxrss)", end="")
    if r["pg_readable"]:
        print(
            f"; PostgreSQL backend: VmHWM {r['pg_hwm_kb'] / mib:.0f} MiB, of it private "
            f"(RssAnon, sampled) {r['pg_peak_anon_kb'] / mib:.0f} MiB, the rest shared buffers"
            f"; parallel workers (RssAnon, together) {r['pg_workers_anon_kb'] / mib:.0f} MiB"
        )
    else:
        print("; PostgreSQL backend: /proc not readable")


def main():
    args = parse_args()
    if args.child:
        child(args)
        return
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    ensure_seeded(args.cadres, False)
    started = time.monotonic()
    call_command("seed_assessment_bench", cadres=args.cadres)
    print(f"assessment data ready in {time.monotonic() - started:.1f}s")
    try:
        from assessment.quarterly import last_complete_quarter
    except ImportError as exc:
        raise SystemExit(f"assessment.quarterly is not available yet: {exc}") from None
    if args.year is None or args.quarter is None:
        args.year, args.quarter = last_complete_quarter()
    if not args.keep:
        clear_quarter(args.year, args.quarter)
        print(f"cleared earlier results of {args.year}Q{args.quarter}")
    first = run_child(args, "first run")
    again = run_child(args, "re-run")
    purge_bench_queue()
    changed = {
        t: v for t, v in again["tables"].items() if t != "assessment_quarterlyrun" and any(v)
    }
    reported = sum(c.get("rows", 0) for c in again["counts"].values())
    print(
        f"\ntarget: the quarterly review in under {TARGET_SECONDS:.0f} s — first run "
        f"{first['wall']:.1f} s: {'MET' if first['wall'] < TARGET_SECONDS else 'NOT MET'}; "
        f"re-run {again['wall']:.1f} s: {'MET' if again['wall'] < TARGET_SECONDS else 'NOT MET'}"
    )
    print(
        "re-run changed nothing: "
        + ("yes" if not changed and not reported else f"NO — reported {reported}, {changed}")
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"first": first, "rerun": again}, indent=2))


if __name__ == "__main__":
    main()

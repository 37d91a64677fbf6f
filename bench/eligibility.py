"""Benchmark of the rank-promotion list (职级晋升: everyone eligible now in a jurisdiction).

    .venv/bin/python bench/eligibility.py --runs 2

Uses the bench database of bench/run.py (`dandang_bench`, created, migrated and seeded with
`seed_bench` when missing). For the province and county organisation users of the bench
(BENCH_USERS) it does what the list page does, several times: computes
`incentives.eligibility.rank_eligible_list` (the page's, the export's and the API's list) and
reads its first page of 50 rows with their reasons. It prints, per scope: cadres in scope,
SQL-narrowed candidates, eligible cadres, p50/max wall time, queries per run and the process's
peak RSS; with `--export`, also the time to write every eligible row's reasons once (what the
Excel export adds).
Target: the province under 3 s and 500 MB, a county well under 0.3 s.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import DEFAULT_URL, ensure_database, ensure_seeded, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="the bench database (created if missing); never point this at a real one",
    )
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--export", action="store_true", help="also time every row's reasons (the Excel export)"
    )
    return parser.parse_args()


def main():
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    ensure_seeded(args.cadres, args.reseed)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadre.management.commands.seed_bench import BENCH_USERS
    from cadre.models import Cadre, User
    from incentives.eligibility import RankPolicies, rank_candidates, rank_eligible_list

    print(
        f"{'user':<16}{'in scope':>10}{'candidates':>12}{'eligible':>10}"
        f"{'p50 s':>9}{'max s':>9}{'queries':>9}{'peak MB':>9}"
        + (f"{'export s':>10}" if args.export else "")
    )
    for username in BENCH_USERS:
        user = User.objects.filter(username=username).first()
        if user is None or "organisation" not in (user.roles or []):
            continue
        in_scope = Cadre.objects.restrict(user).count()
        candidates = rank_candidates(Cadre.objects.restrict(user), policies=RankPolicies()).count()
        times, eligible, queries = [], 0, 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                _filterset, rows = rank_eligible_list(user, {})
                page = [row.reasons for row in rows[:50]]  # the page writes its rows' reasons
                times.append(time.perf_counter() - started)
            eligible, queries = len(rows), len(captured)
        assert len(page) == min(eligible, 50)
        export = ""
        if args.export:
            started = time.perf_counter()
            written = sum(len("；".join(r.text for r in row.reasons)) for row in rows)
            export = f"{time.perf_counter() - started:>10.2f}"
            assert written
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{username:<16}{in_scope:>10}{candidates:>12}{eligible:>10}"
            f"{statistics.median(times):>9.2f}{max(times):>9.2f}{queries:>9}{peak_mb:>9.0f}"
            + export
        )


if __name__ == "__main__":
    main()

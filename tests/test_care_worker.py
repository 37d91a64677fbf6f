"""A real Celery beat and worker, talking to Redis, run the 五必谈 reminders.

Both run as separate processes (`celery -A config beat` / `celery -A config worker`) with the
test settings, the test database and a schedule of their own: a settings module written for
this test only, which fires `care.tasks_talks.remind_due_talks_task` every two seconds, so the
production schedule stays untouched. The data must be committed for the processes to see it
(`transaction=True`); tests/conftest.py puts the migrations' reference data back afterwards."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cadre.events import dispatch_event
from cadre.models import Event, Notification
from cadre.services import cadre_update
from care.models import TalkObligation
from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
WAIT_SECONDS = 45

SETTINGS = """\
from config.settings.test import *  # noqa: F403

# This test's own beat: the talk reminders every two seconds, from a schedule file.
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE = {{
    "care-talk-reminders": {{
        "task": "care.tasks_talks.remind_due_talks_task",
        "schedule": 2.0,
    }},
}}
DATABASES["default"]["NAME"] = {name!r}  # noqa: F405
"""


@pytest.fixture
def celery_processes(tmp_path):
    """Start beat and a worker against the test database; stop them afterwards."""
    (tmp_path / "care_worker_settings.py").write_text(
        SETTINGS.format(name=connection.settings_dict["NAME"]), encoding="utf-8"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "care_worker_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        # Django's system checks were run by the test session already.
        "CELERY_SKIP_CHECKS": "1",
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
    }
    # Messages left in the test queue by an interrupted run must not reach this worker.
    app.control.purge()
    common = {"cwd": tmp_path, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    worker = subprocess.Popen(
        [str(CELERY), "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat",
         f"--hostname=care-talks-{os.getpid()}@%h"],
        **common,
    )  # fmt: skip
    beat = subprocess.Popen(
        [str(CELERY), "-A", "config", "beat", "--loglevel=WARNING",
         f"--schedule={tmp_path / 'beat-schedule'}", "--max-interval=1"],
        **common,
    )  # fmt: skip
    processes = [worker, beat]
    yield processes
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        process.stderr.close()
    app.control.purge()


def _failure(processes):
    dead = [p for p in processes if p.poll() is not None]
    if dead:
        return dead[0].stderr.read().decode(errors="replace")[-2000:]
    return ""


@pytest.mark.django_db(transaction=True)
def test_beat_and_a_worker_remind_the_due_talk(tree, cadres, make_user, celery_processes):
    org = make_user(username="zz_worker", unit=tree.county_a)
    cadre_update(actor=org, cadre=cadres.in_a, post="镇党委书记")
    event = Event.objects.get(kind="cadre.post_changed", cadre=cadres.in_a)
    dispatch_event(event.pk)
    obligation = TalkObligation.objects.get(source_event=event)
    # Due in three days: inside the seven days before the deadline (care.talk_settings).
    TalkObligation.objects.filter(pk=obligation.pk).update(
        due_on=timezone.localdate() + datetime.timedelta(days=3)
    )

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        obligation.refresh_from_db()
        if obligation.reminded_at is not None:
            break
        failure = _failure(celery_processes)
        assert not failure, failure
        time.sleep(0.5)
    else:
        raise AssertionError(f"not reminded after {WAIT_SECONDS} s")

    reminder = Notification.objects.get(kind="care.talk_reminder")
    assert reminder.recipient == org
    assert reminder.dedupe_key == f"care.obligation:{obligation.pk}:reminder"
    # Beat keeps firing; the job is idempotent, so the reminder stays one.
    time.sleep(3)
    assert Notification.objects.filter(kind="care.talk_reminder").count() == 1

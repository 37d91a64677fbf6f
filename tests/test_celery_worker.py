"""A real Celery worker, talking to Redis, imports a file too large for the request.

The worker runs in a thread with its own database connection, so the test commits for real
(`transaction=True`); tests/conftest.py puts the migrations' reference data back afterwards."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from cadre import imports
from cadre.choices import ImportStatus
from cadre.models import Cadre, PostHistory
from config.celery import app
from tests.test_import import cadre_row, xlsx

WAIT_SECONDS = 30


@pytest.fixture
def worker(monkeypatch):
    # Django's system checks were run by the test session already.
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    # Messages left in the test queue by an interrupted run must not reach this worker.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as w:
        yield w


def wait_until_finished(job):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in imports.FINISHED:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import job still {job.status} after {WAIT_SECONDS} s")


@pytest.mark.django_db(transaction=True)
def test_worker_imports_a_file_too_large_for_the_request(tree, org_user, settings, worker):
    settings.IMPORT_SYNC_MAX_ROWS = 5
    content = xlsx([cadre_row(n) for n in range(30)])

    job = imports.import_job_submit(user=org_user, filename="大文件.xlsx", content=content)
    assert job.status == ImportStatus.PENDING  # queued, not run in the request

    job = wait_until_finished(job)

    assert (job.status, job.created_count, job.errors) == (ImportStatus.SUCCEEDED, 30, [])
    assert Cadre.objects.filter(name__startswith="导入干部").count() == 30
    assert PostHistory.objects.filter(cadre__name__startswith="导入干部").count() == 30
    assert imports.import_job_progress(job)["percent"] == 100

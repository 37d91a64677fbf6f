"""Security behaviour a user and an auditor notice: login throttling, idle sessions, logout,
disabling a user, the production deployment checks, and the Chinese default locale."""

import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from cadre.models import UserSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


def log_in(client, username, password=PASSWORD, ip="10.1.1.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in_as(client):
    """Who the server takes the client for: the user's pk, or None when it is sent to log in."""
    response = client.get(reverse("home"))
    assert response.status_code == 302
    if response.url.startswith(reverse("login")):
        return None
    return response.wsgi_request.user.pk


@pytest.fixture
def user(make_user):
    return make_user(username="zhangsan")


# --- login throttling (django-axes) ---------------------------------------------------------


def test_sixth_attempt_after_five_failures_is_refused_until_the_lock_expires(client, user):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            log_in(client, "zhangsan", "wrong-password")

        # The right password does not help while the account is locked.
        response = log_in(client, "zhangsan")
        assert response.status_code == 429
        assert "registration/locked.html" in [t.name for t in response.templates]
        assert SESSION_KEY not in client.session

        clock.shift(timedelta(minutes=31))
        response = log_in(client, "zhangsan")

        assert response.status_code == 302
        assert int(client.session[SESSION_KEY]) == user.pk


def test_four_failures_do_not_lock(client, user):
    for _ in range(4):
        log_in(client, "zhangsan", "wrong-password")

    response = log_in(client, "zhangsan")

    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


def test_failures_from_many_addresses_lock_the_username(client, user):
    for n in range(5):
        log_in(client, "zhangsan", "wrong-password", ip=f"10.0.0.{n + 1}")

    response = log_in(client, "zhangsan", ip="10.9.9.9")

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_failures_on_many_usernames_lock_the_address(client, make_user):
    make_user(username="lisi")
    for n in range(5):
        log_in(client, f"guess{n}", "wrong-password", ip="10.2.2.2")

    locked = log_in(client, "lisi", ip="10.2.2.2")
    elsewhere = log_in(Client(), "lisi", ip="10.3.3.3")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


# --- sessions -------------------------------------------------------------------------------


def test_idle_session_ends_after_30_minutes(client, user):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT == 30 * 60
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "zhangsan")
        assert signed_in_as(client) == user.pk

        clock.shift(timedelta(minutes=31))
        assert signed_in_as(client) is None


def test_requests_within_a_minute_do_not_rewrite_the_session(client, user):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "zhangsan")
        key = client.session.session_key
        clock.shift(timedelta(seconds=61))
        signed_in_as(client)  # refreshes the expiry
        refreshed = Session.objects.get(session_key=key).expire_date

        clock.shift(timedelta(seconds=30))
        signed_in_as(client)
        assert Session.objects.get(session_key=key).expire_date == refreshed

        clock.shift(timedelta(seconds=31))
        signed_in_as(client)
        assert Session.objects.get(session_key=key).expire_date > refreshed


def test_a_request_keeps_the_session_alive(client, user):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "zhangsan")
        clock.shift(timedelta(minutes=20))
        assert signed_in_as(client) == user.pk

        # 49 minutes after login, 29 after the last request: still signed in.
        clock.shift(timedelta(minutes=29))
        assert signed_in_as(client) == user.pk

        clock.shift(timedelta(minutes=31))
        assert signed_in_as(client) is None


def test_logout_ends_the_session(client, user):
    log_in(client, "zhangsan")
    old_key = client.session.session_key
    assert Session.objects.filter(session_key=old_key).exists()

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not UserSession.objects.filter(session_key=old_key).exists()
    # Replaying the old session cookie does not sign anyone in.
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert signed_in_as(client) is None


def test_disabling_a_user_ends_all_their_sessions(user, make_user):
    office, laptop, colleague = Client(), Client(), Client()
    make_user(username="wangwu")
    log_in(office, "zhangsan", ip="10.0.0.1")
    log_in(laptop, "zhangsan", ip="10.0.0.2")
    log_in(colleague, "wangwu", ip="10.0.0.3")
    keys = [office.session.session_key, laptop.session.session_key]
    assert Session.objects.filter(session_key__in=keys).count() == 2

    user.is_active = False
    user.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert signed_in_as(office) is None
    assert signed_in_as(laptop) is None
    # Other users are not affected.
    assert signed_in_as(colleague) is not None


def test_a_disabled_user_cannot_log_in(client, user):
    user.is_active = False
    user.save()

    log_in(client, "zhangsan")

    assert SESSION_KEY not in client.session


# --- deployment -----------------------------------------------------------------------------


def test_production_settings_pass_the_deployment_checks():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FIELD_ENCRYPTION_KEY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        DJANGO_ALLOWED_HOSTS="dandang.example.gov.cn",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dandang"),
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output


# --- locale ---------------------------------------------------------------------------------


def test_chinese_and_beijing_time_are_the_defaults():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_login_page_is_in_chinese_by_default(client):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in content
    assert "用户名" in content and "密码" in content


@pytest.mark.skipif(
    not (settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.mo").exists(),
    reason="no English catalogue compiled yet (locale/en/LC_MESSAGES/django.mo)",
)
def test_login_page_is_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in content
    assert "用户名" not in content and "密码" not in content


def test_browser_language_does_not_override_the_chinese_default(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()

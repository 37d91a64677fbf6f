"""Settings shared by every environment. Everything comes from environment variables."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from scripts.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-dev-key-change-me-" + "x" * 40)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Key for the ID-number cipher and keyed hash; separate from SECRET_KEY so it can be rotated
# on its own. Must be the same on every web and worker process.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "dev-field-key-change-me")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "cadre",
    "assessment",
    "tolerance",
    "incentives",
    "care",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cadre.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cadre.middleware.SessionIdleTimeoutMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cadre.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dandang"),
        conn_max_age=env("DB_CONN_MAX_AGE", 60, int),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cadre.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cadre.auth.UnitAwareBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an idle session ends after SESSION_IDLE_TIMEOUT seconds (sliding expiry).
SESSION_IDLE_TIMEOUT = env("SESSION_IDLE_TIMEOUT", 30 * 60, int)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# The expiry slides with activity, refreshed at most once a minute (cadre.middleware).
SESSION_TOUCH_INTERVAL = env("SESSION_TOUCH_INTERVAL", 60, int)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# django-axes: the 6th attempt after 5 failures is refused; the lock lasts 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Behind a reverse proxy the client address is taken from X-Forwarded-For, counting
# TRUSTED_PROXY_COUNT proxies from the right; without proxies, REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT", 0, int)
AXES_CLIENT_IP_CALLABLE = "cadre.auth.client_ip"

# History tables written by PostgreSQL triggers can never be updated or deleted.
PGHISTORY_APPEND_ONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "dandang@localhost")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env("EMAIL_PORT", 25, int)

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "dandang"),
    }
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
# A task is acknowledged only when it finishes, and re-queued if its worker dies mid-way:
# every task is idempotent, so running one twice is harmless, losing one is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
# Redis re-delivers an unacknowledged task after the visibility timeout; it must be longer
# than the longest task or a running task would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule lives here, in one place; django-celery-beat copies it into the database,
# where admins may change times or disable entries.
CELERY_BEAT_SCHEDULE = {
    # Every 5 minutes: re-dispatch domain events whose after-commit dispatch did not finish
    # (a worker crash between commit and dispatch must lose nothing).
    "events-sweep": {
        "task": "cadre.tasks.sweep_events",
        "schedule": timedelta(minutes=5),
    },
    # Nightly at 02:30: drop expired sessions and stale import files.
    "housekeeping": {
        "task": "cadre.tasks.housekeeping",
        "schedule": crontab(hour=2, minute=30),
    },
    # Working days at 07:30 (before office hours): flag tolerance cases past their state's
    # deadline and tell the handling unit; a case is flagged once per state.
    "tolerance-overdue-cases": {
        "task": "tolerance.tasks.flag_overdue_cases_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # On the 5th of January, April, July and October at 03:00: the quarterly review of the
    # quarter just ended (scores, rankings, consequences, performance record), after the units
    # have had a few days to enter the quarter's last records and points.
    "assessment-quarterly-review": {
        "task": "assessment.tasks.quarterly_review_task",
        "schedule": crontab(day_of_month=5, month_of_year="1,4,7,10", hour=3, minute=0),
    },
    # Daily at 07:40: remind the handling unit of follow-up visits (回访) that fall due.
    "tolerance-follow-up-visits": {
        "task": "tolerance.tasks.remind_follow_up_visits_task",
        "schedule": crontab(hour=7, minute=40),
    },
    # Daily at 06:30 (before office hours): open the review of every sanction and 能上能下
    # action whose impact period ended (F 15 影响期满研判; X 能下再上) and tell the organisation
    # department; each record gets its review once however often this runs.
    "incentives-impact-expiry": {
        "task": "incentives.tasks.open_expiry_reviews_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # Daily at 07:50: remind assignees of 五必谈 talks falling due and escalate overdue ones to
    # the superior organisation department (the timing is data: care.talk_settings).
    "care-talk-reminders": {
        "task": "care.tasks_talks.remind_due_talks_task",
        "schedule": crontab(hour=7, minute=50),
    },
    # On the 1st of every month at 08:00: in the months the settings name (the last quarter),
    # tell party secretaries and the organisation department who has not yet had the annual talk.
    "care-annual-coverage": {
        "task": "care.tasks_coverage.remind_annual_coverage_task",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
    },
    # Daily at 08:10: remind cadres who have not had this year's check-up as the deadline nears.
    "care-checkup-reminders": {
        "task": "care.tasks_health.remind_checkups_task",
        "schedule": crontab(hour=8, minute=10),
    },
    # Daily at 08:20: once the yearly leave plans are due, remind the organisation department
    # of cadres without one.
    "care-leave-plan-reminders": {
        "task": "care.tasks_leave.remind_leave_plans_task",
        "schedule": crontab(hour=8, minute=20),
    },
}

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "cadre.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cadre.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dandang API",
    "DESCRIPTION": "担当：干部激励、容错纠错与关心关爱管理系统 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]",
    # Choice sets get stable, app-qualified names so later apps' enums never collide.
    "ENUM_NAME_OVERRIDES": {
        "CadreUnitKindEnum": "cadre.choices.UnitKind",
        "CadreUnitLevelEnum": "cadre.choices.UnitLevel",
        "CadreStatusEnum": "cadre.choices.CadreStatus",
        "CadreGenderEnum": "cadre.choices.Gender",
        "CadreEducationEnum": "cadre.choices.Education",
        "CadreStaffingTypeEnum": "cadre.choices.StaffingType",
        "CareTalkKindEnum": "care.choices.TalkKind",
        "CareLeaveKindEnum": "care.choices.LeaveKind",
        "CareFundEntryKindEnum": "care.choices.FundEntryKind",
        "IncentivesDownActionEnum": "incentives.choices.DownAction",
    },
}

# A domain event whose handlers failed this many times is no longer swept automatically.
EVENT_MAX_ATTEMPTS = env("EVENT_MAX_ATTEMPTS", 20, int)

# Files above this many data rows are imported by a Celery task with visible progress.
IMPORT_SYNC_MAX_ROWS = env("IMPORT_SYNC_MAX_ROWS", 200, int)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

NAV_AREAS = [
    ("cadre:unit_tree", _("干部队伍")),
    ("assessment:index", _("考核评价")),
    ("incentives:index", _("激励选任")),
    ("tolerance:index", _("容错纠错")),
    ("care:index", _("关心关爱")),
]

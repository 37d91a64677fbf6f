"""Reading settings from environment variables."""

import os

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def env(name, default=_MISSING, cast=str):
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return cast(value)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]

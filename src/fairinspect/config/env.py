"""Reading the environment: a wrong value stops start-up with a message naming the variable
(never a bare ValueError). Used by the settings, gunicorn's config and the commands."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """An integer from the environment; unset or empty gives `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value}: must be at least {minimum}")
    return value


def env_required(name: str) -> str:
    """A value production cannot run without."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when FAIRINSPECT_ENV=production")
    return value

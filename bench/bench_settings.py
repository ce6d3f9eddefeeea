"""Settings for the benchmark server only: the project's settings with bench_urls as the
URLconf (the real URLs plus an empty view). Run with bench/ on the Python path:
DJANGO_SETTINGS_MODULE=bench_settings PYTHONPATH=bench ..."""

from fairinspect.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

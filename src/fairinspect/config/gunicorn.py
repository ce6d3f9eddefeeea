"""gunicorn's settings for production, one place for `fairinspect serve` and the systemd
unit: `gunicorn -c python:fairinspect.config.gunicorn fairinspect.config.wsgi:application`.

Environment: BIND (127.0.0.1:8000), WEB_CONCURRENCY (2 × CPUs + 1, at most 17: each worker
holds a database connection), FORWARDED_ALLOW_IPS (the proxy's address).
"""

import os

from fairinspect.config.env import env_int


def _default_workers() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, min(2 * (cpus or 1) + 1, 17))


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = env_int("WEB_CONCURRENCY", 0) or _default_workers()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
graceful_timeout = 20
timeout = 60
accesslog = "-"
# One JSON object per request, like the application's own logs in production.
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "agent": "%(a)s"}'
)

"""Liveness and readiness for the load balancer and systemd (docs/deploy.md).

`/healthz` answers as long as the process serves requests: it touches nothing else, so a
database outage does not make the supervisor restart healthy web workers. `/readyz` answers
200 only when this process can do real work: the database answers, every migration is
applied and, in production, the collected static files are there. Both are plain JSON,
public and cheap; neither says anything about the data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Once every migration was seen applied, a process does not look again: migrations are
# applied before a release starts serving, never while it runs.
_migrations_seen_applied = False


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as exc:  # any driver error means "not ready", and says which
        return f"database unreachable: {exc.__class__.__name__}"
    return None


def _migrations() -> str | None:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return None
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"{len(pending)} migrations not applied"
    _migrations_seen_applied = True
    return None


def _static() -> str | None:
    if not settings.PRODUCTION:
        return None
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    return None if manifest.exists() else "static files not collected"


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database()}
    if checks["database"] is None:
        checks["migrations"] = _migrations()
    checks["static"] = _static()
    problems = {k: v for k, v in checks.items() if v}
    body = {"status": "ready" if not problems else "not_ready", "problems": problems}
    return JsonResponse(body, status=200 if not problems else 503)

"""`fairinspect serve`: the whole system in production, one command (docs/deploy.md).

It collects the static files, optionally applies migrations, then starts and supervises the
processes the system needs: gunicorn (the web server, workers from the CPUs), the task worker
(`db_worker`: imports and other background work) and, when the monitoring app provides it,
the monitoring consumer (`monitor`). A child that dies is started again after a short,
growing pause; SIGTERM or SIGINT stops every child and then the command. Under systemd the
three processes may instead run as separate units (docs/deploy.md); this command is for a
single server and for `make run`-like trials of the production settings.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from fairinspect.config import gunicorn as gunicorn_settings
from fairinspect.config.env import env_int


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)

    def start(self, stdout) -> None:
        self.proc = subprocess.Popen(self.argv, stdout=stdout, stderr=subprocess.STDOUT)
        self.started_at = time.monotonic()
        stdout.write(f"serve: started {self.name} (pid {self.proc.pid})\n")
        stdout.flush()


class Command(BaseCommand):
    help = "在生产配置下启动并守护 Web 服务（gunicorn）、后台任务和监测数据消费进程。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers",
            type=int,
            default=gunicorn_settings.workers,
            help="gunicorn worker processes (default: 2 × CPUs + 1, at most 17)",
        )
        parser.add_argument("--migrate", action="store_true", help="apply migrations first")
        parser.add_argument("--no-worker", action="store_true", help="do not start db_worker")
        parser.add_argument(
            "--no-monitor", action="store_true", help="do not start the monitoring consumer"
        )
        parser.add_argument(
            "--allow-development",
            action="store_true",
            help="start even when FAIRINSPECT_ENV is not 'production' (for trials)",
        )

    def handle(self, *args, **opts):
        if not settings.PRODUCTION and not opts["allow_development"]:
            raise CommandError(
                "FAIRINSPECT_ENV 不是 production：生产环境请先设置 FAIRINSPECT_ENV=production、"
                "SECRET_KEY、ALLOWED_HOSTS 和 DATABASE_URL（见 docs/deploy.md）；"
                "仅作试用时加 --allow-development。"
            )
        if opts["migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        children = self._children(opts)
        self._supervise(children)

    def _children(self, opts) -> list[Child]:
        py = sys.executable
        manage = [py, "-m", "django"]
        web = [py, "-m", "gunicorn", "-c", "python:fairinspect.config.gunicorn"]
        web += ["--bind", f"{opts['host']}:{opts['port']}", "--workers", str(opts["workers"])]
        children = [Child("web", [*web, "fairinspect.config.wsgi:application"])]
        if not opts["no_worker"]:
            children.append(Child("worker", [*manage, "db_worker", "--queue-name", "*"]))
        if not opts["no_monitor"] and "monitor" in get_commands():
            children.append(Child("monitor", [*manage, "monitor"]))
        return children

    def _supervise(self, children: list[Child]) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairinspect.config.settings")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for c in children:
            c.start(self.stdout)
        try:
            while not stopping:
                now = time.monotonic()
                for c in children:
                    if c.proc is not None and c.proc.poll() is not None:
                        code = c.proc.returncode
                        # A child that ran a minute or more was healthy: its pause starts over.
                        c.restarts = 0 if now - c.started_at > 60 else c.restarts + 1
                        c.next_start = now + min(2**c.restarts, 60)
                        c.proc = None
                        self.stderr.write(f"serve: {c.name} exited with {code}; restarting")
                    elif c.proc is None and now >= c.next_start:
                        c.start(self.stdout)
                time.sleep(0.5)
        finally:
            self._stop_all(children)

    def _stop_all(self, children: list[Child]) -> None:
        running = [c for c in children if c.proc is not None and c.proc.poll() is None]
        for c in running:
            assert c.proc is not None  # filtered above
            c.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for c in running:
            assert c.proc is not None  # filtered above
            try:
                c.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                c.proc.kill()
                c.proc.wait()
        self.stdout.write("serve: stopped")

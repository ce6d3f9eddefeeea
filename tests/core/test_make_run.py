"""Issue 8, item 9: `make run` stops the background worker (and the monitoring consumer) it
started, when the server stops by itself and on Ctrl-C. The target runs with stand-ins for
the virtualenv's programs (a sleeping "worker", "consumer" and "server"), so the test checks
the Makefile's own process handling in a few seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"

STUB = """#!/bin/sh
case "$*" in
  *runserver*) exec sleep {server} ;;
  *db_worker*|*monitor*) exec sleep 120 ;;
  *) exit 0 ;;
esac
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose (its parent has not reaped it yet).
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _start(tmp_path: Path, server_seconds: int) -> tuple[subprocess.Popen, int, int]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python", "fairinspect"):
        p = bin_dir / name
        p.write_text(STUB.format(server=server_seconds))
        p.chmod(0o755)
    # The install stamp is newer than what it depends on, so make installs nothing.
    for name in ("pyproject.toml", "requirements.lock"):
        (tmp_path / name).write_text("")
    stamp = tmp_path / "stamp"
    stamp.write_text("")
    later = time.time() + 5
    os.utime(stamp, (later, later))
    proc = subprocess.Popen(
        ["make", "-s", "-f", str(MAKEFILE), "run", f"BIN={bin_dir}", f"STAMP={stamp}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    var = tmp_path / "var"
    for _ in range(100):
        if (var / "worker.pid").exists() and (var / "monitor.pid").exists():
            break
        time.sleep(0.05)
    time.sleep(0.2)
    worker = int((var / "worker.pid").read_text())
    monitor = int((var / "monitor.pid").read_text())
    assert _alive(worker) and _alive(monitor)
    return proc, worker, monitor


def _gone(*pids: int) -> bool:
    for _ in range(100):
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(
    subprocess.run(["which", "make"], capture_output=True).returncode, reason="no make"
)
def test_r13_1_ctrl_c_on_make_run_stops_the_worker_and_the_consumer_it_started(tmp_path):
    proc, worker, monitor = _start(tmp_path, server_seconds=60)
    try:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        proc.wait(timeout=10)
        assert _gone(worker, monitor)
        assert not (tmp_path / "var" / "worker.pid").exists()
    finally:
        for p in (worker, monitor):
            if _alive(p):
                os.kill(p, signal.SIGKILL)


@pytest.mark.skipif(
    subprocess.run(["which", "make"], capture_output=True).returncode, reason="no make"
)
def test_r13_1_when_the_server_stops_make_run_stops_the_worker_too(tmp_path):
    proc, worker, monitor = _start(tmp_path, server_seconds=2)
    try:
        proc.wait(timeout=15)
        assert _gone(worker, monitor)
    finally:
        for p in (worker, monitor):
            if _alive(p):
                os.kill(p, signal.SIGKILL)

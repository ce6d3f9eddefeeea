"""CPU time, not wall time: what a request costs the server and the database, read from the
kernel's per-task accounting (`/proc/<pid>/task/<tid>/schedstat`, nanoseconds on a CPU).

On a machine shared with other work a request's latency is its CPU time stretched by the run
queue, while the bare-SQL replay (one thin loop) is stretched less: wall-time ratios then
measure the load as much as the code. CPU time is what the same request costs on a quiet
machine, whatever else runs (cache effects aside), so the benchmarks print both.

Linux only (and the database on the same machine, readable: the benchmarks run as root)."""

from __future__ import annotations

import contextlib
from pathlib import Path


def task_ns(pid: int) -> int:
    """Nanoseconds on a CPU of every thread of `pid` (0 once it has gone)."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0
    for t in tasks:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int((t / "schedstat").read_text().split()[0])
    return total


def children(pid: int) -> list[int]:
    """The direct children of `pid` (a gunicorn master's workers)."""
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after its ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(p.name))
    return out


def backends(url: str) -> list[int]:
    """PIDs of the PostgreSQL backends connected to the database of `url`."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]


class Meter:
    """CPU of a set of processes over an interval: `start()`, work, `stop()` → ns.

    `pids` is called at both ends (processes may appear, e.g. a backend connecting); a process
    seen only at the end counts from zero, one gone by the end is lost (keep them alive)."""

    def __init__(self, pids) -> None:
        self.pids = pids
        self.before: dict[int, int] = {}

    def start(self) -> None:
        self.before = {p: task_ns(p) for p in self.pids()}

    def stop(self) -> int:
        now = {p: task_ns(p) for p in self.pids()}
        return sum(ns - self.before.get(p, 0) for p, ns in now.items() if ns)

"""Run every benchmark in bench/ (each bench/*.py except this file, the helpers starting
with "_", the bench server's bench_settings/bench_urls and province.py, which runs the
others at a province's size), one after the other, printing each one's output. `make bench`
calls it. The benchmarks print numbers and never assert on time; a benchmark that fails
makes this exit non-zero after the others have run."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# province.py runs the others at a province's size (1,000,000 enterprises by default, about
# an hour and 10 GB): run it by itself.
SKIP = {"run_all.py", "bench_settings.py", "bench_urls.py", "province.py"}


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if p.name not in SKIP and p.name[0] != "_")


def main() -> int:
    failed = []
    for script in scripts():
        print(f"\n##### {script.name}", flush=True)
        t = time.perf_counter()
        rc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        print(f"##### {script.name}: exit {rc} after {time.perf_counter() - t:.0f}s", flush=True)
        if rc:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark script of this folder in turn (``make bench``); each prints its figures.

Benchmarks live outside the test suite: they measure speed and memory against the targets
quoted in each script's docstring and never fail a build.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run each ``bench_*.py`` with this interpreter; return the number that failed to run."""
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed += 1
            print(f"!!! {script.name} did not complete", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())

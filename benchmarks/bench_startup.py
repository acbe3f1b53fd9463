"""Start-up: ``import cxsim`` and ``cxsim --help`` against a bare interpreter, medians of fresh processes.

    python benchmarks/bench_startup.py            # 7 runs of each
    python benchmarks/bench_startup.py --runs 3

``import cxsim`` must stay light (Mesa, seaborn, scipy.stats, numba and Hydra are imported where
they are used, not at import), so a notebook or a script that only builds specs starts at once.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    bare = wall([sys.executable, "-c", "pass"], args.runs)
    rows = [("python -c pass (reference)", bare),
            ("import cxsim", wall([sys.executable, "-c", "import cxsim"], args.runs))]
    exe = shutil.which("cxsim")
    if exe:
        rows.append(("cxsim --help", wall([exe, "--help"], args.runs)))
    print(f"{'command':<30} {'median s':>9} {'vs bare':>8}")
    for name, t in rows:
        print(f"{name:<30} {t:>9.3f} {t / bare:>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

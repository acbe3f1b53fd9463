"""Every benchmark in one process, one after another, each printing its own ratios.

    python benchmarks/run_all.py            # the full set (about ten minutes on 2 cores)
    python benchmarks/run_all.py --quick    # small sizes, a smoke run of a minute or two

Everything printed is also saved, with the machine and the command, to
``benchmarks/results/run_all.txt`` (``--quick``: ``run_all_quick.txt``; ``--out`` chooses the file);
the README's performance table quotes that file.

The scripts, each runnable alone (see its docstring):

* ``bench_population.py`` — population step vs an idiomatic plain Mesa 3 reference (journeys/s, ratio);
* ``bench_operations.py`` — queue kernels vs SimPy on identical draws (c = 1, c = 5; ratio);
* ``bench_primitives.py`` — compiled draws, exact quantiles and the queue check vs the numpy calls they replace;
* ``bench_sweep.py`` — 1,000 runs × 10,000 customers × 12 cycles through the fast runner;
* ``bench_fit.py`` — memory-model and key-driver fitting on 100,000 respondents;
* ``bench_scale.py`` — the default scenario end to end at 1 M and 10 M customers: wall time, peak
  memory, phases (fresh processes);
* ``bench_customers_file.py`` — the per-customer table gathered in memory vs written as the run goes;
* ``bench_word_of_mouth.py`` — word of mouth per tie beside the journey step (rewired, local, silent ties);
* ``bench_network.py`` — the network's construction on one thread and on all, and the set-up's two
  arrangements of it;
* ``bench_startup.py`` — ``import cxsim`` and ``cxsim --help`` against a bare interpreter.

A script that fails is reported and the others still run; the exit status is 1 if any failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import runpy
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy

HERE = Path(__file__).parent

FULL = [
    ("bench_population.py", []),
    ("bench_operations.py", []),
    ("bench_primitives.py", []),
    ("bench_sweep.py", []),
    ("bench_fit.py", []),
    ("bench_scale.py", []),
    ("bench_customers_file.py", []),
    ("bench_word_of_mouth.py", []),
    ("bench_network.py", []),
    ("bench_startup.py", []),
]
QUICK = [
    ("bench_population.py", ["--quick"]),
    ("bench_operations.py", ["--customers", "20000"]),
    ("bench_primitives.py", ["--quick"]),
    ("bench_sweep.py", ["--runs", "40", "--reference", "3"]),
    ("bench_fit.py", ["--n", "20000", "--repeat", "1"]),
    ("bench_scale.py", ["--sizes", "10000", "100000"]),
    ("bench_customers_file.py", ["--customers", "50000"]),
    ("bench_word_of_mouth.py", ["--customers", "50000"]),
    ("bench_network.py", ["--customers", "100000", "--repeats", "1"]),
    ("bench_startup.py", ["--runs", "3"]),
]


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy for the results file."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.copy.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def machine_header(command: str) -> str:
    """The lines that open a results file: when, where and how the figures were made."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    return "\n".join([
        f"command: {command}",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}",
        f"python {platform.python_version()}, numpy {numpy.__version__}",
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
    ])


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=None,
                    help="results file (default benchmarks/results/run_all[_quick].txt)")
    args = ap.parse_args(argv)
    out = args.out or HERE / "results" / ("run_all_quick.txt" if args.quick else "run_all.txt")
    command = "python benchmarks/run_all.py" + (" --quick" if args.quick else "")
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        status = _run_all(args.quick)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(machine_header(command) + tee.copy.getvalue())
    print(f"results saved to {out}")
    return status


def _run_all(quick: bool) -> int:
    failed = []
    for script, script_args in QUICK if quick else FULL:
        print(f"\n=== {script} {' '.join(script_args)}", flush=True)
        saved = sys.argv
        sys.argv = [str(HERE / script), *script_args]
        t0 = time.perf_counter()
        try:
            runpy.run_path(str(HERE / script), run_name="__main__")
        except SystemExit as done:
            if done.code not in (0, None):
                failed.append(script)
        except Exception as err:  # a benchmark's failure is reported, the others still run
            print(f"{script} failed: {type(err).__name__}: {err}")
            failed.append(script)
        finally:
            sys.argv = saved
        print(f"=== {script}: {time.perf_counter() - t0:.1f} s", flush=True)
    print("\nall benchmarks ran" if not failed else f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

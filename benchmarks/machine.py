"""What the benchmarks print about the machine while they run: CPU time next to wall time, and steal.

On a shared virtual machine the host may run other guests on "our" cores: the kernel counts that
time as *steal* (``/proc/stat``), and wall-clock rates fall with it while the work done does not.
:class:`Meter` measures, over a stretch of a benchmark, the wall time, the CPU time of this
process (all threads) and the share of the machine's time stolen, so that a slow figure can be
told apart from a slow host.

    with Meter() as m:
        work()
    print(m.describe(items=1_000_000))
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field


def _cpu_times() -> tuple[int, int] | None:
    """(steal, total) jiffies of all cores from ``/proc/stat``; None where there is none."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 9:
        return None
    ticks = [int(x) for x in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return ticks[7], sum(ticks)


def share(x: float | None) -> str:
    """A share as a whole percentage, "n/a" where it could not be measured."""
    return "n/a" if x is None else f"{x:.0%}"


@dataclass
class Meter:
    """Wall time, this process's CPU time and the machine's steal share over a ``with`` block
    (or between :meth:`start` and :meth:`stop`); several stretches add up."""

    wall: float = 0.0
    cpu: float = 0.0
    steal_ticks: int = 0
    total_ticks: int = 0
    _t: tuple[float, float, tuple[int, int] | None] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._t = (time.perf_counter(), time.process_time(), _cpu_times())

    def stop(self) -> None:
        assert self._t is not None, "stop() before start()"
        w0, c0, s0 = self._t
        self.wall += time.perf_counter() - w0
        self.cpu += time.process_time() - c0
        s1 = _cpu_times()
        if s0 is not None and s1 is not None:
            self.steal_ticks += s1[0] - s0[0]
            self.total_ticks += s1[1] - s0[1]
        self._t = None

    def __enter__(self) -> Meter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def steal(self) -> float | None:
        """Share of the machine's time stolen by the host (None: not measurable here)."""
        return self.steal_ticks / self.total_ticks if self.total_ticks > 0 else None

    def describe(self, items: int, unit: str = "item") -> str:
        """One line: CPU ns per ``unit``, cores kept busy (CPU / wall) and steal."""
        if items <= 0 or self.wall <= 0.0:
            return "nothing measured"
        return (f"CPU {self.cpu / items * 1e9:.0f} ns per {unit}, {self.cpu / self.wall:.2f} of "
                f"{os.cpu_count()} cores busy, steal {share(self.steal)}")

"""How the machine computes a run: threads, backends, memory, precision.

Every setting here but ``precision`` leaves the results bit-identical for the same seed (the tests
compare runs that differ only in one of them); they trade speed, memory and readability of the
code path. ``precision="float32"`` holds the largest per-customer arrays in 32-bit floats, for
very large populations: the results then agree with the default 64-bit ones within a stated
tolerance, not bit for bit (see :class:`Runtime`).
A :class:`Runtime` is passed beside the spec, ``cxsim.run(spec, runtime=Runtime(threads=1))``,
or comes from the config's ``runtime:`` block (``RunSpec.runtime``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from cxsim.specs import checks

__all__ = ["BACKENDS", "OPERATIONS_BACKENDS", "PRECISIONS", "SIM_ALIASES", "Runtime"]

BACKENDS = ("kernel", "numpy")
PRECISIONS = ("float64", "float32")
OPERATIONS_BACKENDS = ("kernel", "simpy")
#: Runtime settings that ``sim.<name>`` still sets, for one release (their old place).
SIM_ALIASES = ("threads", "backend", "huge_pages", "reuse_memory")


@dataclass(frozen=True)
class Runtime:
    """Runtime settings of a run; none of them changes a result, except ``precision``.

    Attributes:
        threads: worker threads of the population engine (draws and blocks of customers);
            ``0`` means one per core.
        backend: ``kernel`` (default) runs each customer's journey step as one compiled pass
            (:mod:`cxsim.engine.kernel`); ``numpy`` runs the library's array functions, the
            reference the kernel is tested against. Custom memory models always use ``numpy``.
        operations_backend: ``kernel`` (default) runs the operations (stores, pipeline, call
            centre, events) as compiled queue kernels; ``simpy`` runs the readable SimPy models,
            which give the same records for every customer on the same draws.
        huge_pages: let numpy ask Linux for transparent huge pages for its large arrays while
            the run lasts (numpy's own default). Off by default: where the kernel compacts memory
            on the spot to find huge pages (``defrag`` set to ``madvise``, common on virtual
            machines), every fresh array of millions of values costs more to touch than the
            pages save. See :mod:`cxsim.engine.allocation`.
        reuse_memory: keep freed memory for the run's next arrays instead of returning it to
            the system after each (glibc's ``mallopt``; handed back at the end).
        precision: ``float64`` (default: today's numbers, bit for bit) or ``float32``, which holds
            the ``customers × touchpoints`` arrays — expectations and the cycle's performance —
            in 32-bit floats and keeps no copy of the tellers' stories, and also holds the
            cycle's draws and outcomes, cumulative satisfaction, the memory of bad experiences
            and the order pipeline's draws in 32 bits: the engine's arrays take 180 instead of
            360 bytes a customer in the default scenario (``benchmarks/bench_scale.py``). Draws
            are still made in 64 bits and rounded once when stored; every sum, difference and
            product is computed in 64 bits; every output stays 64-bit.
            A 32-bit float carries about seven significant digits, far finer than any survey
            scale or delivery time the model reads, so a run agrees with its 64-bit twin within
            the stated tolerance of ``tests/test_precision.py``; a customer whose switching draw
            falls within rounding of their chance to switch can decide differently, so the two
            runs are not identical customer by customer.
    """

    threads: int = 0
    backend: Literal["kernel", "numpy"] = "kernel"
    operations_backend: Literal["kernel", "simpy"] = "kernel"
    huge_pages: bool = False
    reuse_memory: bool = True
    precision: Literal["float64", "float32"] = "float64"

    def __post_init__(self) -> None:
        checks.integer("threads", self.threads, 0)
        checks.choice("backend", self.backend, BACKENDS)
        checks.choice("operations_backend", self.operations_backend, OPERATIONS_BACKENDS)
        checks.flag("huge_pages", self.huge_pages)
        checks.flag("reuse_memory", self.reuse_memory)
        checks.choice("precision", self.precision, PRECISIONS)

    @property
    def float_type(self) -> type[np.floating]:
        """The dtype of the per-customer ``customers × touchpoints`` arrays (``precision``)."""
        return np.float32 if self.precision == "float32" else np.float64

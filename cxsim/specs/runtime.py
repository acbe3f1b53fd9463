"""How the machine computes a run, without changing a number: threads, backends, memory.

Every setting here leaves the results bit-identical for the same seed (the tests compare runs
that differ only in one of them); they trade speed, memory and readability of the code path.
A :class:`Runtime` is passed beside the spec, ``cxsim.run(spec, runtime=Runtime(threads=1))``,
or comes from the config's ``runtime:`` block (``RunSpec.runtime``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxsim.specs import checks

__all__ = ["BACKENDS", "OPERATIONS_BACKENDS", "SIM_ALIASES", "Runtime"]

BACKENDS = ("kernel", "numpy")
OPERATIONS_BACKENDS = ("kernel", "simpy")
#: Runtime settings that ``sim.<name>`` still sets, for one release (their old place).
SIM_ALIASES = ("threads", "backend", "huge_pages", "reuse_memory")


@dataclass(frozen=True)
class Runtime:
    """Runtime settings of a run; none of them changes a result.

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
    """

    threads: int = 0
    backend: Literal["kernel", "numpy"] = "kernel"
    operations_backend: Literal["kernel", "simpy"] = "kernel"
    huge_pages: bool = False
    reuse_memory: bool = True

    def __post_init__(self) -> None:
        checks.integer("threads", self.threads, 0)
        checks.choice("backend", self.backend, BACKENDS)
        checks.choice("operations_backend", self.operations_backend, OPERATIONS_BACKENDS)
        checks.flag("huge_pages", self.huge_pages)
        checks.flag("reuse_memory", self.reuse_memory)

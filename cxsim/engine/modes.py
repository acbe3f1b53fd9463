"""Named choices of the engine: which engine steps the customers, which backend computes a step.

Both are string enums, so a member equals its config value (``Backend.KERNEL == "kernel"``) and
a spec that holds the plain string works unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class EngineMode(StrEnum):
    """``sim.engine``: how customers are stepped (the results are the same)."""

    POPULATION = "population"  # every customer at once, in blocks on worker threads
    AGENT = "agent"  # one Mesa agent at a time


class Backend(StrEnum):
    """``sim.backend``: what computes the journey step and word of mouth."""

    KERNEL = "kernel"  # the compiled passes of cxsim.engine.kernel (built-in memory models)
    NUMPY = "numpy"  # the library's array functions, the reference the kernel is tested against

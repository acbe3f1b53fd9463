"""A per-process cache of validated run specs, so that a worker builds each point's spec once.

Worker processes (loky, Ray, Dask) run many tasks; the spec of a point (and, through it, the
numba kernels it compiles on first use) is reused by every later run of that point in the same
process. Keyed by the point's config hash; a few entries at most.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.scenario import RunSpec

#: Specs kept per process (the most recently used).
CACHE_SIZE = 8
_SPECS: OrderedDict[tuple[str, int | None], RunSpec] = OrderedDict()


def cached_spec(key: str, config: Mapping[str, Any], threads: int | None = None) -> RunSpec:
    """The run spec of ``config`` (identified by ``key``), built once per process.

    Args:
        key: the config's hash.
        config: the resolved config.
        threads: engine threads to set (``None``: the config's); no result depends on it.
    """
    slot = (key, threads)
    spec = _SPECS.get(slot)
    if spec is None:
        cfg = dict(config)
        if threads is not None:
            cfg["runtime"] = {**(cfg.get("runtime") or {}), "threads": threads}
            cfg["sim"] = {**(cfg.get("sim") or {}), "threads": None}  # the old place must not win
        spec = run_spec_from_dict(cfg)
        _SPECS[slot] = spec
        while len(_SPECS) > CACHE_SIZE:
            _SPECS.popitem(last=False)
    else:
        _SPECS.move_to_end(slot)
    return spec

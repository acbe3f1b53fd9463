"""How a run asks the system for memory: two process-wide settings, on only while it lasts.

A run of millions of customers allocates and frees arrays of tens of megabytes every cycle. On
Linux two defaults make each fresh array expensive to touch, and on the benchmark machine (a
2-core virtual machine) they cost a third of the run:

* glibc returns every freed block above its mmap threshold (at most 32 MB) to the system, so the
  next array of that size is mapped afresh and faulted in page by page. With ``reuse_memory``
  the run keeps freed memory for its next arrays (``mallopt``: mmap threshold 1 GB, trim
  threshold 2 GB) and hands what is free back at the end (``malloc_trim``). Five million
  customers: 31.8 s → 23.7 s; one million: about 4.0 → 3.7 s.
* numpy advises the kernel to back large arrays with transparent huge pages; where the kernel
  then compacts memory on the spot to find them (``defrag`` set to ``madvise``, as on this
  machine), that costs more than the pages save. ``huge_pages=False`` (the default) turns the
  advice off during the run; one million customers: 5.1–6.2 s → 4.3–5.1 s.

Neither changes a single number of the results (``tests/test_model.py``). Elsewhere (macOS,
Windows, musl) the glibc setting does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys
from collections.abc import Iterator

import numpy as np

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
KEEP_BELOW = 1 << 30  # blocks up to 1 GB come from the heap, and are reused when freed
TRIM_ABOVE = (1 << 31) - 1  # free memory goes back to the system only past 2 GB (and at the end)
# Afterwards: the thresholds glibc's own dynamic adjustment ends at on 64-bit systems (mmap 32 MB,
# trim twice that); mallopt turns that adjustment off, so a fixed value has to be chosen.
AFTER_MMAP, AFTER_TRIM = 32 << 20, 64 << 20


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_depth = 0  # nested runs (a comparison running replications) leave the settings to the outermost


@contextlib.contextmanager
def memory_settings(huge_pages: bool = False, reuse_memory: bool = True) -> Iterator[None]:
    """NumPy's huge-page advice as ``huge_pages`` and, with ``reuse_memory``, glibc keeping freed
    memory for reuse, inside the block; afterwards numpy's advice is as it was, glibc's
    thresholds are those its dynamic adjustment settles at, and free memory is returned to the
    system."""
    global _depth
    setter = getattr(np._core.multiarray, "_set_madvise_hugepage", None)  # type: ignore[attr-defined]  # numpy >= 1.20, Linux
    before = setter(huge_pages) if setter is not None else None
    libc = _glibc() if reuse_memory and _depth == 0 else None
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, KEEP_BELOW)
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_ABOVE)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if libc is not None:
            libc.mallopt(M_MMAP_THRESHOLD, AFTER_MMAP)
            libc.mallopt(M_TRIM_THRESHOLD, AFTER_TRIM)
            libc.malloc_trim(0)
        if setter is not None:
            setter(before)

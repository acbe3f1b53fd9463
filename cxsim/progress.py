"""Progress bars for sweeps and comparisons: runs done, rate and time left (tqdm, on stderr)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Bar(Protocol):
    """What the runners need of a progress bar."""

    def update(self, n: int = 1) -> Any: ...


class _Silent:
    def update(self, n: int = 1) -> None:
        return None


@contextmanager
def progress_bar(total: int, what: str, enabled: bool = True, initial: int = 0) -> Iterator[Bar]:
    """A tqdm bar ``what: 40%|████  | 400/1000 [00:10<00:15, 39.8 runs/s]``, or a silent one.

    Args:
        total: runs to do in all.
        what: label in front of the bar.
        enabled: ``False`` gives a bar that shows nothing.
        initial: runs already done (a resumed sweep starts there).
    """
    if not enabled:
        yield _Silent()
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, initial=initial, desc=what, unit="run", dynamic_ncols=True,
              smoothing=0.1) as bar:
        yield bar

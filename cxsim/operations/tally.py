"""One operations record over every cycle of a run, kept as compactly as its summary allows.

The summary figures of the operations (:meth:`cxsim.operations.runner.OperationsRunner.summary`)
are shares, means and 90th percentiles of records such as each order's delivery days or each
call's wait, over every encounter of the run. A :class:`Tally` takes one cycle's record at a time:

* a yes/no record (on time, unserved, attended) keeps two counts: its mean, the share, is the
  count over the encounters, exactly numpy's ``np.mean`` of all the values (a sum of ones is exact);
* a number record, at ``float64`` precision, keeps each cycle's values, except that a cycle in
  which every value is ``+0.0`` (nobody waited, the common case of ample capacity) is kept as its
  length: the mean and the quantile are numpy's on all the values, bit for bit, taken without
  concatenating the cycles (:func:`cxsim.sums.concatenated_sum`, :func:`cxsim.quantile.quantile`);
* a number record, at ``float32`` precision, keeps nothing of the size of the population: a
  running sum and count for the mean, and a log-binned histogram for quantiles (DDSketch, Masson,
  Rim & Lee 2019: buckets ``γ^(k-1) < |x| <= γ^k`` with ``γ = (1 + α) / (1 − α)``, so that every
  quantile is within a relative ``α`` = :data:`RELATIVE_ACCURACY` of an order statistic of the
  data), separately for negative values and counting zeros apart, taken in blocks of
  :data:`BLOCK` values. The mean differs from numpy's only by the rounding of the sums (about
  1e-15 relative).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from cxsim.quantile import quantile
from cxsim.sums import concatenated_sum

#: Relative accuracy of the ``float32`` tally's quantiles.
RELATIVE_ACCURACY = 1e-4
#: Values per block of a ``float32`` tally's :meth:`Tally.add` (its temporaries stay this small).
BLOCK = 1 << 16
PRECISIONS = ("float64", "float32")


class Buckets:
    """Counts by integer key, in one array from the smallest key seen to the largest."""

    def __init__(self) -> None:
        self.low = 0
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, keys: NDArray[np.int64]) -> None:
        if not keys.size:
            return
        low, high = int(keys.min()), int(keys.max())
        if not self.counts.size:
            self.low, self.counts = low, np.zeros(high - low + 1, dtype=np.int64)
        elif low < self.low or high >= self.low + self.counts.size:
            new_low = min(low, self.low)
            grown = np.zeros(max(high, self.low + self.counts.size - 1) - new_low + 1, dtype=np.int64)
            grown[self.low - new_low:self.low - new_low + self.counts.size] = self.counts
            self.low, self.counts = new_low, grown
        self.counts += np.bincount(keys - self.low, minlength=self.counts.size)

    def items(self) -> list[tuple[int, int]]:
        """``(key, count)`` of the keys counted, ascending."""
        at = np.flatnonzero(self.counts)
        return list(zip((at + self.low).tolist(), self.counts[at].tolist()))


class Sketch:
    """Counts of ``|x|`` in logarithmic buckets (relative width ``2α``), zeros and NaN apart."""

    def __init__(self, alpha: float = RELATIVE_ACCURACY) -> None:
        self.gamma = (1.0 + alpha) / (1.0 - alpha)
        self._log_gamma = math.log(self.gamma)
        self.positive = Buckets()
        self.negative = Buckets()
        self.zeros = 0
        self.nan = 0
        self.n = 0

    def _keys(self, x: NDArray[np.float64]) -> NDArray[np.int64]:
        return np.ceil(np.log(x) / self._log_gamma).astype(np.int64)

    def add(self, x: NDArray[np.float64]) -> None:
        """Count the values of ``x`` (infinite values go to the outermost buckets)."""
        x = np.asarray(x, dtype=np.float64).ravel()
        self.n += x.size
        nan = np.isnan(x)
        self.nan += int(nan.sum())
        big = np.finfo(np.float64).max
        x = np.clip(x[~nan] if nan.any() else x, -big, big)
        self.zeros += int(np.count_nonzero(x == 0.0))
        self.positive.add(self._keys(x[x > 0.0]))
        self.negative.add(self._keys(-x[x < 0.0]))

    def add_repeated(self, value: float, count: int) -> None:
        """Count ``value`` ``count`` times (what :meth:`add` does with an array of them)."""
        self.n += count
        if value != value:
            self.nan += count
        elif value == 0.0:
            self.zeros += count
        else:
            key = self._keys(np.array([min(abs(value), np.finfo(np.float64).max)]))
            buckets = self.positive if value > 0.0 else self.negative
            buckets.add(key)
            buckets.counts[int(key[0]) - buckets.low] += count - 1

    def _power(self, k: int) -> float:
        with np.errstate(over="ignore"):  # the bucket of the largest floats: infinite
            return float(np.exp(np.float64(k) * self._log_gamma))

    def value_at(self, rank: int) -> float:
        """The value of the order statistic ``rank`` (0-based, NaN excluded), within ``α``."""
        order = [(-self._power(k), c) for k, c in reversed(self.negative.items())]
        order.append((0.0, self.zeros))
        order += [(self._power(k), c) for k, c in self.positive.items()]
        seen = 0
        for bound, count in order:
            seen += count
            if rank < seen:  # the bucket's midpoint in relative terms: within α of every value in it
                return bound * 2.0 / (1.0 + self.gamma) if bound else 0.0
        return float("nan")

    def quantile(self, q: float) -> float:
        """The linear-interpolation quantile (numpy's) of the values counted, within a relative ``α``."""
        if self.nan or self.n == 0:
            return float("nan")
        virtual = (self.n - 1) * q
        below = int(np.floor(virtual))
        a, b = self.value_at(below), self.value_at(min(below + 1, self.n - 1))
        return a + (b - a) * (virtual - below)


class Tally:
    """One record of every cycle (see the module docstring); ``precision`` ``float64`` or ``float32``."""

    def __init__(self, precision: str = "float64") -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision: {precision!r} is not allowed; allowed: {', '.join(PRECISIONS)}")
        self.exact = precision == "float64"
        self.n = 0
        self.true = 0  # yes/no records: the yeses
        self.boolean: bool | None = None
        self.parts: list[NDArray[np.float64] | int] = []  # exact numbers: arrays, or runs of +0.0 by length
        self.total = 0.0  # inexact numbers: the sum of the non-NaN values, their count, and a sketch
        self.counted = 0
        self.sketch = Sketch()

    def add(self, x: NDArray) -> None:
        """Keep one cycle's values."""
        self.n += x.size
        self.boolean = x.dtype == np.bool_
        if self.boolean:
            self.true += int(np.count_nonzero(x))
        elif self.exact:
            if not x.size:
                return
            # every value +0.0: every bit 0 (not -0.0, not NaN); the first value decides most cycles
            bits = x.view(np.uint64) if x.dtype == np.float64 else None
            zero = bits is not None and bits[0] == 0 and not bits.any()
            self.parts.append(x.size if zero else x)
        elif x.size and x.ndim == 1 and x.strides[0] == 0:  # one value seen x.size times (a free flow's waits)
            self._add_repeated(float(x[0]), x.size)
        else:
            for lo in range(0, x.size, BLOCK):  # block by block: no temporary the size of the cycle
                part = x[lo:lo + BLOCK]
                finite = part[~np.isnan(part)]
                self.total += float(np.sum(finite, dtype=np.float64))
                self.counted += finite.size
                self.sketch.add(part)

    def _add_repeated(self, value: float, count: int) -> None:
        """``count`` copies of ``value`` into the inexact tally, as :meth:`add` would count them."""
        if value == value:  # not NaN: the blocks' sums, added as add adds them
            whole = float(np.sum(np.full(min(count, BLOCK), value), dtype=np.float64))
            for _ in range(count // BLOCK):
                self.total += whole
            if count % BLOCK:
                self.total += float(np.sum(np.full(count % BLOCK, value), dtype=np.float64))
            self.counted += count
        self.sketch.add_repeated(value, count)

    def values(self) -> NDArray:
        """Every value kept, in order (``float64`` precision; runs of zeros made again)."""
        if self.boolean:
            raise TypeError("a yes/no record keeps counts only")
        return np.concatenate([np.zeros(p) if isinstance(p, int) else p for p in self.parts])

    def _only_zeros(self) -> bool:
        return all(isinstance(p, int) for p in self.parts)

    def mean(self) -> float:
        """``np.mean`` of every value (NaN when nothing was recorded); a yes/no record's share."""
        if self.n == 0:
            return float("nan")
        if self.boolean:
            return self.true / self.n
        if not self.exact:
            return self.total / self.counted if self.counted == self.n else float("nan")
        return 0.0 if self._only_zeros() else concatenated_sum(self.parts) / self.n

    def nanmean(self) -> float:
        """``np.nanmean`` of every value (NaN when none is a number)."""
        if not self.exact:
            return self.total / self.counted if self.counted else float("nan")
        numbers = sum(p if isinstance(p, int) else int(np.count_nonzero(p == p)) for p in self.parts)
        return concatenated_sum(self.parts, nan_as_zero=True) / numbers if numbers else float("nan")

    def quantile(self, q: float) -> float:
        """The linear-interpolation quantile (numpy's) of every value (:func:`cxsim.quantile.quantile`);
        NaN when nothing was recorded. Within a relative :data:`RELATIVE_ACCURACY` at ``float32``."""
        if self.n == 0:
            return float("nan")
        if not self.exact:
            return self.sketch.quantile(q)
        if self._only_zeros():
            return 0.0
        return quantile([np.zeros(p) if isinstance(p, int) else p for p in self.parts], q)

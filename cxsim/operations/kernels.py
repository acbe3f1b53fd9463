"""Fast queue kernels (numba): the same per-customer results as the SimPy models.

Customers are taken in order of arrival (FCFS). The kernels use exactly the arithmetic of the
SimPy models — a service starts at ``max(arrival, earliest free server)`` and frees the server at
``start + service`` — so on identical draws they give the same starts and waits (tested).

* :func:`lindley` — one server, FIFO: the Lindley recursion in start-time form,
  ``S_i = max(A_i, S_{i-1} + B_{i-1})``, i.e. ``W_i = max(0, W_{i-1} + B_{i-1} − (A_i − A_{i-1}))``
  (Lindley 1952).
* :func:`multi_server` — c servers, FCFS: per-server free times, each customer takes the server
  that frees first (Kiefer & Wolfowitz 1955).
* :func:`lindley_in`, :func:`multi_server_in` — the same, with customers taken in a given
  order of arrival and results kept in the caller's order (no permuted copies);
  :func:`fcfs_starts` picks one, or skips both when nobody ever waits (:func:`never_full`).
* :func:`stable_argsort` — the order of arrival: ``np.argsort(kind="stable")`` in O(n) for the
  spread-out times of a cycle (a bucket sort), the same permutation.
* :func:`serve` — the general station used by stores and the call centre: one or more stores
  (customers choose by travel time, optionally plus expected wait), c counters each, impatient
  customers who abandon after their patience, balking at a long queue, and a closing time after
  which no service starts. Customers who leave do not hold a server, so the waits of the others
  are exactly those of the FCFS queue without them.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

SERVED, ABANDONED, BALKED, CLOSED = 0, 1, 2, 3
OUTCOMES = ("served", "abandoned", "balked", "closed")

Array = NDArray[np.float64]
_AS_THEY_ARE = np.zeros(0, dtype=np.int64)  # an empty order: customers taken as they are (arrivals sorted)


@njit(cache=True, nogil=True)
def lindley_in(order: NDArray[np.int64], arrival: Array, service: Array) -> Array:  # pragma: no cover
    """Service starts of a single-server FIFO queue; customers arrive in the order ``order``
    (indices into ``arrival`` and ``service``, whose order the starts keep; empty: as they are)."""
    start = np.empty(arrival.size)
    free = -np.inf
    given = order.size > 0
    for k in range(arrival.size):
        i = order[k] if given else k
        a = arrival[i]
        s = a if a > free else free
        start[i] = s
        free = s + service[i]
    return start


def lindley(arrival: Array, service: Array) -> Array:
    """Service starts of a single-server FIFO queue (arrivals sorted)."""
    return lindley_in(_AS_THEY_ARE, arrival, service)


@njit(cache=True, nogil=True)
def multi_server_in(order: NDArray[np.int64], arrival: Array, service: Array,
                    servers: int) -> Array:  # pragma: no cover
    """Service starts of a c-server FCFS queue; customers arrive in the order ``order`` (indices
    into ``arrival`` and ``service``, whose order the starts keep; empty: as they are).

    The servers' free times are kept in a 4-ary min-heap (a node's four children share a cache
    line), so each customer costs O(log c): the next customer takes the earliest free server
    (which of several equally free servers does not change any start time).
    """
    start = np.empty(arrival.size)
    free = np.full(servers, -np.inf)  # a min-heap (all equal to begin with)
    given = order.size > 0
    for k in range(arrival.size):
        i = order[k] if given else k
        f = free[0]
        a = arrival[i]
        s = a if a > f else f
        start[i] = s
        x = s + service[i]  # the root's new free time, sifted down
        j = 0
        while True:
            first = 4 * j + 1
            if first >= servers:
                break
            child = first
            best = free[first]
            last = min(first + 4, servers)
            for c in range(first + 1, last):
                if free[c] < best:
                    best = free[c]
                    child = c
            if x <= best:
                break
            free[j] = best
            j = child
        free[j] = x
    return start


def multi_server(arrival: Array, service: Array, servers: int) -> Array:
    """Service starts of a c-server FCFS queue (arrivals sorted); see :func:`multi_server_in`."""
    return multi_server_in(_AS_THEY_ARE, arrival, service, servers)


@njit(cache=True, nogil=True)
def merge_count(sorted_a: Array, sorted_b: Array) -> NDArray[np.int64]:  # pragma: no cover - compiled
    """For each ``b``, how many ``a`` are ``<= b`` — ``np.searchsorted(a, b, side="right")`` for
    sorted ``b`` in one merge pass, O(n) instead of a binary search each."""
    out = np.empty(sorted_b.size, dtype=np.int64)
    p = 0
    for i in range(sorted_b.size):
        b = sorted_b[i]
        while p < sorted_a.size and sorted_a[p] <= b:
            p += 1
        out[i] = p
    return out


@njit(cache=True, nogil=True)
def _never_full(arrival_sorted: Array, departure_sorted: Array, servers: int) -> bool:  # pragma: no cover
    p = 0
    for k in range(arrival_sorted.size):
        a = arrival_sorted[k]
        while p < departure_sorted.size and departure_sorted[p] < a:
            p += 1
        if k - p >= servers:  # the k earlier customers, less those surely gone: all servers busy?
            return False
    return True


@njit(cache=True, nogil=True)
def _never_full_binned(arrival: Array, service: Array, servers: int) -> bool:  # pragma: no cover - compiled
    """A sufficient test of :func:`never_full` in two passes, without sorting.

    Time from the first to the last arrival is cut into ``min(n, 65536)`` equal bins (binning is
    monotone in time; the counts stay in cache). For an arrival in bin ``b``, its earlier
    customers are at most the arrivals of bins ``<= b`` less itself, and the departures of bins
    ``< b`` are all strictly before it: so ``arrivals(<= b) - 1 - departures(< b) < servers`` in
    every bin holding an arrival bounds the sorted test's ``k - p`` from above. True: nobody ever finds the servers
    busy. False: undecided (within about one bin's arrivals of full), and the exact test decides.
    """
    return binned_free(arrival, arrival, service, servers)


def never_full(arrival: Array, service: Array, servers: int) -> bool:
    """Whether every customer of a c-server FCFS queue finds a server free on arrival.

    Checked on the schedule without waiting (everyone served from arrival to arrival + service):
    if no arrival ever finds ``servers`` or more earlier customers still in service (a departure
    at the arrival instant counted as busy, so the test errs on the safe side), that schedule is
    the queue's, by induction over the arrivals. Two sorts and one pass; a busy queue fails fast.
    """
    arrival = np.asarray(arrival, dtype=np.float64)
    if servers >= arrival.size:
        return True
    service = np.asarray(service, dtype=np.float64)
    if _never_full_binned(arrival, service, servers):  # no sort: decides the common, ample case
        return True
    return bool(_never_full(np.sort(arrival), np.sort(arrival + service), servers))


def fcfs_starts(arrival: Array, service: Array, servers: int, order: NDArray[np.int64] | None = None) -> Array:
    """Service starts of a c-server FCFS queue, in the caller's order.

    When nobody ever waits (:func:`never_full`, the common case for ample capacity) the starts
    are the arrivals, exactly what the server recursion gives; otherwise :func:`lindley_in` or
    :func:`multi_server_in` over ``order``, the order of arrival (by default the stable sort of
    ``arrival``; pass it when ties must follow another order, e.g. orders released together).
    """
    arrival = np.ascontiguousarray(arrival, dtype=np.float64)
    service = np.ascontiguousarray(service, dtype=np.float64)
    if never_full(arrival, service, servers):
        return arrival.copy()
    order = stable_argsort(arrival) if order is None else order
    if servers == 1:
        return lindley_in(order, arrival, service)
    return multi_server_in(order, arrival, service, servers)


@njit(cache=True, nogil=True)
def _bucket_argsort(x: Array, crowd: int) -> NDArray[np.int64]:  # pragma: no cover - compiled
    """The stable order, or an empty array if a bucket holds more than ``crowd`` elements."""
    n = x.size
    order = np.empty(n, dtype=np.int64)
    lo = x.min()
    span = x.max() - lo
    scale = (n - 1) / span if span > 0.0 else 0.0
    start = np.zeros(n + 1, dtype=np.int64)
    key = np.empty(n, dtype=np.int64)
    for i in range(n):  # bucket by value: monotone in x, so buckets are ordered
        b = min(int((x[i] - lo) * scale), n - 1)
        key[i] = b
        start[b + 1] += 1
        if start[b + 1] > crowd:
            return order[:0]
    for b in range(n):
        start[b + 1] += start[b]
    for i in range(n):  # counting sort: within a bucket, in index order
        b = key[i]
        order[start[b]] = i
        start[b] += 1
    lo_b = 0
    for b in range(n):  # insertion sort inside each bucket; stable (moves only strictly greater)
        hi_b = start[b]
        for k in range(lo_b + 1, hi_b):
            v = order[k]
            xv = x[v]
            m = k - 1
            while m >= lo_b and x[order[m]] > xv:
                order[m + 1] = order[m]
                m -= 1
            order[m + 1] = v
        lo_b = hi_b
    return order


def stable_argsort(x: Array) -> NDArray[np.intp]:
    """``np.argsort(x, kind="stable")`` for finite times, in O(n) when they are spread out.

    A bucket sort: ``n`` buckets over ``[min, max]``, a counting sort into them (index order
    kept), then an insertion sort inside each bucket, which moves an element only past strictly
    greater ones. Ties therefore stay in index order and the permutation equals NumPy's stable
    sort exactly (tested). Arrival times over a cycle put about one customer in each bucket;
    times already in order cost one comparison each; times that are not finite, or crowd into a
    few buckets, go to NumPy's sort.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.size < 64 or not np.isfinite(x).all():
        return np.argsort(x, kind="stable")
    if (x[1:] >= x[:-1]).all():  # already in order (e.g. arrivals drawn as a cumulative sum)
        return np.arange(x.size)
    order = _bucket_argsort(x, 64)
    return order.astype(np.intp, copy=False) if order.size == x.size else np.argsort(x, kind="stable")


@njit(cache=True, nogil=True)
def _heap_push(heap, row, size, x):  # pragma: no cover - compiled
    i = size
    heap[row, i] = x
    while i > 0:
        parent = (i - 1) >> 1
        if heap[row, parent] <= heap[row, i]:
            break
        heap[row, parent], heap[row, i] = heap[row, i], heap[row, parent]
        i = parent
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(heap, row, size):  # pragma: no cover - compiled
    size -= 1
    heap[row, 0] = heap[row, size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and heap[row, left + 1] < heap[row, left]:
            child = left + 1
        if heap[row, i] <= heap[row, child]:
            break
        heap[row, i], heap[row, child] = heap[row, child], heap[row, i]
        i = child
    return size


@njit(cache=True, nogil=True)
def serve(arrival, service, patience, balk_at, close, group, travel, servers, mean_service,
          wait_weight, track_queue):  # pragma: no cover - compiled
    """The general FCFS station; see the module docstring.

    Args:
        arrival: ``(n,)`` arrival times, sorted.
        service: ``(n,)`` service time.
        patience: ``(n,)`` patience (``inf``: never abandons).
        balk_at: ``(n,)`` int queue length at which the customer balks (large: never).
        close: ``(n,)`` time after which the customer's service cannot start (``inf``: never).
        group: ``(n,)`` int row of ``travel`` for the customer (their segment).
        travel: ``(G, S)`` travel time from each group to each store.
        servers: ``(S,)`` int servers per store.
        mean_service: ``(S,)`` mean service time per store, for expected waits.
        wait_weight: 0 = choose the nearest store, 1 = least travel + expected wait.
        track_queue: keep queue lengths (needed for balking, shortest-wait choice, records).

    Returns:
        store, start (NaN if unserved), outcome code, queue length seen on arrival.
    """
    n = arrival.size
    n_stores = servers.size
    cmax = 1
    for s in range(n_stores):
        if servers[s] > cmax:
            cmax = servers[s]
    free = np.full((n_stores, cmax), np.inf)
    for s in range(n_stores):
        for k in range(servers[s]):
            free[s, k] = -np.inf
    heap = np.empty((n_stores, n if track_queue else 1))
    hsize = np.zeros(n_stores, np.int64)
    store = np.zeros(n, np.int64)
    start = np.full(n, np.nan)
    outcome = np.zeros(n, np.int8)
    qlen = np.zeros(n, np.int64)
    for i in range(n):
        a = arrival[i]
        if track_queue:
            for s in range(n_stores):
                while hsize[s] > 0 and heap[s, 0] <= a:
                    hsize[s] = _heap_pop(heap, s, hsize[s])
        choice = 0
        if n_stores > 1:
            best = np.inf
            g = group[i]
            for s in range(n_stores):
                score = travel[g, s]
                if wait_weight > 0.0:
                    busy = 0
                    for k in range(servers[s]):
                        if free[s, k] > a:
                            busy += 1
                    ahead = hsize[s] + busy - servers[s] + 1
                    if ahead > 0:
                        score += wait_weight * ahead * mean_service[s] / servers[s]
                if score < best:
                    best = score
                    choice = s
        s = choice
        store[i] = s
        q = hsize[s]
        qlen[i] = q
        if q >= balk_at[i]:
            outcome[i] = BALKED
            continue
        k = 0
        f = free[s, 0]
        for j in range(1, servers[s]):
            if free[s, j] < f:
                f = free[s, j]
                k = j
        st = a if a > f else f
        if st - a <= patience[i] and st < close[i]:
            start[i] = st
            free[s, k] = st + service[i]
            leave = st
        elif a + patience[i] < close[i]:
            outcome[i] = ABANDONED
            leave = a + patience[i]
        else:
            outcome[i] = CLOSED
            leave = close[i]
        if track_queue and leave > a:
            hsize[s] = _heap_push(heap, s, hsize[s], leave)
    return store, start, outcome, qlen


def waits(arrival: Array, start: Array, outcome: NDArray[np.int8], patience: Array,
          close: Array) -> Array:
    """Time each customer spent waiting: until service, abandonment, closing (balked: 0)."""
    w = start - arrival
    ab = outcome == ABANDONED
    w[ab] = patience[ab]
    cl = outcome == CLOSED
    w[cl] = close[cl] - arrival[cl]
    w[outcome == BALKED] = 0.0
    return w


@njit(cache=True, nogil=True)
def _span(x: Array) -> tuple[float, float]:  # pragma: no cover - compiled
    lo = np.inf
    hi = -np.inf
    for v in x:
        if v != v:  # NaN, as numpy's min and max give it
            return v, v
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return lo, hi



@njit(cache=True, nogil=True)
def _bin(x: float, lo: float, scale: float, top: int) -> int:  # pragma: no cover - compiled
    return min(int((x - lo) * scale), top)


@njit(cache=True, nogil=True)
def _nobody_waits(arrivals, departures, servers: int) -> bool:  # pragma: no cover - compiled
    """The scan of :func:`binned_free` over the bins' counts of arrivals and of departures."""
    came = 0
    left = 0
    for b in range(arrivals.size):
        came += arrivals[b]
        if arrivals[b] > 0 and came - 1 - left >= servers:
            return False
        left += departures[b]
    return True


@njit(cache=True, nogil=True)
def binned_free(arrival: Array, base: Array, add: Array, servers: int) -> bool:  # pragma: no cover - compiled
    """:func:`_never_full_binned` with each customer's departure ``base + add`` (the arrival and
    the service, or the end of an earlier stage and this one's time): True when nobody can find
    the ``servers`` busy; False when undecided. No test when ``servers`` is at least the customers."""
    n = arrival.size
    if servers >= n:
        return True
    bins = min(n, 65536)
    lo, hi = _span(arrival)
    scale = bins / (hi - lo) if hi > lo else 0.0
    if lo != lo or not np.isfinite(scale):
        return False
    arrivals = np.zeros(bins, dtype=np.int32)
    departures = np.zeros(bins, dtype=np.int32)
    for i in range(n):
        arrivals[_bin(arrival[i], lo, scale, bins - 1)] += 1
        d = base[i] + add[i]
        if d < hi:  # later departures come after every arrival: they never free a server in time
            departures[_bin(d, lo, scale, bins - 1)] += 1
    return _nobody_waits(arrivals, departures, servers)


@njit(cache=True, nogil=True)
def free_flow_tandem(rows, u, days, production, shipping, promised, lines, trucks, reach,
                     production_out, delivery, on_time):  # pragma: no cover - compiled
    """Production then shipping for the orders ``rows`` in one pass, if nobody ever waits.

    Order ``i`` arrives at ``u[i] · days`` and takes ``production[i]`` then ``shipping[i]``.
    When no order waits (start = arrival at both stages) the tandem queue gives production end
    ``a + p``, delivery days ``(a + p + s) − a`` and on time ``<= promised``: the arithmetic of
    :func:`cxsim.operations.pipeline.run_kernel` and
    :func:`~cxsim.operations.pipeline.pipeline_records` in the same order, written for the
    ``rows`` in order with their production time. Meanwhile the binned test of
    :func:`binned_free` on each stage: the lines' customers arrive over the cycle ``[0, days]``,
    the trucks' at the production ends, within ``[0, reach]`` (``days`` plus the longest
    production time). Any monotone binning of a range holding every arrival is as sound, and so
    is counting only some of the departures (fewer customers seem gone). Lines or trucks at
    least the orders: no test.

    Returns:
        Whether both stages flow freely (if not, the outputs are to be ignored).
    """
    n = rows.size
    bins = max(1, min(n, 65536))
    top = bins - 1
    test_lines = lines < n
    test_trucks = trucks < n
    scale = bins / days if days > 0.0 else 0.0
    scale_e = bins / reach if reach > 0.0 else 0.0
    if not (np.isfinite(scale) and scale > 0.0 and np.isfinite(scale_e) and scale_e > 0.0):
        test_lines = test_trucks = False
        if lines < n or trucks < n:
            return False
    at_lines = np.zeros((2, bins if test_lines else 1), dtype=np.int32)  # arrivals, departures per bin
    at_trucks = np.zeros((2, bins if test_trucks else 1), dtype=np.int32)
    for k in range(n):
        i = rows[k]
        a = u[i] * days
        p = production[i]
        e = a + p
        d = e + shipping[i]
        days_k = d - a
        production_out[k] = p
        delivery[k] = days_k
        on_time[k] = days_k <= promised
        if test_lines:
            at_lines[0, _bin(a, 0.0, scale, top)] += 1
            if e < days:  # later departures come after every arrival (all before ``days``)
                at_lines[1, _bin(e, 0.0, scale, top)] += 1
        if test_trucks:
            at_trucks[0, _bin(e, 0.0, scale_e, top)] += 1
            if d < reach:
                at_trucks[1, _bin(d, 0.0, scale_e, top)] += 1
    if test_lines and not _nobody_waits(at_lines[0], at_lines[1], lines):
        return False
    return not test_trucks or _nobody_waits(at_trucks[0], at_trucks[1], trucks)


@njit(cache=True, nogil=True)
def scatter(out: Array, rows: NDArray[np.intp], values: Array) -> None:  # pragma: no cover - compiled
    """``out[rows] = values`` for rows known to be in range (no index checks: twice numpy's speed)."""
    for k in range(rows.size):
        out[rows[k]] = values[k]

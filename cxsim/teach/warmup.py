"""The engine warmed in the background, so that the page's first Run is quick.

The engine's numba kernels are loaded (or compiled) on their first use, and the first scenario is
composed by Hydra: in a fresh process the first simulation takes tens of seconds, a warm process
runs the page's population view in about a second. The page's server therefore starts a tiny
run in a background thread as it starts (:func:`start_if_asked`, asked by ``cxsim teach``
through :data:`ENV_VAR`), and a Run pressed before that run is over waits for it
(:func:`prepare`), while the page says "preparing the engine…".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping

#: Set to ``1`` in the server's environment to warm the engine as the page's module loads.
ENV_VAR = "CXSIM_TEACH_WARMUP"
#: How often a waiting Run looks whether it was cancelled (seconds).
POLL_SECONDS = 0.2


class Warmup:
    """A piece of work run once in a daemon thread; others can wait for it to be over.

    Args:
        work: the warm-up (a tiny simulation). An exception it raises is kept in :attr:`error`
            and not raised again: a real run that fails says why itself.
    """

    def __init__(self, work: Callable[[], object]) -> None:
        self.work = work
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has been called."""
        return self._thread is not None

    @property
    def ready(self) -> bool:
        """Whether the warm-up is over (successfully or not)."""
        return self._done.is_set()

    def start(self) -> bool:
        """Start the warm-up in a daemon thread, once; True if this call started it."""
        with self._lock:
            if self._thread is not None:
                return False
            self._thread = threading.Thread(target=self._run, name="cxsim-teach-warmup", daemon=True)
            self._thread.start()
            return True

    def _run(self) -> None:
        try:
            self.work()
        except Exception as err:  # kept for inspection; the page's real run reports its own errors
            self.error = err
        finally:
            self._done.set()

    def wait(self, cancel: threading.Event | None = None, timeout: float | None = None) -> bool:
        """Block until the warm-up is over (True), ``cancel`` is set or ``timeout`` passes (False)."""
        if cancel is None:
            return self._done.wait(timeout)
        waited = 0.0
        while not self._done.wait(POLL_SECONDS):
            waited += POLL_SECONDS
            if cancel.is_set() or (timeout is not None and waited >= timeout):
                return False
        return True


def start_if_asked(warmup: Warmup, environ: Mapping[str, str] | None = None) -> bool:
    """Start ``warmup`` if :data:`ENV_VAR` is ``1`` in ``environ`` (default: this process's); True if started."""
    env = os.environ if environ is None else environ
    return env.get(ENV_VAR, "") == "1" and warmup.start()


def prepare(warmup: Warmup, cancel: threading.Event | None, on_waiting: Callable[[], object]) -> bool:
    """Make sure the warm-up is over before a run: start it if nobody has, wait for it.

    ``on_waiting()`` is called once, before waiting, when the warm-up is not over yet (the page
    shows "preparing the engine…"). Returns False if ``cancel`` was set while waiting.
    """
    warmup.start()
    if warmup.ready:
        return True
    on_waiting()
    return warmup.wait(cancel)

"""The engine's warm-up: started by the page's server, waited for by a Run (no timing)."""

from __future__ import annotations

import threading

from cxsim.teach import warmup

WAIT = 30.0  # a generous bound for thread hand-offs; nothing here measures speed


def _blocked() -> tuple[warmup.Warmup, threading.Event, list[int]]:
    release = threading.Event()
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        assert release.wait(WAIT)

    return warmup.Warmup(work), release, calls


def test_start_runs_the_work_once_in_the_background() -> None:
    w, release, calls = _blocked()
    assert not w.started and not w.ready
    assert w.start() is True
    assert w.start() is False  # once
    assert not w.ready  # the work is still blocked: start() did not wait for it
    release.set()
    assert w.wait(timeout=WAIT)
    assert w.ready and calls == [1] and w.error is None


def test_a_failing_warmup_is_over_and_keeps_its_error() -> None:
    def work() -> None:
        raise RuntimeError("no kernels")

    w = warmup.Warmup(work)
    w.start()
    assert w.wait(timeout=WAIT)
    assert isinstance(w.error, RuntimeError)


def test_the_server_environment_asks_for_the_warmup() -> None:
    from cxsim.teach import serve

    w, release, _calls = _blocked()
    env = serve.environment("en", None, None, base={})
    assert env[warmup.ENV_VAR] == "1"
    assert warmup.start_if_asked(w, {}) is False and not w.started
    assert warmup.start_if_asked(w, env) is True and w.started
    release.set()


def test_a_run_waits_for_the_warmup_and_says_so() -> None:
    w, release, _calls = _blocked()
    w.start()
    waiting = threading.Event()
    out: list[bool] = []
    run = threading.Thread(target=lambda: out.append(warmup.prepare(w, threading.Event(), waiting.set)))
    run.start()
    assert waiting.wait(WAIT)  # "preparing the engine…" shown
    assert out == [] and run.is_alive()  # still waiting for the warm-up
    release.set()
    run.join(WAIT)
    assert out == [True]


def test_a_run_starts_the_warmup_if_nobody_did_and_a_ready_engine_does_not_wait() -> None:
    calls: list[int] = []
    w = warmup.Warmup(lambda: calls.append(1))
    waited: list[int] = []
    assert warmup.prepare(w, None, lambda: waited.append(1))
    assert calls == [1] and w.ready
    waited.clear()
    assert warmup.prepare(w, None, lambda: waited.append(1)) and waited == []  # ready: no "preparing"


def test_a_cancelled_run_stops_waiting() -> None:
    w, release, _calls = _blocked()
    w.start()
    cancel = threading.Event()
    cancel.set()
    assert warmup.prepare(w, cancel, lambda: None) is False
    release.set()


def test_the_page_warms_the_engine_with_its_own_default_scenario() -> None:
    import pytest

    pytest.importorskip("solara")
    from cxsim.teach import app

    assert app.ENGINE.work is app.warm_engine
    seen = []
    app.run_live("b2b_dealer", "faster_delivery", 1, seen.append, customers=app.WARM_CUSTOMERS)
    assert len(seen) == 1 and set(seen[0]["arm"]) == {"baseline", "faster_delivery"}

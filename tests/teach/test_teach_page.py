"""The teachers' page end to end in headless Chromium (Selenium with the system chromedriver).

Covers the episode editor, the Run/Reset buttons, both languages, the class round with several
student browsers (separate sessions; the round's pages bound to 127.0.0.1 through
``--class-host``), the presentation's keyboard navigation, a server start that prints no
warning and a browser console without errors or failed requests.

Needs ``chromium`` and ``chromium-driver`` (Debian; .ci/run installs them). Skipped with a reason
when they are absent on a developer's machine; in CI (``CI=true``) their absence is a failure.
Tolerance: the page shows the remembered value to 3 decimals, so it must equal the library's
value to within 0.0005.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Under CI (``CI=true``, as .ci/run sets it) a missing browser or extra is a failure, not a skip.
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = os.path.exists(CHROMIUM) and os.path.exists(DRIVER)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI needs {reason}", pytrace=False)
    pytest.skip(f"{reason} not available", allow_module_level=True)


if not HAVE_BROWSER:
    _unavailable("chromium and chromedriver (as root: apt-get install -y chromium chromium-driver)")
for _module in ("solara", "selenium"):
    if importlib.util.find_spec(_module) is None:
        _unavailable(f"the {_module} package (pip install 'cxsim[test]')")

from cxsim.teach.app import START  # noqa: E402  (after the checks: it needs solara)
from cxsim.teach.episode import Episode, preset, remember  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER_LOG: list[str] = []  # where the server fixture's output file is


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    # Started from an empty folder: from the repository root `python -m` would import the source
    # tree's cxsim (without its configs package) instead of the installed one.
    workdir = tempfile.mkdtemp(prefix="cxsim-teach-")
    log = os.path.join(workdir, "server.log")
    SERVER_LOG[:] = [log]
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cxsim.teach.serve", "--port", str(port), "--lang", "en",
                                 "--class-host", "127.0.0.1"], cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"the page's server exited with status {proc.returncode}") from None
                time.sleep(0.5)
        else:
            raise RuntimeError("the page did not come up in 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="cxsim-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--window-size=1400,2400"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(DRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver, url: str, ready: str = ".cx-remembered") -> None:  # type: ignore[no-untyped-def]
    """Load the page and wait until ``ready`` (a CSS selector) is on it."""
    driver.get(url)
    _css(driver, ready, timeout=150)


def _css(driver, selector: str, timeout: float = 60):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.find_element(By.CSS_SELECTOR, selector))


def _wait_text(driver, selector: str, predicate, timeout: float = 30) -> str:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    seen: list[str] = []

    def check(d) -> bool:  # type: ignore[no-untyped-def]
        seen.append(str(_css(d, selector, timeout).get_attribute("textContent")))
        return bool(predicate(seen[-1]))

    # the page re-renders while it runs: an element found a moment ago may be replaced; look again
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(check)
    return seen[-1]  # the text that satisfied the predicate (the page may move on)


def _near(want: float):  # type: ignore[no-untyped-def]
    """A predicate for ``_wait_text``: the text is a number within the page's rounding of ``want``."""

    def near(t: str) -> bool:
        try:
            return abs(float(t) - want) <= 5e-4
        except ValueError:  # not rendered yet
            return False

    return near


def _moments(driver) -> Episode:  # type: ignore[no-untyped-def]
    text = _css(driver, ".cx-moments").get_attribute("textContent")
    return Episode("page", tuple(float(x) for x in text.split(",")))


def _type(driver, text: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    box = _css(driver, ".cx-typed input")
    box.click()
    box.send_keys(Keys.END)
    box.send_keys(Keys.BACKSPACE * (len(box.get_attribute("value") or "") + 5))
    box.send_keys(text)
    time.sleep(1.0)  # let the browser's text model catch up before Enter commits it
    box.send_keys(Keys.ENTER)


def test_preset_and_slider_show_the_library_value(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    _open(browser, server)
    _wait_text(browser, ".cx-remembered", _near(remember(preset(START), "peak_end")))  # loaded with its start preset
    _css(browser, ".cx-preset-colonoscopy_A").click()
    want_a = remember(preset("colonoscopy_A"), "peak_end")
    _wait_text(browser, ".cx-remembered", _near(want_a))
    a = preset("colonoscopy_A").affect

    def parse(t: str) -> tuple[float, ...]:
        return tuple(float(x) for x in t.split(","))

    _wait_text(browser, ".cx-moments", lambda t: parse(t) == a)  # the sliders show patient A too
    thumb = _css(browser, ".cx-slider-7 [role=slider]")  # patient A's last minute
    thumb.send_keys(Keys.ARROW_LEFT)  # one step: one update to wait for
    moved = _wait_text(browser, ".cx-moments", lambda t: parse(t)[:-1] == a[:-1] and parse(t)[-1] < a[-1])
    ep = Episode("page", parse(moved))
    assert ep.affect[:-1] == preset("colonoscopy_A").affect[:-1] and ep.affect[-1] < -7
    want = remember(ep, "peak_end")
    shown = float(_wait_text(browser, ".cx-remembered", _near(want)))
    assert abs(shown - want) <= 5e-4 and abs(shown - want_a) > 0.01  # the value moved with the slider


def _body_has(driver, words: str, timeout: float = 60) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: words in d.find_element(By.TAG_NAME, "body").text)
    return str(driver.find_element(By.TAG_NAME, "body").text)


@pytest.mark.parametrize("text, words", [
    (" ,", "moments: ' ,' is not allowed; an episode needs at least one moment"),
    ("-3, two, -1", "moments[1]: 'two' is not allowed; a number is required"),
])
def test_bad_episode_shows_a_message(server: str, browser, text: str, words: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server)
    from selenium.common.exceptions import TimeoutException

    _css(browser, ".cx-values img, .cx-slider-0 [role=slider]", timeout=90)
    time.sleep(2)  # let the first render settle: typing into a page still rendering can be reset
    for _ in range(3):  # under load a keystroke can be lost before Enter reads the text: type again
        _type(browser, text)
        try:
            body = _body_has(browser, words, timeout=20)
            break
        except TimeoutException:
            pass
    else:
        lines = [x for x in browser.find_element("tag name", "body").text.split("\n") if "moment" in x]
        value = _css(browser, ".cx-typed input").get_attribute("value")
        raise AssertionError(f"no message {words!r}; typed {value!r}; page: {lines}")
    assert "Traceback" not in body and "Error" not in body.replace("error", "")


def test_unknown_preset_shows_a_message(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "?preset=boiling_water")
    body = _body_has(browser, "preset: 'boiling_water' is not allowed; allowed: cold_water_short", timeout=60)
    assert "Traceback" not in body
    want = remember(preset(START), "peak_end")  # the editor still works, on its start preset
    shown = float(_wait_text(browser, ".cx-remembered", _near(want), timeout=60))
    assert abs(shown - want) <= 5e-4


def test_unknown_preset_message_in_chinese(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "?lang=zh&preset=boiling_water")
    body = _body_has(browser, "预设：不接受 'boiling_water'；allowed: cold_water_short", timeout=60)
    assert "Traceback" not in body and "is not allowed" not in body


def test_population_view_runs_with_the_run_button(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server, ".cx-run")
    from selenium.common.exceptions import TimeoutException

    with pytest.raises(TimeoutException):  # nothing runs before Run is pressed
        _css(browser, ".cx-month", timeout=3)
    _css(browser, ".cx-run").click()
    _wait_text(browser, ".cx-month", lambda t: t.startswith("month 12 "), timeout=300)
    assert "Traceback" not in browser.find_element("tag name", "body").text
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    for _ in range(3):  # under load a click during a re-render can be lost (or miss its element): click again
        try:
            _css(browser, ".cx-reset").click()
            WebDriverWait(browser, 20).until(lambda d: not d.find_elements("css selector", ".cx-month"))
            break
        except (TimeoutException, StaleElementReferenceException):
            pass
    assert not browser.find_elements("css selector", ".cx-month")  # Reset cleared the run


def _text(driver, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(_css(driver, selector).get_attribute("textContent")).strip()


@pytest.mark.parametrize("lang, run, title", [("zh", "运行", "经历编辑器"), ("en", "Run", "Episode editor")])
def test_both_languages(server: str, browser, lang: str, run: str, title: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + f"?lang={lang}", ".cx-run")
    _wait_text(browser, ".cx-run", lambda t: t.strip() == run)
    _wait_text(browser, ".cx-editor-run", lambda t: t.strip() == run)
    _body_has(browser, title)
    other = "en" if lang == "zh" else "zh"
    _css(browser, f".cx-lang-{other}").click()  # the buttons switch the language in place
    _wait_text(browser, ".cx-run", lambda t: t.strip() == ("Run" if other == "en" else "运行"))


def _student(join_url: str, short: int, long: int, repeat: str) -> str:
    """One student on their own browser (a separate session): the episode, two ratings, a choice."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import Select

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="cxsim-student-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
                "--window-size=400,900"):  # a phone-sized window
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(DRIVER))
    try:
        driver.get(join_url)
        Select(_css(driver, "select[name=unpleasant_short]")).select_by_value(str(short))
        Select(_css(driver, "select[name=unpleasant_long]")).select_by_value(str(long))
        _css(driver, f"input[name=repeat][value={repeat}]").click()
        _css(driver, ".cx-send").click()
        return _text(driver, ".cx-thanks")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_class_round_with_several_students(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "?lang=en", ".cx-open-round")
    _css(browser, ".cx-open-round").click()
    _css(browser, ".cx-code", timeout=90)
    join = _text(browser, ".cx-join-link")
    code = _text(browser, ".cx-code")
    assert join.startswith("http://127.0.0.1:") and join.endswith(f"/j/{code}")
    assert _css(browser, ".cx-qr svg")  # the QR code is drawn on the page
    _wait_text(browser, ".cx-tally", lambda t: t.startswith("0 answers"))
    answers = [(7, 5, "long"), (6, 6, "short"), (8, 4, "long")]
    for short, long, repeat in answers:
        assert "trial" in _student(join, short, long, repeat)
    want = f"{len(answers)} answers · {sum(a[2] == 'long' for a in answers)} chose the long trial"
    _wait_text(browser, ".cx-tally", lambda t: t.strip() == want, timeout=30)  # live: no reload
    port = int(join.split(":")[2].split("/")[0])
    _css(browser, ".cx-close-round").click()
    from selenium.webdriver.support.ui import WebDriverWait

    def closed(_d) -> bool:  # type: ignore[no-untyped-def]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return False
        except OSError:
            return True

    WebDriverWait(browser, 20).until(closed)  # the students' server stops with the round


def test_presentation_moves_with_the_keyboard(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(browser, server + "?present=1&lang=en", ".cx-slide-title")
    _wait_text(browser, ".cx-slide-number", lambda t: t.strip() == "1 / 4")
    first = _text(browser, ".cx-slide-title")
    time.sleep(1)  # the key listener mounts with the page
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    _wait_text(browser, ".cx-slide-number", lambda t: t.strip() == "2 / 4")
    assert _text(browser, ".cx-slide-title") != first
    assert _css(browser, ".cx-export-png") and _css(browser, ".cx-export-svg")
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    _wait_text(browser, ".cx-slide-number", lambda t: t.strip() == "1 / 4")


def test_console_has_no_error_and_no_request_fails(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    import json

    browser.get_log("browser")  # drop what earlier tests left
    browser.get_log("performance")
    _open(browser, server + "?lang=zh", ".cx-run")
    _wait_text(browser, ".cx-run", lambda t: t.strip() == "运行")
    time.sleep(3)  # late requests (fonts, scripts) land
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    failed = []
    for entry in browser.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.responseReceived" and msg["params"]["response"]["status"] >= 400:
            failed.append(msg["params"]["response"]["url"])
        if msg["method"] == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            assert url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:http://127.0.0.1", "data:")), url  # local
    assert errors == [] and failed == []


def test_server_start_prints_no_warning(server: str) -> None:
    text = open(SERVER_LOG[0]).read()
    assert "New version" not in text and "Warning" not in text and "warn" not in text.lower(), text
    assert "Traceback" not in text and "ERROR" not in text, text  # no component failed while the tests ran
    assert text.startswith("cxsim-teach: serving the teaching page on http://127.0.0.1:")

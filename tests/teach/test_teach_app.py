"""The page's handlers without a browser: bad input becomes a one-line message, never an exception."""

from __future__ import annotations

import pytest

from cxsim.errors import SpecError
from cxsim.teach import app, i18n
from cxsim.teach.episode import preset, remember


@pytest.fixture(autouse=True)
def fresh() -> None:
    app.choose_preset(app.START)


def test_unknown_preset_is_a_message() -> None:
    app.choose_preset("boiling_water")
    assert str(app.message.value).startswith("preset: 'boiling_water' is not allowed; allowed: cold_water_short")
    assert app.episode.value == preset(app.START)  # the episode is left as it was


def test_widgets_echoing_their_values_keep_the_message() -> None:
    """A slider or the text box re-sending what it shows (as they do when the page renders) must
    not wipe the message of an unknown ``?preset=``; a real change does."""
    app.choose_preset("boiling_water")
    shown = app.episode.value
    app.set_moment(3, shown.affect[3])
    app.set_moment(6, round(shown.affect[6], 1))  # -2.667 shown on the slider's 0.1 grid
    app.set_typed(app.typed.value)
    assert str(app.message.value).startswith("preset: 'boiling_water'") and app.episode.value == shown
    app.set_moment(3, shown.affect[3] + 1.0)
    assert app.message.value is None and app.episode.value.affect[3] == shown.affect[3] + 1.0


@pytest.mark.parametrize("text, line", [
    ("", "moments: '' is not allowed; an episode needs at least one moment, e.g. -3, -3, -1"),
    (None, "moments: '' is not allowed; an episode needs at least one moment, e.g. -3, -3, -1"),
    ("-3, two", "moments[1]: 'two' is not allowed; a number is required"),
])
def test_bad_typed_episode_is_a_message(text, line) -> None:  # type: ignore[no-untyped-def]
    app.set_typed(text)
    assert str(app.message.value) == line
    assert app.episode.value == preset(app.START)


def test_non_numeric_slider_value_is_a_message() -> None:
    app.set_moment(2, "warm")
    assert str(app.message.value) == "moments[2]: 'warm' is not allowed; a number is required"
    app.set_moment(8, -1.0)
    assert app.message.value is None and app.episode.value.affect[-1] == -1.0
    assert remember(app.episode.value, "peak_end") > remember(preset(app.START), "peak_end")


def test_typed_episode_keeps_durations_when_it_can() -> None:
    app.choose_preset("colonoscopy_B")
    app.set_typed("1, 2")
    assert app.message.value is None and app.episode.value.affect == (1.0, 2.0)
    assert app.episode.value.durations == (10.0, 10.0)


def test_run_live_reports_every_month() -> None:
    seen = []
    app.run_live("b2b_dealer", "faster_delivery", 2, seen.append)
    assert [len(c) for c in seen] == [2, 4] and set(seen[-1]["arm"]) == {"baseline", "faster_delivery"}


def test_intervention_that_does_not_apply_is_a_spec_error() -> None:
    from cxsim.errors import SpecError

    with pytest.raises(SpecError, match="does not apply"):
        app.run_live("retail_street", "faster_delivery", 1, lambda c: None)


def test_serve_binds_to_localhost_by_default() -> None:
    from cxsim.teach import serve

    cmd = serve.command()
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "cxsim.teach.app" in cmd


@pytest.mark.parametrize("args, line", [
    (["--port", "http"], "cxsim-teach: error: argument --port: 'http' is not allowed; a port number from 1 to 65535 is required"),
    (["--port", "70000"], "cxsim-teach: error: argument --port: '70000' is not allowed; a port number from 1 to 65535 is required"),
])
def test_serve_bad_port_is_one_line(args, line, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "cxsim.teach.serve", *args], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.strip() == line and res.stdout == ""


def test_serve_is_quiet_and_offline() -> None:
    from cxsim.teach import serve

    assert "--no-check-version" in serve.command()  # no "New version of Solara" (nor a request for it)
    env = serve.environment("zh", "127.0.0.1", 9100, base={"PYTHONWARNINGS": "default"})
    assert env["CXSIM_TEACH_LANG"] == "zh"
    assert (env["CXSIM_TEACH_CLASS_HOST"], env["CXSIM_TEACH_CLASS_PORT"]) == ("127.0.0.1", "9100")
    assert env["PYTHONWARNINGS"] == f"default,ignore:{serve.COOKIE_WARNING}:UserWarning"
    plain = serve.environment("en", None, None, base={})
    assert "CXSIM_TEACH_CLASS_HOST" not in plain and "CXSIM_TEACH_CLASS_PORT" not in plain


def test_the_cookie_warning_is_silenced_in_the_servers_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from cxsim.teach import serve

    code = ("import warnings; warnings.warn(\"Cookies with samesite=none require https, but according to the asgi "
            "framework, the scheme is 'http'\"); warnings.warn('another warning')")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         env=serve.environment("en", None, None))
    assert "Cookies" not in res.stderr and "another warning" in res.stderr  # only that warning is silenced


@pytest.mark.parametrize("args, line", [
    (["--lang", "fr"], "cxsim-teach: error: argument --lang: 'fr' is not allowed; allowed: en, zh"),
    (["--host", "0.0.0.0"], "cxsim-teach: error: argument --host: '0.0.0.0' is not allowed; allowed: 127.0.0.1, "
                            "localhost, ::1 (students join through a class round)"),
    (["--class-port", "0"], "cxsim-teach: error: argument --class-port: '0' is not allowed; a port number from 1 to "
                            "65535 is required"),
])
def test_serve_bad_language_or_class_port_is_one_line(args, line, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "cxsim.teach.serve", *args], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.strip() == line and res.stdout == ""


def test_the_message_follows_the_pages_language() -> None:
    app.choose_preset("boiling_water")
    assert isinstance(app.message.value, SpecError)
    assert i18n.error_text(app.message.value, "zh").startswith("预设：不接受 'boiling_water'；allowed: cold_water_short")

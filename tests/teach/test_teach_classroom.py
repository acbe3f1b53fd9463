"""The class round: join codes, answers, tally, CSV, where it listens, and its students' pages over HTTP."""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest

from cxsim.errors import SpecError
from cxsim.teach import class_server, classroom


def test_join_codes_are_short_unambiguous_and_random() -> None:
    codes = {classroom.new_code() for _ in range(50)}
    assert len(codes) > 45
    assert all(len(c) == classroom.CODE_LENGTH and set(c) <= set(classroom.CODE_ALPHABET) for c in codes)
    assert not set("0O1IL") & set(classroom.CODE_ALPHABET)


def test_answers_tally_and_csv() -> None:
    r = classroom.ClassRound(code="ABCDE")
    assert r.accepts("abcde ") and not r.accepts("ABCDF") and not r.accepts(None)
    assert r.tally().n == 0 and r.tally().share_long != r.tally().share_long  # NaN before any answer
    r.answer("s1", classroom.Answer(5, 3, "long"))
    r.answer("s2", classroom.Answer(4, 6, "short"))
    r.answer("s1", classroom.Answer(6, 2, "long"))  # a second answer replaces the first
    t = r.tally()
    assert (t.n, t.long, t.mean_short, t.mean_long) == (2, 1, 5.0, 4.0) and t.share_long == 0.5
    assert r.csv() == "student,unpleasant_short,unpleasant_long,repeat\n1,6,2,long\n2,4,6,short\n"
    r.reset()
    assert r.tally().n == 0 and r.code == "ABCDE"


@pytest.mark.parametrize("args, line", [
    (("11", 3, "long"), "unpleasant_short: '11' is not allowed; an integer from 0 to 10 is required"),
    ((2, "much", "long"), "unpleasant_long: 'much' is not allowed; an integer from 0 to 10 is required"),
    ((2, 3, "both"), "repeat: 'both' is not allowed; allowed: short, long"),
])
def test_a_bad_answer_is_one_line(args: tuple, line: str) -> None:
    with pytest.raises(SpecError) as err:
        classroom.Answer(*args)
    assert str(err.value) == line


def test_listens_beyond_localhost_only_while_a_round_is_open() -> None:
    assert classroom.listen_host(False, lan="192.168.1.20") is None
    assert classroom.listen_host(False, override="127.0.0.1") is None
    assert classroom.listen_host(True, lan="192.168.1.20") == "192.168.1.20"
    assert classroom.listen_host(True, override="127.0.0.1", lan="192.168.1.20") == "127.0.0.1"
    assert classroom.lan_address().count(".") == 3


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _post(url: str, form: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_students_pages_serve_only_the_round_and_stop_when_it_closes() -> None:
    opened = class_server.open_round("zh", host="127.0.0.1")
    try:
        assert class_server.current() is opened and opened.host == "127.0.0.1"
        base, code = opened.base_url, opened.round.code
        status, page = _get(opened.url)
        assert status == 200 and "冷水" in page and 'name="student"' in page and "<script" not in page
        assert _get(base + "j/ZZZZZ")[0] == 404  # another code: no round
        assert _get(base + "admin")[0] == 404
        status, page = _get(base + f"join?code={code.lower()}")  # typed code, redirected to the round
        assert status == 200 and 'name="repeat"' in page
        token = page.split('name="student" value="')[1].split('"')[0]
        status, page = _post(opened.url, {"student": token, "unpleasant_short": "7", "unpleasant_long": "5",
                                          "repeat": "long"})
        assert status == 200 and "试验 B" in page
        status, page = _post(opened.url, {"student": "x", "unpleasant_short": "12", "unpleasant_long": "5",
                                          "repeat": "long"})
        assert status == 400 and "unpleasant_short：不接受 &#x27;12&#x27;；an integer from 0 to 10" in page  # the round's language
        assert _post(base + "j/ZZZZZ", {"student": "y"})[0] == 404
        t = opened.round.tally()
        assert (t.n, t.long) == (1, 1)
        port = opened.port
    finally:
        class_server.close_round()
    assert class_server.current() is None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # nothing listens once the round is closed


def test_a_new_round_closes_the_old_one() -> None:
    first = class_server.open_round("en", host="127.0.0.1")
    try:
        second = class_server.open_round("en", host="127.0.0.1")
        assert class_server.current() is second and second.round.code != first.round.code or second is not first
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", first.port), timeout=2):
            pass
    finally:
        class_server.close_round()


def test_the_students_page_refuses_a_huge_body() -> None:
    opened = class_server.open_round("en", host="127.0.0.1")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", opened.port, timeout=10)
        conn.request("POST", f"/j/{opened.round.code}", body=b"x" * 10_000,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert conn.getresponse().status == 413
        conn.close()
    finally:
        class_server.close_round()

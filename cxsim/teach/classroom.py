"""A class round: students' own answers to the cold-water episode, set beside the literature.

The teacher opens a round on the teachers' page; it gets a short join code. Each student, on a
phone on the classroom's network, goes through the cold-water episode as described (Kahneman,
Fredrickson, Schreiber & Redelmeier 1993, *Psychological Science* 4:401: a short trial, 60 s at
14 °C, and a long one, the same then 30 s while the water warms to 15 °C), rates how unpleasant
each trial was (0 = not at all, 10 = extremely) and chooses which one to repeat. The answers stay in
the teacher's process (no account, no file, nothing sent anywhere) until the teacher downloads
them as CSV.

This module is the round itself and the decision where its student pages listen
(:func:`listen_host`); :mod:`cxsim.teach.class_server` serves the pages.
"""

from __future__ import annotations

import csv
import io
import secrets
import socket
import threading
from dataclasses import dataclass, field

from cxsim.errors import SpecError
from cxsim.specs import checks

#: Join-code letters: no 0/O, 1/I/L, so that a code read off a projector is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5
#: The trials a student can choose to repeat.
TRIALS = ("short", "long")
RATING_MIN, RATING_MAX = 0, 10
#: The CSV's columns, in order.
CSV_COLUMNS = ("student", "unpleasant_short", "unpleasant_long", "repeat")


def new_code(length: int = CODE_LENGTH) -> str:
    """A random join code (from :mod:`secrets`: a code is a password for the round, not a simulation draw)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _rating(name: str, value: object) -> int:
    try:
        v = int(str(value).strip())
    except ValueError:
        raise SpecError(name, value, f"an integer from {RATING_MIN} to {RATING_MAX} is required") from None
    if not RATING_MIN <= v <= RATING_MAX:
        raise SpecError(name, value, f"an integer from {RATING_MIN} to {RATING_MAX} is required")
    return v


@dataclass(frozen=True)
class Answer:
    """One student's answer: how unpleasant each trial was (0-10) and which one to repeat."""

    unpleasant_short: int
    unpleasant_long: int
    repeat: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "unpleasant_short", _rating("unpleasant_short", self.unpleasant_short))
        object.__setattr__(self, "unpleasant_long", _rating("unpleasant_long", self.unpleasant_long))
        checks.choice("repeat", self.repeat, TRIALS)


@dataclass(frozen=True)
class Tally:
    """The class's answers so far: how many answered, how many chose the long trial, mean ratings."""

    n: int
    long: int
    mean_short: float
    mean_long: float

    @property
    def share_long(self) -> float:
        """Share choosing to repeat the long trial (NaN before the first answer)."""
        return self.long / self.n if self.n else float("nan")


@dataclass
class ClassRound:
    """An open round: its join code and the answers so far, one per student (thread-safe)."""

    code: str = field(default_factory=new_code)
    _answers: dict[str, Answer] = field(default_factory=dict, repr=False)
    _order: list[str] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def accepts(self, code: object) -> bool:
        """Whether ``code`` is this round's join code (compared in constant time, case-insensitive)."""
        return isinstance(code, str) and secrets.compare_digest(code.strip().upper(), self.code)

    def answer(self, student: str, answer: Answer) -> None:
        """Record ``student``'s answer (a second answer from the same student replaces the first)."""
        student = str(student)  # an opaque token from the student page
        if not student:
            raise SpecError("student", student, "a non-empty student token is required")
        with self._lock:
            if student not in self._answers:
                self._order.append(student)
            self._answers[student] = answer

    def answers(self) -> list[Answer]:
        """The answers in the order the students first answered."""
        with self._lock:
            return [self._answers[s] for s in self._order]

    def reset(self) -> None:
        """Forget every answer (the join code stays)."""
        with self._lock:
            self._answers.clear()
            self._order.clear()

    def tally(self) -> Tally:
        """The class's answers so far."""
        rows = self.answers()
        n = len(rows)
        long = sum(a.repeat == "long" for a in rows)
        ms = sum(a.unpleasant_short for a in rows) / n if n else float("nan")
        ml = sum(a.unpleasant_long for a in rows) / n if n else float("nan")
        return Tally(n, long, ms, ml)

    def csv(self) -> str:
        """The answers as CSV (students numbered 1, 2, … in the order they answered; no token, no time)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for i, a in enumerate(self.answers(), start=1):
            w.writerow([i, a.unpleasant_short, a.unpleasant_long, a.repeat])
        return buf.getvalue()


def lan_address() -> str:
    """This machine's address on its local network, or ``127.0.0.1`` when it has none.

    Found by asking the operating system which interface would route to a documentation-only
    address (RFC 5737); a UDP socket's ``connect`` sends no packet.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def listen_host(round_open: bool, override: str | None = None, lan: str | None = None) -> str | None:
    """Where the students' pages listen: nowhere while no round is open; else ``override`` or the LAN address.

    Args:
        round_open: whether the teacher has a class round open.
        override: an explicit address (``cxsim teach --class-host``; tests use ``127.0.0.1``).
        lan: the LAN address (default: :func:`lan_address`).
    """
    if not round_open:
        return None
    if override:
        return override
    return lan if lan is not None else lan_address()

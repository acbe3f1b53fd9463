"""Files written by cxsim: atomically, with the user's umask, into folders checked before the work.

* :func:`write_atomic` writes a file beside its target and renames it, so that no half-written
  file is ever left behind; the final file gets the mode a plain ``open`` would give it
  (``0666`` less the umask), so colleagues sharing a server can read the results.
* :func:`check_output_dir` checks, before a run starts, that its output folder can be created and
  written: not an existing file, not under a file, writable, not on a read-only file system.
* :func:`io_errors` turns an I/O error met later (a full disk, a permission changed while the run
  lasted), or running out of memory, into one line, ``prog: error: ...``, exit status 2, instead of
  a traceback.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cxsim.errors import SpecError, fail

__all__ = ["TEMP_MARK", "atomic_path", "check_output_dir", "file_mode", "io_errors", "os_error_text",
           "remove_temporaries", "write_atomic"]

#: In the name of every temporary file :func:`write_atomic` makes (``.summary.csv.cxsim-tmp.x1y2z3``).
TEMP_MARK = ".cxsim-tmp."


def file_mode() -> int:
    """The mode a new file gets from ``open``: ``0o666`` less the process's umask."""
    mask = os.umask(0)  # reading the umask means setting it; put back at once
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | Path, write: Callable[[str], Any]) -> Path:
    """Write a file atomically: ``write(tmp)`` writes a temporary file beside ``path``, then it is renamed.

    The rename is atomic on one file system (:func:`os.replace`), so a reader sees either the old
    file or the whole new one; if ``write`` fails, the temporary file is removed and the error
    propagates. The final file's mode respects the umask (``0666 & ~umask``, as for ``open``),
    not the ``0600`` of a temporary file.

    Args:
        path: the file to write (its folder must exist).
        write: called with the temporary file's path (a ``str``), e.g.
            ``lambda p: frame.to_csv(p, index=False)``.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """A temporary file beside ``path`` to write while the block lasts, renamed to ``path`` when the
    block ends (:func:`write_atomic`'s rename and mode) or removed if it raises.

    For a file written piece by piece over a long time (``customers.parquet`` as a run goes): no
    reader ever sees it half-written, and a run that fails leaves nothing behind.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_temporaries(folder: str | Path) -> list[Path]:
    """Remove the temporary files a killed writer left in ``folder`` (and its subfolders); the removed.

    Call it only while holding the folder's lock (:mod:`cxsim.locks`): then no writer is at work there.
    """
    removed = []
    for path in Path(folder).rglob(f".*{TEMP_MARK}*"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def os_error_text(err: OSError, what_failed: str = "output") -> str:
    """An OSError as one line: what failed, on which file, and what to do for the common causes."""
    what = err.strerror or (str(err).splitlines() or [type(err).__name__])[0]
    where = f" ({err.filename})" if err.filename else ""
    hint = {
        errno.ENOSPC: "free some space or choose another folder",
        errno.EDQUOT: "free some space or choose another folder",
        errno.EACCES: "choose a folder you can write to",
        errno.EPERM: "choose a folder you can write to",
        errno.EROFS: "the file system is read-only; choose another folder",
        errno.EEXIST: "a file is in the way; remove it or choose another folder",
        errno.ENOTDIR: "a file is in the way; remove it or choose another folder",
        errno.ENOENT: "check the path",
    }.get(err.errno or 0, "check the folder and try again")
    return f"{what_failed}: {what}{where}; {hint}" if what_failed else f"{what}{where}; {hint}"


def check_output_dir(folder: str | Path, field: str = "hydra.run.dir") -> Path:
    """Check that ``folder`` can be created and written, creating and writing nothing that stays.

    The nearest existing folder on the way gets a test file (or a test folder) that is removed at
    once: this finds a read-only file system and missing permissions even where a check of the mode
    bits would not (for the root user).

    Args:
        folder: the output folder of a command.
        field: how the user named it, for the message (``hydra.run.dir``, ``--out``).

    Returns:
        ``folder`` as a :class:`~pathlib.Path`.

    Raises:
        SpecError: naming ``field``, the folder and the reason.
    """
    path = Path(folder).expanduser()
    probe = path
    while not probe.exists():
        if probe.is_symlink():  # a dangling link: creating the folder would fail
            raise SpecError(field, str(folder), f"{probe} is a broken link; choose another folder")
        parent = probe.parent
        if parent == probe:
            break
        probe = parent
    if not probe.is_dir():
        where = "is an existing file" if probe == path else f"lies under the file {probe}"
        raise SpecError(field, str(folder), f"the output folder {where}; remove it or choose another folder")
    try:
        if probe == path:
            fd, tmp = tempfile.mkstemp(prefix=".cxsim-write-test.", dir=probe)
            os.close(fd)
            os.unlink(tmp)
        else:
            os.rmdir(tempfile.mkdtemp(prefix=".cxsim-write-test.", dir=probe))
    except OSError as err:
        reason = err.strerror or str(err)
        raise SpecError(field, str(folder), f"cannot write in {probe} ({reason}); choose a folder you can write to"
                        ) from None
    return path


@contextmanager
def io_errors(prog: str, what_failed: str = "output") -> Iterator[None]:
    """Turn an :class:`OSError` (disk full, permission, a file in the way) into one line, exit status 2.

    Args:
        prog: the command, for the message.
        what_failed: the message's first word (``output``; empty for a command's whole work).
    """
    try:
        yield
    except OSError as err:
        fail(prog, os_error_text(err, what_failed))
    except MemoryError:  # a job run with --force that did not fit after all
        fail(prog, "out of memory: the job needed more memory than this machine could give; make it smaller "
                   "(fewer customers, cycles or replications)")

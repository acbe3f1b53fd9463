"""One writer per output folder, and one config per folder.

* :class:`FolderLock`: a lock file ``.cxsim.lock`` in a run, sweep, comparison or optimisation
  folder, holding the writer's pid, host and start time. A second writer is refused with one line
  naming the first; the lock of a process that no longer runs on this host (killed, crashed) is
  taken over. The lock file is made complete before it appears (written beside it, then
  hard-linked into place, which fails if a lock already exists), so no writer ever reads half of it.
* :func:`check_config`: a folder remembers the resolved config of the run that wrote it
  (``.cxsim-config.json``); reusing a folder that holds results with a changed config (another
  ``n_customers``, a different scenario) is refused with one line naming the changed keys, so that results of two
  configs are never mixed. Keys that change no result (threads, backends, workers, progress
  bars) may differ.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cxsim.errors import SpecError
from cxsim.files import remove_temporaries, write_atomic

__all__ = ["CONFIG_FILE", "IGNORED_KEYS", "LOCK_FILE", "FolderLock", "LockHeld", "changed_keys", "check_config",
           "folder_guard", "flatten", "has_results", "holder"]

LOCK_FILE = ".cxsim.lock"
CONFIG_FILE = ".cxsim-config.json"
#: Config keys (and key prefixes, ending in ``.``) that change no result: a folder may be reused
#: with other values of these.
IGNORED_KEYS = ("runtime.", "execution.", "sim.threads", "sim.backend", "sim.huge_pages", "sim.reuse_memory",
                "sweep.n_jobs", "sweep.progress", "compare.n_jobs", "compare.progress", "hydra.",
                "scenario.operations.backend")


class LockHeld(SpecError):
    """Another process is writing to the folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def holder(folder: str | Path) -> dict[str, Any] | None:
    """The writer recorded in ``folder``'s lock (pid, host, started, command), or ``None``."""
    path = Path(folder) / LOCK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"pid": -1, "host": "?", "started": "?", "command": "?"}
    return data if isinstance(data, dict) else None


def _stale(info: Mapping[str, Any]) -> bool:
    """Whether a lock belongs to a process of this host that no longer runs."""
    pid = info.get("pid")
    return info.get("host") == socket.gethostname() and isinstance(pid, int) and pid > 0 and not _alive(pid)


def _held_error(folder: Path, info: Mapping[str, Any]) -> LockHeld:
    who = f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}"
    return LockHeld("output folder", str(folder),
                    f"another cxsim process is writing there ({who}); wait for it to finish or choose another "
                    f"folder (if that process is gone, remove {folder / LOCK_FILE})")


def check_unlocked(folder: str | Path) -> None:
    """Raise :class:`LockHeld` if a live writer holds ``folder`` (nothing is written)."""
    info = holder(folder)
    if info is not None and not _stale(info):
        raise _held_error(Path(folder), info)


class FolderLock:
    """The lock of an output folder; use as a context manager (or :meth:`acquire`/:meth:`release`).

    Args:
        folder: the output folder (it must exist).
        command: what runs, recorded in the lock for the message a second writer gets.
    """

    def __init__(self, folder: str | Path, command: str = "cxsim") -> None:
        self.folder = Path(folder)
        self.command = command
        self._held = False

    @property
    def path(self) -> Path:
        """The lock file."""
        return self.folder / LOCK_FILE

    def acquire(self) -> None:
        """Take the lock, or raise :class:`LockHeld` naming the writer that has it."""
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), "command": self.command}
        fd, tmp = tempfile.mkstemp(prefix=".cxsim.lock.", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(info, handle)
            for _ in range(3):
                try:
                    os.link(tmp, self.path)  # atomic: fails if a lock exists
                    self._held = True
                    return
                except FileExistsError:
                    current = holder(self.folder)
                    if current is None:
                        continue  # released meanwhile
                    if not _stale(current):
                        raise _held_error(self.folder, current) from None
                    self.path.unlink(missing_ok=True)  # a dead writer's lock: taken over
            raise _held_error(self.folder, holder(self.folder) or {})
        finally:
            Path(tmp).unlink(missing_ok=True)

    def release(self) -> None:
        """Remove the lock if this process holds it."""
        if self._held:
            info = holder(self.folder)
            if info is not None and info.get("pid") == os.getpid():
                self.path.unlink(missing_ok=True)
            self._held = False

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested mapping as ``{dotted.key: leaf value}`` (lists are leaves)."""
    if not isinstance(data, Mapping):
        return {prefix.rstrip("."): data} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _ignored(key: str) -> bool:
    return any(key.startswith(k) if k.endswith(".") else key == k for k in IGNORED_KEYS)


def _comparable(config: Mapping[str, Any]) -> dict[str, Any]:
    flat = flatten(config)
    return json.loads(json.dumps({k: v for k, v in flat.items() if not _ignored(k)}, sort_keys=True, default=str))


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The dotted keys whose values differ between two flattened configs (added and removed included)."""
    return sorted(k for k in set(old) | set(new) if old.get(k, None) != new.get(k, None) or (k in old) != (k in new))


def has_results(folder: str | Path) -> bool:
    """Whether ``folder`` holds a result: a file or folder other than hidden ones and logs."""
    return any(not p.name.startswith(".") and p.suffix != ".log" for p in Path(folder).iterdir())


def check_config(folder: str | Path, config: Mapping[str, Any], field: str = "hydra.run.dir") -> None:
    """Refuse a folder holding a run of another config; remember this config for the next run.

    Args:
        folder: the output folder (it must exist).
        config: the resolved config of this run (nested mappings).
        field: how the user names the folder, for the message.

    Raises:
        SpecError: naming the folder and the first changed keys.
    """
    path = Path(folder) / CONFIG_FILE
    new = _comparable(config)
    if path.is_file() and has_results(folder):
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if isinstance(old, dict):
            changed = changed_keys(old, new)
            if changed:
                shown = ", ".join(f"{k} ({old.get(k, '<unset>')!s:.30} -> {new.get(k, '<unset>')!s:.30})"
                                  for k in changed[:3])
                more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
                raise SpecError(field, str(folder),
                                f"the folder holds results of another config (changed: {shown}{more}); "
                                "choose a new folder, or delete this one to start clean")
            return
    text = json.dumps(new, sort_keys=True, indent=1, ensure_ascii=False)
    write_atomic(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


@contextmanager
def folder_guard(folder: str | Path, config: Mapping[str, Any], command: str,
                 field: str = "hydra.run.dir") -> Iterator[FolderLock]:
    """Lock ``folder`` (created if needed), remove a killed writer's temporary files, check its config,
    and release the lock at the end."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    with FolderLock(folder, command) as lock:
        remove_temporaries(folder)  # left by a writer that was killed mid-file
        check_config(folder, config, field)
        yield lock

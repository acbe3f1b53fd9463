"""What a benchmark prints, kept to be saved with its command and machine (``--out FILE``)."""

from __future__ import annotations

import os
import platform
import sys


class Transcript:
    """Prints lines as a benchmark goes and keeps them; the first two say the command and the machine."""

    def __init__(self, script: str, argv: list[str] | None = None) -> None:
        self.lines: list[str] = []
        given = " ".join(sys.argv[1:] if argv is None else argv)
        self.say(f"command: python benchmarks/{script} {given}".rstrip())
        self.say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    def say(self, line: str = "") -> None:
        """Print ``line`` and keep it."""
        print(line, flush=True)
        self.lines.append(line)

    def save(self, path: str | None) -> None:
        """Write every line kept to ``path`` (nothing when ``path`` is empty)."""
        if path:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(self.lines) + "\n")

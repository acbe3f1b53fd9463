"""``cxsim teach``: the teachers' page (the command lives in :mod:`cxsim.teach.serve`)."""

from __future__ import annotations

from cxsim.teach.serve import main

__all__ = ["main"]

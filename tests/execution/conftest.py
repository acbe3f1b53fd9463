"""The execution tests start local Ray and Dask instances: Ray in loopback mode, so that every
service listens on 127.0.0.1 only (set before any test module imports ray)."""

from __future__ import annotations

import os

from cxsim.execution.ray import LOOPBACK_SWITCH

os.environ.setdefault(LOOPBACK_SWITCH, "0")

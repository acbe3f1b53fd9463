"""Random streams: one family of numpy Generators per replication, one stream per purpose.

Each replication ``r`` of a run with root seed ``s`` gets ``SeedSequence(s).spawn(R)[r]``. Inside
it every purpose (performance, memory noise, churn, word of mouth, …) and every touchpoint has its
own child sequence, keyed by *name* rather than by creation order
(``SeedSequence(entropy, spawn_key=parent_key + (crc32(purpose), crc32(name)))``). Two scenarios
run with the same seed therefore draw the same performance for the same touchpoint, even when one
of them adds a touchpoint or a segment: common random numbers (Law & Kelton 2000, ch. 11), so that
differences between scenarios are paired. There is no global random state anywhere in cxsim.
"""

from __future__ import annotations

import zlib

import numpy as np

PURPOSES = (
    "population",   # segment membership and initial expectations
    "network",      # the social network
    "journey",      # branches and optional touchpoints
    "performance",  # performance per encounter
    "copula",       # the latent normals of correlated touchpoints (the journey's copula)
    "memory",       # noise on remembered values
    "churn",        # switching decisions
    "recommend",    # noise on likelihood-to-recommend answers
    "wom",          # which contact hears which story
    "operations",   # arrivals, service times, patience … of the operations (one stream per process and cycle)
    "mesa",         # the Mesa model's own generators (agent activation order only)
    "market",       # the open market: flows between prospects and brands, new customers' expectations
)


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One SeedSequence per replication, spawned from the root ``seed``."""
    return np.random.SeedSequence(seed).spawn(replications)


class Streams:
    """The named random streams of one replication.

    Example:
        >>> s = Streams(replication_seeds(0, 1)[0])
        >>> float(s.get("churn").random()) == float(Streams(replication_seeds(0, 1)[0]).get("churn").random())
        True
    """

    def __init__(self, seed_sequence: np.random.SeedSequence) -> None:
        self.seed_sequence = seed_sequence
        self._cache: dict[tuple[str, str], np.random.Generator] = {}

    def get(self, purpose: str, name: str = "") -> np.random.Generator:
        """The generator for ``purpose`` (and, optionally, a named item such as a touchpoint)."""
        if purpose not in PURPOSES:
            raise ValueError(f"purpose: {purpose!r} is not allowed; allowed: {', '.join(PURPOSES)}")
        key = (purpose, name)
        gen = self._cache.get(key)
        if gen is None:
            ss = self.seed_sequence
            child = np.random.SeedSequence(
                ss.entropy, spawn_key=(*ss.spawn_key, _key(purpose), _key(name)), pool_size=ss.pool_size
            )
            gen = np.random.Generator(np.random.PCG64(child))
            self._cache[key] = gen
        return gen

"""Write tests/fit/survey_fixture.csv: a synthetic wide survey whose truth is known.

    python tests/fit/make_survey_fixture.py

2,400 respondents in two segments (``business`` 40 %, ``leisure`` 60 %; leisure rates every
touchpoint about half a point higher) rate six touchpoints on 1-5 through a Gaussian copula
(latent correlation 0.5 between every pair). ``wifi`` and ``lounge`` may be 0 = not applicable
(8 % and 15 %); ``food`` and ``staff`` are sometimes left blank (3 % and 5 %). The outcome follows
key moments: the remembered experience is ``Σ w_k (rating_k − 3)`` over the touchpoints that
applied (the weight of one that did not passes to the mean of the others), with weights
``booking 0.1, checkin 0.15, wifi 0.05, lounge 0.15, food 0.25 (on a negative sign), staff 0.3``;
``satisfied`` is drawn with probability ``logistic(−0.2 + 2.5·m)`` (``satisfaction``),
``overall`` is 1-5 by cutting ``m`` plus logistic noise, and ``recommend`` (0-10) is
``round(7 + 1.5·m + N(0, 1))``, clipped. Numbers come from ``default_rng(2026)`` only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TOUCHPOINTS = ("booking", "checkin", "wifi", "lounge", "food", "staff")
WEIGHTS = np.array([0.1, 0.15, 0.05, 0.15, 0.25, 0.3])
SIGNS = np.array([1.0, 1.0, 1.0, 1.0, -1.0, 1.0])
NOT_APPLICABLE = {"wifi": 0.08, "lounge": 0.15}
BLANK = {"food": 0.03, "staff": 0.05}
PATH = Path(__file__).with_name("survey_fixture.csv")


def make(n: int = 2400, seed: int = 2026) -> pd.DataFrame:
    """The fixture table (see the module docstring)."""
    rng = np.random.default_rng(seed)
    k = len(TOUCHPOINTS)
    corr = np.full((k, k), 0.5) + 0.5 * np.eye(k)
    leisure = rng.random(n) < 0.6
    z = rng.standard_normal((n, k)) @ np.linalg.cholesky(corr).T + np.where(leisure, 0.4, 0.0)[:, None]
    cuts = np.array([-1.3, -0.5, 0.3, 1.1])
    ratings = (np.searchsorted(cuts, z) + 1).astype(float)
    present = np.ones((n, k), dtype=bool)
    for name, share in NOT_APPLICABLE.items():
        present[:, TOUCHPOINTS.index(name)] = rng.random(n) >= share
    affect = (ratings - 3.0) * SIGNS
    w = np.where(present, WEIGHTS, 0.0)
    mean = np.where(present, affect, 0.0).sum(axis=1) / present.sum(axis=1)
    m = (np.where(present, affect, 0.0) * w).sum(axis=1) + (1.0 - w.sum(axis=1)) * mean
    table = pd.DataFrame({"segment": np.where(leisure, "leisure", "business")})
    for j, name in enumerate(TOUCHPOINTS):
        col = np.where(present[:, j], ratings[:, j], 0.0)
        if name in BLANK:
            col[rng.random(n) < BLANK[name]] = np.nan
        table[name] = col
    p = 1.0 / (1.0 + np.exp(-(-0.2 + 2.5 * m)))
    table["satisfaction"] = np.where(rng.random(n) < p, "satisfied", "not satisfied")
    latent = 2.0 * m + rng.logistic(size=n)
    table["overall"] = np.searchsorted(np.array([-2.5, -1.0, 0.5, 2.0]), latent) + 1
    table["recommend"] = np.clip(np.rint(7.0 + 1.5 * m + rng.normal(0.0, 1.0, n)), 0, 10).astype(int)
    return table


if __name__ == "__main__":
    make().to_csv(PATH, index=False)
    print(f"wrote {PATH}")

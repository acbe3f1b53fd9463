"""A sparse column never silently drops most rows: the drop policy stops with a one-line error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.errors import SpecError
from cxsim.fit.survey import MAX_DROP_SHARE, Scale, load_wide


@pytest.fixture
def sparse() -> pd.DataFrame:
    """An airline-like table: five ratings 0-5 (0 = not applicable), one of them 95 % blank."""
    rng = np.random.default_rng(19)
    n = 1258
    df = pd.DataFrame(rng.integers(1, 6, (n, 5)).astype(float), columns=["wifi", "seat", "food", "staff", "lounge"])
    df.loc[rng.random(n) < 0.95, "lounge"] = np.nan
    df.loc[rng.random(n) < 0.02, "wifi"] = 0.0
    df["satisfaction"] = np.where(df[["seat", "staff"]].mean(axis=1) + rng.normal(0, 1, n) > 3, "satisfied", "no")
    return df


def test_drop_refuses_to_drop_most_rows(sparse) -> None:
    with pytest.raises(SpecError) as err:
        load_wide(sparse, "satisfaction", list(sparse.columns[:5]), positive="satisfied",
                  scale=Scale(1, 5, na_zero=True), source="flights.csv")
    msg = str(err.value)
    assert "flights.csv: column 'lounge'" in msg and "impute" in msg and "leave the column out" in msg
    assert "of 1,258 rows" in msg and "\n" not in msg


def test_the_alternatives_work(sparse) -> None:
    tps = list(sparse.columns[:5])
    imputed = load_wide(sparse, "satisfaction", tps, positive="satisfied", scale=Scale(1, 5, na_zero=True),
                        blanks="impute")
    assert imputed.n == len(sparse)
    without = load_wide(sparse, "satisfaction", tps[:4], positive="satisfied", scale=Scale(1, 5, na_zero=True))
    assert without.dropped == int((sparse["wifi"] == 0).sum()) and without.n > 0.9 * len(sparse)


def test_dropping_a_minority_still_works(sparse) -> None:
    df = sparse.copy()
    df["lounge"] = df["lounge"].fillna(3.0)
    df.loc[: int(MAX_DROP_SHARE * len(df)) - 30, "lounge"] = np.nan  # just under half the rows
    s = load_wide(df, "satisfaction", list(df.columns[:5]), positive="satisfied", scale=Scale(1, 5, na_zero=True))
    assert 0 < s.dropped < MAX_DROP_SHARE * len(df)


def test_cli_drivers_stops_with_the_same_line(sparse, tmp_path, capsys) -> None:
    from cxsim.cli.fit import main

    path = tmp_path / "flights.csv"
    sparse.to_csv(path, index=False)
    with pytest.raises(SystemExit) as exit_:
        main(["drivers", str(path), "--outcome", "satisfaction", "--positive", "satisfied", "--touchpoints",
              "wifi,seat,food,staff,lounge", "--na-zero", "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "column 'lounge'" in err and "impute" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()

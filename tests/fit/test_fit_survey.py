"""Survey loading and validation: both shapes, blank policies, and every kind of bad file."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.errors import SpecError
from cxsim.fit.survey import Scale, load_long, load_wide, split_columns


def test_split_columns_keeps_spaces() -> None:
    assert split_columns("a, Seat comfort ,c") == ["a", "Seat comfort", "c"]


def test_scale_parse() -> None:
    s = Scale.parse("0-10", na_zero=True)
    assert (s.low, s.high, s.na_zero, s.midpoint) == (0, 10, True, 5)
    with pytest.raises(SpecError, match="--scale"):
        Scale.parse("ten", field_="--scale")


def test_wide_rating_outcome(wide_frame) -> None:
    s = load_wide(wide_frame, "overall", "a, b b, c,d", segment="segment")
    assert s.touchpoints == ("a", "b b", "c", "d") and s.n == 300 and not s.binary
    assert s.ratings.shape == (300, 4) and s.segment is not None
    np.testing.assert_array_equal(s.outcome, wide_frame["overall"].to_numpy())


def test_wide_binary_outcome(wide_frame) -> None:
    s = load_wide(wide_frame, "label", ["a", "b b", "c", "d"], positive="happy")
    assert s.binary
    assert s.outcome.sum() == (wide_frame["label"] == "happy").sum()


def test_wide_blanks_drop_impute_error(wide_frame) -> None:
    df = wide_frame.copy()
    df.loc[3, "a"] = np.nan
    df.loc[7, "c"] = 0  # not applicable with na_zero
    df.loc[9, "overall"] = np.nan
    s = load_wide(df, "overall", "a,b b,c,d", scale=Scale(1, 5, na_zero=True))
    assert s.n == 297 and s.dropped == 3
    s = load_wide(df, "overall", "a,b b,c,d", scale=Scale(1, 5, na_zero=True), blanks="impute")
    assert s.n == 299 and s.dropped == 1 and s.imputed == 2 and not np.isnan(s.ratings).any()
    with pytest.raises(SpecError, match=r"column 'a', line 5"):
        load_wide(df, "overall", "a,b b,c,d", scale=Scale(1, 5, na_zero=True), blanks="error")


BAD_WIDE = {
    "missing column": (lambda d: d.drop(columns="c"), {}, r"data: column 'c': missing"),
    "non-numeric": (lambda d: d.assign(a=d["a"].astype(object).where(d.index != 4, "four")), {}, r"column 'a', line 6: 'four'.*a number is required"),
    "outside the scale": (lambda d: d.assign(d=d["d"].where(d.index != 10, 7)), {}, r"column 'd', line 12: 7 is not allowed; ratings on the 1-5 scale"),
    "zero without na_zero": (lambda d: d.assign(d=d["d"].where(d.index != 0, 0)), {}, r"column 'd', line 2: 0"),
    "positive value absent": (lambda d: d, {"outcome": "label", "positive": "delighted"}, r"column 'label': 'delighted'"),
    "fewer rows than parameters": (lambda d: d.head(0), {}, None),
}


@pytest.mark.parametrize("case", list(BAD_WIDE))
def test_bad_wide_files(wide_frame, case) -> None:
    change, kw, pattern = BAD_WIDE[case]
    args = {"outcome": "overall", "touchpoints": "a,b b,c,d", **kw}
    if pattern is None:  # an empty file loads, but cannot be fitted
        from cxsim.fit.drivers import fit_drivers

        with pytest.raises(SpecError, match=r"data: rows: 0 is not allowed"):
            fit_drivers(load_wide(change(wide_frame), **args))
        return
    with pytest.raises(SpecError, match=pattern):
        load_wide(change(wide_frame), **args)


def test_wide_reads_csv_and_names_the_file(tmp_path, wide_frame) -> None:
    p = tmp_path / "survey.csv"
    wide_frame.to_csv(p, index=False)
    assert load_wide(p, "overall", "a,b b,c,d").source == "survey.csv"
    with pytest.raises(SpecError, match=r"survey.csv: column 'e'"):
        load_wide(p, "overall", "a,e")
    with pytest.raises(SpecError, match="no such file"):
        load_wide(tmp_path / "nope.csv", "overall", "a")


def test_long_reshapes_episodes(long_frame) -> None:
    s = load_long(long_frame.sample(frac=1.0, random_state=1), "respondent, episode", "order", "rating",
                  "retrospective", duration="duration", group="respondent", scale=Scale(0, 10),
                  retrospective_scale=Scale(-50, 50))
    assert s.n == 480 and s.ratings.shape[0] == 480
    assert s.present.sum() == len(long_frame)
    # moments are put back in order within each episode, whatever the row order of the file
    first = long_frame[(long_frame.respondent == 1) & (long_frame.episode == 1)].sort_values("order")
    row = int(np.flatnonzero((s.episodes.respondent == 1) & (s.episodes.episode == 1))[0])
    np.testing.assert_array_equal(s.ratings[row, s.present[row]], first["rating"].to_numpy())
    assert s.groups is not None and len(np.unique(s.groups)) == 120


def _long(**kw):
    return {"episode": "respondent,episode", "order": "order", "rating": "rating",
            "retrospective": "retrospective", "scale": Scale(0, 10), "retrospective_scale": Scale(-50, 50), **kw}


def test_long_blanks(long_frame) -> None:
    df = long_frame.copy()
    df.loc[0, "rating"] = np.nan
    s = load_long(df, **_long())
    assert s.dropped == 1 and s.present.sum() == len(df) - 1
    with pytest.raises(SpecError, match=r"column 'rating', line 2"):
        load_long(df, **_long(blanks="error"))


BAD_LONG = {
    "missing column": (lambda d: d.drop(columns="order"), r"column 'order': missing"),
    "non-numeric rating": (lambda d: d.assign(rating=d["rating"].astype(object).where(d.index != 2, "ok")), r"column 'rating', line 4: 'ok'"),
    "rating outside the scale": (lambda d: d.assign(rating=d["rating"].where(d.index != 3, 11)), r"column 'rating', line 5: 11 is not allowed"),
    "episode with no moments": (lambda d: d.assign(rating=d["rating"].where(~((d.respondent == 2) & (d.episode == 1)), np.nan)),
                                r"column 'rating', line \d+: 'episode \(2, 1\)'.*at least one rated moment"),
    "retrospective varies": (lambda d: d.assign(retrospective=d["retrospective"].where(d.index != 1, 40.0)), r"column 'retrospective', line 3"),
    "duplicate order": (lambda d: d.assign(order=d["order"].where(d.index != 1, 1)), r"column 'order', line 3: 1 .*own order value"),
}


@pytest.mark.parametrize("case", list(BAD_LONG))
def test_bad_long_files(long_frame, case) -> None:
    change, pattern = BAD_LONG[case]
    with pytest.raises(SpecError, match=pattern):
        load_long(change(long_frame), **_long())

"""Survey data in: loading and validating wide and long survey files.

Two shapes are read:

* **wide** — one row per respondent: a rating per touchpoint, an overall outcome (a rating, or a
  binary label with a named positive value), an optional segment (:func:`load_wide`);
* **long** — one row per moment: episode id (one or more columns), order within the episode, the
  momentary rating, an optional duration, and the episode's retrospective rating
  (:func:`load_long`), as in the experience-sampling designs of Redelmeier & Kahneman (1996).

Ratings are checked against a declared :class:`Scale` (``1-5``, ``0-10``, ``0-100`` …); with
``na_zero`` a 0 means "not applicable" and counts as a blank. Blanks follow a stated policy
(``drop`` rows, ``impute`` touchpoint ratings with the column mean, or ``error``); dropped rows are
counted and reported. A bad file — missing column, non-numeric value, rating outside the scale, an
episode with no rated moment — raises :class:`~cxsim.errors.SpecError` whose one-line message
names the file, the column and the line (line 1 is the header, so data row ``i`` is line ``i+2``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.errors import MISSING, SpecError
from cxsim.specs.survey import Scale

BLANKS = ("drop", "impute", "error")
#: ``blanks="drop"`` refuses to drop more than this share of the rows that have an outcome: a
#: sparse column would otherwise shrink the survey to a handful of rows without a word.
MAX_DROP_SHARE = 0.5
Array = NDArray[np.float64]


@dataclass(frozen=True)
class WideSurvey:
    """A validated wide survey: one row per respondent.

    Attributes:
        ratings: ``(n, k)`` touchpoint ratings (NaN where not applicable and kept by ``impute``
            before imputation; never NaN after loading).
        outcome: ``(n,)`` overall rating, or 0/1 for a binary outcome.
        touchpoints: names of the rating columns, in journey order (the last is the "end").
        outcome_name: name of the outcome column.
        positive: the label counted as 1 for a binary outcome; ``None`` for a rating outcome.
        scale: the touchpoint rating scale.
        segment: the segment of each respondent, or ``None``.
        frame: the kept rows of the file as read (for writing predictions beside them).
        source: file name used in messages.
        n_read: rows in the file.
        dropped: rows dropped for blanks.
        imputed: touchpoint cells filled with the column mean.
    """

    ratings: Array
    outcome: Array
    touchpoints: tuple[str, ...]
    outcome_name: str
    positive: str | None
    scale: Scale
    segment: NDArray[np.object_] | None
    frame: pd.DataFrame
    source: str
    n_read: int
    dropped: int = 0
    imputed: int = 0

    @property
    def binary(self) -> bool:
        """Whether the outcome is a binary label."""
        return self.positive is not None

    @property
    def n(self) -> int:
        """Respondents kept."""
        return int(self.outcome.size)

    def report(self) -> str:
        """One line on what was read, kept, dropped and imputed."""
        return (f"{self.source}: {self.n_read:,} rows read, {self.n:,} kept, {self.dropped:,} dropped for "
                f"blanks, {self.imputed:,} ratings imputed")


@dataclass(frozen=True)
class LongSurvey:
    """A validated long survey, reshaped to one row per episode.

    Attributes:
        ratings: ``(n, m)`` momentary ratings in order (``m`` = most moments in an episode;
            shorter episodes are padded with NaN).
        present: ``(n, m)`` which cells hold a moment.
        durations: ``(n, m)`` durations (0 where absent), or ``None`` without a duration column.
        retrospective: ``(n,)`` the episode's retrospective rating.
        groups: ``(n,)`` respondent of each episode (for grouped cross-validation), or ``None``.
        episodes: the episode keys, one row per episode.
        scale: the rating scale of the moments (and, unless told otherwise, the retrospective).
        source: file name used in messages.
        n_read: rows (moments) in the file.
        dropped: moments dropped for blanks.
        dropped_episodes: episodes dropped because their retrospective rating was blank.
        columns: the column names read (kept with a saved model, to apply it to new files).
        touchpoint_names: with a touchpoint column, its values in order of first appearance.
        by_touchpoint: ``(n, T)`` each episode's mean rating at each touchpoint (NaN where the
            episode has none), for the key-moments model; ``None`` without a touchpoint column.
    """

    ratings: Array
    present: NDArray[np.bool_]
    durations: Array | None
    retrospective: Array
    groups: NDArray[np.int64] | None
    episodes: pd.DataFrame
    scale: Scale
    source: str
    n_read: int
    dropped: int = 0
    dropped_episodes: int = 0
    columns: dict[str, object] = field(default_factory=dict)
    touchpoint_names: tuple[str, ...] = ()
    by_touchpoint: Array | None = None

    @property
    def n(self) -> int:
        """Episodes kept."""
        return int(self.retrospective.size)

    def report(self) -> str:
        """One line on what was read and kept."""
        return (f"{self.source}: {self.n_read:,} moments read, {self.n:,} episodes kept "
                f"(up to {self.ratings.shape[1]} moments each), {self.dropped:,} moments and "
                f"{self.dropped_episodes:,} episodes dropped for blanks")


# --------------------------------------------------------------------------- reading helpers
#: Text encodings tried in turn for a CSV file: UTF-8 (a byte-order mark is dropped), then GB18030,
#: the superset of GBK and GB2312 in which Chinese spreadsheets are often saved.
ENCODINGS = ("utf-8-sig", "gb18030")


def read_table(data: str | Path | pd.DataFrame, source: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a CSV file (or take a DataFrame) and name its source for messages.

    The file may be UTF-8 (with or without a byte-order mark) or GBK/GB18030; a binary file, or
    text in another encoding, is refused in one line. Header names used twice are recorded in
    ``frame.attrs["duplicated"]`` (:func:`require_columns` refuses to pick one of them).
    """
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), source or "data"
    path = Path(data)
    name = source or path.name
    if not path.is_file():
        raise SpecError(name, str(path), "no such file")
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if b"\0" in head:
        raise SpecError(name, str(path), "a text CSV file is required; this one holds binary data (NUL bytes)")
    for encoding in ENCODINGS:
        try:
            frame = pd.read_csv(path, skipinitialspace=True, encoding=encoding)
            header = pd.read_csv(path, skipinitialspace=True, encoding=encoding, header=None, nrows=1)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise SpecError(name, str(path),
                            f"a readable CSV file is required ({' '.join(str(err).split())})") from None
    else:
        raise SpecError(name, str(path), "a CSV file in UTF-8 or GBK/GB18030 text is required; its bytes are "
                        "neither (save it as CSV UTF-8)")
    names = [str(c).strip() for c in header.iloc[0].tolist()] if len(header) else []
    frame.attrs["duplicated"] = sorted({c for c in names if names.count(c) > 1})
    return frame, name


def split_columns(text: str | Sequence[str]) -> list[str]:
    """``"a, b,c d"`` -> ``["a", "b", "c d"]``: comma-separated names that may contain spaces."""
    if isinstance(text, str):
        return [c.strip() for c in text.split(",") if c.strip()]
    return [str(c) for c in text]


def where(source: str, column: str, row: int | None = None) -> str:
    """The field of a message: file, column and line (row ``i`` of the data is line ``i + 2``)."""
    return f"{source}: column {column!r}" + ("" if row is None else f", line {row + 2}")


def require_columns(frame: pd.DataFrame, source: str, columns: Sequence[str]) -> None:
    """Every named column must exist (exact names; a near miss is pointed out)."""
    have = [str(c) for c in frame.columns]
    duplicated = frame.attrs.get("duplicated", ())
    for col in columns:
        if col in duplicated:
            raise SpecError(where(source, col), "named twice in the header",
                            "each column needs its own name (rename one of them)")
        if col not in have:
            near = [h for h in have if h.strip().lower() == col.strip().lower()]
            hint = f"did you mean {near[0]!r}?" if near else "columns: " + _short(", ".join(have))
            raise SpecError(where(source, col), MISSING, f"no such column; {hint}")


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def numeric(frame: pd.DataFrame, source: str, column: str) -> Array:
    """A column as floats (blanks -> NaN); a non-numeric value is an error naming its line."""
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        bad = np.zeros(values.size, dtype=bool)
    else:
        values = np.array(pd.to_numeric(raw, errors="coerce"), dtype=np.float64)  # a writable copy
        bad = np.isnan(values) & raw.notna().to_numpy()
        if bad.any():  # blank strings are blanks, anything else is not a number
            idx = np.flatnonzero(bad)
            bad[idx] = (raw.iloc[idx].astype(str).str.strip() != "").to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SpecError(where(source, column, i), raw.iloc[i], "a number is required")
    inf = np.isinf(values)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise SpecError(where(source, column, i), float(values[i]), "a finite number is required")
    return values


def on_scale(values: Array, scale: Scale, source: str, column: str) -> Array:
    """Check ratings against ``scale``; with ``na_zero`` zeros become NaN (not applicable)."""
    v = values.copy()
    if scale.na_zero:
        v[v == 0] = np.nan
    out = ~np.isnan(v) & ((v < scale.low) | (v > scale.high))
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise SpecError(where(source, column, i), _plain(values[i]), scale.describe() + " are allowed")
    return v


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _blank_error(source: str, column: str, row: int) -> SpecError:
    return SpecError(where(source, column, row), "", "a value is required (blanks='error'; use "
                     "blanks='drop' to drop such rows or 'impute' to fill ratings with the column mean)")


# --------------------------------------------------------------------------- wide
def load_wide(
    data: str | Path | pd.DataFrame,
    outcome: str,
    touchpoints: str | Sequence[str],
    positive: str | None = None,
    scale: Scale = Scale(),
    outcome_scale: Scale | None = None,
    segment: str | None = None,
    blanks: str = "drop",
    source: str | None = None,
) -> WideSurvey:
    """Load and validate a wide survey (one row per respondent).

    Args:
        data: a CSV path or a DataFrame.
        outcome: the overall outcome column.
        touchpoints: rating columns (a list, or comma-separated names), in journey order.
        positive: for a binary outcome, the value counted as 1 (e.g. ``satisfied``); ``None``
            for a numeric rating outcome.
        scale: the touchpoint rating scale.
        outcome_scale: the outcome's scale, checked when given (rating outcomes only).
        segment: optional segment column.
        blanks: ``drop`` rows with a blank (or not-applicable) rating; ``impute`` touchpoint
            ratings with the column mean (rows with a blank outcome are still dropped); ``error``.
        source: name used in messages (default: the file name).

    Raises:
        SpecError: naming the file, column and line of the first problem.
    """
    frame, name = read_table(data, source)
    if blanks not in BLANKS:
        raise SpecError("blanks", blanks, "allowed: " + ", ".join(BLANKS))
    tps = split_columns(touchpoints)
    if not tps:
        raise SpecError("touchpoints", touchpoints, "at least one rating column is required")
    if len(set(tps)) != len(tps):
        raise SpecError("touchpoints", ",".join(tps), "each column may be named once")
    if outcome in tps:
        raise SpecError("outcome", outcome, "the outcome may not also be a touchpoint column")
    require_columns(frame, name, [outcome, *tps] + ([segment] if segment else []))
    refuse_long_format(frame, name, outcome)
    n_read = len(frame)

    ratings = np.column_stack([on_scale(numeric(frame, name, c), scale, name, c) for c in tps])
    raw_y = frame[outcome]
    y_blank = raw_y.isna().to_numpy() | (raw_y.astype(str).str.strip() == "").to_numpy()
    if positive is None:
        y = numeric(frame, name, outcome)
        if outcome_scale is not None:
            y = on_scale(y, Scale(outcome_scale.low, outcome_scale.high, False), name, outcome)
    else:
        y = _binary(raw_y, positive, name, outcome)
    y[y_blank] = np.nan

    blank = np.isnan(ratings)
    if blanks == "error":
        holes = np.column_stack([blank, y_blank])
        if holes.any():
            i, j = map(int, np.argwhere(holes)[0])  # the first blank in reading order
            raise _blank_error(name, ([*tps, outcome])[j], i)
    if blanks == "drop":
        check_drop_share(blank[~y_blank], tps, name)
    drop = y_blank | (blank.any(axis=1) if blanks == "drop" else np.zeros(n_read, bool))
    keep = ~drop
    ratings, y = ratings[keep], y[keep]
    imputed = 0
    if blanks == "impute":
        holes = np.isnan(ratings)
        empty = holes.all(axis=0) if len(ratings) else np.zeros(len(tps), bool)
        if empty.any():
            raise SpecError(where(name, tps[int(np.flatnonzero(empty)[0])]), "all blank",
                            "a rating column needs at least one rating")
        col_mean = ratings.sum(axis=0, where=~holes) / np.maximum((~holes).sum(axis=0), 1)
        imputed = int(holes.sum())
        ratings = np.where(holes, col_mean, ratings)
    if positive is not None and keep.any() and len(np.unique(y)) < 2:
        raise SpecError(where(name, outcome), positive,
                        "both classes are needed: the positive value and at least one other")
    seg = frame[segment].astype(str).to_numpy()[keep] if segment else None
    return WideSurvey(
        ratings=ratings, outcome=y, touchpoints=tuple(tps), outcome_name=outcome, positive=positive,
        scale=scale, segment=seg, frame=frame.loc[keep].reset_index(drop=True), source=name,
        n_read=n_read, dropped=int(drop.sum()), imputed=imputed,
    )


def refuse_long_format(frame: pd.DataFrame, source: str, outcome: str) -> None:
    """Refuse a long file (one row per moment) where a wide one (one row per respondent) is needed.

    The sign of a long file: a column that counts up within blocks of rows and starts again at
    the same value with each block (an order within an episode), while the outcome is the same on
    every row of a block (the episode's retrospective rating). Fitting key drivers on such rows
    would treat moments as respondents.

    Raises:
        SpecError: naming the order-like column and the command for long data.
    """
    n = len(frame)
    if n < 4:
        return
    codes = pd.factorize(frame[outcome])[0]
    if (codes == codes[0]).all():
        return
    for col in frame.columns:
        if col == outcome:
            continue
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(v).any():
            continue
        restart = np.r_[True, v[1:] <= v[:-1]]
        starts = np.flatnonzero(restart)
        if starts.size < 2 or starts.size > n / 2 or np.ptp(v[starts]) != 0:
            continue
        if (codes[1:] == codes[:-1])[~restart[1:]].all():
            raise SpecError(where(source, str(col)), f"restarts at {_plain(v[0])} every {n / starts.size:.3g} rows",
                            f"one row per respondent is required, and this looks like one row per moment "
                            f"({col!r} counts the moments, {outcome!r} repeats within them): fit memory "
                            f"models on long data with `cxsim fit memory --order {col} --retrospective {outcome} "
                            f"...`, or reshape to one column per touchpoint")


def check_drop_share(blank: NDArray[np.bool_], columns: Sequence[str], source: str,
                     limit: float = MAX_DROP_SHARE) -> None:
    """Refuse a ``drop`` policy that would drop more than ``limit`` of the rows.

    ``blank`` is ``(rows, columns)``: which ratings are blank (or not applicable) in the rows that
    have an outcome. The error names the column with the most blanks and the alternatives.
    """
    n = blank.shape[0]
    dropped = int(blank.any(axis=1).sum())
    if n == 0 or dropped <= limit * n:
        return
    counts = blank.sum(axis=0)
    j = int(np.argmax(counts))
    raise SpecError(where(source, columns[j]), f"{counts[j] / n:.0%} blank",
                    f"blanks='drop' would drop {dropped:,} of {n:,} rows (more than {limit:.0%}); impute the "
                    "blanks instead (blanks='impute', --blanks impute) or leave the column out")


def _binary(raw: pd.Series, positive: str, source: str, column: str) -> Array:
    text = raw.astype(str).str.strip()
    hit = (text == str(positive).strip()).to_numpy()
    if not hit.any():
        as_num = pd.to_numeric(raw, errors="coerce")
        try:
            hit = (as_num == float(positive)).to_numpy()
        except ValueError:
            pass
    if not hit.any():
        seen = ", ".join(repr(v) for v in text[raw.notna()].unique()[:6])
        raise SpecError(where(source, column), positive, f"the positive value must occur in the column; values: {seen}")
    return hit.astype(np.float64)


# --------------------------------------------------------------------------- long
def load_long(
    data: str | Path | pd.DataFrame,
    episode: str | Sequence[str],
    order: str,
    rating: str,
    retrospective: str,
    duration: str | None = None,
    group: str | None = None,
    scale: Scale = Scale(),
    retrospective_scale: Scale | None = None,
    blanks: str = "drop",
    source: str | None = None,
    touchpoint: str | None = None,
) -> LongSurvey:
    """Load and validate a long survey (one row per moment) into one row per episode.

    Args:
        data: a CSV path or a DataFrame.
        episode: the column(s) that identify an episode (a list, or comma-separated names).
        order: order of the moment within its episode (numeric; ties are an error).
        rating: the momentary rating.
        retrospective: the episode's retrospective rating (the same on every row of an episode).
        duration: optional duration of each moment (>= 0).
        group: optional respondent column; cross-validation can keep a respondent's episodes
            together.
        touchpoint: optional column naming each moment's touchpoint (adds the key-moments model:
            a weight per touchpoint).
        scale: the momentary rating scale.
        retrospective_scale: the retrospective rating's scale (default: ``scale``).
        blanks: ``drop`` moments with a blank rating and episodes with a blank retrospective
            rating (counted), or ``error``. ``impute`` is not offered for moments.
        source: name used in messages (default: the file name).

    Raises:
        SpecError: naming the file, column and line of the first problem; an episode with no
            rated moment is an error whatever the policy.
    """
    frame, name = read_table(data, source)
    if blanks not in ("drop", "error"):
        raise SpecError("blanks", blanks, "allowed for long data: drop, error")
    keys = split_columns(episode)
    if not keys:
        raise SpecError("episode", episode, "at least one episode column is required")
    cols = [*keys, order, rating, retrospective] + [c for c in (duration, group, touchpoint) if c]
    require_columns(frame, name, cols)
    n_read = len(frame)
    if n_read == 0:
        raise SpecError(name, "empty", "at least one moment is required")
    for k in keys:
        if frame[k].isna().any():
            i = int(np.flatnonzero(frame[k].isna().to_numpy())[0])
            raise SpecError(where(name, k, i), "", "every moment needs its episode id")

    pos = numeric(frame, name, order)
    a = on_scale(numeric(frame, name, rating), scale, name, rating)
    r_scale = retrospective_scale or Scale(scale.low, scale.high, False)
    retro = on_scale(numeric(frame, name, retrospective), r_scale, name, retrospective)
    dur = numeric(frame, name, duration) if duration else None
    if dur is not None and (dur < 0).any():
        i = int(np.flatnonzero(dur < 0)[0])
        raise SpecError(where(name, duration, i), _plain(dur[i]), "durations must be >= 0")  # type: ignore[arg-type]
    if np.isnan(pos).any():
        raise _blank_error(name, order, int(np.flatnonzero(np.isnan(pos))[0]))

    ep = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    n_ep = int(ep.max()) + 1
    # an episode with no rated moment is a broken file, whatever the blank policy
    rated = np.bincount(ep, weights=~np.isnan(a), minlength=n_ep)
    if (rated == 0).any():
        e = int(np.flatnonzero(rated == 0)[0])
        i = int(np.flatnonzero(ep == e)[0])
        raise SpecError(where(name, rating, i), f"episode {_key(frame, keys, i)}",
                        "an episode needs at least one rated moment")
    # the retrospective rating must be one value per episode
    r_lo = _per_episode(retro, ep, n_ep, np.fmin)  # type: ignore[arg-type]
    r_hi = _per_episode(retro, ep, n_ep, np.fmax)  # type: ignore[arg-type]
    differs = (r_lo != r_hi) & ~np.isnan(r_lo)
    if differs.any():
        e = int(np.flatnonzero(differs)[0])
        i = int(np.flatnonzero((ep == e) & (retro != r_lo[e]) & ~np.isnan(retro))[0])
        raise SpecError(where(name, retrospective, i), _plain(retro[i]),
                        f"the retrospective rating must be the same on every row of episode {_key(frame, keys, i)}")
    blank_moment = np.isnan(a) | (np.isnan(dur) if dur is not None else False)
    blank_retro = np.isnan(r_lo)
    if blanks == "error":
        if blank_moment.any():
            i = int(np.flatnonzero(blank_moment)[0])
            raise _blank_error(name, rating if np.isnan(a[i]) else str(duration), i)
        if blank_retro.any():
            i = int(np.flatnonzero(ep == int(np.flatnonzero(blank_retro)[0]))[0])
            raise _blank_error(name, retrospective, i)
    keep_row = ~blank_moment & ~blank_retro[ep]
    if not keep_row.any():
        blank_col = retrospective if blank_retro.all() else rating
        raise SpecError(where(name, blank_col), "all blank",
                        "at least one episode needs a retrospective rating and a rated moment")
    # duplicate order within an episode is ambiguous
    order_df = pd.DataFrame({"ep": ep[keep_row], "pos": pos[keep_row]})
    dup = order_df.duplicated(["ep", "pos"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(keep_row)[np.flatnonzero(dup)[0]])
        raise SpecError(where(name, order, i), _plain(pos[i]),
                        f"each moment of episode {_key(frame, keys, i)} needs its own order value")

    rows = np.flatnonzero(keep_row)
    ep_k = ep[rows]
    kept_eps, new_id = np.unique(ep_k, return_inverse=True)
    srt = np.lexsort((pos[rows], new_id))
    rows, new_id = rows[srt], new_id[srt]
    n = kept_eps.size
    counts = np.bincount(new_id, minlength=n)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    col = np.arange(rows.size) - start[new_id]
    m = int(counts.max())
    ratings = np.full((n, m), np.nan)
    present = np.zeros((n, m), dtype=bool)
    ratings[new_id, col] = a[rows]
    present[new_id, col] = True
    durations = None
    if dur is not None:
        durations = np.zeros((n, m))
        durations[new_id, col] = dur[rows]
    first_row = rows[start]
    episodes = frame.loc[first_row, keys].reset_index(drop=True)
    groups = None
    if group:
        groups = pd.factorize(frame[group].to_numpy()[first_row])[0].astype(np.int64)
    tp_names: tuple[str, ...] = ()
    by_tp = None
    if touchpoint:
        labels = frame[touchpoint].astype(str).to_numpy()[rows]
        codes, uniq = pd.factorize(labels)
        tp_names = tuple(str(u) for u in uniq)
        sums = np.zeros((n, len(uniq)))
        cnt = np.zeros((n, len(uniq)))
        np.add.at(sums, (new_id, codes), a[rows])
        np.add.at(cnt, (new_id, codes), 1.0)
        with np.errstate(invalid="ignore"):
            by_tp = np.where(cnt > 0, sums / np.maximum(cnt, 1.0), np.nan)
    return LongSurvey(
        ratings=ratings, present=present, durations=durations, retrospective=r_lo[kept_eps],
        groups=groups, episodes=episodes, scale=scale, source=name, n_read=n_read,
        dropped=int((~keep_row & ~blank_retro[ep]).sum()), dropped_episodes=int(blank_retro.sum()),
        columns={"episode": keys, "order": order, "rating": rating, "retrospective": retrospective,
                 "duration": duration, "group": group, "touchpoint": touchpoint},
        touchpoint_names=tp_names, by_touchpoint=by_tp,
    )


def _per_episode(values: Array, ep: NDArray[np.intp], n: int, ufunc) -> Array:
    out = np.full(n, np.nan)
    ufunc.at(out, ep, values)
    return out


def _key(frame: pd.DataFrame, keys: Sequence[str], row: int) -> str:
    vals = [str(frame[k].iloc[row]) for k in keys]
    return vals[0] if len(vals) == 1 else "(" + ", ".join(vals) + ")"


def check_enough_rows(n: int, n_params: int, source: str, what: str) -> None:
    """Fewer rows than parameters cannot be fitted: a one-line error naming the file."""
    if n < n_params + 1:
        raise SpecError(f"{source}: rows", n,
                        f"{what} has {n_params} parameters and needs at least {n_params + 1} rows")

"""The shipped synthetic surveys: present, loadable, equal to their generator, and usable by the fits."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsim import datasets
from cxsim.errors import SpecError
from cxsim.fit.drivers import fit_drivers
from cxsim.fit.survey import Scale, load_long, load_wide


def test_available_lists_every_shipped_file() -> None:
    assert datasets.available() == ["airline_like", "airline_like_wave2", "dealers", "episodes"]
    for name in datasets.available():
        assert datasets.path(name).is_file()


def test_shipped_files_are_small() -> None:
    total = sum(datasets.path(name).stat().st_size for name in datasets.available())
    assert total < 300_000


@pytest.mark.parametrize("name", ["airline_like", "airline_like_wave2", "episodes", "dealers"])
def test_shipped_file_equals_its_generator(name: str) -> None:
    fresh = datasets._as_shipped(datasets.generate(name))
    pd.testing.assert_frame_equal(fresh, datasets.load_survey(name))


def test_columns_named_in_info_are_in_the_file() -> None:
    for name in datasets.available():
        meta = datasets.info(name)
        table = datasets.load_survey(name)
        missing = [c for c in (*meta.columns, meta.outcome) if c and c not in table.columns]
        assert missing == [], name


def test_unknown_name_is_one_line_naming_the_allowed() -> None:
    with pytest.raises(SpecError) as err:
        datasets.load_survey("airline")
    assert str(err.value) == ("dataset: 'airline' is not allowed; shipped data sets: airline_like, "
                              "airline_like_wave2, dealers, episodes")


def test_cli_unknown_name_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert datasets.main(["--check", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "dataset: 'nope' is not allowed" in err[0]


def test_cli_check_passes_on_the_shipped_files() -> None:
    assert datasets.main(["--check", "airline_like", "episodes"]) == 0


def test_airline_like_driver_analysis_finds_the_known_key_moments() -> None:
    meta = datasets.info("airline_like")
    survey = load_wide(datasets.path("airline_like"), meta.outcome, list(meta.columns),
                       positive=meta.positive, scale=Scale(1, 5, na_zero=True), blanks="impute")
    top = fit_drivers(survey).drivers.sort_values("importance", ascending=False)["touchpoint"]
    assert list(top[:3]) == sorted(datasets.AIRLINE_KEY_MOMENTS, key=datasets.AIRLINE_KEY_MOMENTS.get,
                                   reverse=True)


def test_episodes_load_as_a_long_survey() -> None:
    survey = load_long(datasets.path("episodes"), episode=["respondent", "episode"], order="order",
                       rating="rating", retrospective="retrospective", duration="duration",
                       group="respondent", scale=Scale(0, 10), retrospective_scale=Scale(-5, 15))
    assert survey.n == 300

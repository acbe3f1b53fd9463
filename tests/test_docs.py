"""The README as a front door, and the documentation's set-up.

The documentation itself is built with warnings as errors by ``tests/test_docs_build.py``, which
executes every code cell; these tests check what that build does not: the README's length, its first screen, its links and
that it tells no history, and that the docs are configured to execute their examples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUN = "pip install . && cxsim"
TEST = 'pip install ".[test]" && pytest -q'


def _readme() -> list[str]:
    return README.read_text(encoding="utf-8").splitlines()


def test_readme_is_at_most_250_lines() -> None:
    assert len(_readme()) <= 250


def test_readme_shows_both_setup_commands_in_its_first_40_lines() -> None:
    first = "\n".join(_readme()[:40])
    assert RUN in first
    assert TEST in first


def test_readme_says_how_to_build_the_docs() -> None:
    assert 'pip install ".[docs]" && sphinx-build -W -b html docs docs/_build/html' in README.read_text()


@pytest.mark.parametrize("word", ["session", "earlier", "formerly", "we tried", "used to", "previously",
                                  "../shared", "DESIGN.md", "seed case", "seed document"])
def test_readme_tells_no_history_and_points_nowhere_outside(word: str) -> None:
    assert word.lower() not in README.read_text(encoding="utf-8").lower()


def test_readme_links_and_figure_exist() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)\)", text)
    assert targets, "the README links its figure, CONTRIBUTING, CHANGELOG and LICENSE"
    for target in targets:
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


def test_readme_examples_read_no_missing_files() -> None:
    text = README.read_text(encoding="utf-8")
    for name in re.findall(r"[\w./-]+\.csv", text):
        assert "/" not in name or (ROOT / name).exists() or name.startswith("outputs/"), name
    assert "airline.csv" not in text and "new_wave.csv" not in text


def test_docs_execute_their_examples_and_fail_on_errors() -> None:
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert re.search(r'^nb_execution_mode = "force"$', conf, re.M)
    assert re.search(r"^nb_execution_raise_on_error = True$", conf, re.M)
    assert re.search(r"^intersphinx_mapping: .* = \{\}$", conf, re.M)


def test_every_docs_page_is_listed_in_a_toctree() -> None:
    docs = ROOT / "docs"
    pages = {p.relative_to(docs).with_suffix("").as_posix() for p in docs.rglob("*.md")
             if "_build" not in p.parts and "jupyter_execute" not in p.parts}
    listed = {"index"}
    for page in pages:
        text = (docs / f"{page}.md").read_text(encoding="utf-8")
        for block in re.findall(r"```\{toctree\}(.*?)```", text, re.S):
            for line in block.splitlines():
                entry = line.strip()
                if entry and not entry.startswith(":"):
                    listed.add((Path(page).parent / entry).as_posix().lstrip("./"))
    assert pages - listed == set()


def test_repository_files_a_newcomer_looks_for() -> None:
    for name in ("LICENSE", "CONTRIBUTING.md", "CHANGELOG.md", "notebooks/README.md"):
        assert (ROOT / name).is_file(), name
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()


@pytest.mark.parametrize("word", ["session", "DESIGN.md", "../shared", "seed case", "seed document",
                                  "the seeds"])
def test_docs_point_nowhere_outside_and_call_the_articles_case_studies(word: str) -> None:
    pages = [p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts]
    assert pages
    for page in [*pages, ROOT / "CONTRIBUTING.md", ROOT / "notebooks" / "README.md"]:
        assert word.lower() not in page.read_text(encoding="utf-8").lower(), page

"""A hostile file in the catalog folder is one named problem on the SLO burn page; the valid SLOs still show.

Before issue 16 the nested-brackets file made the page show Streamlit's generic error ("unexpected RecursionError"),
and the link to a file outside the folder put that file's first line in the catalog-problems list.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.pages.slo_burn.test_page import GOOD_SLO, clean_environment, overview, run, slo_names
from tests.support.apptest import texts

__all__ = ["clean_environment"]  # the autouse fixture: its own store, no Prometheus, no settings from outside

SECRET = "secret-first-line-7f3a"


@pytest.fixture
def catalog(monkeypatch, tmp_path):
    """A catalog folder with one valid SLO, ``checkout-availability``; SLO_CATALOG points at it."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "good.yaml").write_text(textwrap.dedent(GOOD_SLO))
    monkeypatch.setenv("SLO_CATALOG", str(folder))
    return folder


def only_problem_text(app) -> str:
    assert slo_names(overview(app)) == ["checkout-availability"]
    (expander,) = app.expander
    assert "1 catalog problem — the other SLOs still show" in expander.label
    return texts(expander.warning)


def test_deeply_nested_brackets_are_one_named_problem_and_the_valid_slo_shows(catalog):
    (catalog / "checkout.yaml").write_text("[" * 5000)
    problem = only_problem_text(run())  # run() asserts no Streamlit exception
    assert "checkout.yaml: nested deeper than 50 levels" in problem
    assert "RecursionError" not in problem


def test_a_link_out_of_the_folder_is_named_and_its_target_never_shown(catalog, tmp_path):
    private = tmp_path / "passwd"
    private.write_text(f"{SECRET}:x:0:0:root:/root:/bin/bash\n")
    (catalog / "passwd.yaml").symlink_to(private)
    problem = only_problem_text(run())
    assert "passwd.yaml: a link pointing outside the catalog folder; not read" in problem
    assert SECRET not in problem

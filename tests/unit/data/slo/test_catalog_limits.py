"""The catalog's caps (size, nesting, documents, aliases) and its link rule: a hostile file is refused alone, by name.

Every test puts one valid SLO file next to the hostile one and checks that the valid SLO still loads.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from data.slo.catalog import Catalog, CatalogLimits, CatalogProblem, load_catalog
from tests.unit.data.slo.test_catalog import slo, write

SECRET = "secret-first-line-7f3a"


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test from its tmp_path so that problems name files relative to it."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A catalog folder holding one valid SLO, ``valid-availability`` in ``valid.yaml``."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    write(catalog, "valid.yaml", slo("valid-availability"))
    return catalog


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the catalog folder whose first line must never reach a problem text."""
    path = tmp_path / "private" / "passwd"
    path.parent.mkdir()
    path.write_text(f"{SECRET}:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return path


def refused_alone(catalog: Catalog, file: str) -> CatalogProblem:
    """The valid SLO still loads and the only problem is the file-level refusal of ``file``."""
    assert [s.name for s in catalog.slos] == ["valid-availability"]
    assert len(catalog.problems) == 1, [str(p) for p in catalog.problems]
    (problem,) = catalog.problems
    assert problem.file == f"catalog/{file}"
    assert problem.document is None
    return problem


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# -- nesting -------------------------------------------------------------------------------------------------------


def test_five_thousand_nested_brackets_are_refused_by_name_not_a_recursion_error(folder):
    (folder / "checkout.yaml").write_text("[" * 5000, encoding="utf-8")
    problem = refused_alone(load_catalog(folder), "checkout.yaml")
    assert str(problem) == "catalog/checkout.yaml: nested deeper than 50 levels; the file is skipped"


def test_deep_block_mappings_are_refused_like_flow_brackets(folder):
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(60)) + "  " * 60 + "leaf\n"
    (folder / "deep.yaml").write_text(text, encoding="utf-8")
    problem = refused_alone(load_catalog(folder), "deep.yaml")
    assert "nested deeper than 50 levels" in problem.message


def test_nesting_of_exactly_the_cap_is_read(folder):
    (folder / "fifty.yaml").write_text(nested(50), encoding="utf-8")
    catalog = load_catalog(folder)
    assert [s.name for s in catalog.slos] == ["valid-availability"]
    (problem,) = catalog.problems
    assert problem.document == 1  # read and checked: a list is not a document, but no cap was hit
    assert "must be a mapping" in problem.message


def test_aliases_count_their_anchor_nesting_so_a_merge_chain_cannot_recurse(folder):
    lines = ["a0: &a0 {x: 1}"] + [f"a{i}: &a{i} {{<<: *a{i - 1}}}" for i in range(1, 3000)]
    (folder / "chain.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = refused_alone(load_catalog(folder), "chain.yaml")
    assert "nested deeper than 50 levels" in problem.message


def test_nesting_cap_is_configurable(folder):
    (folder / "eleven.yaml").write_text(nested(11), encoding="utf-8")  # the valid SLO nests 8 levels
    problem = refused_alone(load_catalog(folder, limits=CatalogLimits(depth=10)), "eleven.yaml")
    assert problem.message == "nested deeper than 10 levels; the file is skipped"


# -- aliases -------------------------------------------------------------------------------------------------------


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly_by_name(folder):
    (folder / "laughs.yaml").write_text(billion_laughs(), encoding="utf-8")
    started = time.monotonic()
    problem = refused_alone(load_catalog(folder), "laughs.yaml")
    assert time.monotonic() - started < 5
    assert problem.message == "more than 200000 values once aliases are expanded; the file is skipped"
    assert "lol" not in str(problem)


def test_an_alias_inside_its_own_anchor_is_refused(folder):
    (folder / "loop.yaml").write_text("a: &loop [1, *loop]\n", encoding="utf-8")
    problem = refused_alone(load_catalog(folder), "loop.yaml")
    assert problem.message == "an alias inside the anchor it refers to; the file is skipped"


def test_ordinary_anchors_and_merge_keys_still_load(folder):
    text = yaml.safe_dump(slo("merged-availability"), sort_keys=False)
    text = text.replace("spec:\n", "spec: &spec\n", 1)
    text += "---\n" + text.replace("merged-availability", "second-availability").replace("&spec", "&spec2")
    (folder / "anchors.yaml").write_text(text, encoding="utf-8")
    catalog = load_catalog(folder)
    assert not catalog.problems, [str(p) for p in catalog.problems]
    assert {s.name for s in catalog.slos} == {"merged-availability", "second-availability", "valid-availability"}


# -- documents -----------------------------------------------------------------------------------------------------


def test_more_documents_than_the_cap_refuse_the_whole_file(folder):
    (folder / "many.yaml").write_text("---\n{}\n" * 1001, encoding="utf-8")
    problem = refused_alone(load_catalog(folder), "many.yaml")
    assert problem.message == "more than 1000 documents; the file is skipped"


def test_documents_up_to_the_cap_are_read(folder):
    (folder / "two.yaml").write_text("---\n---\n", encoding="utf-8")
    catalog = load_catalog(folder, limits=CatalogLimits(documents=2))
    assert not catalog.problems
    assert [s.name for s in catalog.slos] == ["valid-availability"]


# -- size ------------------------------------------------------------------------------------------------------------


def test_a_file_over_one_mebibyte_is_refused_unread(folder):
    (folder / "big.yaml").write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    problem = refused_alone(load_catalog(folder), "big.yaml")
    assert problem.message == "larger than 1 MiB, the cap for one file; the file is skipped"


def test_a_file_at_the_size_cap_is_read(folder):
    cap = (folder / "valid.yaml").stat().st_size
    (folder / "padded.yaml").write_text("#" * (cap - 1) + "\n", encoding="utf-8")
    catalog = load_catalog(folder, limits=CatalogLimits(file_bytes=cap))
    assert not catalog.problems, [str(p) for p in catalog.problems]


def test_files_past_the_total_cap_are_refused_and_the_earlier_ones_load(folder):
    size = (folder / "valid.yaml").stat().st_size
    write(folder, "zz-later.yaml", slo("later-availability"))
    catalog = load_catalog(folder, limits=CatalogLimits(total_bytes=size + 10))
    problem = refused_alone(catalog, "zz-later.yaml")
    assert problem.message == f"not read: the catalog's files together pass {size + 10} bytes, the cap for all files"


# -- links and special files -------------------------------------------------------------------------------------------


def test_a_link_to_a_file_outside_the_folder_is_refused_by_name_and_never_read(folder, outside):
    (folder / "passwd.yaml").symlink_to(outside)
    problem = refused_alone(load_catalog(folder), "passwd.yaml")
    assert str(problem) == "catalog/passwd.yaml: a link pointing outside the catalog folder; not read"
    assert SECRET not in str(problem)


def test_a_relative_link_climbing_out_of_the_folder_is_refused(folder, outside):
    (folder / "up.yaml").symlink_to(Path("..") / "private" / "passwd")
    problem = refused_alone(load_catalog(folder), "up.yaml")
    assert "a link pointing outside the catalog folder" in problem.message


def test_a_link_to_a_system_device_is_refused(folder):
    (folder / "zero.yaml").symlink_to("/dev/zero")
    problem = refused_alone(load_catalog(folder), "zero.yaml")
    assert "a link pointing outside the catalog folder" in problem.message


def test_a_linked_folder_pointing_outside_is_refused_and_not_entered(folder, outside, tmp_path):
    (outside.parent / "other.yaml").write_text(f"{SECRET}: 1\n", encoding="utf-8")
    (folder / "team-b").symlink_to(outside.parent, target_is_directory=True)
    catalog = load_catalog(folder)
    problem = refused_alone(catalog, "team-b")
    assert "a link pointing outside the catalog folder" in problem.message
    assert SECRET not in str(problem)


def test_a_link_inside_the_folder_to_a_file_inside_is_read_as_kubernetes_mounts_do(folder):
    # A Kubernetes ConfigMap volume: checkout.yaml -> ..data/checkout.yaml, ..data -> ..2026_01_01 (hidden folders).
    real = folder / "..2026_01_01"
    real.mkdir()
    write(real, "checkout.yaml", slo("checkout-availability"))
    (folder / "..data").symlink_to(real.name, target_is_directory=True)
    (folder / "checkout.yaml").symlink_to(Path("..data") / "checkout.yaml")
    catalog = load_catalog(folder)
    assert not catalog.problems, [str(p) for p in catalog.problems]
    assert [s.name for s in catalog.slos] == ["checkout-availability", "valid-availability"]


def test_a_fifo_is_refused_without_blocking(folder):
    os.mkfifo(folder / "pipe.yaml")
    problem = refused_alone(load_catalog(folder), "pipe.yaml")
    assert problem.message == "not a regular file (a FIFO); not read"


def test_a_link_inside_the_folder_to_a_fifo_is_refused(folder):
    os.mkfifo(folder / ".pipe")
    (folder / "pipe.yaml").symlink_to(".pipe")
    problem = refused_alone(load_catalog(folder), "pipe.yaml")
    assert problem.message == "not a regular file (a FIFO); not read"


def test_a_dangling_link_is_a_problem_not_an_error(folder):
    (folder / "gone.yaml").symlink_to("missing.yaml")
    problem = refused_alone(load_catalog(folder), "gone.yaml")
    assert problem.message.startswith("cannot be read (")


def test_a_catalog_given_as_one_linked_file_is_read(tmp_path):
    real = write(tmp_path, "real.yaml", slo("linked-availability"))
    (tmp_path / "catalog.yaml").symlink_to(real)
    catalog = load_catalog(tmp_path / "catalog.yaml")
    assert not catalog.problems
    assert [s.name for s in catalog.slos] == ["linked-availability"]


def test_a_catalog_folder_given_through_a_link_is_read(folder, tmp_path):
    (tmp_path / "slos").symlink_to(folder, target_is_directory=True)
    catalog = load_catalog(tmp_path / "slos")
    assert not catalog.problems
    assert [s.name for s in catalog.slos] == ["valid-availability"]

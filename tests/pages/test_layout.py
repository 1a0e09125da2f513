"""The pages folder's shape is a security property: Streamlit serves any ``pages/*.py`` by its file name through
its legacy router, before app.py's sign-in check runs, so only feature folders may sit in ``pages/``."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_no_python_file_sits_directly_in_pages():
    assert sorted(path.name for path in (REPO / "pages").glob("*.py")) == []


def test_every_page_app_py_registers_is_a_page_py_in_a_feature_folder():
    text = (REPO / "app.py").read_text(encoding="utf-8")
    registered = re.findall(r'st\.Page\(\s*"([^"]+)"', text)
    assert registered, "app.py registers no page"
    for path in registered:
        parts = Path(path).parts
        assert len(parts) == 3 and parts[0] == "pages" and parts[2].endswith(".py"), path
        assert (REPO / path).is_file(), path


def test_the_old_view_and_ui_folders_are_gone():
    assert not (REPO / "views").exists() and not (REPO / "ui").exists()

"""The drill-down helper's links (``pages.common.widgets.drilldown_table``): what a table's link opens, and the pages
it may switch to are the ones app.py serves."""

from __future__ import annotations

import ast
from pathlib import Path

from pages.common.widgets import LINKED_PAGES, Drilldown
from pages.slo_burn.widgets import drilldown_link

APP = Path(__file__).resolve().parents[3] / "app.py"


def test_a_link_on_this_page_keeps_its_parameters_and_shows_its_name():
    target = Drilldown.from_link(drilldown_link("checkout-latency/fast-reads", at="2026-11-01T00:00Z"))
    assert target == Drilldown("", {"slo": ["checkout-latency/fast-reads"], "at": ["2026-11-01T00:00Z"]})
    assert target.shown("slo") == "checkout-latency/fast-reads"


def test_a_link_to_another_page_names_its_url_path_with_or_without_a_leading_slash():
    assert Drilldown.from_link("slo-burn?slo=a%26b") == Drilldown("slo-burn", {"slo": ["a&b"]})
    assert Drilldown.from_link("/slo-burn?slo=a") == Drilldown("slo-burn", {"slo": ["a"]})
    assert Drilldown.from_link("?item=3").shown("item") == "3"
    assert Drilldown.from_link("?service=a&service=b").shown("missing") == ""


def test_every_linked_page_is_served_by_app_py_under_that_url_path():
    pages = {}
    for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            url_path = next((k.value.value for k in node.keywords if k.arg == "url_path"), None)
            pages[url_path] = node.args[0].value
    for url_path, script in LINKED_PAGES.items():
        assert pages.get(url_path) == script, url_path

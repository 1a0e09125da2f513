"""The SLO overview over a catalog with a DataSource nothing listens on (a real refused connection): the row of the
SLO reading it shows that source's error, the SLO on the default (demo) source keeps its figures, and the sidebar's
"Data source" line names the DataSource."""

from __future__ import annotations

import socket
import textwrap

import pandas as pd
import pytest

from tests.pages.slo_burn.test_page import GOOD_SLO, clean_environment, overview, run, slo_names
from tests.support.apptest import texts

__all__ = ["clean_environment"]  # the autouse fixture: its own store, no Prometheus, no settings from outside


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def on_data_source(text: str) -> str:
    """The SLO, renamed, reading both its counters from the DataSource ``eu-mimir``."""
    return (
        textwrap.dedent(text)
        .replace("name: checkout-availability", "name: checkout-availability-eu")
        .replace("type: Prometheus", "metricSourceRef: eu-mimir")
    )


@pytest.fixture
def port(monkeypatch, tmp_path) -> int:
    port = closed_port()
    folder = tmp_path / "catalog"
    folder.mkdir()
    data_source = (
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: eu-mimir, displayName: EU Mimir}\n"
        f"spec: {{type: Prometheus, connectionDetails: {{url: 'http://127.0.0.1:{port}/prometheus'}}}}\n"
    )
    (folder / "slos.yaml").write_text(textwrap.dedent(GOOD_SLO) + "---\n" + on_data_source(GOOD_SLO))
    (folder / "sources.yaml").write_text(data_source)
    monkeypatch.setenv("SLO_CATALOG", str(folder))
    return port


def test_the_row_of_an_slo_whose_source_is_down_shows_that_sources_error_and_the_others_keep_theirs(port):
    frame = overview(run()).set_index("SLO")

    assert sorted(slo_names(frame.reset_index())) == ["checkout-availability", "checkout-availability-eu"]
    failed = frame.loc["checkout-availability-eu"]
    assert "EU Mimir [eu-mimir]" in failed["error"] and f"127.0.0.1:{port}/prometheus" in failed["error"]
    assert frame.loc["checkout-availability"]["error"] == ""
    assert pd.notna(frame.loc["checkout-availability"]["budget remaining"])
    assert pd.isna(failed["budget remaining"])


def test_the_data_source_line_names_the_catalogs_data_sources(port):
    app = run()

    assert f"EU Mimir [eu-mimir] (http://127.0.0.1:{port}/prometheus)" in texts(app.sidebar.caption)

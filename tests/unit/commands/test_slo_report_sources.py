"""``slo-report`` over a catalog with a DataSource: the JSON says which source each SLO reads (``data_source``: the
DataSource's name, or null for the default source), and an SLO whose source cannot be reached shows that source's
error while the others keep their figures. The DataSource points at a port nothing listens on: a real refusal."""

from __future__ import annotations

import json
import socket
import textwrap

from tests.unit.commands.conftest import NOW

DEMO_QUERY = 'http_requests_total{service="checkout"}'
DEMO_BAD = 'http_requests_total{service="checkout",code=~"5.."}'


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slo(name: str, ref: str | None) -> str:
    where = f"metricSourceRef: {ref}" if ref else "type: Prometheus"
    return textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {{name: {name}}}
        spec:
          service: checkout
          budgetingMethod: Occurrences
          objectives: [{{target: 0.999}}]
          indicator:
            metadata: {{name: {name}-sli}}
            spec:
              ratioMetric:
                counter: true
                bad: {{metricSource: {{{where}, spec: {{query: '{DEMO_BAD}'}}}}}}
                total: {{metricSource: {{{where}, spec: {{query: '{DEMO_QUERY}'}}}}}}
        """
    )


def write_catalog(tmp_path, port: int):
    data_source = textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: DataSource
        metadata: {{name: eu-mimir}}
        spec:
          type: Prometheus
          connectionDetails: {{url: 'http://127.0.0.1:{port}/prometheus'}}
        """
    )
    path = tmp_path / "catalog.yaml"
    path.write_text("---\n".join([slo("on-default", None), slo("on-eu", "eu-mimir"), data_source]))
    return path


def test_the_json_names_each_slos_data_source_and_the_unreachable_one_has_its_error(tmp_path, store_env, run_cli):
    port = closed_port()
    catalog = write_catalog(tmp_path, port)

    completed = run_cli(store_env, "--catalog", str(catalog), "--at", NOW, "--format", "json", command="slo-report")

    rows = {row["slo"]: row for row in json.loads(completed.stdout)["slos"]}
    assert (rows["on-default"]["data_source"], rows["on-eu"]["data_source"]) == (None, "eu-mimir")
    assert rows["on-default"]["error"] is None and rows["on-default"]["budget_remaining"] is not None
    assert rows["on-eu"]["budget_remaining"] is None
    assert f"127.0.0.1:{port}/prometheus" in rows["on-eu"]["error"] and "eu-mimir" in rows["on-eu"]["error"]
    assert completed.returncode == 2  # as for any SLO's error
    assert f"error: {rows['on-eu']['error']}" in completed.stderr


def test_a_token_for_the_data_source_from_the_environment_is_never_printed(tmp_path, store_env, run_cli):
    catalog = write_catalog(tmp_path, closed_port())
    env = {**store_env, "PROMETHEUS_SOURCE_EU_MIMIR_TOKEN": "t0ken-for-eu-never-shown"}

    completed = run_cli(env, "--catalog", str(catalog), "--at", NOW, "--format", "json", command="slo-report")

    assert "t0ken-for-eu-never-shown" not in completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["source"].count("eu-mimir") == 1  # the description names the DataSource

"""``import_slos`` end to end: the fixture files converted, written, and read back by the catalog loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from data.slo.catalog import load_catalog
from data.slo.importers.service import ImportOutcome, OutputError, import_slos
from metrics.slo.imports import SPLIT_BY_ANNOTATION, Tool

FIXTURES = Path(__file__).resolve().parents[5] / "tests" / "fixtures" / "imports"


def test_the_sloth_fixture_loads_back_with_every_slo_exactly(tmp_path):
    report = import_slos(Tool.SLOTH, [FIXTURES / "sloth-payments.yaml"], tmp_path)
    assert report.outcome is ImportOutcome.CONVERTED
    catalog = load_catalog(tmp_path)
    assert catalog.problems == []
    slos = {slo.name: slo for slo in catalog.slos}
    assert list(slos) == ["payments-charge-availability", "payments-refund-latency", "payments-ledger-writes"]
    charge = slos["payments-charge-availability"]
    assert (charge.service, charge.target, charge.time_window.duration) == ("payments", 0.9995, "30d")
    assert charge.indicator.bad_query == 'payment_charges_total{service="payments",outcome=~"5..|timeout"}'
    assert charge.indicator.total_query == 'payment_charges_total{service="payments"}'
    assert charge.description == "Charges answered without a server error."
    assert charge.labels == {"team": ("payments",), "tier": ("0",)}
    refund = slos["payments-refund-latency"]
    assert refund.target == 0.99
    assert refund.indicator.good_query == 'refund_duration_seconds_bucket{service="payments",le="0.5"}'
    assert refund.indicator.total_query == 'refund_duration_seconds_count{service="payments"}'
    assert slos["payments-ledger-writes"].indicator.bad_query == 'ledger_writes_failed_total{service="payments"}'
    assert catalog.service_names() == ["payments"]


def test_the_pyrra_fixture_loads_back_with_every_slo_exactly(tmp_path):
    import_slos(Tool.PYRRA, [FIXTURES / "pyrra-checkout.yaml"], tmp_path)
    catalog = load_catalog(tmp_path)
    assert catalog.problems == []
    errors, latency = catalog.slos
    assert (errors.name, errors.service, errors.target, errors.time_window.duration) == (
        "checkout-errors",
        "checkout",
        0.995,
        "4w",
    )
    assert errors.indicator.bad_query == 'http_requests_total{job="checkout",code=~"5.."}'
    assert errors.indicator.total_query == 'http_requests_total{job="checkout"}'
    assert (latency.name, latency.target, latency.time_window.duration) == ("checkout-latency", 0.95, "36h")
    assert latency.indicator.good_query == 'http_request_duration_seconds_bucket{job="checkout",le="0.3"}'


def test_the_split_by_annotation_is_written_and_the_catalog_accepts_it(tmp_path):
    import_slos(Tool.PYRRA, [FIXTURES / "pyrra-checkout.yaml"], tmp_path)
    documents = list(yaml.safe_load_all((tmp_path / "pyrra-checkout.yaml").read_text()))
    errors = next(d for d in documents if d["metadata"]["name"] == "checkout-errors")
    assert errors["metadata"]["annotations"][SPLIT_BY_ANNOTATION] == "route,method"
    assert load_catalog(tmp_path).problems == []


def test_refused_slos_are_listed_and_the_rest_of_the_file_is_written(tmp_path):
    report = import_slos(Tool.SLOTH, [FIXTURES / "sloth-refused.yaml"], tmp_path)
    assert report.outcome is ImportOutcome.PARTLY
    assert [(r.slo, r.construct) for r in report.refusals] == [
        ("raw-ratio", "sli.raw"),
        ("from-plugin", "sli.plugin"),
        ("averaged", "sli.events.error_query"),
    ]
    assert [slo.name for slo in load_catalog(tmp_path).slos] == ["search-queries"]


def test_the_pyrra_refusals_name_bool_gauge_and_latency_native(tmp_path):
    report = import_slos(Tool.PYRRA, [FIXTURES / "pyrra-refused.yaml"], tmp_path)
    assert [(r.slo, r.construct) for r in report.refusals] == [
        ("probe-up", "spec.indicator.bool_gauge"),
        ("api-native-latency", "spec.indicator.latencyNative"),
    ]
    assert [slo.name for slo in load_catalog(tmp_path).slos] == ["edge-errors"]


def test_one_output_file_per_input_file_named_after_it(tmp_path):
    report = import_slos(Tool.SLOTH, [FIXTURES / "sloth-payments.yaml", FIXTURES / "sloth-refused.yaml"], tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sloth-payments.yaml", "sloth-refused.yaml"]
    assert [written.path for written in report.written] == [
        tmp_path / "sloth-payments.yaml",
        tmp_path / "sloth-refused.yaml",
    ]


def test_a_file_with_nothing_convertible_writes_nothing(tmp_path):
    source = tmp_path / "in" / "raw.yaml"
    source.parent.mkdir()
    source.write_text(
        "version: prometheus/v1\nservice: x\nslos:\n  - name: r\n    objective: 99\n    sli:\n"
        "      raw:\n        error_ratio_query: q\n"
    )
    report = import_slos(Tool.SLOTH, [source], tmp_path / "out")
    assert report.written == [] and not (tmp_path / "out").exists()


def test_an_existing_output_is_not_overwritten_and_nothing_is_written(tmp_path):
    (tmp_path / "sloth-refused.yaml").write_text("# mine\n")
    with pytest.raises(OutputError, match="sloth-refused.yaml already exist"):
        import_slos(Tool.SLOTH, [FIXTURES / "sloth-payments.yaml", FIXTURES / "sloth-refused.yaml"], tmp_path)
    assert (tmp_path / "sloth-refused.yaml").read_text() == "# mine\n"
    assert not (tmp_path / "sloth-payments.yaml").exists()


def test_force_replaces_an_existing_output(tmp_path):
    (tmp_path / "sloth-payments.yaml").write_text("# old\n")
    import_slos(Tool.SLOTH, [FIXTURES / "sloth-payments.yaml"], tmp_path, force=True)
    assert len(load_catalog(tmp_path).slos) == 3


def test_two_inputs_that_would_write_one_file_are_refused_before_writing(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "api.yaml").write_text((FIXTURES / "sloth-payments.yaml").read_text())
    with pytest.raises(OutputError, match="would both be written"):
        import_slos(Tool.SLOTH, [tmp_path / "a" / "api.yaml", tmp_path / "b" / "api.yaml"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_malformed_yaml_is_unreadable_with_its_file_and_line_and_the_other_files_still_convert(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: prometheus/v1\nservice: x\nslos:\n  - name: [oops\n")
    report = import_slos(Tool.SLOTH, [broken, FIXTURES / "sloth-payments.yaml"], tmp_path / "out")
    assert report.outcome is ImportOutcome.UNREADABLE
    (unreadable,) = report.unreadable
    assert unreadable.file == broken.as_posix() and "line 5" in unreadable.message
    assert [written.path.name for written in report.written] == ["sloth-payments.yaml"]


def test_a_missing_input_is_unreadable_by_name(tmp_path):
    report = import_slos(Tool.PYRRA, [tmp_path / "nope.yaml"], tmp_path / "out")
    assert [u.file for u in report.unreadable] == [(tmp_path / "nope.yaml").as_posix()]


def test_yaml_nested_too_deeply_is_unreadable_not_a_crash(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    report = import_slos(Tool.SLOTH, [deep], tmp_path / "out")
    assert [u.message for u in report.unreadable] == ["nested too deeply to read as YAML"]


def test_a_file_over_the_catalogs_size_cap_is_unreadable(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (1 << 20) + "\n")
    report = import_slos(Tool.PYRRA, [big], tmp_path / "out")
    assert "larger than 1 MiB" in report.unreadable[0].message

"""Valid OpenSLO v1 shapes the catalog refused before issue 12, and how it reads them now.

Each case is written out as YAML in the test, as a team would write it (or as OpenSLO's own formatter does): label
values as lists, an SLO without ``timeWindow``, a file whose top level is a list of objects, several objectives per
SLO, and the kinds and constructs this tool reads but does not use or handle yet (notices, not problems).
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data.slo.alert_rules import burn_rate_rules
from data.slo.catalog import Catalog, CatalogLimits, CatalogProblem, Severity, load_catalog
from data.slo.demo import DemoSource
from data.slo.service import load_report
from metrics.slo.definitions import RawRatioIndicator, RawType, TimeWindow
from tests.support.catalogs import RAW_RATIO_SLO as RAW_SLO

AT = datetime(2026, 11, 1, tzinfo=UTC)

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: checkout
  indicator:
    metadata: {name: checkout-non-5xx}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service="checkout",code!~"5.."}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service="checkout"}'}}}
  timeWindow:
    - {duration: 30d, isRolling: true}
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test from its tmp_path so that problems name files relative to it."""
    monkeypatch.chdir(tmp_path)


def load_text(tmp_path: Path, text: str, filename: str = "catalog.yaml", limits: CatalogLimits | None = None):
    path = tmp_path / filename
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_catalog(path) if limits is None else load_catalog(path, limits)


def slo_text(replace: dict[str, str] | None = None) -> str:
    text = SLO
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def as_list_item(document: str) -> str:
    """A YAML document as an item of a top-level list (what OpenSLO's formatter writes)."""
    lines = document.rstrip("\n").splitlines()
    return "\n".join(["- " + lines[0], *("  " + line for line in lines[1:])]) + "\n"


def only_problem(catalog: Catalog) -> CatalogProblem:
    assert len(catalog.problems) == 1, [str(p) for p in catalog.problems]
    return catalog.problems[0]


def only_notice(catalog: Catalog) -> CatalogProblem:
    assert len(catalog.notices) == 1, [str(n) for n in catalog.notices]
    return catalog.notices[0]


# -- label values as lists ------------------------------------------------------------------------------------------


def test_label_values_given_as_a_list_are_all_kept_in_order(tmp_path):
    text = slo_text({"  name: checkout-availability\n": "  name: checkout-availability\n  labels: {team: [b, a]}\n"})

    catalog = load_text(tmp_path, text)

    assert catalog.problems == []
    assert catalog.slos[0].labels == {"team": ("b", "a")}


def test_a_label_given_as_one_string_is_one_value(tmp_path):
    text = slo_text({"  name: checkout-availability\n": '  name: checkout-availability\n  labels: {tier: "1"}\n'})

    assert load_text(tmp_path, text).slos[0].labels == {"tier": ("1",)}


def test_a_label_list_holding_a_number_is_a_problem_naming_the_label(tmp_path):
    text = slo_text({"  name: checkout-availability\n": "  name: checkout-availability\n  labels: {team: [a, 5]}\n"})

    catalog = load_text(tmp_path, text)

    assert catalog.slos == []
    assert only_problem(catalog).field == "metadata.labels.team"


def test_list_label_values_are_accepted_on_an_inline_indicator(tmp_path):
    text = slo_text({"metadata: {name: checkout-non-5xx}": "metadata: {name: checkout-non-5xx, labels: {k: [x, y]}}"})

    assert load_text(tmp_path, text).problems == []


# -- an SLO without timeWindow ----------------------------------------------------------------------------------------


def test_an_slo_without_time_window_gets_28_days_rolling_marked_as_defaulted(tmp_path):
    catalog = load_text(tmp_path, slo_text({"  timeWindow:\n    - {duration: 30d, isRolling: true}\n": ""}))

    assert catalog.problems == []
    assert catalog.slos[0].time_window == TimeWindow(duration="28d", is_rolling=True, defaulted=True)


def test_a_defaulted_window_is_shown_as_28d_default():
    assert TimeWindow(duration="28d", is_rolling=True, defaulted=True).shown_label == "28d (default)"


def test_a_stated_window_is_not_marked_as_defaulted(tmp_path):
    window = load_text(tmp_path, SLO).slos[0].time_window

    assert (window.defaulted, window.shown_label) == (False, "30d")


# -- a top-level list of objects --------------------------------------------------------------------------------------


SERVICE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout, displayName: Checkout}
spec: {description: Turns a basket into an order.}
"""


def test_every_item_of_a_top_level_list_is_read_as_a_document(tmp_path):
    catalog = load_text(tmp_path, as_list_item(SERVICE) + as_list_item(SLO))

    assert catalog.problems == []
    assert [s.name for s in catalog.slos] == ["checkout-availability"]
    assert set(catalog.services) == {"checkout"}
    assert catalog.slos[0].source == "catalog.yaml, item 2"


def test_a_problem_in_a_list_item_names_the_file_and_the_item(tmp_path):
    broken = slo_text({"name: checkout-availability": "name: checkout-latency", "target: 0.999": "target: 2"})

    catalog = load_text(tmp_path, as_list_item(SERVICE) + as_list_item(SLO) + as_list_item(broken))

    problem = only_problem(catalog)
    assert (problem.document, problem.item) == (1, 3)
    assert str(problem).startswith('catalog.yaml, item 3 (SLO "checkout-latency"), field spec.objectives[0].target:')
    assert [s.name for s in catalog.slos] == ["checkout-availability"]


def test_a_list_in_a_file_of_several_documents_names_the_document_and_the_item(tmp_path):
    broken = slo_text({"target: 0.999": "target: 2"})

    catalog = load_text(tmp_path, SERVICE + "---\n" + as_list_item(broken))

    assert str(only_problem(catalog)).startswith('catalog.yaml, document 2, item 1 (SLO "checkout-availability")')


def test_a_duplicate_key_is_reported_with_the_list_item_that_holds_it(tmp_path):
    duplicated = slo_text({"    - target: 0.999\n": "    - target: 0.999\n      target: 0.9\n"})

    catalog = load_text(
        tmp_path, as_list_item(SLO.replace("checkout-availability", "first")) + as_list_item(duplicated)
    )

    problem = only_problem(catalog)
    assert problem.item == 2 and "duplicate key 'target'" in problem.message
    assert [s.name for s in catalog.slos] == ["first"]


def test_list_items_count_against_the_documents_cap(tmp_path):
    catalog = load_text(tmp_path, as_list_item(SERVICE) * 3, limits=CatalogLimits(documents=2))

    assert catalog.services == {}
    assert "more than 2 documents" in only_problem(catalog).message


def test_the_depth_cap_still_holds_inside_a_list_item(tmp_path):
    deep = as_list_item(SERVICE).rstrip("\n") + "\n  extra: " + "[" * 30 + "]" * 30 + "\n"

    catalog = load_text(tmp_path, as_list_item(SERVICE) + deep, limits=CatalogLimits(depth=20))

    assert "nested deeper than 20 levels" in only_problem(catalog).message


def test_a_top_level_list_of_plain_values_is_one_problem_naming_the_first_that_is_not_an_object(tmp_path):
    catalog = load_text(tmp_path, as_list_item(SERVICE) + "- just a string\n")

    problem = only_problem(catalog)
    assert "or a list of them" in problem.message and "item 2 is string 'just a string'" in problem.message


# -- several objectives -----------------------------------------------------------------------------------------------


TWO_OBJECTIVES = {
    "  objectives:\n    - target: 0.999\n": (
        "  objectives:\n    - displayName: Nearly all (99.9%)\n      target: 0.999\n    - targetPercent: 99\n"
    )
}


def test_each_objective_becomes_its_own_slo_named_after_its_display_name_or_index(tmp_path):
    catalog = load_text(tmp_path, slo_text(TWO_OBJECTIVES))

    assert catalog.problems == []
    assert [(s.name, s.target) for s in catalog.slos] == [
        ("checkout-availability/nearly-all-99-9", 0.999),
        ("checkout-availability/1", 0.99),
    ]


def test_each_objective_keeps_its_display_name_and_its_place_in_the_file(tmp_path):
    catalog = load_text(tmp_path, slo_text(TWO_OBJECTIVES))

    first, second = catalog.slos
    assert (first.objective_display_name, second.objective_display_name) == ("Nearly all (99.9%)", None)
    assert second.source == "catalog.yaml, document 1, spec.objectives[1]"


def test_one_slo_of_several_objectives_knows_its_objective_key_and_a_lone_objective_has_none(tmp_path):
    several = load_text(tmp_path, slo_text(TWO_OBJECTIVES), filename="several.yaml").slos
    alone = load_text(tmp_path, SLO, filename="alone.yaml").slos

    assert [s.objective_key for s in several] == ["nearly-all-99-9", "1"]
    assert [s.objective_key for s in alone] == [None]


def test_an_slo_with_one_objective_keeps_its_plain_name(tmp_path):
    assert [s.name for s in load_text(tmp_path, SLO).slos] == ["checkout-availability"]


def test_an_objective_whose_display_name_has_no_letters_or_digits_is_named_by_its_index(tmp_path):
    text = slo_text(TWO_OBJECTIVES).replace("Nearly all (99.9%)", "Доступность")

    assert [s.name for s in load_text(tmp_path, text).slos] == ["checkout-availability/0", "checkout-availability/1"]


def test_two_objectives_that_would_get_the_same_name_are_a_problem(tmp_path):
    same = {"  objectives:\n    - target: 0.999\n": "  objectives:\n    - {displayName: Fast, target: 0.9}\n"
            "    - {displayName: fast!, target: 0.99}\n"}  # fmt: skip

    catalog = load_text(tmp_path, slo_text(same))

    assert catalog.slos == []
    assert only_problem(catalog).field == "spec.objectives[1].displayName"


def test_a_problem_in_one_objective_skips_the_whole_slo(tmp_path):
    catalog = load_text(tmp_path, slo_text(TWO_OBJECTIVES).replace("targetPercent: 99", "targetPercent: 100"))

    assert catalog.slos == []
    assert only_problem(catalog).field == "spec.objectives[1].targetPercent"


def test_each_objective_gets_its_own_report_row_with_its_own_target(tmp_path):
    slos = load_text(tmp_path, slo_text(TWO_OBJECTIVES)).slos

    report = load_report(DemoSource(end=AT), slos, AT)

    rows = {status.slo.name: status for status in report.statuses}
    assert set(rows) == {"checkout-availability/nearly-all-99-9", "checkout-availability/1"}
    strict, loose = rows["checkout-availability/nearly-all-99-9"], rows["checkout-availability/1"]
    assert strict.sli == loose.sli  # the same indicator over the same events
    budget_used_strict = (1 - strict.sli) / (1 - 0.999)
    budget_used_loose = (1 - loose.sli) / (1 - 0.99)
    assert strict.budget_remaining == pytest.approx(1 - budget_used_strict)
    assert loose.budget_remaining == pytest.approx(1 - budget_used_loose)


def test_each_objective_gets_its_own_alert_rules_labelled_with_its_name(tmp_path):
    slos = load_text(tmp_path, slo_text(TWO_OBJECTIVES)).slos

    groups = burn_rate_rules(slos, AT)["groups"]

    assert len(groups) == 2
    labels = {rule["labels"]["slo"] for group in groups for rule in group["rules"]}
    assert labels == {"checkout-availability/nearly-all-99-9", "checkout-availability/1"}


# -- kinds read but not used yet, constructs not handled yet ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["AlertNotificationTarget"])
def test_a_valid_document_of_a_tolerated_kind_is_a_notice_not_a_problem(tmp_path, kind):
    other = f"apiVersion: openslo/v1\nkind: {kind}\nmetadata: {{name: shared}}\nspec: {{description: x}}\n"

    catalog = load_text(tmp_path, SLO + "---\n" + other)

    assert catalog.problems == []
    assert [s.name for s in catalog.slos] == ["checkout-availability"]
    notice = only_notice(catalog)
    assert (notice.severity, notice.document, notice.kind) == (Severity.NOT_USED, 2, kind)
    assert "read but not used yet" in notice.message


def test_a_tolerated_kind_with_an_invalid_name_is_still_a_problem(tmp_path):
    catalog = load_text(tmp_path, "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: Bad_Name}\nspec: {}\n")

    assert catalog.notices == []
    assert only_problem(catalog).field == "metadata.name"


def test_a_metric_source_ref_without_a_query_is_a_problem_naming_the_spec(tmp_path):
    datasource = "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: mimir}\n" \
                 "spec: {type: Prometheus, connectionDetails: {url: 'http://mimir:8080/prometheus'}}\n"  # fmt: skip
    total = "total: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service=\"checkout\"}'}}}"
    text = slo_text({total: "total: {metricSource: {metricSourceRef: mimir}}"})

    catalog = load_text(tmp_path, datasource + "---\n" + text)

    assert catalog.slos == []
    assert [p.field for p in catalog.problems] == ["spec.indicator.spec.ratioMetric.total.metricSource.spec"]


RAW_SLI = (
    "apiVersion: openslo/v1\nkind: SLI\nmetadata: {{name: success}}\nspec:\n  ratioMetric:\n"
    "    rawType: {raw_type}\n"
    "    raw: {{metricSource: {{type: Prometheus, spec: {{query: 'job:success:ratio_rate5m'}}}}}}\n{extra}"
)


def raw_catalog(tmp_path, raw_type: str = "success", extra: str = "") -> Catalog:
    start, end = SLO.index("  indicator:"), SLO.index("  timeWindow:")
    text = SLO[:start] + "  indicatorRef: success\n" + SLO[end:]
    return load_text(tmp_path, RAW_SLI.format(raw_type=raw_type, extra=extra) + "---\n" + text)


def test_an_slo_on_a_raw_success_ratio_reads_the_ratio_one_point_a_minute(tmp_path):
    catalog = raw_catalog(tmp_path)

    (slo,) = catalog.slos
    assert (catalog.problems, catalog.notices) == ([], [])
    assert slo.indicator == RawRatioIndicator(query="job:success:ratio_rate5m", raw_type=RawType.SUCCESS)
    assert (slo.unit, slo.counts_events) == ("points", False)


def test_a_raw_failure_ratio_is_read_as_the_share_of_bad(tmp_path):
    (slo,) = raw_catalog(tmp_path, raw_type="failure").slos
    assert slo.indicator.raw_type is RawType.FAILURE


@pytest.mark.parametrize(
    ("raw_type", "extra", "field"),
    [
        ("ratio", "", "spec.ratioMetric.rawType"),
        (
            "success",
            "    total: {metricSource: {type: Prometheus, spec: {query: 'all_total'}}}\n",
            "spec.ratioMetric.total",
        ),
    ],
)
def test_a_raw_ratio_with_a_bad_type_or_with_counters_beside_it_is_a_problem_naming_the_field(
    tmp_path, raw_type, extra, field
):
    catalog = raw_catalog(tmp_path, raw_type=raw_type, extra=extra)
    assert catalog.slos == [] and field in [problem.field for problem in catalog.problems]


def test_a_raw_type_without_a_raw_ratio_is_a_problem(tmp_path):
    catalog = load_text(tmp_path, slo_text({"counter: true": "counter: true\n        rawType: success"}))
    assert only_problem(catalog).field == "spec.indicator.spec.ratioMetric.rawType"


def test_timeslice_fields_without_timeslice_budgeting_are_still_a_problem(tmp_path):
    catalog = load_text(tmp_path, slo_text({"- target: 0.999": "- {target: 0.999, timeSliceWindow: 1m}"}))

    assert only_problem(catalog).field == "spec.objectives[0].timeSliceWindow"


# -- slo-report -------------------------------------------------------------------------------------------------------


@pytest.fixture
def report_cli(monkeypatch, capsys, tmp_path):
    """``cli.main(["slo-report", ...])`` in-process on the demo source, with no settings from outside."""
    import os

    import cli

    for name in list(os.environ):
        if name.startswith(("PROMETHEUS_", "SLO_", "TEAM_", "RELIABILITY_", "DATABASE")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")

    def run(catalog: Path, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["slo-report", "--catalog", str(catalog), "--demo", "--at", AT.isoformat(), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_slo_report_exits_0_on_a_valid_catalog_with_a_tolerated_kind_and_names_it_as_a_notice(report_cli, tmp_path):
    (tmp_path / "catalog.yaml").write_text(SLO + "---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\n"
                                           "metadata: {name: pager}\nspec: {target: x}\n")  # fmt: skip

    code, out, err = report_cli(tmp_path / "catalog.yaml", "--format", "table")

    assert code == 0, err
    assert "checkout-availability" in out
    assert "catalog notice (read but not used yet): catalog.yaml, document 2 (AlertNotificationTarget" in err


def test_slo_report_reads_an_slo_on_a_raw_ratio_as_points_and_exits_0(report_cli, tmp_path):
    (tmp_path / "catalog.yaml").write_text(RAW_SLO)

    code, out, err = report_cli(tmp_path / "catalog.yaml", "--format", "json")

    assert code == 0, err
    (row,) = json.loads(out)["slos"]
    assert (row["slo"], row["counted"], row["method"]) == (
        "checkout-raw",
        "points",
        "Occurrences, raw success ratio each 1m",
    )
    assert "notice" not in err


def test_slo_report_still_exits_2_when_a_document_is_invalid(report_cli, tmp_path):
    (tmp_path / "catalog.yaml").write_text(SLO + "---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {}\n")

    code, _, err = report_cli(tmp_path / "catalog.yaml", "--format", "json")

    assert code == 2
    assert "catalog: catalog.yaml, document 2" in err


def test_slo_report_table_shows_a_defaulted_window_as_such(report_cli, tmp_path):
    (tmp_path / "catalog.yaml").write_text(slo_text({"  timeWindow:\n    - {duration: 30d, isRolling: true}\n": ""}))

    code, out, err = report_cli(tmp_path / "catalog.yaml", "--format", "table")

    assert code == 0, err
    row = next(line for line in out.splitlines() if "checkout-availability" in line)
    assert "28d (default)" in row


def test_slo_report_lists_notices_in_its_json(report_cli, tmp_path):
    import json

    (tmp_path / "catalog.yaml").write_text(SLO + "---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\n"
                                           "metadata: {name: pager}\nspec: {target: pager}\n")  # fmt: skip

    code, out, _ = report_cli(tmp_path / "catalog.yaml", "--format", "json")

    payload = json.loads(out)
    assert code == 0 and payload["catalog_problems"] == []
    assert [n["severity"] for n in payload["catalog_notices"]] == ["read but not used yet"]


def test_the_example_catalog_keeps_a_label_given_as_a_list():
    example = Path(__file__).resolve().parents[4] / "config" / "slos"

    catalog = load_catalog(example)

    assert catalog.slo("checkout-availability").labels["tags"] == ("customer-facing", "revenue")

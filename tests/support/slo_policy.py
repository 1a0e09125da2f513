"""A two-service catalog for the error-budget policy's tests, on the demo data: checkout-availability at a 99.99 %
target has overspent its budget (the demo's checkout errors are about 0.03 % of requests: spent ≈ 0.0003 ÷ 0.0001 =
about 300 %), so checkout is in freeze; search-availability at 90 % has spent almost nothing, so search is normal."""

from __future__ import annotations

from pathlib import Path

from tests.unit.data.slo.test_catalog_tiers import SLO

SPENT_SERVICE, NORMAL_SERVICE = "checkout", "search"


def write_spent_catalog(folder: Path) -> Path:
    """The catalog file (in ``folder``), returned for ``SLO_CATALOG``."""
    spent = SLO.replace("target: 0.999", "target: 0.9999").replace("{ANNOTATIONS}", "{}")
    normal = SLO.replace("checkout", "search").replace("target: 0.999", "target: 0.9").replace("{ANNOTATIONS}", "{}")
    path = folder / "policy-slos.yaml"
    path.write_text(spent + "---\n" + normal, encoding="utf-8")
    return path

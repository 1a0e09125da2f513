"""The exporter source's queries: a database's ``datname`` from databases.toml is a label value, escaped, so a
quote in it cannot end the selector and add PromQL of its own."""

from __future__ import annotations

import pytest

from data.databases.probes.prometheus_exporter import _matchers
from data.slo.promql import Matcher, parse_selector

INJECTIONS = ['orders"} or vector(1) #', 'a\\"b', "line\nbreak", "back\\slash\\", '"', "{}"]


@pytest.mark.parametrize("datname", INJECTIONS)
def test_the_datname_is_one_label_value_whatever_it_holds(datname):
    selector = parse_selector("pg_stat_database_blks_hit" + _matchers('{job="orders-pg"}', datname=datname))
    assert selector.matchers == (Matcher("job", "=", "orders-pg"), Matcher("datname", "=", datname))

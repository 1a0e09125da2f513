"""RoutedSource's own rules, with sources that answer as slowly or as badly as a test needs (the real Prometheus
cases are in tests/integration/slo/test_named_sources.py): the batches run side by side within one deadline, a source
that does not answer by then costs only its own SLOs, and a bug in a source is not taken for a source that is down."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from data.slo.routed import GRACE_SECONDS, RoutedSource
from data.slo.sources import CountsResult, SourceError
from metrics.slo.definitions import EventCounts, RatioIndicator, SloDefinition, TimeWindow

AT = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass
class _Timeout:
    timeout_seconds: float


class SlowSource:
    """Answers every SLO with 100 events, 1 bad, after ``delay`` seconds; or raises ``error``."""

    is_demo = False
    query_count = 0

    def __init__(self, name: str, delay: float = 0.0, timeout: float = 0.2, error: Exception | None = None):
        self.description = name
        self.settings = _Timeout(timeout)
        self.delay, self.error = delay, error
        self.release = threading.Event()

    def window_counts(self, slos, at, exclusions=None) -> CountsResult:
        self.release.wait(self.delay)
        if self.error is not None:
            raise self.error
        return CountsResult(counts={slo.name: {"period": EventCounts(total=100, bad=1)} for slo in slos})


def slo(name: str, data_source: str | None) -> SloDefinition:
    return SloDefinition(
        name=name,
        service="shop",
        target=0.99,
        time_window=TimeWindow(duration="1d", is_rolling=True),
        indicator=RatioIndicator(total_query="all_total", bad_query="bad_total"),
        data_source=data_source,
    )


SLOS = [slo("on-default", None), slo("on-a", "a"), slo("on-b", "b")]


def test_the_batches_run_side_by_side():
    sources = {"a": SlowSource("A", delay=0.3, timeout=1.0), "b": SlowSource("B", delay=0.3, timeout=1.0)}
    routed = RoutedSource(SlowSource("default", delay=0.3, timeout=1.0), sources)

    started = time.monotonic()
    result = routed.window_counts(SLOS, AT)

    assert time.monotonic() - started < 0.3 * 2  # one at a time would take 0.9 s
    assert result.errors == {} and set(result.counts) == {"on-default", "on-a", "on-b"}


def test_a_source_still_silent_at_the_deadline_costs_only_its_own_slos():
    silent = SlowSource("B (http://b:9090)", delay=30, timeout=0.2)
    routed = RoutedSource(SlowSource("default"), {"a": SlowSource("A"), "b": silent})

    started = time.monotonic()
    try:
        result = routed.window_counts(SLOS, AT)
    finally:
        silent.release.set()

    assert time.monotonic() - started < 0.2 + GRACE_SECONDS + 0.5
    assert set(result.errors) == {"on-b"} and result.errors["on-b"].startswith("B (http://b:9090) did not answer")
    assert set(result.counts) == {"on-default", "on-a"}


def test_a_source_error_is_given_to_its_slos_naming_the_source():
    routed = RoutedSource(SlowSource("default", error=SourceError("connection refused")), {"a": SlowSource("A")})

    result = routed.window_counts(SLOS[:2], AT)

    assert result.errors == {"on-default": "default: connection refused"}
    assert set(result.counts) == {"on-a"}


def test_a_bug_in_a_source_is_raised_not_taken_for_a_source_that_is_down():
    routed = RoutedSource(SlowSource("default"), {"a": SlowSource("A", error=KeyError("oops"))})

    with pytest.raises(KeyError):
        routed.window_counts(SLOS[:2], AT)


def test_what_is_not_about_one_slo_goes_to_the_default_source():
    default = SlowSource("default")
    default.instant = lambda query, at: [{"from": "default"}]
    routed = RoutedSource(default, {"a": SlowSource("A")})

    assert routed.instant("up", AT) == [{"from": "default"}]
    assert routed.settings is default.settings

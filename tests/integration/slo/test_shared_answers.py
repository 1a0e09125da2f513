"""Prometheus answers shared through the store by several app processes, on a real PostgreSQL and MariaDB and a real
Prometheus. Each process is a source of its own (its own memory cache and HTTP session): the store is all they
share, as two replicas behind a load balancer would."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from data.slo.shared_answers import SharedAnswers, source_identity
from data.slo.sources import SourceError
from data.store import engine_for, migrate
from tests.integration.conftest import HISTORY_END
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")


@pytest.fixture(params=["postgres", "mariadb"])
def store(request):
    server = request.getfixturevalue(f"{request.param}_server")
    url = server.create_database(f"answers_{uuid.uuid4().hex[:10]}")
    migrate(url)
    engine = engine_for(url)
    yield engine
    engine.dispose()


def process(prometheus_url: str, engine: sa.Engine, **settings) -> PrometheusSource:
    """One app process's source: its own memory cache and session, the store's shared answers."""
    prometheus = PrometheusSettings(url=prometheus_url, **settings)
    return PrometheusSource(prometheus, SharedAnswers(engine, source_identity(prometheus), 60))


def figures(report) -> list[tuple]:
    return [(s.slo.name, s.sli, s.budget_remaining, tuple(sorted(s.burn_rates.items()))) for s in report.statuses]


def test_a_second_process_reads_the_first_ones_answers_from_the_store(demo_prometheus, store):
    first, second = process(demo_prometheus.url, store), process(demo_prometheus.url, store)
    asked = load_report(first, CATALOG.slos, HISTORY_END)
    shared = load_report(second, CATALOG.slos, HISTORY_END)
    assert first.query_count > 0
    assert second.query_count == 0
    assert figures(shared) == figures(asked)


def test_two_processes_at_the_same_moment_ask_prometheus_once(demo_prometheus, store):
    alone = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
    load_report(alone, CATALOG.slos, HISTORY_END)
    processes = [process(demo_prometheus.url, store) for _ in range(2)]
    start = threading.Barrier(2)
    reports = [None, None]

    def view(index: int) -> None:
        start.wait()
        reports[index] = load_report(processes[index], CATALOG.slos, HISTORY_END)

    threads = [threading.Thread(target=view, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(source.query_count for source in processes) == alone.query_count
    assert figures(reports[0]) == figures(reports[1])


def test_of_two_processes_claiming_the_same_read_at_the_same_moment_exactly_one_wins(store):
    """Each claim deletes the key's stale row first; on MariaDB that delete locks the empty gap, and when it shared a
    transaction with the insert the two claims deadlocked and both went to Prometheus."""
    answers = [SharedAnswers(engine_for(store.url), "same-source", 60) for _ in range(2)]
    keys = [answers[0].key("query", index) for index in range(40)]
    for key in keys:
        start = threading.Barrier(2)
        won = [None, None]

        def claim(index: int, key: str = key, start: threading.Barrier = start, won: list = won) -> None:
            start.wait()
            won[index] = answers[index].claim(key)

        threads = [threading.Thread(target=claim, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(won) == [False, True], key
    for shared in answers:
        shared.engine.dispose()


def test_another_tenant_on_the_same_url_does_not_read_the_first_ones_answers(demo_prometheus, store):
    team_a = process(demo_prometheus.url, store, headers=(("X-Scope-OrgID", "team-a"),))
    team_b = process(demo_prometheus.url, store, headers=(("X-Scope-OrgID", "team-b"),))
    load_report(team_a, CATALOG.slos, HISTORY_END)
    load_report(team_b, CATALOG.slos, HISTORY_END)
    assert team_b.query_count == team_a.query_count


def test_a_store_that_is_down_costs_only_the_sharing(demo_prometheus):
    down = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=1")
    source = process(demo_prometheus.url, down)
    report = load_report(source, CATALOG.slos, HISTORY_END)
    direct = load_report(PrometheusSource(PrometheusSettings(url=demo_prometheus.url)), CATALOG.slos, HISTORY_END)
    assert not report.errors
    assert figures(report) == figures(direct)


def test_a_failed_read_leaves_no_claim_for_the_others_to_wait_on(store):
    unreachable = process(f"http://127.0.0.1:{free_port()}", store, timeout_seconds=2.0)
    with pytest.raises(SourceError):
        unreachable.instant("up", HISTORY_END)
    with store.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM source_answers")).scalar_one() == 0


def test_no_secret_reaches_the_stored_keys_or_answers(demo_prometheus, store):
    source = process(demo_prometheus.url, store, bearer_token="tok-never-stored-81723")
    load_report(source, CATALOG.slos, HISTORY_END)
    with store.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM source_answers")).all()
    assert rows
    assert not any("tok-never-stored-81723" in str(row) for row in rows)

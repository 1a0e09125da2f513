"""Benchmark: database probes against a real throwaway PostgreSQL.

Prints:
    db_probe: tables=2000 indexes=4000 probe_s=<median full probe> checks=<n>
    db_fleet: databases=20 unreachable=silent deadline_s=<d> fleet_s=<median> slowest_answering_s=<s>
    db_fleet: databases=20 unreachable=refused deadline_s=<d> fleet_s=<median>
    db_discovery: databases=200 max_connections=4 deadline_s=10 fleet_s=<s> probes_per_s=<n> peak_connections=<n>
    db_discovery: databases=200 max_connections=1 fleet_s=<s> probes_per_s=<n> peak_connections=<n>
    db_discovery: one_at_a_time_over_budget_of_4=<ratio>x
``probe_s`` is one full probe (every query the checks need) of a database with 2,000 tables and 4,000 indexes.
``fleet_s`` is ``probe_fleet`` over 19 reachable databases plus one that never answers ("silent": a socket that
accepts TCP and says nothing) or refuses the connection. Medians of 5 runs after a warm-up. Targets (issue 3): a full
PostgreSQL probe under 2 s; the unreachable database costing no more than its deadline.
``db_discovery`` (issue 13): one server entry (``discover = true``) over 200 databases made from a template on the
same server, listed and probed by ``probe_fleet`` under the fleet's default 10 s deadline with the default budget of
4 connections, then again one at a time (``max_connections = 1``, deadline raised so every probe finishes) in the same
run. ``peak_connections`` is the most probe sessions pg_stat_activity showed at once, sampled every 10 ms by a
separate session.
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from data.databases.config import parse_database_config  # noqa: E402
from data.databases.fleet import probe_fleet  # noqa: E402
from data.databases.probes.common import PROBE_APPLICATION_NAME  # noqa: E402
from data.databases.probes.postgres import probe_postgres  # noqa: E402
from data.settings import load_settings  # noqa: E402
from metrics.databases.checks import Thresholds, evaluate_probe  # noqa: E402
from tests.support.servers import free_port, start_postgres  # noqa: E402

TABLES = 2000
RUNS = 5
FLEET = 20
DEADLINE_S = 3.0
DISCOVERED = 200
DISCOVERY_DEADLINE_S = 10.0  # the fleet's default deadline


def build_wide_schema(url: str) -> None:
    """2,000 tables, each with a primary key and one more index: 4,000 indexes."""
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f"""
DO $$ BEGIN FOR i IN 1..{TABLES} LOOP
  EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, account int, note text)', i);
  EXECUTE format('CREATE INDEX t%s_account ON t%s (account)', i, i);
END LOOP; END $$""")
        connection.execute("ANALYZE")


def median_of(runs: int, action) -> float:
    action()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def create_discovered(server) -> None:
    """200 databases named found_000..found_199, each a copy of one template (much faster than 200 plain creates)."""
    with psycopg.connect(
        host="127.0.0.1", port=server.port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute("CREATE DATABASE found_template")
        for index in range(DISCOVERED):
            connection.execute(f"CREATE DATABASE found_{index:03d} TEMPLATE found_template")


class SessionPeak:
    """The most probe sessions the server shows at once, read from pg_stat_activity every 10 ms."""

    def __init__(self, port: int) -> None:
        self.port, self.peak, self._stop = port, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as c:
            while not self._stop.is_set():
                [(count,)] = c.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (PROBE_APPLICATION_NAME,)
                ).fetchall()
                self.peak = max(self.peak, count)
                time.sleep(0.01)

    def __enter__(self) -> SessionPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def discovery_case(server) -> None:
    create_discovered(server)
    env = {"DB_DSN_MAIN": f"postgresql://postgres@127.0.0.1:{server.port}/postgres"}
    settings = load_settings(env, secrets_file=REPO / "var" / "no-secrets.toml")
    seconds = {}

    def config_of(budget: int, deadline_s: float):
        return parse_database_config(
            f'[probe]\ndeadline_seconds = {deadline_s}\n[[database]]\nname = "main"\nengine = "postgresql"\n'
            f'discover = true\ninclude = ["found_*"]\nexclude = ["found_template"]\nmax_connections = {budget}\n'
        )

    probe_fleet(settings, config_of(4, 600.0), with_store=False)  # warm-up: each new database's first connection
    for budget, deadline_s in ((4, DISCOVERY_DEADLINE_S), (1, 600.0)):
        config = config_of(budget, deadline_s)
        with SessionPeak(server.port) as sessions:
            started = time.perf_counter()
            healths = probe_fleet(settings, config, with_store=False)
            seconds[budget] = time.perf_counter() - started
        answered = [h for h in healths if h.probe is not None]
        assert len(healths) == DISCOVERED, [h.error for h in healths][:3]
        print(
            f"db_discovery: databases={DISCOVERED} max_connections={budget} deadline_s={deadline_s:g} "
            f"fleet_s={seconds[budget]:.3f} answered={len(answered)} "
            f"probes_per_s={len(answered) / seconds[budget]:.1f} peak_connections={sessions.peak}"
        )
    print(f"db_discovery: one_at_a_time_over_budget_of_4={seconds[1] / seconds[4]:.2f}x")


def main() -> None:
    print(
        f"machine: {platform.machine()}, {platform.system()} {platform.release()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    only_discovery = "--discovery-only" in sys.argv[1:]
    with start_postgres() as server:
        discovery_case(server)
        if only_discovery:
            return
        wide = server.create_database("wide")
        build_wide_schema(wide)
        last = {}

        def probe_wide() -> None:
            last["probe"] = probe_postgres(wide, Thresholds())

        seconds = median_of(RUNS, probe_wide)
        checks = len(evaluate_probe(last["probe"]))
        indexes = TABLES * 2
        print(f"db_probe: tables={TABLES} indexes={indexes} probe_s={seconds:.3f} checks={checks}")

        urls = [server.create_database(f"fleet_{i:02d}") for i in range(FLEET - 1)]
        for mode in ("silent", "refused"):
            silent = socket.socket()
            silent.bind(("127.0.0.1", 0))
            silent.listen(64)
            port = silent.getsockname()[1] if mode == "silent" else free_port()
            env = {f"DB_DSN_FLEET_{i:02d}": url for i, url in enumerate(urls)}
            env["DB_DSN_UNREACHABLE"] = f"postgresql://monitor@127.0.0.1:{port}/gone"
            text = f"[probe]\ndeadline_seconds = {DEADLINE_S}\nconnect_timeout_seconds = 10\n" + "".join(
                f'[[database]]\nname = "{name}"\nengine = "postgresql"\n'
                for name in [f"fleet-{i:02d}" for i in range(FLEET - 1)] + ["unreachable"]
            )
            config = parse_database_config(text)
            settings = load_settings(env, secrets_file=REPO / "var" / "no-secrets.toml")
            result = {}

            def fleet(settings=settings, config=config, result=result) -> None:
                result["healths"] = probe_fleet(settings, config, with_store=False)

            seconds = median_of(RUNS, fleet)
            healths = result["healths"]
            answered = [h for h in healths if h.probe is not None]
            slowest = max(h.probe.duration_s for h in answered)
            assert len(answered) == FLEET - 1, [h.error for h in healths if h.error]
            print(
                f"db_fleet: databases={FLEET} unreachable={mode} deadline_s={DEADLINE_S:g} fleet_s={seconds:.3f} "
                f"slowest_answering_s={slowest:.3f}"
            )
            silent.close()


if __name__ == "__main__":
    main()

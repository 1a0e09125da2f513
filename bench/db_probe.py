"""Benchmark: database probes against a real throwaway PostgreSQL.

Prints:
    db_probe: tables=2000 indexes=4000 probe_s=<median full probe> checks=<n>
    db_fleet: databases=20 unreachable=silent deadline_s=<d> fleet_s=<median> slowest_answering_s=<s>
    db_fleet: databases=20 unreachable=refused deadline_s=<d> fleet_s=<median>
``probe_s`` is one full probe (every query the checks need) of a database with 2,000 tables and 4,000 indexes.
``fleet_s`` is ``probe_fleet`` over 19 reachable databases plus one that never answers ("silent": a socket that
accepts TCP and says nothing) or refuses the connection. Medians of 5 runs after a warm-up. Targets (issue 3): a full
PostgreSQL probe under 2 s; the unreachable database costing no more than its deadline.
"""

from __future__ import annotations

import platform
import socket
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from data.databases.config import parse_database_config  # noqa: E402
from data.databases.fleet import probe_fleet  # noqa: E402
from data.databases.probes.postgres import probe_postgres  # noqa: E402
from data.settings import load_settings  # noqa: E402
from metrics.databases.checks import Thresholds, evaluate_probe  # noqa: E402
from tests.support.servers import free_port, start_postgres  # noqa: E402

TABLES = 2000
RUNS = 5
FLEET = 20
DEADLINE_S = 3.0


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


def main() -> None:
    print(
        f"machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )
    with start_postgres() as server:
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

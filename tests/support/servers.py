"""Real servers for integration and end-to-end tests, started on loopback and free ports.

Every helper starts a throwaway instance in its own temporary directory and cleans it up,
processes and files, even when the test fails. Nothing here is a mock.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TSDB_CACHE_DIR = REPO_ROOT / "var" / "cache" / "tsdb"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

# promtool cuts blocks at 2 h by default, and its run time grows with the number of blocks
# (30 days x 6 series at 1-minute steps: 26 s with 2 h blocks, 0.4 s with 90-day blocks).
# The flag is hidden from --help but accepted by promtool 2.42; Prometheus queries big blocks fine.
PROMTOOL_MAX_BLOCK_DURATION = "2160h"
PROMTOOL_TIMEOUT_S = 900
PROMETHEUS_START_TIMEOUT_S = 60
POSTGRES_START_TIMEOUT_S = 60
MARIADB_START_TIMEOUT_S = 60
APP_START_TIMEOUT_S = 90
PROCESS_STOP_TIMEOUT_S = 20

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# --------------------------------------------------------------------------- generic helpers


def require(component: str, available: bool, why: str) -> None:
    """Skip locally when a component is missing, but fail in CI so nothing is silently skipped."""
    if available:
        return
    message = f"{component} is not available: {why} (run `bash scripts/install_test_components.sh`)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path | None, lines: int = 40) -> str:
    """Last lines of a server log, for error messages."""
    if path is None or not path.exists():
        return "(no log)"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:]) or "(empty log)"


class ServerStartError(RuntimeError):
    """A server did not become ready; the message carries the tail of its log."""


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout_s: float,
    what: str,
    process: subprocess.Popen | None = None,
    log: Path | None = None,
    interval_s: float = 0.1,
) -> float:
    """Poll `ready` until true; fail early if `process` died. Returns the seconds waited."""
    started = time.monotonic()
    deadline = started + timeout_s
    while True:
        try:
            if ready():
                return time.monotonic() - started
        except Exception:
            pass
        if process is not None and process.poll() is not None:
            raise ServerStartError(
                f"{what} exited with code {process.returncode} before it was ready.\n"
                f"--- log tail ({log}) ---\n{log_tail(log)}"
            )
        if time.monotonic() > deadline:
            raise ServerStartError(
                f"{what} was not ready after {timeout_s:.0f} s.\n--- log tail ({log}) ---\n{log_tail(log)}"
            )
        time.sleep(interval_s)


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    """True when a GET on `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def stop_process(process: subprocess.Popen | None, timeout_s: float = PROCESS_STOP_TIMEOUT_S) -> None:
    """SIGTERM the process group, then SIGKILL it if it does not exit in time."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)


def spawn(cmd: list[str], *, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """Start a server in its own process group (so it can be stopped with its children), logging to a file."""
    with open(log, "ab") as log_file:
        return subprocess.Popen(
            cmd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )


def running_as_root() -> bool:
    return os.geteuid() == 0


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "default"


# --------------------------------------------------------------------------- Prometheus


def prometheus_available() -> bool:
    return shutil.which("prometheus") is not None and shutil.which("promtool") is not None


def _check_block_times(blocks_dir: Path) -> None:
    """Refuse blocks in the far future: millisecond timestamps are accepted silently by promtool."""
    horizon_ms = (time.time() + 366 * 86400) * 1000
    for meta_path in blocks_dir.glob("*/meta.json"):
        meta = json.loads(meta_path.read_text())
        if meta["minTime"] > horizon_ms:
            raise ValueError(
                f"backfilled block {meta_path.parent.name} starts after next year "
                f"(minTime={meta['minTime']} ms): OpenMetrics timestamps must be in seconds"
            )


def build_tsdb(write_openmetrics: Callable[[Path], None], cache_key: str) -> Path:
    """Backfill a TSDB with promtool once per cache key, because promtool is slow on long histories.

    The blocks are built in a temporary directory next to the cache and renamed into
    var/cache/tsdb/<cache_key>/ in one step, so an interrupted build never leaves a half cache.
    Change the key whenever the generator's inputs change.
    """
    TSDB_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    final_dir = TSDB_CACHE_DIR / _safe_name(cache_key)
    if final_dir.is_dir():
        return final_dir
    work_dir = Path(tempfile.mkdtemp(prefix=f".build-{_safe_name(cache_key)}-", dir=TSDB_CACHE_DIR))
    try:
        openmetrics_file = work_dir / "history.om.txt"
        write_openmetrics(openmetrics_file)
        blocks_dir = work_dir / "blocks"
        cmd = [
            "promtool",
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--quiet",
            f"--max-block-duration={PROMTOOL_MAX_BLOCK_DURATION}",
            str(openmetrics_file),
            str(blocks_dir),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_S, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"promtool failed with code {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        if not any(blocks_dir.glob("*/meta.json")):
            raise RuntimeError(f"promtool created no blocks from {openmetrics_file.name}:\n{result.stderr[-4000:]}")
        _check_block_times(blocks_dir)
        try:
            os.rename(blocks_dir, final_dir)
        except OSError:
            if not final_dir.is_dir():  # not a concurrent build that won the race
                raise
        return final_dir
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


@dataclass
class PrometheusServer:
    """A Prometheus on 127.0.0.1 over a private copy of backfilled blocks; stop()/start() keep port and data."""

    port: int
    base_dir: Path
    process: subprocess.Popen | None = None
    startup_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "prometheus.log"

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.is_running:
            return
        cmd = [
            "prometheus",
            f"--config.file={self.base_dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.data_dir}",
            # Long retention, or Prometheus deletes backfilled blocks and answers partial ranges.
            "--storage.tsdb.retention.time=36500d",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        started = time.monotonic()
        self.process = spawn(cmd, log=self.log_path, cwd=self.base_dir)
        wait_until(
            lambda: http_ok(f"{self.url}/-/ready"),
            timeout_s=PROMETHEUS_START_TIMEOUT_S,
            what=f"Prometheus on {self.url}",
            process=self.process,
            log=self.log_path,
        )
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        stop_process(self.process)


def _prometheus_config(
    scrape_targets: dict[str, str] | None,
    scrape_interval: str,
    rule_files: tuple[Path, ...] = (),
    evaluation_interval: str | None = None,
) -> str:
    lines = [
        "global:",
        f"  scrape_interval: {scrape_interval}",
        f"  evaluation_interval: {evaluation_interval or scrape_interval}",
    ]
    if rule_files:
        lines += ["rule_files:", *(f"  - {json.dumps(str(path))}" for path in rule_files)]
    if scrape_targets:
        lines.append("scrape_configs:")
        for job, address in scrape_targets.items():
            lines += [
                f"  - job_name: {json.dumps(job)}",
                "    static_configs:",
                f"      - targets: [{json.dumps(address)}]",
            ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def start_prometheus(
    tsdb_dir: Path | None = None,
    *,
    scrape_targets: dict[str, str] | None = None,
    scrape_interval: str = "1m",
    rule_files: tuple[Path, ...] = (),
    evaluation_interval: str | None = None,
) -> Iterator[PrometheusServer]:
    """Run Prometheus on a fresh copy of `tsdb_dir` (or empty storage).

    No scrape targets by default, so backfilled history is all it serves; `scrape_targets` maps
    job name to "host:port" (e.g. a postgres exporter) when a test needs live samples. `rule_files`
    are loaded and evaluated every `evaluation_interval` (default: the scrape interval); rules only
    evaluate on live samples, never over backfilled history.
    """
    base_dir = Path(tempfile.mkdtemp(prefix="prometheus-"))
    server = PrometheusServer(port=free_port(), base_dir=base_dir)
    try:
        if tsdb_dir is not None:
            shutil.copytree(tsdb_dir, server.data_dir)
        else:
            server.data_dir.mkdir()
        (base_dir / "prometheus.yml").write_text(
            _prometheus_config(scrape_targets, scrape_interval, tuple(rule_files), evaluation_interval)
        )
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


@contextlib.contextmanager
def make_backfilled_prometheus(write_openmetrics: Callable[[Path], None], cache_key: str) -> Iterator[PrometheusServer]:
    """Prometheus serving the history `write_openmetrics` writes; for session fixtures.

    Usage in a fixture::

        with make_backfilled_prometheus(demo.write_openmetrics, key) as prometheus:
            yield prometheus
    """
    require("prometheus", prometheus_available(), "`prometheus` and `promtool` must be on PATH")
    tsdb_dir = build_tsdb(write_openmetrics, cache_key)
    with start_prometheus(tsdb_dir) as server:
        yield server


# --------------------------------------------------------------------------- VictoriaMetrics

VICTORIAMETRICS_CACHE_DIR = REPO_ROOT / "var" / "cache" / "victoriametrics"
VICTORIAMETRICS_START_TIMEOUT_S = 60
VICTORIAMETRICS_IMPORT_TIMEOUT_S = 300


def victoriametrics_available() -> bool:
    return shutil.which("victoria-metrics") is not None


@dataclass
class VictoriaMetricsServer:
    """A single-node VictoriaMetrics on 127.0.0.1 over a private copy of its data. Its query flags are the
    defaults (``-search.maxQueryLen`` 16 KiB among them): only the retention is long, so history stays."""

    port: int
    base_dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "victoria-metrics.log"

    def start(self) -> None:
        cmd = [
            "victoria-metrics",
            f"-storageDataPath={self.data_dir}",
            f"-httpListenAddr=127.0.0.1:{self.port}",
            "-retentionPeriod=100y",
            "-loggerLevel=WARN",
        ]
        self.process = spawn(cmd, log=self.log_path, cwd=self.base_dir)
        wait_until(
            lambda: http_ok(f"{self.url}/health"),
            timeout_s=VICTORIAMETRICS_START_TIMEOUT_S,
            what=f"VictoriaMetrics on {self.url}",
            process=self.process,
            log=self.log_path,
        )

    def import_openmetrics(self, openmetrics_file: Path) -> None:
        """Load OpenMetrics text (timestamps in seconds, as promtool reads it) through ``/api/v1/import/prometheus``
        (timestamps in milliseconds), then flush it so every query sees it."""

        def lines() -> Iterator[bytes]:
            with openmetrics_file.open("rb") as source:
                for line in source:
                    if line.startswith(b"#") or not line.strip():
                        continue
                    head, stamp = line.rstrip(b"\n").rsplit(b" ", 1)
                    yield head + b" " + str(int(float(stamp) * 1000)).encode() + b"\n"

        def chunks(size: int = 4 * 1024 * 1024) -> Iterator[bytes]:
            buffer = bytearray()
            for line in lines():
                buffer += line
                if len(buffer) >= size:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)

        for chunk in chunks():
            request = urllib.request.Request(f"{self.url}/api/v1/import/prometheus", data=chunk, method="POST")
            with urllib.request.urlopen(request, timeout=VICTORIAMETRICS_IMPORT_TIMEOUT_S) as response:
                response.read()
        with urllib.request.urlopen(f"{self.url}/internal/force_flush", timeout=60) as response:
            response.read()

    def stop(self) -> None:
        stop_process(self.process)


def _victoriametrics_data(write_openmetrics: Callable[[Path], None], cache_key: str) -> Path:
    """VictoriaMetrics' data directory holding the history, imported once per cache key (as ``build_tsdb``)."""
    VICTORIAMETRICS_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    final_dir = VICTORIAMETRICS_CACHE_DIR / _safe_name(cache_key)
    if final_dir.is_dir():
        return final_dir
    work_dir = Path(tempfile.mkdtemp(prefix=f".build-{_safe_name(cache_key)}-", dir=VICTORIAMETRICS_CACHE_DIR))
    try:
        openmetrics_file = work_dir / "history.om.txt"
        write_openmetrics(openmetrics_file)
        server = VictoriaMetricsServer(port=free_port(), base_dir=work_dir)
        server.start()
        try:
            server.import_openmetrics(openmetrics_file)
        finally:
            server.stop()
        try:
            os.rename(server.data_dir, final_dir)
        except OSError:
            if not final_dir.is_dir():
                raise
        return final_dir
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


@contextlib.contextmanager
def make_backfilled_victoriametrics(
    write_openmetrics: Callable[[Path], None], cache_key: str
) -> Iterator[VictoriaMetricsServer]:
    """VictoriaMetrics serving the history ``write_openmetrics`` writes; for session fixtures."""
    require("victoria-metrics", victoriametrics_available(), "Debian package victoria-metrics")
    data_dir = _victoriametrics_data(write_openmetrics, cache_key)
    base_dir = Path(tempfile.mkdtemp(prefix="victoriametrics-"))
    server = VictoriaMetricsServer(port=free_port(), base_dir=base_dir)
    try:
        shutil.copytree(data_dir, server.data_dir)
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bindir() -> Path | None:
    """Newest PostgreSQL server bin directory of the Debian layout, or pg_config's."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def postgres_available() -> bool:
    bindir = postgres_bindir()
    return bindir is not None and (bindir / "pg_ctl").exists() and (bindir / "postgres").exists()


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run as the `postgres` OS user when we are root."""
    if running_as_root():
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster with trust auth on 127.0.0.1 only."""

    port: int
    base_dir: Path
    bindir: Path
    database: str = "reliability_test"
    startup_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "sock"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "postgres.log"

    def _run(self, cmd: list[str], timeout_s: float) -> None:
        result = subprocess.run(
            _as_postgres_user(cmd), capture_output=True, text=True, timeout=timeout_s, cwd=self.base_dir, check=False
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"{Path(cmd[0]).name} failed with code {result.returncode}:\n{result.stdout[-3000:]}\n"
                f"{result.stderr[-3000:]}\n--- log tail ---\n{log_tail(self.log_path)}"
            )

    def init(self) -> None:
        self.socket_dir.mkdir()
        if running_as_root():
            shutil.chown(self.base_dir, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            timeout_s=120,
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.socket_dir}",
                "-c listen_addresses=127.0.0.1",
                # Throwaway cluster: durability is not worth the wait.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        started = time.monotonic()
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                str(POSTGRES_START_TIMEOUT_S),
                "-o",
                options,
            ],
            timeout_s=POSTGRES_START_TIMEOUT_S + 10,
        )
        wait_until(self._accepts_connections, timeout_s=POSTGRES_START_TIMEOUT_S, what="PostgreSQL", log=self.log_path)
        self.startup_seconds = time.monotonic() - started

    def _accepts_connections(self) -> bool:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", connect_timeout=2):
            return True

    def create_database(self, name: str | None = None) -> str:
        """Create a database (the default one without `name`) and return its SQLAlchemy URL."""
        import psycopg

        name = name or self.database
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True, connect_timeout=5
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def create_password_role(self, role: str, password: str) -> None:
        """A login role (with pg_monitor) whose password the server really checks: the cluster trusts everyone,
        so a scram-sha-256 line for this role alone goes first in pg_hba.conf and the server reloads it."""
        import psycopg
        from psycopg import sql

        hba = self.data_dir / "pg_hba.conf"
        hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True, connect_timeout=5
        ) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
            )
            conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(role)))
            conn.execute("SELECT pg_reload_conf()")

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        subprocess.run(
            _as_postgres_user(
                [
                    str(self.bindir / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    str(PROCESS_STOP_TIMEOUT_S),
                ]
            ),
            capture_output=True,
            timeout=PROCESS_STOP_TIMEOUT_S + 10,
            cwd=self.base_dir,
            check=False,
        )
        self._kill_leftover()

    def _kill_leftover(self) -> None:
        """If pg_ctl could not stop it, kill the postmaster named in its pid file."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        with contextlib.suppress(ValueError, OSError, IndexError):
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + PROCESS_STOP_TIMEOUT_S
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def start_postgres() -> Iterator[PostgresServer]:
    """initdb + pg_ctl start on a free port; stops the cluster and removes its directory at exit."""
    bindir = postgres_bindir()
    if bindir is None:
        raise ServerStartError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    base_dir = Path(tempfile.mkdtemp(prefix="pg-"))
    server = PostgresServer(port=free_port(), base_dir=base_dir, bindir=bindir)
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


def postgres_exporter_available() -> bool:
    return shutil.which("prometheus-postgres-exporter") is not None


@dataclass
class PostgresExporter:
    """prometheus-postgres-exporter (Debian's postgres_exporter) pointed at a test cluster."""

    port: int
    base_dir: Path
    data_source_name: str
    process: subprocess.Popen | None = None
    startup_seconds: float = 0.0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://{self.address}/metrics"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "postgres-exporter.log"

    def _reports_up(self) -> bool:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            return any(line.startswith("pg_up 1") for line in response.read().decode().splitlines())

    def start(self) -> None:
        cmd = ["prometheus-postgres-exporter", f"--web.listen-address={self.address}", "--log.level=warn"]
        # The DSN goes through the environment, never the command line (visible in ps).
        env = {**os.environ, "DATA_SOURCE_NAME": self.data_source_name}
        started = time.monotonic()
        self.process = spawn(cmd, log=self.log_path, env=env, cwd=self.base_dir)
        wait_until(
            self._reports_up,
            timeout_s=PROMETHEUS_START_TIMEOUT_S,
            what="postgres exporter",
            process=self.process,
            log=self.log_path,
            interval_s=0.2,
        )
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        stop_process(self.process)


@contextlib.contextmanager
def start_postgres_exporter(postgres: PostgresServer) -> Iterator[PostgresExporter]:
    """An exporter scraping `postgres` on a free port; ready once it reports `pg_up 1`."""
    base_dir = Path(tempfile.mkdtemp(prefix="pg-exporter-"))
    dsn = f"postgresql://postgres@127.0.0.1:{postgres.port}/{postgres.database}?sslmode=disable"
    exporter = PostgresExporter(port=free_port(), base_dir=base_dir, data_source_name=dsn)
    try:
        exporter.start()
        yield exporter
    finally:
        exporter.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


# --------------------------------------------------------------------------- MariaDB


def mariadb_available() -> bool:
    return shutil.which("mariadbd") is not None and shutil.which("mariadb-install-db") is not None


@dataclass
class MariaDBServer:
    """A throwaway MariaDB with a password-less root, TCP on 127.0.0.1 only."""

    port: int
    base_dir: Path
    database: str = "reliability_test"
    process: subprocess.Popen | None = None
    startup_seconds: float = 0.0
    options: tuple[str, ...] = ()  # more mariadbd options, e.g. ("--performance-schema=ON",)

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{self.database}"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_path(self) -> Path:
        return self.base_dir / "mariadb.sock"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "mariadb.log"

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def init(self) -> None:
        cmd = [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={self.data_dir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--user=root",
        ]
        if not running_as_root():
            cmd.remove("--user=root")
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.base_dir, check=False)
        if result.returncode != 0:
            raise ServerStartError(
                f"mariadb-install-db failed with code {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )

    def start(self) -> None:
        if self.is_running:
            return
        cmd = [
            "mariadbd",
            "--no-defaults",
            f"--datadir={self.data_dir}",
            f"--socket={self.socket_path}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={self.base_dir / 'mariadb.pid'}",
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
            "--innodb-flush-log-at-trx-commit=0",
            "--skip-log-bin",
            *self.options,
        ]
        if running_as_root():
            cmd.append("--user=root")
        started = time.monotonic()
        self.process = spawn(cmd, log=self.log_path, cwd=self.base_dir)
        wait_until(
            self._accepts_connections,
            timeout_s=MARIADB_START_TIMEOUT_S,
            what=f"MariaDB on 127.0.0.1:{self.port}",
            process=self.process,
            log=self.log_path,
        )
        self.startup_seconds = time.monotonic() - started

    def _connect(self, database: str | None = None):
        import pymysql

        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", database=database, connect_timeout=2)

    def _accepts_connections(self) -> bool:
        self._connect().close()
        return True

    def create_database(self, name: str | None = None) -> str:
        """Create a database (the default one without `name`) and return its SQLAlchemy URL."""
        name = name or self.database
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
            conn.commit()
        finally:
            conn.close()
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        stop_process(self.process, timeout_s=60)


@contextlib.contextmanager
def start_mariadb(options: tuple[str, ...] = ()) -> Iterator[MariaDBServer]:
    """mariadb-install-db + mariadbd (with ``options``) on a free port; stops it and removes its directory at exit."""
    base_dir = Path(tempfile.mkdtemp(prefix="mariadb-"))
    server = MariaDBServer(port=free_port(), base_dir=base_dir, options=tuple(options))
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


# --------------------------------------------------------------------------- the app


def app_available() -> bool:
    return (REPO_ROOT / "app.py").exists() and (REPO_ROOT / "cli.py").exists()


@dataclass
class AppServer:
    """The Streamlit app as `make run` starts it, on a free port with its own SQLite store."""

    port: int
    base_dir: Path
    env: dict[str, str]
    project_dir: Path = REPO_ROOT
    process: subprocess.Popen | None = None
    startup_seconds: float = 0.0
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.base_dir / "app.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def migrate(self) -> None:
        result = subprocess.run(
            [sys.executable, "cli.py", "migrate"],
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"`cli.py migrate` failed with code {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )

    def start(self) -> None:
        if self.is_running:
            return
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ]
        started = time.monotonic()
        self.process = spawn(cmd, log=self.log_path, env=self.env, cwd=self.project_dir)
        wait_until(
            lambda: http_ok(f"{self.url}/_stcore/health"),
            timeout_s=APP_START_TIMEOUT_S,
            what=f"Streamlit app on {self.url}",
            process=self.process,
            log=self.log_path,
        )
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        stop_process(self.process)


@contextlib.contextmanager
def start_app(
    env: dict[str, str] | None = None,
    *,
    keep_log_in: Path | None = None,
    project_dir: Path = REPO_ROOT,
    port: int | None = None,
) -> Iterator[AppServer]:
    """Migrate a fresh SQLite store, then serve app.py; `env` adds or overrides variables (e.g. PROMETHEUS_URL).

    The log tail is in the error when the app fails to start, and the log is copied to `keep_log_in`
    at exit if given. `project_dir` is where app.py and cli.py live (the repository by default). `port` is for a
    caller that must know it beforehand (sign-in's redirect URI); a free one otherwise.
    """
    base_dir = Path(tempfile.mkdtemp(prefix="app-"))
    inherited = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_URL"}  # demo mode unless asked
    full_env = {**inherited, "DATABASE_URL": f"sqlite:///{base_dir / 'store.db'}", **(env or {})}
    server = AppServer(port=port or free_port(), base_dir=base_dir, env=full_env, project_dir=project_dir)
    try:
        server.migrate()
        server.start()
        yield server
    finally:
        server.stop()
        if keep_log_in is not None and server.log_path.exists():
            keep_log_in.mkdir(parents=True, exist_ok=True)
            shutil.copy2(server.log_path, keep_log_in / f"app-{server.port}.log")
        shutil.rmtree(base_dir, ignore_errors=True)


# --------------------------------------------------------------------------- the browser


def chromium_executable() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def launch_browser() -> Iterator[object]:
    """Headless system Chromium through Playwright; never downloads a browser (`playwright install`).

    Playwright's launch() gives each browser a fresh temporary profile and removes it at close.
    """
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise ServerStartError(f"no Chromium at {', '.join(CHROMIUM_CANDIDATES)}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    path = ARTIFACTS_DIR / "screenshots" / f"{_safe_name(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


# --------------------------------------------------------------------------- a slow TCP proxy


@dataclass
class SlowProxy:
    """A loopback TCP proxy that holds back every answer: a real network condition in front of a real server.

    Each connection is relayed to ``target`` as it is, but the first bytes of the answer are sent only
    ``delay_s`` seconds after they arrive (``delay_s=None``: never; the proxy accepts, reads the request and holds
    the connection open without a word). ``connections`` counts accepted connections. Threads only, no processes.
    """

    target_port: int
    delay_s: float | None
    target_host: str = "127.0.0.1"
    port: int = 0
    connections: int = 0
    _listener: socket.socket | None = field(default=None, repr=False)
    _stop: object = field(default=None, repr=False)
    _threads: list = field(default_factory=list, repr=False)
    _sockets: list = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import threading

        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    def _spawn(self, target, *args) -> None:
        import threading

        thread = threading.Thread(target=target, args=args, daemon=True, name="slow-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._sockets.append(client)
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        if self.delay_s is None:  # accept, read, never answer
            with contextlib.suppress(OSError):
                client.settimeout(0.2)
                while not self._stop.is_set():
                    try:
                        if not client.recv(65536):
                            return
                    except TimeoutError:
                        continue
            return
        try:
            upstream = socket.create_connection((self.target_host, self.target_port), timeout=10)
        except OSError:
            with contextlib.suppress(OSError):
                client.close()
            return
        self._sockets.append(upstream)
        asked = {"waiting": False}  # a request went up since the last answer began: hold that answer back
        self._spawn(self._pump, client, upstream, asked, False)  # requests go through at once
        self._pump(upstream, client, asked, True)  # answers wait, each one (keep-alive connections included)

    def _pump(self, source: socket.socket, sink: socket.socket, asked: dict, answers: bool) -> None:
        with contextlib.suppress(OSError):
            source.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    data = source.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                if not answers:
                    asked["waiting"] = True
                elif asked["waiting"]:
                    asked["waiting"] = False
                    if self._stop.wait(self.delay_s):
                        return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        for sock in [self._listener, *self._sockets]:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._sockets.clear()


@contextlib.contextmanager
def start_slow_proxy(target_port: int, delay_s: float | None, target_host: str = "127.0.0.1") -> Iterator[SlowProxy]:
    """A ``SlowProxy`` to ``target_host:target_port`` on a free loopback port; stopped (threads joined) at exit."""
    proxy = SlowProxy(target_port=target_port, delay_s=delay_s, target_host=target_host)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()

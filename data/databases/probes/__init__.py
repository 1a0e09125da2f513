"""Live probes of monitored databases (PostgreSQL, MySQL/MariaDB, or their Prometheus exporters) and the fleet runner.

``fleet.probe_fleet`` is the entry point: every configured database probed in parallel under one deadline.
"""

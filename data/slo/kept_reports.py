"""The last good report of each SLO panel, kept in the store as well as in memory (``data.last_good``), so that a
process restarted during an outage, or another replica on the same store, shows it (marked stale, with the time it
was read) instead of nothing.

A good report is written at most once a minute per panel and process; a panel whose source fails and that has no
last good report in memory reads the store's. A store that cannot be read or written costs only this: the panel
then behaves as without it (its own memory), and the problem is logged once, without its DSN.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Hashable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from data.store.inserts import insert_ignoring_duplicates
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.last_good import GoodReading
from metrics.slo.definitions import SloDefinition
from metrics.slo.kept_report import report_from_inputs, report_inputs
from metrics.slo.report import SloReport

logger = logging.getLogger(__name__)
SAVE_EVERY_SECONDS = 60.0


class KeptReportRow(Base):
    __tablename__ = "last_good_reports"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # sha256 hex of the panel's key
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
    inputs: Mapped[str] = mapped_column(sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"))


_TABLE = KeptReportRow.__table__
_saved: dict[str, float] = {}  # key -> when this process last wrote it (time.monotonic())
_saved_lock = threading.Lock()


def _key(panel: Hashable) -> str:
    return hashlib.sha256(repr(panel).encode()).hexdigest()


class KeptReports:
    """``data.last_good.Keeper`` for SLO reports: ``load`` and ``save`` never raise."""

    def __init__(self, engine: sa.Engine, slos: Sequence[SloDefinition]) -> None:
        self.engine = engine
        self.slos = list(slos)

    def load(self, panel: Hashable) -> GoodReading[SloReport] | None:
        try:
            with self.engine.connect() as connection:
                row = connection.execute(
                    sa.select(_TABLE.c.read_at, _TABLE.c.inputs).where(_TABLE.c.key == _key(panel))
                ).first()
            if row is None:
                return None
            return GoodReading(report_from_inputs(json.loads(row.inputs), self.slos), row.read_at)
        except (sa.exc.SQLAlchemyError, ValueError, KeyError, TypeError) as error:
            _failed(error)
            return None

    def save(self, panel: Hashable, reading: GoodReading[SloReport]) -> None:
        key = _key(panel)
        with _saved_lock:
            last = _saved.get(key)
            if last is not None and time.monotonic() - last < SAVE_EVERY_SECONDS:
                return
            _saved[key] = time.monotonic()
        try:
            text = json.dumps(report_inputs(reading.value), allow_nan=False)
            with self.engine.begin() as connection:
                updated = connection.execute(
                    sa.update(_TABLE)
                    .where(_TABLE.c.key == key, _TABLE.c.read_at <= reading.read_at)
                    .values(read_at=reading.read_at, inputs=text)
                )
                if updated.rowcount == 0:  # none yet; a newer one from another process is left as it is
                    row = {"key": key, "read_at": reading.read_at, "inputs": text}
                    insert_ignoring_duplicates(connection, _TABLE, [row], ["key"])
        except (sa.exc.SQLAlchemyError, ValueError) as error:
            _failed(error)


def kept_reports_for(settings, slos: Sequence[SloDefinition]) -> KeptReports | None:
    """The store's last good reports for the settings' Prometheus (``Settings``); None in demo mode, whose figures
    never fail."""
    if settings.is_demo:
        return None
    from data.store import shared_engine

    return KeptReports(shared_engine(settings.database_url), slos)


_warned = threading.Event()


def _failed(error: Exception) -> None:
    if not _warned.is_set():
        _warned.set()
        logger.warning("the last good SLO report is not kept in the store: %s", type(error).__name__)

"""Prometheus answers kept in the store, shared by every app process on it: two replicas behind a load balancer (or a
restarted one) ask Prometheus what one process would.

A Prometheus source looks here after its own memory and before Prometheus (``PrometheusSource(answers=)``). The
pages evaluate at whole minutes, so every replica asks the same (query, instant) within a minute. A miss claims the
key first (a row without an answer, inserted only if none exists): the process that wins the claim asks Prometheus
and writes the answer; the others wait for it, up to ``WAIT_SECONDS``, and ask Prometheus themselves only if it
does not come (the winner failed or is slow). A failed read removes its claim at once.

Answers are JSON, keyed by a hash of the source's identity (its URL without credentials, its tenant headers and
user name, never its token or password), the kind of read and its parameters. They are kept for the source's cache
TTL; older rows are deleted as new ones are written. A store that cannot be read or written costs only the sharing:
the source then asks Prometheus, as without a store, and the problem is logged once, without its DSN.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from data.store.inserts import insert_ignoring_duplicates
from data.store.models import Base
from data.store.types import UTCDateTime

logger = logging.getLogger(__name__)

WAIT_SECONDS = 10.0  # how long a process waits for another's claimed read before asking Prometheus itself
POLL_SECONDS = 0.05
PRUNE_EVERY = 200  # writes between deletions of expired rows


class SourceAnswerRow(Base):
    __tablename__ = "source_answers"
    __table_args__ = (sa.Index("ix_source_answers_answered_at", "answered_at"),)

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # sha256 hex of source, kind and parameters
    answer: Mapped[str | None] = mapped_column(  # JSON; NULL while its claimer asks Prometheus
        sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True
    )
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when claimed, then when answered


_TABLE = SourceAnswerRow.__table__


def source_identity(settings) -> str:
    """What tells two sources' answers apart (``PrometheusSettings``): the URL without credentials, the headers
    (a tenant), the user name and a hash of the token; only ever hashed into keys, never stored."""
    from data.secrets import SecretUrl

    token = hashlib.sha256((settings.bearer_token or "").encode()).hexdigest()
    url = SecretUrl.parse(settings.url).describe(userinfo=False)
    return json.dumps([url, sorted(settings.headers), settings.username, token])


def answer_key(identity: str, *parts: object) -> str:
    return hashlib.sha256(json.dumps([identity, *parts], default=str).encode()).hexdigest()


class SharedAnswers:
    """The store's answers for one source identity; ``get``/``claim``/``put``/``release`` never raise."""

    def __init__(self, engine: sa.Engine, identity: str, ttl_seconds: float) -> None:
        self.engine = engine
        self.identity = identity
        self.ttl = timedelta(seconds=ttl_seconds)
        self._writes = 0
        self._warned = False
        self._lock = threading.Lock()

    def key(self, *parts: object) -> str:
        return answer_key(self.identity, *parts)

    def _failed(self, error: Exception) -> None:
        with self._lock:
            if self._warned:
                return
            self._warned = True
        logger.warning("Prometheus answers are not shared through the store: %s", type(error).__name__)

    def _fresh(self, key: str) -> tuple[bool, str | None]:
        """(a row for ``key`` younger than the TTL exists, its answer: None while claimed); (False, None) when the
        store cannot be read."""
        try:
            with self.engine.connect() as connection:
                row = connection.execute(
                    sa.select(_TABLE.c.answer).where(
                        _TABLE.c.key == key, _TABLE.c.answered_at >= datetime.now(UTC) - self.ttl
                    )
                ).first()
        except sa.exc.SQLAlchemyError as error:
            self._failed(error)
            return False, None
        return row is not None, None if row is None else row.answer

    def get(self, key: str) -> object | None:
        """The fresh answer under ``key``, or None (none, claimed but not answered yet, or the store is down)."""
        _, answer = self._fresh(key)
        return None if answer is None else json.loads(answer)

    def claim(self, key: str) -> bool:
        """True when this process is to ask Prometheus for ``key`` (it won the claim, or the store is down);
        False when another process claimed it in the last ``WAIT_SECONDS``.

        The stale row is deleted in a transaction of its own: on MariaDB a DELETE that finds nothing locks the gap
        where the key would be, and two processes that each held that gap while inserting deadlocked, so both
        asked Prometheus."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as connection:  # a stale row (an expired answer or an abandoned claim) goes
                connection.execute(
                    sa.delete(_TABLE).where(
                        _TABLE.c.key == key,
                        sa.or_(
                            _TABLE.c.answered_at < now - self.ttl,
                            sa.and_(
                                _TABLE.c.answer.is_(None),
                                _TABLE.c.answered_at < now - timedelta(seconds=WAIT_SECONDS),
                            ),
                        ),
                    )
                )
            with self.engine.begin() as connection:
                claim = {"key": key, "answer": None, "answered_at": now}
                return insert_ignoring_duplicates(connection, _TABLE, [claim], ["key"]) == 1
        except sa.exc.SQLAlchemyError as error:
            found, _ = self._fresh(key)
            if found:  # the store refused this claim for another's (a lock timeout): wait for theirs
                return False
            self._failed(error)
            return True

    def wait(self, key: str, deadline: float) -> object | None:
        """Another process's answer for ``key``, polled until ``deadline`` (``time.monotonic()``) or
        ``WAIT_SECONDS``; None when it did not come (its claim was released, or it is late)."""
        until = min(deadline, time.monotonic() + WAIT_SECONDS)
        while time.monotonic() < until:
            found, answer = self._fresh(key)
            if not found:
                return None  # released (its claimer failed), or the store cannot be read
            if answer is not None:
                return json.loads(answer)
            time.sleep(POLL_SECONDS)
        return None

    def put(self, key: str, answer: object) -> None:
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as connection:
                text = json.dumps(answer, allow_nan=False)
                updated = connection.execute(
                    sa.update(_TABLE).where(_TABLE.c.key == key).values(answer=text, answered_at=now)
                )
                if updated.rowcount == 0:
                    insert_ignoring_duplicates(
                        connection, _TABLE, [{"key": key, "answer": text, "answered_at": now}], ["key"]
                    )
                with self._lock:
                    self._writes += 1
                    prune = self._writes % PRUNE_EVERY == 1
                if prune:
                    connection.execute(
                        sa.delete(_TABLE).where(_TABLE.c.answered_at < now - max(self.ttl, timedelta(minutes=10)))
                    )
        except (sa.exc.SQLAlchemyError, ValueError) as error:
            self._failed(error)

    def release(self, key: str) -> None:
        """Give up a claim whose read failed, so no one waits for it."""
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.delete(_TABLE).where(_TABLE.c.key == key, _TABLE.c.answer.is_(None)))
        except sa.exc.SQLAlchemyError as error:
            self._failed(error)


def shared_read(shared: SharedAnswers | None, parts: tuple, deadline: float, read):
    """``read()``'s answer for the read ``parts`` identify, through ``shared`` when given: another process's answer
    when it has one (or is about to), else ``read()``'s, written for the others. Without ``shared``: ``read()``."""
    if shared is None:
        return read()
    key = shared.key(*parts)
    found = shared.get(key)
    if found is None and not shared.claim(key):
        found = shared.wait(key, deadline)
    if found is not None:
        return found
    try:
        answer = read()
    except BaseException:
        shared.release(key)
        raise
    shared.put(key, answer)
    return answer

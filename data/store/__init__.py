"""The SQL store: SQLAlchemy 2 models, engines and sessions, Alembic migrations, the audit trail."""

from data.store.engine import engine_for, session_scope, shared_engine, sqlite_file
from data.store.migrate import current_revision, head_revision, migrate
from data.store.models import AuditLogEntry, Base, SloSnapshot

__all__ = [
    "AuditLogEntry",
    "Base",
    "SloSnapshot",
    "current_revision",
    "engine_for",
    "head_revision",
    "migrate",
    "session_scope",
    "shared_engine",
    "sqlite_file",
]

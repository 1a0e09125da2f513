"""The SQL store: SQLAlchemy 2 models, engines and sessions, Alembic migrations, repositories."""

from data.store.engine import engine_for, session_scope, sqlite_file
from data.store.migrate import current_revision, head_revision, migrate
from data.store.models import AuditLogEntry, Base, SloSnapshot
from data.store.rollups import DailyRollupRow, daily_rollups_between, save_daily_rollups
from data.store.snapshots import latest_snapshots, save_snapshots, snapshots_between

__all__ = [
    "AuditLogEntry",
    "Base",
    "DailyRollupRow",
    "SloSnapshot",
    "current_revision",
    "daily_rollups_between",
    "engine_for",
    "head_revision",
    "latest_snapshots",
    "migrate",
    "save_daily_rollups",
    "save_snapshots",
    "session_scope",
    "snapshots_between",
    "sqlite_file",
]

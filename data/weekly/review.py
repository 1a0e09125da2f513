"""Reading the weekly review's inputs from the store and the SLO source; ``data.weekly.service`` runs the reads and
``metrics.weekly.review`` assembles them.

What is read, for the week and the week before it:
- daily rollups (``data.trends.service.trend_rows``: the store's, or the demo's computed in memory — the page passes
  its cached ones);
- incidents that started during either week (team time zone);
- each SLO's budget remaining and firing tier at the week's end (now, for the current week), from the SLO source;
- the newest database-health snapshot of each database at each week's end (none stored: "no snapshots");
- tracker items that came due (audit log) and reviews recorded during the week;
- the week's notes.
A source or table that cannot be read leaves its section empty with the reason; it never fails the whole review.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from data.settings import Settings
from metrics.slo.definitions import SloDefinition
from metrics.slo.report import SloReport
from metrics.trends.aggregate import parse_iso_week
from metrics.trends.rollups import local_midnight
from metrics.weekly.review import DatabaseStatus, SloReading, TrackerEvent, review_detail


def week_bounds(week: str, time_zone: str) -> tuple[datetime, datetime]:
    """The week's first and closing instants (UTC): local Monday 00:00 to the next Monday 00:00."""
    monday, sunday = parse_iso_week(week)
    return local_midnight(monday, time_zone), local_midnight(sunday + timedelta(days=1), time_zone)


def slo_readings(settings: Settings, slos: list[SloDefinition], at: datetime, report: SloReport | None = None):
    """Budget remaining and alert state of every SLO at ``at``: (readings, error or None). ``report``: one already
    read (the page passes its cached report, or the last good one when the source fails now)."""
    from data.slo.long_windows import stored_days_for
    from data.slo.service import load_report
    from data.trends.service import rollup_source

    if report is None:
        from data.slo_adjustments.service import adjustments_in_force

        report = load_report(
            rollup_source(settings, slos), slos, at, adjustments_in_force(settings), stored_days_for(settings)
        )
    if report.statuses and all(status.error for status in report.statuses):
        return [], report.statuses[0].error
    return [SloReading(s.slo.name, s.slo.service, s.budget_remaining, s.alert_state) for s in report.statuses], None


def database_statuses(engine: sa.Engine, at: datetime) -> list[DatabaseStatus] | None:
    """Each database's newest snapshot taken before ``at``; None when no snapshot was ever stored."""
    from data.databases.store import DbHealthSnapshot

    table = DbHealthSnapshot.__table__
    with engine.connect() as connection:
        if connection.execute(sa.select(table.c.id).limit(1)).first() is None:
            return None
        newest = (
            sa.select(table.c.database, sa.func.max(table.c.taken_at).label("taken_at"))
            .where(table.c.taken_at < at)
            .group_by(table.c.database)
            .subquery()
        )
        rows = connection.execute(
            sa.select(table.c.database, table.c.status, table.c.taken_at).join(
                newest, sa.and_(table.c.database == newest.c.database, table.c.taken_at == newest.c.taken_at)
            )
        )
        return [DatabaseStatus(row.database, row.status, row.taken_at) for row in rows]


def tracker_events(engine: sa.Engine, start: datetime, end: datetime) -> list[TrackerEvent]:
    """Items that came due (by date, signal or by hand) and reviews recorded in [start, end)."""
    from data.store.models import AuditLogEntry
    from data.tracker.store import AUDIT_ENTITY, TrackerItemRow, TrackerReviewRow

    audit, reviews, items = AuditLogEntry.__table__, TrackerReviewRow.__table__, TrackerItemRow.__table__
    with engine.connect() as connection:
        titles = dict(connection.execute(sa.select(items.c.id, items.c.title)).all())
        events = []
        for row in connection.execute(
            sa.select(audit)
            .where(
                audit.c.entity == AUDIT_ENTITY,
                audit.c.at >= start,
                audit.c.at < end,
                audit.c.action.in_(["became_due", "state_changed"]),
            )
            .order_by(audit.c.id)
        ).mappings():
            details = row["details"] or {}
            state = (details.get("changes") or {}).get("state")
            if row["action"] == "state_changed" and not (state and state[-1] == "due"):
                continue
            reason = (details.get("reason") or {}).get("text") or "set due by hand"
            item_id = int(row["entity_id"])
            events.append(
                TrackerEvent(
                    item_id, titles.get(item_id, f"item {item_id}"), "came due", row["at"], row["actor"], reason
                )
            )
        for row in connection.execute(
            sa.select(reviews).where(reviews.c.reviewed_at >= start, reviews.c.reviewed_at < end)
        ).mappings():
            detail = review_detail(row["outcome"], row["what_changed"], row["next_revisit_on"])
            events.append(
                TrackerEvent(
                    row["item_id"],
                    titles.get(row["item_id"], f"item {row['item_id']}"),
                    "reviewed",
                    row["reviewed_at"],
                    row["reviewer"],
                    detail,
                )
            )
    return events


def previous_week_start(week: str, time_zone: str) -> datetime:
    """The instant the week before ``week`` began (local Monday 00:00, a week earlier)."""
    monday, _ = parse_iso_week(week)
    return local_midnight(monday - timedelta(days=7), time_zone)

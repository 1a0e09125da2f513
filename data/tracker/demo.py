"""A dozen realistic tracker items with review histories, for the demo store and for trying the page out.

Dates are relative to ``now`` so the demo always has items due by date, items parked for later, and items whose
triggers read live demo SLOs (config/slos). Seeding an empty store only: a store with items is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from data.tracker.store import insert_items, list_items
from metrics.access import Actor, Role, require
from metrics.tracker.rules import team_today
from metrics.tracker.triggers import Readings, TriggerKind, due_reasons
from metrics.weekly.review import TrackerEvent, review_detail


def _budget(slo: str, below: float) -> dict[str, Any]:
    return {"kind": TriggerKind.SLO_BUDGET_BELOW.value, "slo": slo, "threshold": below}


def _burn(slo: str, window: str, above: float) -> dict[str, Any]:
    return {"kind": TriggerKind.SLO_BURN_RATE_ABOVE.value, "slo": slo, "window": window, "threshold": above}


def _database(name: str, check: str | None, level: str) -> dict[str, Any]:
    return {"kind": TriggerKind.DATABASE_CHECK.value, "database": name, "check": check, "level": level}


def demo_items(today: date) -> list[tuple[dict[str, Any], list[tuple[int, str, str, str, int | None]]]]:
    """(item fields, reviews) pairs. ``created days ago`` is in ``_age``; a review is (days ago, reviewer, outcome,
    what changed, next revisit in days from today or None)."""

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    return [
        (
            {
                "title": "Database failover takes 9 minutes on the vendor's current version",
                "problem_statement": "A planned failover of **orders-primary** takes 8–10 minutes; the checkout "
                "SLO spends about a third of its monthly budget each time.\n\n- replica promotion waits for a "
                "full WAL replay\n- the vendor's 13.x agent cannot do a fast switchover",
                "state": "parked",
                "owner_role": "DBA",
                "owner": "Park Ji-woo",
                "impact": "high",
                "urgency": "medium",
                "why_parked_category": "vendor",
                "why_parked": "Fixed only in the vendor's next major version; the "
                "upgrade needs a support contract change that the team cannot sign.",
                "workaround": "Fail over only in the Sunday maintenance window.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "DBA lead",
                "decided_on": day(-420),
                "revisit_on": day(-3),
                "cadence_days": 90,
                "external_reference": "VENDOR-CASE-48213",
                "services": ["checkout"],
                "slos": ["checkout-availability"],
                "databases": ["orders-primary"],
                "triggers": [
                    _budget("checkout-availability", 0.25),
                    _database("orders-primary", "replication_lag", "critical"),
                ],
                "_age": 430,
            },
            [
                (330, "Park Ji-woo", "keep_parked", "Vendor confirmed the fix lands in 15.x.", None),
                (95, "Lee Seo-yeon", "keep_parked", "15.x announced for next quarter; contract not renewed yet.", -3),
            ],
        ),
        (
            {
                "title": "Nightly settlement batch breaks the payments SLO every month end",
                "problem_statement": "On the last two days of each month the settlement batch triples its volume and "
                "payments returns 5xx for 20–40 minutes.",
                "state": "parked",
                "owner_role": "TPM",
                "owner": "Choi Min-ho",
                "impact": "high",
                "urgency": "high",
                "why_parked_category": "dependency",
                "why_parked": "The batch belongs to the finance platform team, whose "
                "roadmap is full until the ledger migration ends.",
                "workaround": "Payments is scaled up by hand on the 28th.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "Reliability review",
                "decided_on": day(-200),
                "revisit_on": day(20),
                "cadence_days": 30,
                "services": ["payments"],
                "slos": ["payments-availability"],
                "triggers": [_burn("payments-availability", "1h", 6.0)],
                "_age": 210,
            },
            [
                (150, "Choi Min-ho", "keep_parked", "Finance team agreed to stagger the batch next year.", None),
                (40, "Choi Min-ho", "keep_parked", "Ledger migration slipped by a quarter.", 20),
            ],
        ),
        (
            {
                "title": "The orders table cannot be partitioned online",
                "problem_statement": "`orders` has 1.8 billion rows; partitioning it needs a rewrite that locks writes "
                "for hours. Vacuum and index builds take longer every month.",
                "state": "due",
                "owner_role": "DBA",
                "owner": "Park Ji-woo",
                "impact": "critical",
                "urgency": "medium",
                "why_parked_category": "tooling",
                "why_parked": "No online tool worked on this version when we tried "
                "(pg_repack cannot partition; logical replication needed more disk than we had).",
                "workaround": "Archive rows older than two years every quarter.",
                "workaround_holds": False,
                "root_cause_confidence": "known",
                "decided_by": "DBA lead",
                "decided_on": day(-600),
                "revisit_on": day(-10),
                "cadence_days": 180,
                "services": ["checkout", "inventory"],
                "databases": ["orders-primary"],
                "due_reason": "by date",
                "_age": 610,
            },
            [
                (420, "Kim Do-hyun", "keep_parked", "Disk budget approved for next year.", None),
                (
                    190,
                    "Park Ji-woo",
                    "keep_parked",
                    "New hire has done online partitioning with logical replication at a previous job.",
                    -10,
                ),
            ],
        ),
        (
            {
                "title": "Search latency SLO misses during index rebuilds",
                "problem_statement": "Full reindexing every Sunday pushes p99 over 800 ms for an hour.",
                "state": "parked",
                "owner_role": "SRE",
                "owner": "Jung Ha-eun",
                "impact": "medium",
                "urgency": "medium",
                "why_parked_category": "skills",
                "why_parked": "Nobody on the team knows the search engine's internals well "
                "enough to make incremental indexing safe.",
                "workaround": "Rebuild at 04:00 on Sundays.",
                "workaround_holds": True,
                "root_cause_confidence": "suspected",
                "decided_by": "SRE lead",
                "decided_on": day(-150),
                "revisit_on": day(45),
                "services": ["search"],
                "slos": ["search-latency"],
                "triggers": [_budget("search-latency", 0.5)],
                "_age": 160,
            },
            [(60, "Jung Ha-eun", "keep_parked", "Training budget approved for Q1.", 45)],
        ),
        (
            {
                "title": "Auth token service depends on a single-region identity provider",
                "problem_statement": "When the provider's region degrades, logins fail everywhere.",
                "state": "parked",
                "owner_role": "SRE",
                "owner": "Kang Ye-jin",
                "impact": "critical",
                "urgency": "low",
                "why_parked_category": "cost",
                "why_parked": "A second region doubles the licence cost.",
                "workaround": "Cached tokens keep existing sessions alive for 12 hours.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "Head of platform",
                "decided_on": day(-300),
                "revisit_on": day(-1),
                "cadence_days": 120,
                "services": ["auth"],
                "slos": ["auth-availability"],
                "external_reference": "https://wiki.example.com/auth/idp-risk",
                "_age": 310,
            },
            [(180, "Kang Ye-jin", "keep_parked", "Provider announced multi-region for enterprise tier.", -1)],
        ),
        (
            {
                "title": "Notification retries flood the queue after provider outages",
                "problem_statement": "Retries without jitter create a thundering herd for ~30 minutes after recovery.",
                "state": "in_progress",
                "owner_role": "SRE",
                "owner": "Jung Ha-eun",
                "impact": "medium",
                "urgency": "high",
                "why_parked_category": "authority",
                "why_parked": "The client library is owned by another team; we could not change it.",
                "workaround": "Pause the queue consumers by hand.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "SRE lead",
                "decided_on": day(-90),
                "services": ["notifications"],
                "slos": ["notifications-delivery"],
                "_age": 100,
            },
            [(30, "Jung Ha-eun", "start_work", "We now co-own the library: jitter can go in.", None)],
        ),
        (
            {
                "title": "Reporting exports time out for the largest customers",
                "problem_statement": "Exports over 2 GB hit the gateway's 60 s limit.",
                "state": "parked",
                "owner_role": "TPM",
                "owner": "Yoon Seo-jun",
                "impact": "low",
                "urgency": "medium",
                "why_parked_category": "dependency",
                "why_parked": "Needs asynchronous exports in the API gateway.",
                "workaround": "Support runs the export by hand.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "Product",
                "decided_on": day(-250),
                "revisit_on": day(70),
                "services": ["reporting"],
                "slos": ["reporting-availability"],
                "_age": 260,
            },
            [],
        ),
        (
            {
                "title": "Inventory cache stampede on cold start",
                "problem_statement": "After a deploy the inventory cache is empty and the database sees 20× the usual "
                "reads for five minutes.",
                "state": "parked",
                "owner_role": "DBA",
                "owner": "Kim Do-hyun",
                "impact": "medium",
                "urgency": "low",
                "why_parked_category": "skills",
                "why_parked": "Request coalescing needed changes in a framework nobody knew.",
                "workaround": "Deploy one instance at a time.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "DBA lead",
                "decided_on": day(-500),
                "revisit_on": day(-20),
                "services": ["inventory"],
                "slos": ["inventory-availability"],
                "databases": ["catalog"],
                "triggers": [_database("catalog", "connections", "warn")],
                "_age": 505,
            },
            [
                (400, "Kim Do-hyun", "keep_parked", "Still no owner for the framework.", None),
                (200, "Kim Do-hyun", "keep_parked", "Two engineers with that framework joined.", -20),
            ],
        ),
        (
            {
                "title": "Checkout latency regresses when the fraud model is retrained",
                "problem_statement": "Model loading blocks request threads for several seconds.",
                "state": "assessing",
                "owner_role": "SRE",
                "owner": "Kang Ye-jin",
                "impact": "medium",
                "urgency": "medium",
                "why_parked_category": "other",
                "why_parked": "",
                "root_cause_confidence": "suspected",
                "services": ["checkout"],
                "slos": ["checkout-latency"],
                "_age": 12,
            },
            [],
        ),
        (
            {
                "title": "Backups of the analytics warehouse exceed the nightly window",
                "problem_statement": "Full backups take 9 h against an 8 h window.",
                "state": "risk_accepted",
                "owner_role": "DBA",
                "owner": "Park Ji-woo",
                "impact": "low",
                "urgency": "low",
                "why_parked_category": "cost",
                "why_parked": "Faster storage was not approved.",
                "workaround": "Incremental backups on weekdays.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "CTO",
                "decided_on": day(-350),
                "resolution_code": "risk_accepted",
                "databases": ["analytics-staging"],
                "_age": 360,
            },
            [(340, "Park Ji-woo", "risk_accepted", "Accepted until the warehouse is replaced.", None)],
        ),
        (
            {
                "title": "Cross-team incident reviews never close their action items",
                "problem_statement": "Half of the actions from last year's reviews are still open.",
                "state": "new",
                "owner_role": "TPM",
                "owner": "Yoon Seo-jun",
                "impact": "medium",
                "urgency": "low",
                "why_parked_category": "authority",
                "root_cause_confidence": "unknown",
                "_age": 3,
            },
            [],
        ),
        (
            {
                "title": "Legacy payment gateway certificate rotation is manual",
                "problem_statement": "The gateway accepts certificates only through its admin UI.",
                "state": "resolved",
                "owner_role": "SRE",
                "owner": "Kang Ye-jin",
                "impact": "high",
                "urgency": "low",
                "why_parked_category": "vendor",
                "why_parked": "No API in the vendor's product.",
                "workaround": "Calendar reminder 30 days before expiry.",
                "workaround_holds": True,
                "root_cause_confidence": "known",
                "decided_by": "SRE lead",
                "decided_on": day(-700),
                "resolution_code": "fixed",
                "services": ["payments"],
                "slos": ["payments-availability"],
                "_age": 720,
            },
            [
                (500, "Kang Ye-jin", "keep_parked", "Vendor promised an API.", None),
                (
                    25,
                    "Kang Ye-jin",
                    "resolved",
                    "The new gateway version has an ACME endpoint; rotation is automated.",
                    None,
                ),
            ],
        ),
    ]


def _came_due(revisit_on: date, now: datetime):
    """(when, why) a demo item came due on its revisit date, as the revisit check records it."""
    came_due = datetime.combine(revisit_on, datetime.min.time(), tzinfo=now.tzinfo)
    [reason] = due_reasons(revisit_on, [], Readings(at=came_due), revisit_on)
    return came_due, reason


def seed_demo_items(engine: sa.Engine, *, actor: Actor, now: datetime, team_timezone: str) -> int:
    """Store the demo items with their review histories, if the store has no items yet. Returns how many.

    Seeding is an import: only admins may (``PermissionDenied`` otherwise), and the audit trail names who did."""
    require(actor, Role.ADMIN, "load the demo tracker items")
    if list_items(engine):
        return 0
    today = team_today(now, team_timezone)
    specifications = demo_items(today)
    rows = []
    for fields, reviews in specifications:
        created = now - timedelta(days=fields["_age"])
        last_review = min((days for days, *_ in reviews), default=None)
        row = {name: value for name, value in fields.items() if name != "_age"}
        row.update(
            created_at=created,
            updated_at=now - timedelta(days=last_review) if last_review else created,
            last_reviewed_at=now - timedelta(days=last_review) if last_review is not None else None,
            version=1 + len(reviews),
        )
        if row.get("due_reason"):  # came due on its revisit date, as the revisit check would have recorded it
            row["due_reason"] = _came_due(row["revisit_on"], now)[1].to_dict()
        rows.append(row)
    ids = insert_items(engine, rows, actor=actor, now=now)
    review_rows = []
    for item_id, (_fields, reviews) in zip(ids, specifications):
        state = "new"
        for days_ago, reviewer, outcome, what_changed, next_in_days in sorted(reviews, key=lambda r: -r[0]):
            state_after = {
                "keep_parked": "parked",
                "start_work": "in_progress",
                "resolved": "resolved",
                "risk_accepted": "risk_accepted",
            }[outcome]
            review_rows.append(
                {
                    "item_id": item_id,
                    "reviewed_at": now - timedelta(days=days_ago),
                    "reviewer": reviewer,
                    "outcome": outcome,
                    "what_changed": what_changed,
                    "state_before": state,
                    "state_after": state_after,
                    "next_revisit_on": None if next_in_days is None else today + timedelta(days=next_in_days),
                }
            )
            state = "due" if state_after == "parked" else state_after
    insert_items(engine, [], actor=actor, now=now, reviews=review_rows)
    return len(ids)


DEMO_TRACKER_NOTE = (
    "Demo tracker items: what the demo items would show this week, as a team would record them; not stored. "
    "Load them on the Revisit tracker page (Load demo items) to work with them."
)


def demo_tracker_events(now: datetime, team_timezone: str) -> list[TrackerEvent]:
    """The events the demo items would have had in a store that held them all along: each review at its time, and
    each item that came due on its revisit date (stored due, or parked past it, as a daily revisit check would have
    marked it); item numbers as a fresh store gives them."""
    from data.tracker.service import REVISIT_CHECK_ACTOR

    today = team_today(now, team_timezone)
    events = []
    for item_id, (fields, reviews) in enumerate(demo_items(today), start=1):
        title = fields["title"]
        revisit_on = fields.get("revisit_on")
        lapsed = fields["state"] == "parked" and revisit_on is not None and revisit_on <= today
        if fields.get("due_reason") or lapsed:  # a daily revisit check marks it due on its revisit date
            came_due, reason = _came_due(revisit_on, now)
            events.append(TrackerEvent(item_id, title, "came due", came_due, REVISIT_CHECK_ACTOR.name, reason.text))
        for days_ago, reviewer, outcome, what_changed, next_in_days in reviews:
            next_look = None if next_in_days is None else today + timedelta(days=next_in_days)
            detail = review_detail(outcome, what_changed, next_look)
            events.append(TrackerEvent(item_id, title, "reviewed", now - timedelta(days=days_ago), reviewer, detail))
    return events

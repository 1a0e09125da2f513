"""The error-budget policies and the decisions log in the store (migration 0013).

- A policy is one row per scope with a ``version``: a save names the version it was made on, and a save on an
  older one is refused with ``PolicyConflict`` (who saved meanwhile, what they saved), storing nothing, so nobody's
  text is silently overwritten. Every save writes its audit line in the same transaction.
- Decisions are append-only (the database refuses UPDATE, DELETE, REPLACE and TRUNCATE) and carry the form
  submission's idempotency key, unique, so a double click stores one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.appends import append_once
from data.store.audit import record_audit
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor
from metrics.slo_policy.rules import Decision, DecisionKind, Policy, scope_label


class SloPolicyRow(Base):
    """One error-budget policy (a service's, or ``*`` for all services)."""

    __tablename__ = "slo_policies"
    __table_args__ = (sa.UniqueConstraint("scope", name="uq_slo_policies_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(sa.String(200))
    actions: Mapped[str] = mapped_column(sa.Text)
    at_risk_spent: Mapped[float] = mapped_column(sa.Double)
    freeze_spent: Mapped[float] = mapped_column(sa.Double)
    postmortem_share: Mapped[float] = mapped_column(sa.Double)
    approver: Mapped[str] = mapped_column(sa.String(200))
    approved_on: Mapped[date] = mapped_column(sa.Date)
    revisit_on: Mapped[date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(sa.String(200))
    tracker_item_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class SloPolicyDecisionRow(Base):
    """One decision taken under the policy. Append-only."""

    __tablename__ = "slo_policy_decisions"
    __table_args__ = (
        sa.Index("ix_slo_policy_decisions_service_decided_at", "service", "decided_at"),
        sa.Index("uq_slo_policy_decisions_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text)
    incident: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(20))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str] = mapped_column(sa.String(200))
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


_POLICIES = SloPolicyRow.__table__
_DECISIONS = SloPolicyDecisionRow.__table__
POLICY_FIELDS = (
    "actions",
    "at_risk_spent",
    "freeze_spent",
    "postmortem_share",
    "approver",
    "approved_on",
    "revisit_on",
)


class PolicyConflict(Exception):
    """The policy was saved by someone else since the version this edit was made on; nothing was stored."""

    def __init__(self, current: Policy | None, base_version: int) -> None:
        self.current, self.base_version = current, base_version
        if current is None:
            text = "was removed meanwhile"
        else:
            when = "" if current.updated_at is None else f" at {current.updated_at:%Y-%m-%d %H:%M} UTC"
            text = f"was saved by {current.updated_by}{when} (now version {current.version})"
        scope = scope_label(current.scope) if current is not None else "this scope"
        super().__init__(
            f"the policy for {scope} {text} since you opened version {base_version}; nothing was saved. Read "
            "their version, then save yours on top of it"
        )


class AlreadyRecorded(Exception):
    """This form submission was stored before (a double click): nothing new was written."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(
            f"already recorded: the {decision.kind.label} decision for {decision.service} by {decision.decided_by} "
            f"(decision {decision.id}); nothing was added twice"
        )
        self.decision = decision


def _policy(row: Any) -> Policy:
    return Policy(
        scope=row.scope,
        actions=row.actions,
        approver=row.approver,
        approved_on=row.approved_on,
        revisit_on=row.revisit_on,
        at_risk_spent=row.at_risk_spent,
        freeze_spent=row.freeze_spent,
        postmortem_share=row.postmortem_share,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        tracker_item_id=row.tracker_item_id,
    )


def _decision(row: Any) -> Decision:
    return Decision(
        service=row.service,
        kind=DecisionKind(row.kind),
        reason=row.reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        incident=row.incident,
        state=row.state,
        id=row.id,
    )


def list_policies(engine: sa.Engine) -> list[Policy]:
    """Every policy, the all-services one first, then by service."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(_POLICIES)).all()
    return sorted((_policy(row) for row in rows), key=lambda p: (p.scope != "*", p.scope))


def get_policy(engine: sa.Engine, scope: str) -> Policy | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(_POLICIES).where(_POLICIES.c.scope == scope)).first()
    return None if row is None else _policy(row)


def _values(policy: Policy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in POLICY_FIELDS}


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def save_policy(engine: sa.Engine, policy: Policy, *, base_version: int, actor: Actor, now: datetime) -> Policy:
    """Store ``policy`` made on ``base_version`` (0: a new policy) as the next version, with its audit line listing
    each changed field (before, after); ``PolicyConflict`` when the stored version is another, unless it already
    holds exactly these values (the same save submitted twice: nothing more is stored)."""
    values = _values(policy)
    try:
        with engine.begin() as connection:
            row = connection.execute(
                sa.select(_POLICIES).where(_POLICIES.c.scope == policy.scope).with_for_update()
            ).first()
            current = None if row is None else _policy(row)
            stored_version = 0 if current is None else current.version
            if stored_version != base_version:
                if current is not None and _values(current) == values:  # a second click of the same save
                    return current
                raise PolicyConflict(current, base_version)
            before = {} if current is None else _values(current)
            changes = {
                name: [_audit_value(before.get(name)), _audit_value(value)]
                for name, value in values.items()
                if before.get(name) != value
            }
            if current is not None and not changes:
                return current
            stamp = {"version": base_version + 1, "updated_at": now, "updated_by": actor.name.strip()}
            if current is None:
                connection.execute(sa.insert(_POLICIES).values(scope=policy.scope, **values, **stamp))
            else:
                updated = connection.execute(
                    sa.update(_POLICIES)
                    .where(_POLICIES.c.scope == policy.scope, _POLICIES.c.version == base_version)
                    .values(**values, **stamp)
                )
                if updated.rowcount != 1:
                    raise PolicyConflict(current, base_version)
            record_audit(
                connection,
                actor=actor,
                action="created" if current is None else "edited",
                entity="slo_policy",
                entity_id=policy.scope,
                at=now,
                details={"version": base_version + 1, "changes": changes},
            )
    except sa.exc.IntegrityError:  # another first save of the same scope won the race
        raise PolicyConflict(get_policy(engine, policy.scope), base_version) from None
    stored = get_policy(engine, policy.scope)
    assert stored is not None
    return stored


def link_tracker_item(engine: sa.Engine, scope: str, item_id: int) -> None:
    """Remember the revisit-tracker item that brings the policy back (not a change of the policy: no version)."""
    with engine.begin() as connection:
        connection.execute(sa.update(_POLICIES).where(_POLICIES.c.scope == scope).values(tracker_item_id=item_id))


def insert_decision(
    engine: sa.Engine, decision: Decision, *, actor: Actor, submission_key: str | None = None
) -> Decision:
    """Append the decision and its audit line in one transaction; ``AlreadyRecorded`` for a repeated submission."""
    row: Mapping[str, Any] = {
        "service": decision.service,
        "kind": decision.kind.value,
        "reason": decision.reason,
        "incident": decision.incident,
        "state": decision.state,
        "decided_at": decision.decided_at,
        "decided_by": decision.decided_by,
    }
    decision_id = append_once(
        engine,
        _DECISIONS,
        row,
        submission_key=submission_key,
        actor=actor,
        entity="slo_policy_decision",
        at=decision.decided_at,
        details={"service": decision.service, "kind": decision.kind.value, "incident": decision.incident},
        repeated=lambda first: AlreadyRecorded(_decision(first)),
    )
    return Decision(**{**decision.__dict__, "id": decision_id})


def list_decisions(
    engine: sa.Engine,
    *,
    service: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Decision]:
    """Decisions (of one service, within [since, until)), newest first."""
    query = sa.select(_DECISIONS).order_by(_DECISIONS.c.decided_at.desc(), _DECISIONS.c.id.desc())
    if service is not None:
        query = query.where(_DECISIONS.c.service == service)
    if since is not None:
        query = query.where(_DECISIONS.c.decided_at >= since)
    if until is not None:
        query = query.where(_DECISIONS.c.decided_at < until)
    with engine.connect() as connection:
        return [_decision(row) for row in connection.execute(query)]

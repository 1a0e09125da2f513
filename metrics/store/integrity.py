"""What ``cli.py store check`` concludes from what it read: which append-only guards are missing, which reviews
lost their item, and where the history's ids skip.

A gap is conclusive only where the engine never skips an id on its own: SQLite hands out max(id) + 1, while
PostgreSQL sequences and MariaDB's auto-increment also skip when an insert is rolled back (a refused edit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The guards migrations 0007 (and 0003 before it), 0010 (the SLO review log), 0013 (the error-budget policy's
# decisions) and 0015 (the deploys entered by hand) install, by engine family: triggers,
# and on MariaDB/MySQL the tables whose foreign keys make TRUNCATE refuse to empty the logs.
EXPECTED_GUARDS: Mapping[str, frozenset[str]] = {
    "sqlite": frozenset(
        {
            "tracker_reviews_no_update",
            "tracker_reviews_no_delete",
            "tracker_reviews_no_replace",
            "audit_log_no_update",
            "audit_log_no_delete",
            "audit_log_no_replace",
            "tracker_items_keep_reviewed",
            "slo_reviews_no_update",
            "slo_reviews_no_delete",
            "slo_reviews_no_replace",
            "slo_policy_decisions_no_update",
            "slo_policy_decisions_no_delete",
            "slo_policy_decisions_no_replace",
            "slo_deploys_no_update",
            "slo_deploys_no_delete",
            "slo_deploys_no_replace",
        }
    ),
    "postgresql": frozenset(
        {
            "tracker_reviews_append_only",
            "tracker_reviews_no_truncate",
            "audit_log_append_only",
            "audit_log_no_truncate",
            "tracker_items_keep_reviewed",
            "slo_reviews_append_only",
            "slo_reviews_no_truncate",
            "slo_policy_decisions_append_only",
            "slo_policy_decisions_no_truncate",
            "slo_deploys_append_only",
            "slo_deploys_no_truncate",
        }
    ),
    "mysql": frozenset(
        {
            "tracker_reviews_no_update",
            "tracker_reviews_no_delete",
            "audit_log_no_update",
            "audit_log_no_delete",
            "tracker_items_keep_reviewed",
            "table append_only_guards",
            "slo_reviews_no_update",
            "slo_reviews_no_delete",
            "table slo_review_guards",
            "slo_policy_decisions_no_update",
            "slo_policy_decisions_no_delete",
            "table slo_policy_decision_guards",
            "slo_deploys_no_update",
            "slo_deploys_no_delete",
            "table slo_deploy_guards",
        }
    ),
}
GUARD_TABLES = ("append_only_guards", "slo_review_guards", "slo_policy_decision_guards", "slo_deploy_guards")
GAPLESS_ENGINES = frozenset({"sqlite"})
HISTORY_TABLES = ("tracker_reviews", "audit_log", "slo_reviews", "slo_policy_decisions")


def engine_family(dialect_name: str) -> str:
    return "mysql" if dialect_name in ("mysql", "mariadb") else dialect_name


def id_gaps(ids: Iterable[int]) -> list[tuple[int, int]]:
    """The runs of ids missing between the smallest and the largest, as (first missing, last missing)."""
    ordered = sorted(set(ids))
    return [(before + 1, after - 1) for before, after in zip(ordered, ordered[1:]) if after - before > 1]


@dataclass(frozen=True)
class StoreCheck:
    engine: str
    missing_guards: tuple[str, ...] = ()
    orphan_reviews: tuple[int, ...] = ()
    gaps: Mapping[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def gaps_are_conclusive(self) -> bool:
        return self.engine in GAPLESS_ENGINES

    @property
    def has_gaps(self) -> bool:
        return any(self.gaps.values())

    @property
    def healthy(self) -> bool:
        """No guard missing, no orphan, and no gap where a gap can only mean removed rows."""
        return not self.missing_guards and not self.orphan_reviews and not (self.has_gaps and self.gaps_are_conclusive)


def store_check(
    dialect_name: str,
    installed_guards: Iterable[str],
    review_item_ids: Mapping[int, int],
    item_ids: Iterable[int],
    history_ids: Mapping[str, Iterable[int]],
) -> StoreCheck:
    """``review_item_ids`` maps each review id to its item id; ``history_ids`` each history table to its ids."""
    family = engine_family(dialect_name)
    known_items = set(item_ids)
    return StoreCheck(
        engine=family,
        missing_guards=tuple(sorted(EXPECTED_GUARDS.get(family, frozenset()) - set(installed_guards))),
        orphan_reviews=tuple(sorted(r for r, item in review_item_ids.items() if item not in known_items)),
        gaps={table: id_gaps(history_ids.get(table, ())) for table in HISTORY_TABLES},
    )


def gap_text(gaps: list[tuple[int, int]]) -> str:
    return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in gaps)

"""The weekly review's "Error-budget policy" sections in the page's sections and both documents."""

from __future__ import annotations

from data.weekly.export import SectionKind, sections, to_html, to_markdown
from tests.unit.metrics.weekly.test_review import MIXED, review
from tests.unit.metrics.weekly.test_review_slo_policy import POLICY, READINGS, decision


def test_without_the_store_the_section_says_the_policies_could_not_be_read():
    [section] = [s for s in sections(review(MIXED, readings=READINGS)) if s.kind is SectionKind.POLICY]

    assert (section.rows, section.empty) == ([], "The policies could not be read.")


def test_both_documents_carry_the_freeze_and_the_decision():
    weekly = review(MIXED, readings=READINGS, policies=[POLICY], policy_decisions=[decision(18, 9)])

    markdown, html = to_markdown(weekly), to_html(weekly)

    assert "## Error-budget policy\n" in markdown
    assert "| ■ freeze | a | all services | a-availability | 125% | freeze by Dana on 2026-11-18: budget spent |" in (
        markdown
    )
    assert "## Error-budget policy: decisions of the week" in markdown
    assert "<td>■ freeze</td><td>a</td>" in html and "<h2>Error-budget policy</h2>" in html

"""The tracker's facts as a person reads them."""

from datetime import date

import pytest

from pages.tracker.widgets import decision_text


@pytest.mark.parametrize(
    ("decided_by", "decided_on", "text"),
    [
        ("Kim", date(2026, 3, 2), "by Kim on 2026-03-02"),
        ("Kim", None, "by Kim (no date)"),
        ("", date(2026, 3, 2), "on 2026-03-02 (nobody named)"),
        (None, None, "not recorded"),
    ],
)
def test_the_decision_says_what_is_known_in_words(decided_by, decided_on, text):
    assert decision_text(decided_by, decided_on) == text

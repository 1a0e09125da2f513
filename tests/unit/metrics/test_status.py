"""The one status palette: what pages and the exported weekly review colour with."""

from __future__ import annotations

from metrics import status


def test_every_status_has_its_own_symbol_so_colour_is_never_alone():
    symbols = [style.symbol for style in status.STATUSES.values()]
    assert len(set(symbols)) == len(symbols) == 5


def test_every_status_has_its_own_colour():
    colours = [style.color for style in status.STATUSES.values()]
    assert len(set(colours)) == len(colours)


def test_a_badge_is_the_symbol_and_the_word():
    assert status.CRITICAL.badge == "■ critical"


def test_the_current_period_is_drawn_in_the_first_series_colour():
    assert status.CURRENT_PERIOD_COLOR == status.SERIES_COLORS[0]


def test_the_pages_theme_uses_the_same_palette():
    from pages.common import theme

    assert (theme.STATUSES, theme.SERIES_COLORS) == (status.STATUSES, status.SERIES_COLORS)

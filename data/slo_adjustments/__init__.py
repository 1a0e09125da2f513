"""SLO budget adjustments: their store and the one service the SLO pages and ``cli.py slo-adjustments`` call."""

"""SLO reviews: the store's append-only review log and the steps the page and ``cli.py slo-reviews`` share."""

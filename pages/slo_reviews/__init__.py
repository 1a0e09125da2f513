"""The SLO reviews page: each SLO's review state, its history, the review form and the target what-if."""

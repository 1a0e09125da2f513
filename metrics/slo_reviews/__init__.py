"""SLO reviews: how often each SLO is looked at again, where each stands, and what another target would have done."""

"""Deploys entered by hand, for the deploy annotations."""

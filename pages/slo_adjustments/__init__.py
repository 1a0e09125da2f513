"""The budget adjustments page: the form that enters one, and the list with removal."""

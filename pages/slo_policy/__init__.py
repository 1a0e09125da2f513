"""The error-budget policy page."""

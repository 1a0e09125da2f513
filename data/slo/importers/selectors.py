"""The one check both readers apply to a query they carry over: the catalog's own series-selector parser."""

from __future__ import annotations

from data.slo.promql import SelectorError, SeriesSelector, parse_selector
from metrics.slo.imports import NotCarried


def checked_selector(text: object, construct: str) -> tuple[str, SeriesSelector]:
    """``text`` stripped, and parsed, when it is a series selector the catalog accepts; ``NotCarried`` otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise NotCarried(f"{construct} must be a series selector, got {text!r}")
    try:
        return text.strip(), parse_selector(text)
    except SelectorError as error:
        raise NotCarried(f"{construct} is not a series selector the catalog reads ({error})") from None
